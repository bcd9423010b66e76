"""Normalisation: what trainees type or recognisers hear compares equal when it means the same."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.language import normalise


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("due uno quattro", "it-IT", "214"),
        ("two one four", "en-GB", "214"),
        ("deux un quatre", "fr-FR", "214"),
        ("interno 2 1 4", "it-IT", "interno 214"),
        ("zero nove sette uno", "it-IT", "0971"),
        ("L'interno è duecentoquattordici", "it-IT", "l interno e 214"),
        ("oh one one three", "en-GB", "0113"),
        ("zwei eins vier", "de-DE", "214"),
        ("dos uno cuatro", "es-ES", "214"),
    ],
)
def test_spoken_numbers_become_digits(text: str, lang: str, expected: str) -> None:
    """Digits dictated one by one, in words or figures, become one number."""
    assert normalise(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Ehm, allora... CHI PARLA?", "it-IT", "chi parla"),
        ("Uhm, cioè, può ripetere?", "it-IT", "puo ripetere"),
        ("Um, er, who's calling, you know?", "en-GB", "who s calling"),
        ("Euh, bah, c'est de la part de qui ?", "fr-FR", "c est de la part de qui"),
        ("Ehmmm resti in linea", "it", "resti in linea"),
    ],
)
def test_case_accents_punctuation_and_fillers_are_removed(
    text: str, lang: str, expected: str
) -> None:
    """Hesitations and punctuation from a recogniser do not reach the matcher."""
    assert normalise(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Va bene, grazie", "it-IT", "va bene grazie"),
        ("Che tipo di problema ha?", "it-IT", "che tipo di problema ha"),
        ("I would like to leave a message", "en-GB", "i would like to leave a message"),
        ("Do you know his extension?", "en-GB", "do you know his extension"),
        ("C'est bon, merci", "fr-FR", "c est bon merci"),
        ("Lei sei sicuro?", "it-IT", "lei sei sicuro"),
        ("Rien de neuf", "fr-FR", "rien de neuf"),
        ("un attimo", "it-IT", "un attimo"),
    ],
)
def test_words_that_carry_meaning_are_kept(text: str, lang: str, expected: str) -> None:
    """Fillers are dropped only where they are fillers, and "sei" is not always six."""
    assert normalise(text, lang) == expected


def test_accented_and_plain_spellings_compare_equal() -> None:
    """Typing without accents (a screen-reader user's habit) changes nothing."""
    assert normalise("Può attendere un attimo? È già in linea", "it-IT") == normalise(
        "puo attendere un attimo e gia in linea", "it-IT"
    )
    assert normalise("trentatré", "it-IT") == normalise("trentatre", "it-IT") == "33"


def test_unknown_language_still_folds_text() -> None:
    """A language without number words or fillers is still lower-cased and folded."""
    assert normalise("Olá, São Paulo!", "xx-YY") == "ola sao paulo"


def test_empty_and_blank_input() -> None:
    """Silence from the recogniser normalises to the empty string."""
    assert normalise("", "it-IT") == ""
    assert normalise("  ...  ", "it-IT") == ""


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), lang=st.sampled_from(["it-IT", "en-GB", "fr-FR", "de", "es"]))
def test_normalise_never_raises_and_is_idempotent(text: str, lang: str) -> None:
    """Any input normalises, and normalising twice changes nothing."""
    once = normalise(text, lang)
    assert normalise(once, lang) == once
    assert once == " ".join(once.split())
    assert once.isascii()


_WORDS = st.sampled_from(
    [
        "due",
        "uno",
        "quattro",
        "zero",
        "nove",
        "sette",
        "sei",
        "tre",
        "cento",
        "mille",
        "e",
        "ehm",
        "allora",
        "cioe",
        "tipo",
        "di",
        "chi",
        "parla",
        "interno",
        "lei",
        "one",
        "two",
        "oh",
        "four",
        "you",
        "know",
        "do",
        "well",
        "un",
        "deux",
        "neuf",
        "bon",
        "c",
        "est",
    ]
)


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(_WORDS, max_size=12), lang=st.sampled_from(["it-IT", "en-GB", "fr-FR"]))
def test_idempotent_on_number_and_filler_words(tokens: list[str], lang: str) -> None:
    """Sentences made of number words and fillers, the hard cases, are fixed points too."""
    once = normalise(" ".join(tokens), lang)
    assert normalise(once, lang) == once


def test_a_quantity_after_an_order_number_stays_apart() -> None:
    """'Ordine 8120: 2 sedie' is an order and a quantity, not order 81202."""
    from simulator.language.normalise import normalise

    assert normalise("Ordine 8120: 2 sedie", "it-IT") == "ordine 8120 2 sedie"
    assert normalise("0971 4 4 3 2 1 0", "it-IT") == "0971443210"  # a run still joins
    assert normalise("zero nove sette uno quattro quattro tre", "it-IT") == "0971443"
