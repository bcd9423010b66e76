"""Rewrites of a transcript with an expected phrase, for the recogniser to re-score."""

from __future__ import annotations

from simulator.language.hypotheses import phrase_hypotheses
from simulator.language.intents import intent_candidates

PHRASES = [
    p
    for phrases in intent_candidates(
        ["offer_transfer", "ask_wait", "goodbye", "offer_message"], "it"
    ).values()
    for p in phrases
]


def test_the_words_most_like_a_phrase_are_replaced_and_the_rest_kept() -> None:
    rewrites = phrase_hypotheses("e lo farso subito.", PHRASES, "it")
    assert "e glielo passo subito" in rewrites


def test_a_rewrite_keeps_the_words_around_the_phrase() -> None:
    rewrites = phrase_hypotheses("Atenza in mia, di favore!", PHRASES, "it")
    assert any(r.startswith("attenda in linea") and r.endswith("favore!") for r in rewrites)


def test_a_phrase_already_heard_needs_no_rewrite() -> None:
    assert (
        phrase_hypotheses("vuole lasciare un messaggio", ["vuole lasciare un messaggio"], "it")
        == []
    )


def test_nothing_near_gives_no_rewrite() -> None:
    assert (
        phrase_hypotheses("ho comprato del pane e del latte", ["glielo passo subito"], "it") == []
    )


def test_at_most_limit_rewrites_nearest_first_without_duplicates() -> None:
    rewrites = phrase_hypotheses("e lo farso subito.", PHRASES, "it", limit=3)
    assert len(rewrites) == len(set(rewrites)) <= 3
    assert rewrites


def test_empty_transcript() -> None:
    assert phrase_hypotheses("", PHRASES, "it") == []
    assert phrase_hypotheses("...", PHRASES, "it") == []
