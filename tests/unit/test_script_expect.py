"""A script's ``expect`` against the scored outcome: what ``simulator run`` enforces."""

from __future__ import annotations

import pytest

from simulator.harness import run_call
from simulator.script import Expectation, FailingCriterion, expectation_differences
from tests.library import library, scenario_ids, script

EXAMPLE = "smistamento-acquisti-assente"


def _report(kind: str):  # type: ignore[no-untyped-def]
    scenario = library().scenarios[EXAMPLE].scenario
    return run_call(scenario, library().companies[scenario.company], script(EXAMPLE, kind)).report


@pytest.mark.parametrize("kind", ["good", "poor"])
@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_bundled_script_gets_the_outcome_it_expects(scenario_id: str, kind: str) -> None:
    """What 'simulator run' enforces holds for the library: each script's expect is true."""
    scenario = library().scenarios[scenario_id].scenario
    played = script(scenario_id, kind)
    report = run_call(scenario, library().companies[scenario.company], played).report
    assert expectation_differences(played.expect, report) == []


def test_a_wrong_expectation_is_told_apart_in_both_languages() -> None:
    poor = _report("poor")
    failed = next(c for c in poor.criteria if not c.passed)
    expect = Expectation(
        passes="all",
        failing=[FailingCriterion(id=failed.id, between_s=(9000.0, 9001.0))],
    )
    differences = expectation_differences(expect, poor)
    failed_ras = sorted(ra for ra, result in poor.ra.items() if not result.passed)
    assert [it for it, _ in differences[: len(failed_ras)]] == [
        f"atteso {ra} superato, invece non superato ({poor.ra[ra].score:.0%})" for ra in failed_ras
    ]
    assert differences[-1][1].startswith(f"criterion '{failed.id}': evidence ")
    assert differences[-1][1].endswith("expected between 9000 and 9001 s")


def test_a_good_trainee_said_to_fail_is_a_difference() -> None:
    good = _report("good")
    ra = sorted(good.ra)[0]
    differences = expectation_differences(Expectation(fails=[ra]), good)
    assert differences == [
        (
            f"atteso {ra} non superato, invece superato ({good.ra[ra].score:.0%})",
            f"expected {ra} failed, got passed ({good.ra[ra].score:.0%})",
        )
    ]
