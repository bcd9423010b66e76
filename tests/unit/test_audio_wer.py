"""The WER helper the recognition tests and benchmarks rely on: fair to how recognisers write."""

from __future__ import annotations

import pytest

from audio.wer import word_error_rate


@pytest.mark.parametrize(
    ("reference", "hypothesis", "lang"),
    [
        ("one two three", "1, 2, 3.", "en"),  # Whisper writes digits
        ("Mi ripete il numero: tre due uno?", "mi ripete il numero 321", "it"),
        ("Buongiorno, COME posso aiutarla?", "buongiorno come posso aiutarla", "it"),
        ("Il signor Caffè", "il signor caffe", "it"),  # accents
        # An address compares as dictated, whichever way the recogniser writes it.
        (
            "Scriva a m.rossi@acme.example",
            "scriva a m punto rossi chiocciola acme punto example",
            "it",
        ),
        ("Write to m.rossi@acme.example", "write to m.rossi@acme.example", "en"),
    ],
)
def test_spelling_differences_are_not_errors(reference: str, hypothesis: str, lang: str) -> None:
    assert word_error_rate(reference, hypothesis, lang) == 0.0


def test_substitution_deletion_and_insertion_each_count_one() -> None:
    assert word_error_rate("attenda in linea", "attenda la linea") == pytest.approx(1 / 3)
    assert word_error_rate("attenda in linea", "attenda linea") == pytest.approx(1 / 3)
    assert word_error_rate("attenda in linea", "attenda in linea prego") == pytest.approx(1 / 3)


def test_nothing_heard_is_all_wrong_and_empty_reference_is_defined() -> None:
    assert word_error_rate("vuole lasciare un messaggio", "") == 1.0
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("", "ciao") == 1.0


def test_small_number_words_match_digits_in_every_course_language() -> None:
    assert word_error_rate("la dictée numéro un", "la dictée numéro 1", "fr") == 0.0
    assert word_error_rate("Nummer eins", "Nummer 1", "de") == 0.0
    assert word_error_rate("número dos", "número 2", "es") == 0.0


def test_a_dictated_address_is_no_free_pass() -> None:
    """Dictated, the address is more words to get right, not fewer: one wrong part counts."""
    assert word_error_rate(
        "m.rossi@acme.example", "m punto russi chiocciola acme punto example"
    ) == pytest.approx(1 / 7)


@pytest.mark.parametrize(
    ("text", "lang", "said"),
    [
        (
            "a.russo@lucaniaforniture.example",
            "it-IT",
            "a punto russo chiocciola lucaniaforniture punto example",
        ),
        ("j_smith-x@acme.co.uk.", "en-GB", "j underscore smith dash x at acme dot co dot uk."),
        ("info@weber.example", "de-DE", "info at weber Punkt example"),
        ("Alle 12.30 in via Roma 3.", "it-IT", "Alle 12.30 in via Roma 3."),  # no address: as is
    ],
)
def test_the_caller_dictates_addresses_in_its_language(text: str, lang: str, said: str) -> None:
    from audio.spoken import spoken_form

    assert spoken_form(text, lang) == said


def test_a_spelt_letter_equals_its_italian_name_but_not_another_letter() -> None:
    assert (
        word_error_rate("R come Roma, D come Domodossola", "erre come Roma, di come Domodossola")
        == 0.0
    )
    assert word_error_rate("R come Roma", "esse come Roma") == 1 / 3
    assert word_error_rate("Esse", "S", "en") == 1.0  # only Italian names


def test_an_italian_caller_says_the_names_of_the_letters_it_spells() -> None:
    from audio.spoken import spoken_form

    said = spoken_form("Certo: R come Roma, Z come Zara, spazio. E come va?", "it-IT")
    assert said == "Certo: erre come Roma, zeta come Zara, spazio. E come va?"
    assert spoken_form("R as in Robert", "en-GB") == "R as in Robert"
