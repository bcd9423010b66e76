"""The near-miss corpus (tests/near_miss): every mark of the assessor is the scorer's verdict.

Each call misses the rubric by one small thing, or does right in a way a phrase list would miss:
one wrong digit, a paraphrased disclosure, a negated mention, a natural close, a bounced
transfer, an informal "tu", a switch of language, a forbidden promise, an empty call, and a
truthful report of a wrong decision (paperwork judged on its own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.calibration import calibrate, cohen_kappa, load_labels
from simulator.harness import run_call
from simulator.script import load_script
from tests.library import library

CORPUS = Path(__file__).parents[1] / "near_miss"
LABELS = load_labels(CORPUS / "labels.yaml")


@pytest.mark.parametrize("call", LABELS.calls, ids=lambda call: call.script or "")
def test_the_scorer_gives_the_assessors_verdict(call) -> None:  # type: ignore[no-untyped-def]
    loaded = library().scenarios[call.scenario]
    scenario = loaded.scenario
    assert call.script is not None
    result = run_call(
        scenario, library().companies[scenario.company], load_script(CORPUS / call.script)
    )
    assert not result.rejected, result.rejected
    by_id = {c.id: c for c in result.report.criteria}
    wrong = {
        cid: (mark, by_id[cid].evidence.it, by_id[cid].evidence.quote)
        for cid, mark in call.marks.items()
        if ("P" if by_id[cid].passed else "F") != mark
    }
    assert not wrong, wrong
    for ra, mark in call.ra.items():
        assert ("P" if result.report.ra[ra].passed else "F") == mark, ra


def test_calibration_on_the_corpus_agrees_fully_per_kind() -> None:
    report = calibrate(LABELS, CORPUS, library())
    assert not report.disagreements and not report.unknown
    assert {"register", "language", "promise", "alternatives", "form", "forbidden"} <= set(
        report.by_kind
    )
    assert all(a.kappa == 1.0 for a in report.by_kind.values())
    assert report.ra.raw == 1.0


def test_in_an_empty_call_nothing_passes_but_the_prompt_answer() -> None:
    scenario = library().scenarios["smistamento-acquisti-assente"].scenario
    script = load_script(CORPUS / "scripts" / "empty-call.yaml")
    report = run_call(scenario, library().companies[scenario.company], script).report
    passed = {c.id for c in report.criteria if c.passed}
    assert passed == {"risposta-rapida"}
    assert not any(ra.passed for ra in report.ra.values())
    not_judged = {c.id for c in report.criteria if not c.judged}
    assert {"riservatezza", "registro", "messaggio-completo", "rapporto"} <= not_judged


def test_kappa_figures() -> None:
    """Cohen's kappa: 1 for full agreement, 0 for chance, negative for systematic opposition."""
    assert cohen_kappa([("P", "P"), ("F", "F")]) == 1.0
    assert cohen_kappa([("P", "P"), ("P", "F"), ("F", "P"), ("F", "F")]) == 0.0
    assert cohen_kappa([("P", "F"), ("F", "P")]) == -1.0
    # 9 of 10 agree, both raters mostly P: kappa well below the raw 90%.
    pairs = [("P", "P")] * 8 + [("F", "F"), ("P", "F")]
    assert round(cohen_kappa(pairs), 3) == 0.615
