"""Overrides give the effective verdicts (RA totals follow); agreement figures from reviews."""

from __future__ import annotations

import pytest

from simulator.calibration import ReviewedVerdict, agreement_by_scenario_kind, cohen_kappa
from simulator.verdicts import Override, effective_report


def _criterion(cid: str, ra: str, passed: bool, score: float, **extra: object) -> dict:
    return {
        "id": cid,
        "ra": ra,
        "kind": extra.pop("kind", "speech"),
        "weight": extra.pop("weight", 1.0),
        "critical": extra.pop("critical", False),
        "score": score,
        "passed": passed,
        "judged": extra.pop("judged", True),
        "counted": extra.pop("counted", True),
        "status": "passed" if passed else "failed",
        "evidence": {"t": 6.0},
        **extra,
    }


RA1 = "ADA.24.01.08.RA1"
RA2 = "ADA.24.04.11.RA1"


def _report() -> dict:
    criteria = [
        _criterion("apertura", RA1, False, 0.0),
        _criterion("messaggio", RA1, True, 1.0),
        _criterion("cortesia", RA2, True, 1.0),
    ]
    return {
        "scenario": "s",
        "passed": False,
        "score": 0.75,
        "ra": {
            RA1: {"score": 0.5, "threshold": 0.6, "passed": False, "judged": 2, "total": 2},
            RA2: {"score": 1.0, "threshold": 0.6, "passed": True, "judged": 1, "total": 1},
        },
        "criteria": criteria,
    }


def _override(cid: str, passed: bool, automatic: bool) -> Override:
    return Override(cid, passed, "ha salutato", "Ada", "2026-12-02T10:00:00", automatic)


def test_override_changes_the_ra_and_keeps_the_scorers_verdict():
    report = _report()
    out = effective_report(report, [_override("apertura", True, False)])
    apertura = out["criteria"][0]
    assert apertura["passed"] is True and apertura["status"] == "passed"
    assert apertura["automatic"] == {
        "passed": False,
        "status": "failed",
        "score": 0.0,
        "counted": True,
    }
    assert apertura["override"]["reason"] == "ha salutato"
    assert out["ra"][RA1]["score"] == 1.0 and out["ra"][RA1]["passed"] is True
    assert out["passed"] is True and out["score"] == 1.0
    assert out["automatic"] == {"passed": False, "score": 0.75}
    # The stored report is untouched.
    assert report["criteria"][0]["passed"] is False and report["ra"][RA1]["passed"] is False


def test_overriding_a_pass_to_a_fail_fails_the_ra():
    out = effective_report(_report(), [_override("cortesia", False, True)])
    assert out["ra"][RA2]["passed"] is False and out["ra"][RA2]["score"] == 0.0
    assert out["passed"] is False


def test_a_failed_critical_criterion_fails_its_ra_whatever_the_mean():
    report = _report()
    report["criteria"][1]["critical"] = True
    out = effective_report(report, [_override("messaggio", False, True)])
    assert out["ra"][RA1]["passed"] is False


def test_an_override_on_a_not_judged_criterion_counts_it():
    report = _report()
    report["criteria"][0].update(judged=False, counted=False, status="not_judged")
    report["ra"][RA1].update(score=1.0, passed=True, judged=1)
    out = effective_report(report, [_override("apertura", False, False)])
    assert out["ra"][RA1]["judged"] == 2 and out["ra"][RA1]["score"] == 0.5
    assert out["criteria"][0]["automatic"]["status"] == "not_judged"


def test_no_override_leaves_the_report_as_it_was():
    report = _report()
    out = effective_report(report, [])
    assert out["overridden"] is False
    assert {k: v for k, v in out.items() if k != "overridden"} == report


def test_kappa_of_known_tables():
    # 20 both P, 5 assessor P scorer F, 10 assessor F scorer P, 15 both F: po 0.7, pe 0.5.
    pairs = [("P", "P")] * 20 + [("P", "F")] * 5 + [("F", "P")] * 10 + [("F", "F")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    # Perfect agreement over both marks is 1; systematic disagreement is -1.
    assert cohen_kappa([("P", "P"), ("F", "F")]) == pytest.approx(1.0)
    assert cohen_kappa([("P", "F"), ("F", "P")]) == pytest.approx(-1.0)


def test_agreement_per_scenario_and_kind_from_reviews():
    reviews = (
        [ReviewedVerdict("a", "apertura", "speech", "P", "P")] * 20
        + [ReviewedVerdict("a", "apertura", "speech", "F", "P")] * 5
        + [ReviewedVerdict("a", "apertura", "speech", "P", "F")] * 10
        + [ReviewedVerdict("a", "apertura", "speech", "F", "F")] * 15
        + [ReviewedVerdict("a", "messaggio", "form", "P", "F")] * 3
        + [ReviewedVerdict("b", "apertura", "speech", "P", "P")] * 2
    )
    table = agreement_by_scenario_kind(reviews)
    assert list(table) == [("a", "form"), ("a", "speech"), ("b", "speech")]
    speech = table[("a", "speech")]
    assert speech.n == 50 and speech.raw == pytest.approx(0.7)
    assert speech.kappa == pytest.approx(0.4)
    form = table[("a", "form")]
    assert form.raw == 0.0 and form.n == 3  # a rubric instructors always correct stands out
    assert table[("b", "speech")].raw == 1.0
