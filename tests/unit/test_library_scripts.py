"""Every bundled scenario: the good trainee passes every RA it covers, the poor one fails the
RA it should, with its evidence at the moment the mistake happened."""

from __future__ import annotations

import pytest

from simulator.harness import run_call
from tests.library import library, scenario_ids, script


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_good_script_passes_every_ra(scenario_id: str) -> None:
    loaded = library().scenarios[scenario_id]
    scenario = loaded.scenario
    result = run_call(scenario, library().companies[scenario.company], script(scenario_id, "good"))
    assert not result.rejected, f"good script had refused actions: {result.rejected}"
    covered = {c.ra for c in scenario.criteria}
    failed = {
        c.id: (c.evidence.it, c.evidence.quote) for c in result.report.criteria if not c.passed
    }
    assert set(result.report.ra) == covered
    assert result.report.passed, f"RA not passed; failing criteria: {failed}"


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_poor_script_fails_what_it_should(scenario_id: str) -> None:
    loaded = library().scenarios[scenario_id]
    scenario = loaded.scenario
    poor = script(scenario_id, "poor")
    assert poor.expect.fails, "a poor script must say which RA it fails"
    result = run_call(scenario, library().companies[scenario.company], poor)
    for ra in poor.expect.fails:
        assert not result.report.ra[ra].passed, f"{ra} should fail"
    by_id = {c.id: c for c in result.report.criteria}
    for failing in poor.expect.failing:
        criterion = by_id[failing.id]
        assert not criterion.passed, f"{failing.id} should fail"
        if failing.between_s is not None:
            low, high = failing.between_s
            assert criterion.evidence.t is not None, f"{failing.id} has no evidence time"
            assert low <= criterion.evidence.t <= high, (
                f"{failing.id} evidence at {criterion.evidence.t}, expected {failing.between_s}"
            )
        evidence = f"{criterion.evidence.it} {criterion.evidence.en}"
        for named in failing.evidence_has:
            assert named in evidence, f"{failing.id} evidence does not name {named!r}: {evidence}"
