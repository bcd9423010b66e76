"""The practical exam: its definition, the one scenario it is played as, and its marks out of 50.

The official exam for blind switchboard operators ("operazioni al posto operatore", Ministry of
Labour circulars 50/1992 and 10/2005) has incoming and outgoing calls, some at the same time, one
in a foreign language, a fonogramma, and is marked out of 50, passed at 30.

An exam is an ordered list of library scenarios, each starting ``offset_s`` seconds into the
sitting, so calls can overlap (simultaneous lines). It is played as ONE composed scenario whose
lines are the calls' lines renamed ``e<n>-<line>``, so the ordinary engine, attempt service and
console run it. It is marked call by call: each call's own rubric (``scoring.score``) judges the
slice of the sitting's log that belongs to its lines, with the switchboard-wide events (the
directory, the session's start) shared by all. Marks come from those scores:

* each call gets ``50 * weight / sum(weights)`` marks;
* inside a call, each counted criterion gets a share by its weight times its RA's weight;
* a judged criterion earns its share times its score (0-1); a criterion that was "not judged"
  earns nothing and says so; one the rubric leaves out when it never arose (``judge:
  if_happened``) is left out of the shares, as it is left out of its RA;
* an assessor's override (``simulator.verdicts``) replaces the scorer's verdict before the
  shares are made, as it does in the RA: counted, full share when passed, none when failed;
  the scorer's verdict and the override (who, when, why) both stay in the marks.

Pure: no storage, no web; the practice layer feeds it parsed scenarios and logs.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from simulator.events import Event
from simulator.model import RA_IDS
from simulator.scoring import CriterionResult, ScoreReport
from simulator.verdicts import Override

TOTAL_MARKS = 50.0
DEFAULT_PASS_MARK = 30.0
MAX_CALLS = 8
MAX_OFFSET_S = 1800.0
ITALIAN = "it-IT"


@dataclass(frozen=True, slots=True)
class ExamProblem:
    """Why an exam cannot be composed, in Italian and English."""

    it: str
    en: str
    field: str = "_form"


@dataclass(frozen=True, slots=True)
class ExamCall:
    """One library scenario of the exam, ringing ``offset_s`` seconds into the sitting."""

    scenario_id: str
    offset_s: float = 0.0
    weight: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {"scenario_id": self.scenario_id, "offset_s": self.offset_s, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class ExamDefinition:
    """What the instructor composed: calls in order, the mark scheme, whether pause is allowed."""

    title: str
    calls: tuple[ExamCall, ...]
    pass_mark: float = DEFAULT_PASS_MARK
    allow_pause: bool = False
    ra_weights: Mapping[str, float] = field(default_factory=dict)
    require_foreign: bool = True
    require_fonogramma: bool = True

    def ra_weight(self, ra: str) -> float:
        return float(self.ra_weights.get(ra, 1.0))

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "calls": [c.to_json() for c in self.calls],
            "pass_mark": self.pass_mark,
            "allow_pause": self.allow_pause,
            "ra_weights": {ra: self.ra_weight(ra) for ra in RA_IDS},
            "require_foreign": self.require_foreign,
            "require_fonogramma": self.require_fonogramma,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExamDefinition:
        return cls(
            title=str(data["title"]),
            calls=tuple(
                ExamCall(str(c["scenario_id"]), float(c["offset_s"]), float(c["weight"]))
                for c in data["calls"]
            ),
            pass_mark=float(data.get("pass_mark", DEFAULT_PASS_MARK)),
            allow_pause=bool(data.get("allow_pause", False)),
            ra_weights={str(k): float(v) for k, v in dict(data.get("ra_weights", {})).items()},
            require_foreign=bool(data.get("require_foreign", True)),
            require_fonogramma=bool(data.get("require_fonogramma", True)),
        )


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What the constraints need to know of a scenario: its language and whether it is a
    fonogramma (its family, or a fonogramma criterion in its rubric)."""

    scenario_id: str
    title: str
    company: str
    languages: tuple[str, ...]
    fonogramma: bool

    @property
    def foreign(self) -> bool:
        return any(language != ITALIAN for language in self.languages)


