"""The scoring matcher gives exactly what the intent layer's phrase_present gives."""

from __future__ import annotations

from simulator.language.intents import phrase_present
from simulator.language.lexicon import FAMILIES
from simulator.language.match import each_present, present
from tests.library import library, scenario_ids, script


def test_present_agrees_with_phrase_present_on_every_library_utterance() -> None:
    said = [
        turn.say
        for scenario_id in scenario_ids()
        for kind in ("good", "poor")
        for turn in script(scenario_id, kind).turns
        if turn.say
    ]
    assert len(said) > 100 and library()
    for family in FAMILIES.values():
        for lang in ("it", "en", "fr"):
            phrases = family.get(lang, [])
            for text in said:
                for threshold in (0.8, 0.85):
                    expected = phrase_present(text, phrases, lang, threshold)
                    assert present(text, phrases, lang, threshold) == expected, (text, lang)
                    every = each_present(text, phrases, lang, threshold)
                    assert (expected is None) == (not every)
