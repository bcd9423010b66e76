"""The published JSON Schemas of the scenario and company formats, generated from the models.

Editors (VS Code's YAML extension, via the ``# yaml-language-server: $schema=...`` comment on
line 1 of a file) use them to complete keys and flag mistakes while an instructor types. They are
committed in ``scenarios/``; a test fails when they drift from the models. Regenerate with
``python -m simulator.schema [ROOT]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from simulator.model import Company, Scenario

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILES = {"scenario": "scenario.schema.json", "company": "company.schema.json"}


def _schema(model: type[BaseModel], name: str, title: str, description: str) -> dict[str, Any]:
    generated = model.model_json_schema()
    header = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:centralino:schema:{name}",
        "title": title,
        "description": description,
    }
    return header | {key: value for key, value in generated.items() if key not in header}


def scenario_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file (one practice call, or several at once, and its rubric)."""
    return _schema(
        Scenario,
        "scenario",
        "Centralino: scenario",
        "Scenario di esercitazione al centralino / switchboard practice scenario",
    )


def company_schema() -> dict[str, Any]:
    """JSON Schema of a company file (directory, presence, authorisations, knowledge)."""
    return _schema(
        Company,
        "company",
        "Centralino: azienda / company",
        "Azienda simulata: rubrica, presenze, autorizzazioni / simulated company",
    )


def render(schema: dict[str, Any]) -> str:
    """The exact text committed to ``scenarios/``: stable order, UTF-8, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def generated_files() -> dict[str, str]:
    """File name -> text of every published schema."""
    return {
        SCHEMA_FILES["scenario"]: render(scenario_schema()),
        SCHEMA_FILES["company"]: render(company_schema()),
    }


def write_schemas(root: Path | str = Path("scenarios")) -> list[Path]:
    """Write the schemas into ``root`` and return the files written."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated_files().items():
        target = root / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_schemas(sys.argv[1] if len(sys.argv) > 1 else "scenarios"):
        print(path)
