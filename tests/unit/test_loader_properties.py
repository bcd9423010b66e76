"""Whatever an upload contains, the loader returns a scenario or raises ScenarioError."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import ScenarioError
from simulator.loader import load_company, load_scenario_text
from simulator.model import Company
from simulator.yaml_source import parse

COMPANY_FILE = Path(__file__).parent / "fixtures" / "library" / "companies" / "acme.yaml"
SCENARIO_FILE = Path(__file__).parent / "fixtures" / "library" / "smistamento" / "assente.yaml"
COMPANIES: dict[str, Company] = {"acme-potenza": load_company(COMPANY_FILE)}
# Read with the loader's own reader: yaml.safe_load would turn the 'on:' keys into True.
VALID: dict[str, Any] = parse(SCENARIO_FILE.read_text(encoding="utf-8"), "valid.yaml").data

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Scalars instructors (and fuzzers) write: ids, numbers, near-miss words, YAML-special words.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["on", "no", "yes", "~", "fine", "squillo", "transfer", "answer", "214", "l1"]),
)
keys = st.one_of(
    st.sampled_from(["id", "say", "on", "goto", "to", "steps", "start", "kind", "ra", "calls"]),
    st.text(min_size=1, max_size=8),
)
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)


def _load(text: str | bytes) -> None:
    try:
        load_scenario_text(text, "fuzz.yaml", COMPANIES)
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line >= 1 and problem.column >= 1
            assert problem.it and problem.en
            assert "internal loader error" not in problem.en, problem.render("en")


@SETTINGS
@given(st.text())
def test_any_text(text: str) -> None:
    """Arbitrary text, valid YAML or not."""
    _load(text)


@SETTINGS
@given(st.binary())
def test_any_bytes(raw: bytes) -> None:
    """Arbitrary bytes, as an upload may arrive."""
    _load(raw)


@SETTINGS
@given(structures)
def test_any_yaml_structure(value: Any) -> None:
    """Arbitrary YAML-shaped documents."""
    _load(yaml.safe_dump(value, allow_unicode=True))


@SETTINGS
@given(st.sampled_from(sorted(VALID)), structures)
def test_valid_scenario_with_one_field_replaced(field: str, value: Any) -> None:
    """A valid scenario with one top-level field replaced by anything."""
    _load(yaml.safe_dump(VALID | {field: value}, allow_unicode=True))


@SETTINGS
@given(st.sampled_from(["squillo", "richiesta", "fine"]), keys, structures)
def test_valid_scenario_with_a_step_mutated(step: str, key: str, value: Any) -> None:
    """A valid scenario whose step gets an arbitrary key and value."""
    document = copy.deepcopy(VALID)
    document["calls"][0]["steps"][step][key] = value
    _load(yaml.safe_dump(document, allow_unicode=True))
