"""What a trainee should practise next, and which steps of a course path are open.

A pure fold over the trainee's scored attempts: no database, no clock. The weakest criteria
are those passed least often (of the times they were judged); the level reached in a family
is the highest level passed there, so the next one is at most one above it (1, then 2, then 3).
A course path, when the instructor set one, comes first: its first open step not yet passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from simulator.model import RA_IDS

MAX_LEVEL = 3


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """What the suggestion needs of a library scenario."""

    scenario_id: str
    family: str
    level: int
    ras: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CriterionOutcome:
    criterion_id: str
    ra: str
    title: str
    title_en: str
    judged: bool
    passed: bool


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """One scored attempt, as read from its stored report."""

    scenario_id: str
    passed: bool
    ra_passed: Mapping[str, bool] = field(default_factory=dict)
    criteria: tuple[CriterionOutcome, ...] = ()

    @classmethod
    def from_report(cls, scenario_id: str, report: Mapping[str, object]) -> AttemptOutcome:
        """From a stored ``ScoreReport.to_json()``."""
        ra = report.get("ra") or {}
        criteria = report.get("criteria") or []
        assert isinstance(ra, dict) and isinstance(criteria, list)
        return cls(
            scenario_id=scenario_id,
            passed=bool(report.get("passed")),
            ra_passed={key: bool(value.get("passed")) for key, value in ra.items()},
            criteria=tuple(
                CriterionOutcome(
                    criterion_id=str(c["id"]),
                    ra=str(c["ra"]),
                    title=str(c.get("title") or c["id"]),
                    title_en=str(c.get("title_en") or c.get("title") or c["id"]),
                    judged=bool(c.get("judged", True)),
                    passed=bool(c.get("passed")),
                )
                for c in criteria
            ),
        )


@dataclass(frozen=True, slots=True)
class CriterionStat:
    criterion_id: str
    ra: str
    title: str
    title_en: str
    judged: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.judged if self.judged else 0.0


@dataclass(frozen=True, slots=True)
class PathRule:
    """One course-path step: ``unlock`` is ``always`` or ``previous_passed`` (with ``ra``)."""

    scenario_id: str
    unlock: str = "previous_passed"
    ra: str | None = None


@dataclass(frozen=True, slots=True)
class StepStatus:
    scenario_id: str
    position: int
    unlocked: bool
    passed: bool
    rule: PathRule


@dataclass(frozen=True, slots=True)
class Suggestion:
    scenario_id: str
    why_it: str
    why_en: str

    def why(self, lang: str) -> str:
        return self.why_en if lang == "en" else self.why_it


def criterion_stats(outcomes: Iterable[AttemptOutcome]) -> list[CriterionStat]:
    """Per criterion (by RA and id), how often it was judged and passed; weakest first."""
    counts: dict[tuple[str, str], list[int]] = {}
    titles: dict[tuple[str, str], tuple[str, str]] = {}
    for outcome in outcomes:
        for c in outcome.criteria:
            if not c.judged:
                continue
            key = (c.ra, c.criterion_id)
            tally = counts.setdefault(key, [0, 0])
            tally[0] += 1
            tally[1] += int(c.passed)
            titles[key] = (c.title, c.title_en)
    stats = [
        CriterionStat(cid, ra, *titles[(ra, cid)], judged=n, passed=p)
        for (ra, cid), (n, p) in counts.items()
    ]
    return sorted(stats, key=lambda s: (s.rate, -s.judged, s.ra, s.criterion_id))


def levels_reached(
    outcomes: Iterable[AttemptOutcome], scenarios: Mapping[str, ScenarioInfo]
) -> dict[str, int]:
    """The highest level passed in each family (families never passed are absent)."""
    reached: dict[str, int] = {}
    for outcome in outcomes:
        info = scenarios.get(outcome.scenario_id)
        if info is not None and outcome.passed:
            reached[info.family] = max(reached.get(info.family, 0), info.level)
    return reached


def _rule_met(rule: PathRule, previous: str | None, outcomes: Sequence[AttemptOutcome]) -> bool:
    if rule.unlock == "always" or previous is None:
        return True
    for outcome in outcomes:
        if outcome.scenario_id != previous:
            continue
        if rule.ra is None and outcome.passed:
            return True
        if rule.ra is not None and outcome.ra_passed.get(rule.ra, False):
            return True
    return False


def path_status(path: Sequence[PathRule], outcomes: Sequence[AttemptOutcome]) -> list[StepStatus]:
    """Each step of a course path: open or locked by its rule, and passed or not yet.

    A step's rule looks at the previous step; a step whose previous one is locked stays locked
    too (it cannot be passed without being open, and a path is walked in order).
    """
    out: list[StepStatus] = []
    previous_open = True
    for position, rule in enumerate(path, start=1):
        previous = path[position - 2].scenario_id if position > 1 else None
        unlocked = rule.unlock == "always" or (
            previous_open and _rule_met(rule, previous, outcomes)
        )
        passed = any(o.scenario_id == rule.scenario_id and o.passed for o in outcomes)
        out.append(StepStatus(rule.scenario_id, position, unlocked, passed, rule))
        previous_open = unlocked
    return out


def locked(statuses: Iterable[StepStatus]) -> set[str]:
    """Scenario ids a trainee may not start yet."""
    return {s.scenario_id for s in statuses if not s.unlocked}


def _weakest_ra(stats: Sequence[CriterionStat]) -> str | None:
    by_ra: dict[str, list[int]] = {}
    for stat in stats:
        tally = by_ra.setdefault(stat.ra, [0, 0])
        tally[0] += stat.judged
        tally[1] += stat.passed
    if not by_ra:
        return None
    order = {ra: i for i, ra in enumerate(RA_IDS)}
    return min(by_ra, key=lambda ra: (by_ra[ra][1] / by_ra[ra][0], order.get(ra, 99)))


def suggest(
    scenarios: Sequence[ScenarioInfo],
    outcomes: Sequence[AttemptOutcome],
    path: Sequence[StepStatus] = (),
) -> Suggestion | None:
    """The next scenario to practise, with the reason in Italian and English.

    ``scenarios`` are the ones the trainee may play, in course order (family, then level);
    locked path steps must already be left out by the caller or are skipped here.
    """
    blocked = locked(path)
    playable = {s.scenario_id: s for s in scenarios if s.scenario_id not in blocked}
    for step in path:
        if step.unlocked and not step.passed and step.scenario_id in playable:
            return Suggestion(
                step.scenario_id,
                f"Passo {step.position} del percorso del corso.",
                f"Step {step.position} of the course path.",
            )
    passed = {o.scenario_id for o in outcomes if o.passed}
    tried: dict[str, int] = {}
    for o in outcomes:
        tried[o.scenario_id] = tried.get(o.scenario_id, 0) + 1
    reached = levels_reached(outcomes, playable)
    stats = criterion_stats(outcomes)
    weakest_ra = _weakest_ra(stats)
    weakest = next((s for s in stats if s.ra == weakest_ra and s.rate < 1), None)
    candidates = [
        s
        for s in playable.values()
        if s.scenario_id not in passed and s.level <= min(reached.get(s.family, 0) + 1, MAX_LEVEL)
    ]
    if not candidates:
        return None
    course = {s.scenario_id: i for i, s in enumerate(scenarios)}
    best = min(
        candidates,
        key=lambda s: (
            0 if weakest_ra in s.ras else 1,
            s.level,
            tried.get(s.scenario_id, 0),
            course[s.scenario_id],
        ),
    )
    level_it = f"livello {best.level}"
    level_en = f"level {best.level}"
    if weakest is not None and weakest_ra in best.ras:
        return Suggestion(
            best.scenario_id,
            f"Per migliorare «{weakest.title}» ({weakest.ra}), {level_it}.",
            f"To improve “{weakest.title_en}” ({weakest.ra}), {level_en}.",
        )
    return Suggestion(
        best.scenario_id,
        f"Il prossimo passo, {level_it}.",
        f"Your next step, {level_en}.",
    )
