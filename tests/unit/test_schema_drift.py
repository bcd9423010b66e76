"""The JSON Schemas committed in scenarios/ are exactly what the models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.schema import SCHEMA_FILES, company_schema, generated_files, scenario_schema

SCENARIOS = Path(__file__).parents[2] / "scenarios"


@pytest.mark.parametrize("name", sorted(generated_files()))
def test_committed_schema_matches_models(name: str) -> None:
    """Editing simulator/model.py without regenerating the schemas fails here."""
    committed = SCENARIOS / name
    assert committed.exists(), f"{committed} is missing: run `python -m simulator.schema`"
    assert committed.read_text(encoding="utf-8") == generated_files()[name], (
        f"{committed} differs from simulator/model.py: regenerate it with "
        "`.venv/bin/python -m simulator.schema` and commit the result"
    )


def test_schemas_carry_id_title_description() -> None:
    """Editors show the title and description; $id names the schema."""
    for schema in (scenario_schema(), company_schema()):
        assert schema["$id"].startswith("urn:centralino:schema:")
        assert schema["title"] and schema["description"]
        assert schema["$schema"].startswith("https://json-schema.org/")
        json.dumps(schema)


def test_bundled_files_point_at_the_schemas() -> None:
    """Bundled YAML files name the schema beside them on line 1 (when any exist yet)."""
    for path in SCENARIOS.rglob("*.yaml"):
        if "scripts" in path.relative_to(SCENARIOS).parts:
            continue
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if first.startswith("# yaml-language-server:"):
            name = SCHEMA_FILES["company" if "companies" in path.parts else "scenario"]
            assert first.endswith(name), f"{path}: line 1 should point at {name}"
