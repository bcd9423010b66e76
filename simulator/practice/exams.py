"""The exam service: compose an exam, assign it, start a sitting, mark, close and lock it.

A sitting is played as one attempt of the exam's composed scenario (``simulator.exam``), through
the ordinary attempt service, so the console and the engine need nothing of their own. The time
multiplier applies only when the instructor records it for the sitting (an accommodation), else
the exam runs in real time. The instructor's overrides on the sitting's attempt
(``simulator.practice.review``) move its marks as they move the RA, until the sitting is locked.
Closing a sitting ends its attempt and freezes its marks, overrides included, in the sitting:
re-scoring the attempt afterwards or a late override cannot change a locked result.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator import exam as exam_domain
from simulator import scoring, yaml_source
from simulator.exam import ExamDefinition, ExamMarks, ExamProblem, ScoredCall
from simulator.exam_report import ExamReport
from simulator.practice import attempts, review
from simulator.practice.library import models_of, parse_scenario
from simulator.store.db import Database
from simulator.store.models import (
    MULTIPLIERS,
    Attempt,
    Exam,
    ExamSitting,
    ScenarioVersion,
    User,
    utcnow,
)

Clock = attempts.Clock


class ExamError(ValueError):
    """The exam cannot be composed or the sitting cannot change; carries the reasons."""

    def __init__(self, problems: Sequence[ExamProblem]) -> None:
        super().__init__("; ".join(p.en for p in problems))
        self.problems = list(problems)


def _refuse(it: str, en: str, field: str = "_form") -> ExamError:
    return ExamError([ExamProblem(it, en, field)])


def _current(session: Session, scenario_id: str) -> ScenarioVersion | None:
    return session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario_id, ScenarioVersion.current.is_(True)
        )
    )


def create_exam(session: Session, definition: ExamDefinition, created_by: int | None) -> Exam:
    """Check the constraints, compose the exam's scenario, store both; raises ExamError."""
    versions: list[ScenarioVersion] = []
    missing: list[ExamProblem] = []
    for call in definition.calls:
        version = _current(session, call.scenario_id)
        if version is None:
            missing.append(
                ExamProblem(
                    f"Scenario sconosciuto: {call.scenario_id}.",
                    f"Unknown scenario: {call.scenario_id}.",
                    "calls",
                )
            )
        else:
            versions.append(version)
    sources = [yaml_source.parse(v.source, v.filename).data for v in versions]
    problems = missing + exam_domain.problems(
        definition, [exam_domain.facts_of(raw) for raw in sources]
    )
    if problems:
        raise ExamError(problems)
    stored = {**definition.to_json(), "versions": [v.id for v in versions]}
    digest = hashlib.sha256(json.dumps(stored, sort_keys=True).encode()).hexdigest()
    exam_scenario_id = f"esame-{digest[:12]}"
    composed = exam_domain.compose(definition, exam_scenario_id, sources)
    # JSON is YAML 1.2 with every string quoted, so nothing changes type on the way back.
    source = json.dumps(composed, ensure_ascii=False, indent=1)
    company = models_of(versions[0])[1]
    # The loader validates the composed scenario as it would any file (fails on a clash).
    scenario = parse_scenario(source, f"{exam_scenario_id}.yaml", {company.id: company})
    version = ScenarioVersion(
        scenario_id=exam_scenario_id,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        filename=f"{exam_scenario_id}.yaml",
        source=source,
        title=scenario.title,
        family=scenario.family,
        language=scenario.language,
        level=scenario.level,
        company_version_id=versions[0].company_version_id,
        current=False,  # never in the library: only an exam sitting plays it
    )
    session.add(version)
    session.flush()
    row = Exam(
        title=definition.title.strip(),
        definition=stored,
        scenario_version_id=version.id,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def definition_of(row: Exam) -> ExamDefinition:
    return ExamDefinition.from_json(row.definition)


def assign(session: Session, exam_id: int, trainee_ids: Iterable[int]) -> list[int]:
    """Give the exam to these trainees (a sitting each); returns the new sittings' trainees."""
    existing = set(
        session.scalars(select(ExamSitting.trainee_id).where(ExamSitting.exam_id == exam_id))
    )
    trainees = set(
        session.scalars(
            select(User.id).where(User.id.in_(list(trainee_ids)), User.role == "trainee")
        )
    )
    added = sorted(trainees - existing)
    for trainee_id in added:
        session.add(ExamSitting(exam_id=exam_id, trainee_id=trainee_id, locked=False))
    session.flush()
    return added


def record_multiplier(session: Session, sitting: ExamSitting, multiplier: float | None) -> None:
    """Record (or clear) the time multiplier as an accommodation, before the sitting starts."""
    if sitting.started_at is not None:
        raise _refuse(
            "L'esame è già iniziato: gli adattamenti non si cambiano più.",
            "The exam has started: its accommodations can no longer change.",
            "multiplier",
        )
    if multiplier is not None and multiplier not in MULTIPLIERS:
        raise _refuse("Moltiplicatore non valido.", "Not a valid multiplier.", "multiplier")
    sitting.multiplier = multiplier


def start_sitting(
    db: Database,
    sitting_id: int,
    trainee_id: int,
    *,
    channel: str = "web",
    clock: Clock = time.time,
) -> int:
    """The sitting's attempt, started now if it was not (one sitting, one attempt)."""
    with db.write() as session:
        sitting = session.scalar(
            select(ExamSitting)
            .where(ExamSitting.id == sitting_id, ExamSitting.trainee_id == trainee_id)
            .with_for_update()
        )
        if sitting is None:
            raise attempts.AttemptNotFound(sitting_id)
        if sitting.attempt_id is not None:
            return sitting.attempt_id
        if sitting.locked or sitting.closed_at is not None:
            raise _refuse("L'esame è chiuso.", "The exam is closed.")
        version = session.get(ScenarioVersion, sitting.exam.scenario_version_id)
        assert version is not None  # a foreign key
        attempt_id = attempts.start_version(
            session,
            version,
            trainee_id,
            multiplier=sitting.multiplier or 1.0,
            channel=channel,
            clock=clock,
        )
        sitting.attempt_id = attempt_id
        sitting.started_at = utcnow()
        return attempt_id


@dataclass(frozen=True, slots=True)
class OpenSitting:
    """A sitting the trainee can still take (or go back to), as the phone menu offers it."""

    sitting_id: int
    scenario_id: str  # the composed scenario's id: what the phone menu names it by
    title: str
    family: str
    level: int
    language: str


def open_sittings(db: Database, trainee_id: int) -> list[OpenSitting]:
    """The trainee's sittings not yet handed in or locked, oldest first."""
    out: list[OpenSitting] = []
    with db.read() as session:
        for sitting in session.scalars(
            select(ExamSitting)
            .where(ExamSitting.trainee_id == trainee_id, ExamSitting.locked.is_(False))
            .order_by(ExamSitting.id)
        ):
            attempt = attempt_of(session, sitting)
            if attempt is not None and attempt.status != "active":
                continue
            version = sitting.exam.scenario_version
            out.append(
                OpenSitting(
                    sitting.id,
                    version.scenario_id,
                    sitting.exam.title,
                    version.family,
                    version.level,
                    version.language,
                )
            )
    return out


def sitting_of_attempt(session: Session, attempt_id: int) -> ExamSitting | None:
    return session.scalar(select(ExamSitting).where(ExamSitting.attempt_id == attempt_id))


def pause_allowed(db: Database, attempt_id: int) -> bool:
    """Whether the trainee may pause this attempt (always, unless an exam forbids it)."""
    with db.read() as session:
        sitting = sitting_of_attempt(session, attempt_id)
        return sitting is None or definition_of(sitting.exam).allow_pause


def is_exam_attempt(db: Database, attempt_id: int) -> bool:
    with db.read() as session:
        return sitting_of_attempt(session, attempt_id) is not None


def score_withheld(session: Session, attempt_id: int) -> bool:
    """Whether the trainee may not yet see this attempt's verdicts: it is an exam's, and the
    instructor has not locked the sitting and released its report (the commission gives the
    result, not the scorer)."""
    sitting = sitting_of_attempt(session, attempt_id)
    return sitting is not None and not (sitting.locked and sitting.released_at is not None)


def exam_attempt_ids(session: Session, trainee_id: int) -> set[int]:
    return {
        attempt_id
        for attempt_id in session.scalars(
            select(ExamSitting.attempt_id).where(ExamSitting.trainee_id == trainee_id)
        )
        if attempt_id is not None
    }


@dataclass(frozen=True, slots=True)
class SittingSummary:
    """An assigned exam as the trainee's home lists it (never with marks)."""

    id: int
    title: str
    started: bool
    done: bool


def sittings_of(session: Session, trainee_id: int) -> list[SittingSummary]:
    """The trainee's exams, oldest first: whether each was started and handed in."""
    out: list[SittingSummary] = []
    for sitting in session.scalars(
        select(ExamSitting).where(ExamSitting.trainee_id == trainee_id).order_by(ExamSitting.id)
    ):
        attempt = attempt_of(session, sitting)
        done = sitting.locked or (attempt is not None and attempt.status != "active")
        out.append(SittingSummary(sitting.id, sitting.exam.title, attempt is not None, done))
    return out


def _events(session: Session, attempt_id: int | None) -> list[Any]:
    if attempt_id is None:
        return []
    return attempts.logged_events(session, attempt_id)


def compute_marks(session: Session, sitting: ExamSitting) -> ExamMarks:
    """The sitting's marks: frozen ones when locked, else from its log as it stands with the
    instructor's overrides applied."""
    if sitting.locked and sitting.marks is not None:
        return ExamMarks.from_json(sitting.marks)
    definition = definition_of(sitting.exam)
    events = _events(session, sitting.attempt_id)
    overrides = (
        {}
        if sitting.attempt_id is None
        else {o.criterion_id: o for o in review.overrides_as_verdicts(session, sitting.attempt_id)}
    )
    scored: list[ScoredCall] = []
    for index, version_id in enumerate(sitting.exam.definition["versions"]):
        version = session.get(ScenarioVersion, version_id)
        assert version is not None  # a foreign key's target, never deleted
        scenario, company = models_of(version)
        report = scoring.score(scenario, company, exam_domain.slice_for_call(events, index))
        scored.append(ScoredCall(scenario.title, scenario.language, report))
    return exam_domain.mark(definition, scored, overrides)


def close_and_lock(db: Database, sitting_id: int, clock: Clock = time.time) -> ExamMarks:
    """End the sitting's call if it runs, then freeze its marks; a locked sitting stays as is."""
    with db.read() as session:
        sitting = session.get(ExamSitting, sitting_id)
        if sitting is None:
            raise attempts.AttemptNotFound(sitting_id)
        if sitting.locked:
            raise _refuse(
                "L'esame è già chiuso e bloccato.", "The exam is already closed and locked."
            )
        attempt_id = sitting.attempt_id
    if attempt_id is not None:
        attempts.finish(db, attempt_id, clock=clock)  # scores what was recorded if over
    with db.write() as session:
        sitting = session.scalar(
            select(ExamSitting).where(ExamSitting.id == sitting_id).with_for_update()
        )
        assert sitting is not None
        if sitting.locked:
            raise _refuse(
                "L'esame è già chiuso e bloccato.", "The exam is already closed and locked."
            )
        marks = compute_marks(session, sitting)
        sitting.marks = marks.to_json()
        sitting.closed_at = utcnow()
        sitting.locked = True
        return marks


def release(session: Session, sitting: ExamSitting) -> None:
    """Let the trainee read the report; only a locked sitting's marks can be shown."""
    if not sitting.locked:
        raise _refuse(
            "Prima chiudi e blocca l'esame, poi mostra il verbale all'allievo.",
            "Close and lock the exam first, then show the report to the trainee.",
        )
    if sitting.released_at is None:
        sitting.released_at = utcnow()


def _when(value: Any) -> str | None:
    return None if value is None else value.strftime("%d/%m/%Y %H:%M")


def report_of(session: Session, sitting: ExamSitting) -> ExamReport:
    """What the commission reads about this sitting."""
    definition = definition_of(sitting.exam)
    return ExamReport(
        exam_title=sitting.exam.title,
        trainee=sitting.trainee.display_name,
        started=_when(sitting.started_at) or "-",
        closed=_when(sitting.closed_at),
        locked=sitting.locked,
        multiplier=sitting.multiplier,
        allow_pause=definition.allow_pause,
        marks=compute_marks(session, sitting),
    )


def export_sittings(session: Session, trainee_id: int) -> list[dict[str, Any]]:
    """The trainee's exam sittings for the GDPR export, with their marks."""
    out: list[dict[str, Any]] = []
    for sitting in session.scalars(
        select(ExamSitting).where(ExamSitting.trainee_id == trainee_id).order_by(ExamSitting.id)
    ):
        out.append(
            {
                "exam": sitting.exam.title,
                "assigned_at": sitting.assigned_at.isoformat(),
                "started_at": sitting.started_at.isoformat() if sitting.started_at else None,
                "closed_at": sitting.closed_at.isoformat() if sitting.closed_at else None,
                "locked": sitting.locked,
                "released_at": sitting.released_at.isoformat() if sitting.released_at else None,
                "time_multiplier_accommodation": sitting.multiplier,
                "attempt_id": sitting.attempt_id,
                "marks": compute_marks(session, sitting).to_json(),
            }
        )
    return out


def attempt_of(session: Session, sitting: ExamSitting) -> Attempt | None:
    return None if sitting.attempt_id is None else session.get(Attempt, sitting.attempt_id)
