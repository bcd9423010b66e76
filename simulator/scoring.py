"""Scoring: a pure function of (scenario, company, event log).

Each criterion gives a score 0-1, pass or fail, evidence (the quote or action and its time) and
advice; results aggregate per RA with weights and a pass threshold (0.6 by default: the official
exam passes at 30 out of 50).

It fails closed: a criterion whose situation never arose is "non valutabile" (not judged) and is
never passed. With ``judge: always`` (the default) it counts as a failure in its RA; with
``judge: if_happened`` it is left out, and the RA is computed on what was judged and says so.
A criterion passes by its stated rule (a time limit, a critical field) when its evaluator gives
one, else when its graded score reaches ``pass_at``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator import evaluators
from simulator.events import Event
from simulator.model import RA_IDS, RA_TITLES, Company, Scenario
from simulator.templates import expand

DEFAULT_THRESHOLD = 0.6


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the judgement rests on: a moment of the call, a quote, a note in it and en."""

    t: float | None
    it: str
    en: str
    quote: str | None = None
    expected: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "t": None if self.t is None else round(self.t, 1),
            "quote": self.quote,
            "expected": self.expected,
            "text": self.it,
            "text_en": self.en,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            t=None if data.get("t") is None else float(data["t"]),
            it=str(data.get("text", "")),
            en=str(data.get("text_en", "")),
            quote=data.get("quote"),
            expected=data.get("expected"),
        )

    def render(self, lang: str = "it") -> str:
        """The evidence as sentences: when, what happened, what was said, what was expected."""
        en = lang.startswith("en")
        when = "" if self.t is None else ("At " if en else "A ") + f"{format_time(self.t)}: "
        note = self.en if en else self.it
        quote = ""
        if self.quote:
            quote = (" You said: " if en else " Hai detto: ") + f"«{self.quote}»."
        expected = ""
        if self.expected:
            expected = (" Expected: " if en else " Atteso: ") + f"«{self.expected}»."
        return f"{when}{note}{quote}{expected}".strip()


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
    title: str = ""
    title_en: str = ""
    judged: bool = True
    counted: bool = True

    @property
    def status(self) -> str:
        """'passed', 'failed' or 'not_judged' (the situation never arose)."""
        if not self.judged:
            return "not_judged"
        return "passed" if self.passed else "failed"

    def name(self, lang: str = "it") -> str:
        """The criterion's title in ``lang`` (its id only when the file gives no title)."""
        if lang.startswith("en"):
            return self.title_en or self.title or self.id
        return self.title or self.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_en": self.title_en,
            "ra": self.ra,
            "kind": self.kind,
            "weight": self.weight,
            "critical": self.critical,
            "score": round(self.score, 3),
            "passed": self.passed,
            "judged": self.judged,
            "counted": self.counted,
            "status": self.status,
            "evidence": self.evidence.to_json(),
            "advice": self.advice,
            "description": self.description,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CriterionResult:
        """A stored criterion (a score report's, or an effective one with an override)."""
        return cls(
            id=str(data["id"]),
            ra=str(data["ra"]),
            kind=str(data["kind"]),
            weight=float(data["weight"]),
            critical=bool(data["critical"]),
            score=float(data["score"]),
            passed=bool(data["passed"]),
            evidence=Evidence.from_json(data.get("evidence") or {}),
            advice=str(data.get("advice", "")),
            description=str(data.get("description", "")),
            title=str(data.get("title", "")),
            title_en=str(data.get("title_en", "")),
            judged=bool(data.get("judged", True)),
            counted=bool(data.get("counted", True)),
        )


@dataclass(frozen=True, slots=True)
class RAResult:
    ra: str
    score: float
    threshold: float
    passed: bool
    criteria: tuple[CriterionResult, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return RA_TITLES[self.ra][0]

    @property
    def title_en(self) -> str:
        return RA_TITLES[self.ra][1]

    @property
    def judged(self) -> int:
        """How many of its criteria the RA was computed on."""
        return sum(1 for c in self.criteria if c.counted)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_en": self.title_en,
            "score": round(self.score, 3),
            "threshold": self.threshold,
            "passed": self.passed,
            "judged": self.judged,
            "total": len(self.criteria),
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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoreReport:
        """A stored report back as objects, for the renderers of text and Braille."""
        criteria = tuple(CriterionResult.from_json(c) for c in data.get("criteria", []))
        by_id = {c.id: c for c in criteria}
        ra = {
            ra_id: RAResult(
                ra=ra_id,
                score=float(result["score"]),
                threshold=float(result["threshold"]),
                passed=bool(result["passed"]),
                criteria=tuple(by_id[c] for c in result.get("criteria", []) if c in by_id),
            )
            for ra_id, result in dict(data.get("ra", {})).items()
        }
        return cls(scenario=str(data.get("scenario", "")), ra=ra, criteria=criteria)

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
        value, note = evaluators.evaluate(criterion, context)
        value = max(0.0, min(1.0, value))
        if not note.judged:
            passed = False
        elif note.passed is not None:
            passed = note.passed
        else:
            passed = value >= criterion.pass_at
        results.append(
            CriterionResult(
                id=criterion.id,
                ra=criterion.ra,
                kind=criterion.kind,
                weight=criterion.weight,
                critical=criterion.critical,
                score=value,
                passed=passed,
                evidence=Evidence(note.t, note.it, note.en, note.quote, note.expected),
                advice=expand(criterion.advice, context.values(criterion.line)),
                description=criterion.description,
                title=criterion.title,
                title_en=criterion.title_en,
                judged=note.judged,
                counted=note.judged or criterion.judge == "always",
            )
        )
    by_ra: dict[str, RAResult] = {}
    for ra in RA_IDS:
        mine = tuple(r for r in results if r.ra == ra)
        if not mine:
            continue
        counted = [r for r in mine if r.counted]
        total = sum(r.weight for r in counted)
        value = sum(r.score * r.weight for r in counted) / total if total else 0.0
        threshold = scenario.thresholds.get(ra, DEFAULT_THRESHOLD)
        critical_failed = any(r.critical and r.counted and not r.passed for r in mine)
        by_ra[ra] = RAResult(
            ra=ra,
            score=value,
            threshold=threshold,
            # Nothing judged is nothing shown: an RA with no judged criterion is not passed.
            passed=bool(counted) and value >= threshold and not critical_failed,
            criteria=mine,
        )
    return ScoreReport(scenario=scenario.id, ra=by_ra, criteria=tuple(results))
