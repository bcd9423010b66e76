"""Scoring: a pure function of (scenario, company, event log).

Each criterion gives a score 0-1, pass or fail, evidence (the quote or action and its time) and
advice; results aggregate per RA with weights and a pass threshold (0.6 by default: the official
exam passes at 30 out of 50). What cannot be judged scores 0 and says why: it fails closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator import evaluators
from simulator.events import Event
from simulator.model import RA_IDS, Company, Scenario
from simulator.templates import expand

DEFAULT_THRESHOLD = 0.6


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the judgement rests on: a moment of the call, a quote, a note in it and en."""

    t: float | None
    it: str
    en: str
    quote: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "t": None if self.t is None else round(self.t, 1),
            "quote": self.quote,
            "text": self.it,
            "text_en": self.en,
        }

    def render(self, lang: str = "it") -> str:
        when = "" if self.t is None else f"{format_time(self.t)} "
        note = self.en if lang.startswith("en") else self.it
        quote = f" «{self.quote}»" if self.quote else ""
        return f"{when}{note}{quote}".strip()


@dataclass(frozen=True, slots=True)
class CriterionResult:
    id: str
    ra: str
    kind: str
    weight: float
    critical: bool
    score: float
    passed: bool
    evidence: Evidence
    advice: str
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ra": self.ra,
            "kind": self.kind,
            "weight": self.weight,
            "critical": self.critical,
            "score": round(self.score, 3),
            "passed": self.passed,
            "evidence": self.evidence.to_json(),
            "advice": self.advice,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class RAResult:
    ra: str
    score: float
    threshold: float
    passed: bool
    criteria: tuple[CriterionResult, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 3),
            "threshold": self.threshold,
            "passed": self.passed,
            "criteria": [c.id for c in self.criteria],
        }


@dataclass(frozen=True, slots=True)
class ScoreReport:
    scenario: str
    ra: dict[str, RAResult]
    criteria: tuple[CriterionResult, ...]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.ra.values())

    @property
    def score(self) -> float:
        if not self.ra:
            return 0.0
        return sum(result.score for result in self.ra.values()) / len(self.ra)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "passed": self.passed,
            "score": round(self.score, 3),
            "ra": {ra: result.to_json() for ra, result in self.ra.items()},
            "criteria": [c.to_json() for c in self.criteria],
        }


def format_time(seconds: float) -> str:
    """mm:ss, the way a trainee reads times on a Braille line."""
    whole = round(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def score(scenario: Scenario, company: Company, events: Sequence[Event]) -> ScoreReport:
    """Judge a session log against the scenario's rubric."""
    context = evaluators.Context.build(scenario, company, events)
    results: list[CriterionResult] = []
    for criterion in scenario.criteria:
        value, evidence = evaluators.evaluate(criterion, context)
        value = max(0.0, min(1.0, value))
        results.append(
            CriterionResult(
                id=criterion.id,
                ra=criterion.ra,
                kind=criterion.kind,
                weight=criterion.weight,
                critical=criterion.critical,
                score=value,
                passed=value >= criterion.pass_at,
                evidence=Evidence(evidence.t, evidence.it, evidence.en, evidence.quote),
                advice=expand(criterion.advice, context.values(criterion.line)),
                description=criterion.description,
            )
        )
    by_ra: dict[str, RAResult] = {}
    for ra in RA_IDS:
        mine = tuple(r for r in results if r.ra == ra)
        if not mine:
            continue
        total = sum(r.weight for r in mine)
        value = sum(r.score * r.weight for r in mine) / total
        threshold = scenario.thresholds.get(ra, DEFAULT_THRESHOLD)
        critical_failed = any(r.critical and not r.passed for r in mine)
        by_ra[ra] = RAResult(
            ra=ra,
            score=value,
            threshold=threshold,
            passed=value >= threshold and not critical_failed,
            criteria=mine,
        )
    return ScoreReport(scenario=scenario.id, ra=by_ra, criteria=tuple(results))
