"""A state snapshot rebuilds exactly the state that replaying the log gives, at every step."""

from __future__ import annotations

import json

import pytest

from simulator import engine
from simulator.call_state import from_snapshot, to_snapshot
from simulator.errors import CallStateError
from tests.library import library, scenario_ids, script


def same(a: engine.CallState, b: engine.CallState) -> bool:
    return to_snapshot(a, a.company) == to_snapshot(b, a.company) and a.company == b.company


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_snapshot_equals_replay_after_every_action(scenario_id: str) -> None:
    loaded = library().scenarios[scenario_id]
    scenario = loaded.scenario
    company = library().companies[scenario.company]
    for kind in ("good", "poor"):
        state, log = engine.start(scenario, company)
        for turn in script(scenario_id, kind).turns:
            try:
                state, new = engine.step(state, turn.action(), turn.at)
            except CallStateError:
                continue
            log.extend(new)
            stored = json.loads(json.dumps(to_snapshot(state, company)))
            restored = from_snapshot(scenario, company, stored)
            assert restored is not None
            assert same(restored, engine.replay(scenario, company, log))
            # and the restored state carries on exactly like the original
            later = turn.at + 30
            assert [e.to_json() for e in engine.advance(restored, later)[1]] == [
                e.to_json() for e in engine.advance(state, later)[1]
            ]


def test_snapshot_of_another_format_is_ignored() -> None:
    loaded = library().scenarios[scenario_ids()[0]]
    scenario = loaded.scenario
    company = library().companies[scenario.company]
    state, _ = engine.start(scenario, company)
    stored = to_snapshot(state, company)
    stored["v"] = 0
    assert from_snapshot(scenario, company, stored) is None
