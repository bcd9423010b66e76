"""Effective verdicts: the scorer's report with the assessor's overrides applied.

The scorer's report is never changed: an override sits beside the criterion it corrects, and the
RA results that contain it are recomputed by the same rule as ``scoring.score`` (weighted mean of
the counted criteria against the threshold, a failed critical criterion fails the RA). An
overridden criterion counts as judged, with score 1 when passed and 0 when failed: the assessor's
verdict is a pass or a fail, not a grade. Every page and export that shows a score reads it
through :func:`effective_report`, so the RA and exam totals follow the assessor's last word.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Override:
    """An assessor's verdict on one criterion, with who, when and why."""

    criterion_id: str
    passed: bool
    reason: str
    author: str
    at: str  # ISO 8601
    automatic_passed: bool
    agrees_now: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "reason": self.reason,
            "author": self.author,
            "at": self.at,
            "automatic_passed": self.automatic_passed,
            "agrees_now": self.agrees_now,
        }


def _status(passed: bool) -> str:
    return "passed" if passed else "failed"


def _ra_result(ra: dict[str, Any], criteria: list[dict[str, Any]]) -> dict[str, Any]:
    counted = [c for c in criteria if c.get("counted", True)]
    total = sum(float(c["weight"]) for c in counted)
    value = sum(float(c["score"]) * float(c["weight"]) for c in counted) / total if total else 0.0
    critical_failed = any(c.get("critical") and not c["passed"] for c in counted)
    threshold = float(ra["threshold"])
    return {
        **ra,
        "score": round(value, 3),
        "passed": bool(counted) and value >= threshold and not critical_failed,
        "judged": len(counted),
    }


def effective_report(report: dict[str, Any], overrides: Sequence[Override]) -> dict[str, Any]:
    """A copy of the stored report with ``overrides`` applied and the totals that follow.

    Each overridden criterion keeps the scorer's verdict under ``automatic`` and gains
    ``override``; ``overridden`` at the top says whether any verdict was changed or confirmed.
    """
    out = copy.deepcopy(report)
    by_id = {o.criterion_id: o for o in overrides}
    touched: set[str] = set()
    for criterion in out.get("criteria", []):
        override = by_id.get(criterion["id"])
        if override is None:
            continue
        criterion["automatic"] = {
            "passed": criterion["passed"],
            "status": criterion.get("status", _status(criterion["passed"])),
            "score": criterion["score"],
            "counted": criterion.get("counted", True),
        }
        criterion["override"] = override.to_json()
        criterion.update(
            passed=override.passed,
            status=_status(override.passed),
            score=1.0 if override.passed else 0.0,
            judged=True,
            counted=True,
        )
        touched.add(criterion["ra"])
    for ra_id in touched:
        ra = out["ra"][ra_id]
        mine = [c for c in out["criteria"] if c["ra"] == ra_id]
        out["ra"][ra_id] = _ra_result(ra, mine)
    if touched:
        out["automatic"] = {"passed": report.get("passed"), "score": report.get("score")}
        ras = list(out["ra"].values())
        out["score"] = round(sum(float(r["score"]) for r in ras) / len(ras), 3) if ras else 0.0
        out["passed"] = all(r["passed"] for r in ras)
    out["overridden"] = bool(by_id.keys() & {c["id"] for c in out.get("criteria", [])})
    return out