def facts_of(raw: Mapping[str, Any]) -> CallFacts:
    """The constraint facts of a scenario's data (as parsed from its YAML)."""
    language = str(raw.get("language", ITALIAN))
    languages = tuple(
        sorted({str((c.get("caller") or {}).get("language") or language) for c in raw["calls"]})
    )
    fonogramma = raw.get("family") == "fonogramma" or any(
        c.get("kind") == "fonogramma" for c in raw.get("criteria", [])
    )
    return CallFacts(
        str(raw["id"]), str(raw.get("title", raw["id"])), str(raw["company"]), languages, fonogramma
    )


def problems(definition: ExamDefinition, facts: Sequence[CallFacts]) -> list[ExamProblem]:
    """Every reason the exam cannot be composed (empty when it can)."""
    out: list[ExamProblem] = []
    if not definition.title.strip():
        out.append(ExamProblem("Scrivi il titolo dell'esame.", "Write the exam's title.", "title"))
    if not definition.calls:
        out.append(ExamProblem("Scegli almeno una chiamata.", "Choose at least one call.", "calls"))
    if len(definition.calls) > MAX_CALLS:
        out.append(
            ExamProblem(f"Al massimo {MAX_CALLS} chiamate.", f"At most {MAX_CALLS} calls.", "calls")
        )
    for call in definition.calls:
        if not 0 <= call.offset_s <= MAX_OFFSET_S:
            out.append(
                ExamProblem(
                    f"L'inizio di {call.scenario_id} va da 0 a {MAX_OFFSET_S:.0f} secondi.",
                    f"The start of {call.scenario_id} must be 0 to {MAX_OFFSET_S:.0f} seconds.",
                    "calls",
                )
            )
        if not 0 < call.weight <= 10:
            out.append(
                ExamProblem(
                    f"Il peso di {call.scenario_id} va da più di 0 a 10.",
                    f"The weight of {call.scenario_id} must be above 0 and at most 10.",
                    "calls",
                )
            )
    if not 0 < definition.pass_mark <= TOTAL_MARKS:
        out.append(
            ExamProblem(
                "La soglia va da più di 0 a 50.",
                "The pass mark must be above 0, at most 50.",
                "pass_mark",
            )
        )
    if any(not 0 <= w <= 10 for w in definition.ra_weights.values()) or (
        definition.ra_weights and not any(definition.ra_weights.values())
    ):
        out.append(
            ExamProblem(
                "I pesi degli RA vanno da 0 a 10, almeno uno sopra 0.",
                "RA weights must be 0 to 10, at least one above 0.",
                "ra_weights",
            )
        )
    if len({f.company for f in facts}) > 1:
        out.append(
            ExamProblem(
                "Le chiamate di un esame devono usare la stessa azienda.",
                "An exam's calls must all use the same company.",
                "calls",
            )
        )
    if facts and definition.require_foreign and not any(f.foreign for f in facts):
        out.append(
            ExamProblem(
                "Serve almeno una chiamata in lingua straniera.",
                "At least one call must be in a foreign language.",
                "calls",
            )
        )
    if facts and definition.require_fonogramma and not any(f.fonogramma for f in facts):
        out.append(
            ExamProblem(
                "Serve almeno un fonogramma.", "At least one fonogramma is needed.", "calls"
            )
        )
    return out


def line_prefix(index: int) -> str:
    """The prefix of the exam call ``index`` (0-based) on the composed switchboard."""
    return f"e{index + 1}-"


