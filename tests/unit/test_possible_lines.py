"""Everything a caller says in the bundled scripts is known before the call starts, so its audio
can be rendered ahead and no call waits on synthesis."""

from __future__ import annotations

import pytest

from simulator.caller import possible_lines
from simulator.harness import run_call
from tests.library import library, scenario_ids, script


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_caller_line_of_the_scripts_is_known_ahead(scenario_id: str) -> None:
    scenario = library().scenarios[scenario_id].scenario
    company = library().companies[scenario.company]
    known = {(line, text) for line, text in possible_lines(scenario, company)}
    for kind in ("good", "poor"):
        result = run_call(scenario, company, script(scenario_id, kind))
        said = {(e.line, str(e.data["text"])) for e in result.events if e.kind == "caller_said"}
        assert said <= known, f"{kind}: not known ahead: {sorted(said - known)}"
