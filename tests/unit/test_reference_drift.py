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


def test_every_place_has_a_worked_example_its_model_accepts() -> None:
    """Each table of the reference comes with an example, and the example is valid there."""
    from simulator.reference import examples, places
    from simulator.yaml_source import parse

    known = places()
    written = examples()
    assert set(known) - set(written) == set(), "places without an example"
    assert set(written) - set(known) == set(), "examples for places the reference lacks"
    for where, model in known.items():
        data = parse(written[where]["yaml"], f"example {where!r}").data
        model.model_validate(data)
        for lang in ("it", "en"):
            assert f"```yaml\n{written[where]['yaml'].rstrip()}\n```" in reference(lang)


def test_the_whole_scenario_example_loads_against_the_bundled_company() -> None:
    """The root example is a scenario that validates in full (steps, ids, placeholders)."""
    from simulator import loader
    from simulator.reference import examples

    library = loader.load_library(GUIDE.parents[1] / "scenarios")
    loader.load_scenario_text(examples()[""]["yaml"], "example.yaml", library.companies)


def test_every_key_has_an_english_description_distinct_from_the_italian() -> None:
    """No key falls back to Italian in the English reference (a kind tag needs none)."""
    from simulator.reference import places

    for where, model in places().items():
        for name, info in model.model_fields.items():
            if name == "kind" or (where == "" and name == "id"):
                continue
            it, sep, en = (info.description or "").partition(" / ")
            assert sep and it.strip() and en.strip(), f"{where or 'scenario'}.{name}: {it!r}"
