"""Phone numbers in every writing, call classes, and fonogramma transcription accuracy."""

from __future__ import annotations

import pytest

from simulator.language import (
    call_class,
    keyword_coverage,
    normalise_phone,
    same_phone,
    word_accuracy,
)
from simulator.model import CallClass


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0971 234567", "+390971234567"),
        ("+39 0971 234567", "+390971234567"),
        ("0039 0971 234567", "+390971234567"),
        ("+39 (0971) 23.45.67", "+390971234567"),
        ("zero nove sette uno due tre quattro cinque sei sette", "+390971234567"),
        (
            "zero novecentosettantuno, duecentotrentaquattro cinquecentosessantasette",
            "+390971234567",
        ),
        ("più trentanove zero nove sette uno due tre quattro cinque sei sette", "+390971234567"),
        ("333-123 4567", "+393331234567"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_in_any_writing_become_e164(text: str, expected: str) -> None:
    """Typed, formatted and dictated numbers compare as the same E.164 number."""
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["", "ciao", "214", "interno due uno quattro", "12"])
def test_non_numbers_and_extensions_are_not_phone_numbers(text: str) -> None:
    """Words and short extensions give None, not a made-up number."""
    assert normalise_phone(text) is None


def test_english_spoken_number() -> None:
    """A British caller's "oh" is a zero."""
    assert normalise_phone("oh two oh seven nine four six oh nine five eight", "GB") == (
        "+442079460958"
    )


def test_same_phone() -> None:
    """Message forms are checked against the caller's number, however it was written."""
    assert same_phone("0971 234567", "+39 0971 234567")
    assert same_phone("zero nove sette uno due tre quattro cinque sei sette", "0971234567")
    assert same_phone("214", "due uno quattro")
    assert not same_phone("0971 234567", "0971 234568")
    assert not same_phone("214", "215")
    assert not same_phone("", "")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("214", CallClass.INTERNAL),
        ("due uno quattro", CallClass.INTERNAL),
        ("02 1234 5678", CallClass.NATIONAL),
        ("0971 234567", CallClass.NATIONAL),
        ("800 123456", CallClass.NATIONAL),
        ("333 1234567", CallClass.MOBILE),
        ("+39 347 1234567", CallClass.MOBILE),
        ("899 123456", CallClass.PREMIUM),
        ("892 892", CallClass.PREMIUM),
        ("166 123456", CallClass.PREMIUM),
        ("+44 20 7946 0958", CallClass.INTERNATIONAL),
        ("0044 20 7946 0958", CallClass.INTERNATIONAL),
        ("+39 02 12345678", CallClass.NATIONAL),
    ],
)
def test_call_classes(number: str, expected: CallClass) -> None:
    """The authorisation table sees the right class for every kind of number."""
    assert call_class(number) == expected


def test_local_calls_share_the_switchboard_area_code() -> None:
    """With the switchboard's own number, a number in its area code is local."""
    home = "+39 0971 111111"
    assert call_class("0971 234567", home=home) == CallClass.LOCAL
    assert call_class("02 1234 5678", home=home) == CallClass.NATIONAL


def test_call_class_refuses_no_number() -> None:
    """A number without digits is an error with an Italian and English message."""
    with pytest.raises(ValueError, match="not a phone number"):
        call_class("nessuno")


REFERENCE = "Comunico che la riunione di lunedì 23 è spostata alle ore 15. Firmato: Rossi."


@pytest.mark.parametrize(
    ("hypothesis", "expected"),
    [
        ("comunico che la riunione di lunedi 23 e spostata alle ore 15 firmato rossi", 1.0),
        (
            "Comunico che la riunione di lunedì ventitré è spostata alle ore quindici. "
            "Firmato Rossi",
            1.0,
        ),
        (
            "comunico che la riunione di lunedi 23 e stata spostata alle ore 15 firmato rossi",
            13 / 14,
        ),
        ("comunico che la riunione di martedi 23 e spostata alle ore 15 firmato rossi", 13 / 14),
        ("comunico che riunione lunedi 23 spostata ore 15 rossi", 9 / 14),
        ("", 0.0),
        ("parole del tutto diverse " * 10, 0.0),
    ],
)
def test_word_accuracy(hypothesis: str, expected: float) -> None:
    """Transcription accuracy is 1 - WER on normalised words, floored at zero."""
    assert word_accuracy(REFERENCE, hypothesis, "it-IT") == pytest.approx(expected)


def test_word_accuracy_of_empty_reference() -> None:
    """Nothing dictated and nothing written is perfect; anything written is all wrong."""
    assert word_accuracy("", "", "it-IT") == 1.0
    assert word_accuracy("", "qualcosa", "it-IT") == 0.0


def test_keyword_coverage() -> None:
    """Report forms are scored by the share of expected keywords, typos forgiven."""
    text = "La fatura è arrivata in ritardo, il cliente è arrabbiato"
    assert keyword_coverage(["fattura", "ritardo", "pagamento"], text, "it-IT") == pytest.approx(
        2 / 3
    )
    assert keyword_coverage(["Fattura", "in ritardo"], text, "it-IT") == 1.0
    assert keyword_coverage([], text, "it-IT") == 1.0
    assert keyword_coverage(["rimborso"], text, "it-IT") == 0.0


def test_short_keywords_count_anywhere_as_whole_words() -> None:
    """An order number or "ok" counts wherever it is, but not inside a longer number."""
    assert keyword_coverage(["4512", "ritardo"], "L'ordine 4512 è in ritardo", "it-IT") == 1.0
    assert keyword_coverage(["4512"], "L'ordine 45120 è in ritardo", "it-IT") == 0.0
