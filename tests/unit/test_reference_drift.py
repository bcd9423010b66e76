"""The reference part of docs/scenario-format.md is what the models and the lexicon say now."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from simulator.model import Company, Scenario
from simulator.reference import reference, replace_blocks
from simulator.script import Script

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def test_the_guide_holds_the_reference_as_generated_now() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert replace_blocks(text) == text, (
        "docs/scenario-format.md is out of date: run 'simulator docs --write "
        "docs/scenario-format.md'"
    )


def _keys(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    from simulator.reference import _children  # the same walk the reference makes

    if model in seen:
        return set()
    seen.add(model)
    keys = set(model.model_fields)
    for info in model.model_fields.values():
        for child, _ in _children(info.annotation):
            keys |= _keys(child, seen)
    return keys


def test_every_key_of_every_format_is_in_both_languages() -> None:
    for lang in ("it", "en"):
        text = reference(lang)
        for root in (Scenario, Company, Script):
            for key in _keys(root, set()):
                assert f"| `{key}` |" in text, f"{key} missing from the {lang} reference"
