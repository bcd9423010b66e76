"""The bundled library and its scripted trainees, shared by tests of every surface."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from simulator.loader import Library, load_library
from simulator.script import Script, load_script

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SCRIPTS = SCENARIOS / "scripts"


@lru_cache(maxsize=1)
def library() -> Library:
    return load_library(SCENARIOS)


def scenario_ids() -> list[str]:
    return sorted(library().scenarios)


def script(scenario_id: str, kind: str) -> Script:
    return load_script(SCRIPTS / f"{scenario_id}.{kind}.yaml")