def compose(
    definition: ExamDefinition, exam_id: str, sources: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The scenario data (as YAML would give it) the exam is played as.

    ``sources`` are the calls' scenario data in the exam's order. Lines, the criteria's lines
    and ids are prefixed per call; rings move by the call's offset; each caller keeps its
    scenario's language; intents, presence and voice mail are merged.
    """
    first = sources[0]
    calls: list[dict[str, Any]] = []
    criteria: list[dict[str, Any]] = []
    intents: dict[str, list[str]] = {}
    presence: dict[str, Any] = {}
    voicemail: dict[str, Any] = {}
    for index, (exam_call, raw) in enumerate(zip(definition.calls, sources, strict=True)):
        prefix = line_prefix(index)
        language = raw.get("language", ITALIAN)
        for source_call in raw["calls"]:
            call = copy.deepcopy(dict(source_call))
            call["line"] = prefix + call["line"]
            if call.get("ring_after"):
                call["ring_after"]["line"] = prefix + call["ring_after"]["line"]
            else:
                call["ring_at_s"] = float(call.get("ring_at_s", 0)) + exam_call.offset_s
            call["caller"] = {**call["caller"]}
            call["caller"].setdefault("language", language)
            calls.append(call)
        for source_criterion in raw.get("criteria", []):
            criterion = copy.deepcopy(dict(source_criterion))
            criterion["id"] = prefix + criterion["id"]
            criteria.append(_renamed_lines(criterion, prefix))
        for intent, phrases in dict(raw.get("intents") or {}).items():
            merged = intents.setdefault(intent, [])
            merged.extend(p for p in phrases if p not in merged)
        presence.update(dict(raw.get("presence") or {}))
        for message in raw.get("voicemail") or []:
            voicemail.setdefault(message["id"], message)
    composed: dict[str, Any] = {
        "id": exam_id,
        "title": definition.title,
        "family": first.get("family", "smistamento"),
        # An Italian switchboard unless every call is foreign (each caller keeps its language).
        "language": ITALIAN
        if any(raw.get("language", ITALIAN) == ITALIAN for raw in sources)
        else first.get("language", ITALIAN),
        "level": max(int(raw.get("level", 1)) for raw in sources),
        "company": first["company"],
        "description": "",
        "operator_name": first.get("operator_name", "Giulia"),
        "calls": calls,
        "criteria": criteria,
    }
    if intents:
        composed["intents"] = intents
    if presence:
        composed["presence"] = presence
    if voicemail:
        composed["voicemail"] = list(voicemail.values())
    return composed


def _renamed_lines(value: Any, prefix: str) -> Any:
    """A criterion with every ``line`` it names (its own, a checklist item's, a route's)
    prefixed."""
    if isinstance(value, dict):
        return {
            key: prefix + item
            if key == "line" and isinstance(item, str)
            else _renamed_lines(item, prefix)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_renamed_lines(item, prefix) for item in value]
    return value


def slice_for_call(events: Sequence[Event], index: int) -> list[Event]:
    """The events of exam call ``index`` with its lines named as in its own scenario.

    Events on no line (the session's start, the directory, voice mail) belong to every call.
    """
    prefix = line_prefix(index)
    out: list[Event] = []
    for event in events:
        if event.line is None:
            out.append(event)
        elif event.line.startswith(prefix):
            out.append(
                Event(event.t, event.kind, event.actor, event.line[len(prefix) :], event.data)
            )
    return out


# --------------------------------------------------------------------------- marks


@dataclass(frozen=True, slots=True)
class CriterionMarks:
    """One criterion of one call: marks available and earned, its verdict and evidence."""

    id: str
    title: str
    title_en: str
    ra: str
    status: str  # passed / failed / not_judged
    counted: bool
    available: float
    earned: float
    evidence: str
    evidence_en: str
    t: float | None
    # The assessor's override when there is one: passed, reason, author, at, and the scorer's
    # own status under ``automatic_status``.
    override: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_en": self.title_en,
            "ra": self.ra,
            "status": self.status,
            "counted": self.counted,
            "available": self.available,
            "earned": self.earned,
            "evidence": self.evidence,
            "evidence_en": self.evidence_en,
            "t": self.t,
            "override": None if self.override is None else dict(self.override),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CriterionMarks:
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            title_en=str(data["title_en"]),
            ra=str(data["ra"]),
            status=str(data["status"]),
            counted=bool(data["counted"]),
            available=float(data["available"]),
            earned=float(data["earned"]),
            evidence=str(data["evidence"]),
            evidence_en=str(data["evidence_en"]),
            t=None if data.get("t") is None else float(data["t"]),
            override=None if data.get("override") is None else dict(data["override"]),
        )


@dataclass(frozen=True, slots=True)
class CallMarks:
    """One exam call: its scenario, when it rang, its marks and its criteria."""

    number: int
    scenario_id: str
    title: str
    language: str
    offset_s: float
    available: float
    earned: float
    criteria: tuple[CriterionMarks, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "scenario_id": self.scenario_id,
            "title": self.title,
            "language": self.language,
            "offset_s": self.offset_s,
            "available": self.available,
            "earned": self.earned,
            "criteria": [c.to_json() for c in self.criteria],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallMarks:
        return cls(
            number=int(data["number"]),
            scenario_id=str(data["scenario_id"]),
            title=str(data["title"]),
            language=str(data["language"]),
            offset_s=float(data["offset_s"]),
            available=float(data["available"]),
            earned=float(data["earned"]),
            criteria=tuple(CriterionMarks.from_json(c) for c in data["criteria"]),
        )


@dataclass(frozen=True, slots=True)
class ExamMarks:
    """The whole sitting's marks: per call and criterion, the total out of 50, pass or fail."""

    calls: tuple[CallMarks, ...]
    pass_mark: float
    total_marks: float = TOTAL_MARKS

    @property
    def total(self) -> float:
        return round(sum(c.earned for c in self.calls), 1)

    @property
    def passed(self) -> bool:
        return self.total >= self.pass_mark

    def to_json(self) -> dict[str, Any]:
        return {
            "calls": [c.to_json() for c in self.calls],
            "pass_mark": self.pass_mark,
            "total_marks": self.total_marks,
            "total": self.total,
            "passed": self.passed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExamMarks:
        return cls(
            calls=tuple(CallMarks.from_json(c) for c in data["calls"]),
            pass_mark=float(data["pass_mark"]),
            total_marks=float(data.get("total_marks", TOTAL_MARKS)),
        )


@dataclass(frozen=True, slots=True)
class ScoredCall:
    """What marking needs of one exam call: its report and how to name it."""

    title: str
    language: str
    report: ScoreReport


def _shares(definition: ExamDefinition, criteria: Sequence[CriterionResult]) -> list[float]:
    return [definition.ra_weight(c.ra) * c.weight if c.counted else 0.0 for c in criteria]


def _overridden(
    criterion: CriterionResult, override: Override | None
) -> tuple[CriterionResult, dict[str, Any] | None]:
    """The criterion as the assessor judged it, and what to record of the override."""
    if override is None:
        return criterion, None
    record = {**override.to_json(), "automatic_status": criterion.status}
    judged = replace(
        criterion,
        passed=override.passed,
        score=1.0 if override.passed else 0.0,
        judged=True,
        counted=True,
    )
    return judged, record


def mark(
    definition: ExamDefinition,
    scored: Sequence[ScoredCall],
    overrides: Mapping[str, Override] | None = None,
) -> ExamMarks:
    """Marks out of 50 from each call's score report (in the exam's order).

    ``overrides`` are keyed by the criterion's id on the composed exam scenario (``e1-...``),
    which is the id the assessor saw when correcting the sitting's attempt.
    """
    weights = sum(c.weight for c in definition.calls) or 1.0
    calls: list[CallMarks] = []
    for index, (exam_call, one) in enumerate(zip(definition.calls, scored, strict=True)):
        available = TOTAL_MARKS * exam_call.weight / weights
        prefix = line_prefix(index)
        judged = [_overridden(c, (overrides or {}).get(prefix + c.id)) for c in one.report.criteria]
        shares = _shares(definition, [c for c, _record in judged])
        total_share = sum(shares)
        criteria: list[CriterionMarks] = []
        for (criterion, record), share in zip(judged, shares, strict=True):
            offered = available * share / total_share if total_share else 0.0
            earned = offered * criterion.score if criterion.judged else 0.0
            criteria.append(
                CriterionMarks(
                    id=criterion.id,
                    title=criterion.name("it"),
                    title_en=criterion.name("en"),
                    ra=criterion.ra,
                    status=criterion.status,
                    counted=criterion.counted,
                    available=round(offered, 2),
                    earned=round(earned, 2),
                    evidence=criterion.evidence.render("it"),
                    evidence_en=criterion.evidence.render("en"),
                    t=criterion.evidence.t,
                    override=record,
                )
            )
        calls.append(
            CallMarks(
                number=index + 1,
                scenario_id=exam_call.scenario_id,
                title=one.title,
                language=one.language,
                offset_s=exam_call.offset_s,
                available=round(available, 2),
                earned=round(sum(c.earned for c in criteria), 2),
                criteria=tuple(criteria),
            )
        )
    return ExamMarks(tuple(calls), definition.pass_mark)
