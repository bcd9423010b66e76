"""Grammar building from a step's expected phrases (pure: no engine)."""

from __future__ import annotations

from audio.asr import best_overlap
from audio.grammar import build_grammar, normalise_words

VOCABULARY = {"i'll", "put", "you", "through", "could", "hold", "the", "line", "please", "may"}


def test_normalise_words_keeps_inner_apostrophes_and_drops_punctuation() -> None:
    """Curly apostrophes become straight, case and punctuation go, word-inner ' stays."""
    assert normalise_words("I’ll put you  through, please!") == [
        "i'll",
        "put",
        "you",
        "through",
        "please",
    ]
    assert normalise_words("'quoted' -- text") == ["quoted", "text"]


def test_grammar_maps_each_phrase_back_to_the_original() -> None:
    """What the decoder returns maps to the phrase as the scenario wrote it."""
    grammar = build_grammar(
        ["I'll put you through.", "Could you hold the line?"], VOCABULARY.__contains__
    )
    assert grammar is not None
    assert grammar.phrases == {
        "i'll put you through": "I'll put you through.",
        "could you hold the line": "Could you hold the line?",
    }
    assert "public <utterance> = ( could you hold the line ) | ( i'll put you through );" in (
        grammar.jsgf
    )


def test_out_of_vocabulary_words_are_dropped_and_reported() -> None:
    """Unknown words leave the phrase; a phrase with no known word leaves the grammar."""
    grammar = build_grammar(["Please hold, Centralino", "Zorbax quux"], VOCABULARY.__contains__)
    assert grammar is not None
    assert grammar.phrases == {"please hold": "Please hold, Centralino"}
    assert grammar.dropped_words == ("centralino", "zorbax", "quux")


def test_no_known_word_means_no_grammar() -> None:
    """Then only free dictation is possible."""
    assert build_grammar(["Zorbax"], VOCABULARY.__contains__) is None
    assert build_grammar([], VOCABULARY.__contains__) is None


def test_grammar_name_is_stable_and_depends_on_the_phrases() -> None:
    """The same phrase set reuses the decoder's search; another set gets another name."""
    first = build_grammar(["hold the line", "put you through"], VOCABULARY.__contains__)
    again = build_grammar(["put you through", "hold the line"], VOCABULARY.__contains__)
    other = build_grammar(["hold the line"], VOCABULARY.__contains__)
    assert first is not None and again is not None and other is not None
    assert first.name == again.name != other.name


def test_duplicate_phrases_after_normalising_keep_the_first_spelling() -> None:
    """Two spellings of one phrase make one grammar alternative."""
    grammar = build_grammar(["Hold the line.", "hold the line"], VOCABULARY.__contains__)
    assert grammar is not None
    assert grammar.phrases == {"hold the line": "Hold the line."}


def test_best_overlap_votes_for_the_phrase_sharing_most_words() -> None:
    """Dictation's n-best picks the expected phrase it overlaps most (word F1)."""
    phrases = {"may i ask who is calling": "May I ask?", "i'll put you through": "Put through"}
    assert best_overlap(phrases, ["we'll see who is going", "oh who is calling"]) == (
        "May I ask?",
        2 * 3 / (6 + 4),
    )
    assert best_overlap(phrases, ["nothing shared"]) == (None, 0.0)
