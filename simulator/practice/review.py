"""The instructor's review of an attempt: coaching notes, verdict overrides, effective scores.

``effective_verdicts`` is the one way to read a score: the stored report with the overrides
applied (``simulator.verdicts``). Pages, exports, the per-RA rows (``score_ras``) and the grade
sent to a learning platform all follow it, so the assessor has the last word. A re-score
(``attempts.score_attempt``) replaces the scorer's report and keeps the overrides; each one
records the new automatic verdict and is flagged when it now agrees.

A review is explicit: each override row is an instructor's verdict on one criterion, which
may confirm the scorer's (no reason needed) or change it (a reason is required). Those rows are
the calibration data (``calibration_pairs``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator.calibration import ReviewedVerdict
from simulator.practice import lti_grades
from simulator.store.models import (
    Attempt,
    AttemptEvent,
    ExamSitting,
    ScenarioVersion,
    Score,
    ScoreRA,
    User,
    utcnow,
)
from simulator.store.review import CoachingNote, VerdictOverride
from simulator.verdicts import Override, effective_report

MAX_NOTE = 2000
MAX_REASON = 1000


class ReviewError(ValueError):
    """A note or an override refused, with the field and the message in it and en."""

    def __init__(self, field: str, it: str, en: str) -> None:
        super().__init__(it)
        self.field = field
        self.it = it
        self.en = en


def _override_of(row: VerdictOverride) -> Override:
    return Override(
        criterion_id=row.criterion_id,
        passed=row.passed,
        reason=row.reason,
        author=row.author_name,
        at=row.created_at.isoformat(),
        automatic_passed=row.automatic_passed,
        agrees_now=row.agrees_now,
    )


def overrides_of(session: Session, attempt_id: int) -> list[VerdictOverride]:
    return list(
        session.scalars(
            select(VerdictOverride)
            .where(VerdictOverride.attempt_id == attempt_id)
            .order_by(VerdictOverride.id)
        )
    )


def overrides_as_verdicts(session: Session, attempt_id: int) -> list[Override]:
    """The attempt's overrides as the domain reads them (reports, exam marks, text)."""
    return [_override_of(r) for r in overrides_of(session, attempt_id)]


def effective_of(session: Session, score: Score) -> dict[str, Any]:
    """The report of ``score`` with the attempt's overrides applied."""
    return effective_report(score.report, overrides_as_verdicts(session, score.attempt_id))


def effective_verdicts(session: Session, attempt_id: int) -> dict[str, Any] | None:
    """The attempt's score as shown and exported: the scorer's report with overrides applied."""
    score = session.scalar(select(Score).where(Score.attempt_id == attempt_id))
    return None if score is None else effective_of(session, score)


def sync_totals(session: Session, score: Score) -> dict[str, Any]:
    """Make the per-RA rows, the pass flag and the platform grade follow the effective report."""
    report = effective_of(session, score)
    score.passed = bool(report["passed"])
    rows = {row.ra: row for row in score.ra_results}
    for ra, result in report["ra"].items():
        row = rows.get(ra)
        if row is None:
            score.ra_results.append(
                ScoreRA(ra=ra, score=float(result["score"]), passed=bool(result["passed"]))
            )
        else:
            row.score = float(result["score"])
            row.passed = bool(result["passed"])
    session.flush()
    return report


def after_rescore(session: Session, score: Score) -> dict[str, Any]:
    """After the scorer judged again: note its new verdicts on the kept overrides, then totals."""
    automatic = {c["id"]: bool(c["passed"]) for c in score.report.get("criteria", [])}
    moment = utcnow()
    for row in overrides_of(session, score.attempt_id):
        now_passed = automatic.get(row.criterion_id)
        row.automatic_now = now_passed
        row.agrees_now = now_passed is not None and now_passed == row.passed
        row.rescored_at = moment
    return sync_totals(session, score)


def override(
    session: Session,
    attempt_id: int,
    criterion_id: str,
    *,
    passed: bool,
    reason: str,
    author_id: int,
) -> VerdictOverride:
    """Record (or replace) the instructor's verdict on one criterion; the totals follow."""
    score = session.scalar(select(Score).where(Score.attempt_id == attempt_id))
    if score is None:
        raise ReviewError(
            "criterion", "Il tentativo non è ancora valutato.", "The attempt is not scored yet."
        )
    criterion = next((c for c in score.report.get("criteria", []) if c["id"] == criterion_id), None)
    if criterion is None:
        raise ReviewError("criterion", "Criterio sconosciuto.", "Unknown criterion.")
    if session.scalar(
        select(ExamSitting.id).where(ExamSitting.attempt_id == attempt_id, ExamSitting.locked)
    ):
        raise ReviewError(
            "criterion",
            "L'esame è chiuso e bloccato: i verdetti si correggono prima di bloccarlo.",
            "The exam is closed and locked: verdicts are corrected before locking it.",
        )
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ReviewError(
            "reason",
            f"Motivo: al massimo {MAX_REASON} caratteri.",
            f"Reason: at most {MAX_REASON} characters.",
        )
    automatic = bool(criterion["passed"])
    if passed != automatic and not reason:
        raise ReviewError(
            "reason",
            "Scrivi perché cambi il verdetto.",
            "Write why you change the verdict.",
        )
    author = session.get(User, author_id)
    row = session.scalar(
        select(VerdictOverride).where(
            VerdictOverride.attempt_id == attempt_id, VerdictOverride.criterion_id == criterion_id
        )
    )
    if row is None:
        row = VerdictOverride(attempt_id=attempt_id, criterion_id=criterion_id)
        session.add(row)
    row.kind = str(criterion["kind"])
    row.automatic_status = str(criterion.get("status", "passed" if automatic else "failed"))
    row.automatic_passed = automatic
    row.passed = passed
    row.reason = reason
    row.author_id = author_id
    row.author_name = author.display_name if author else ""
    row.created_at = utcnow()
    row.automatic_now = automatic
    row.agrees_now = False
    row.rescored_at = None
    session.flush()
    report = sync_totals(session, score)
    lti_grades.queue_grade(session, attempt_id, report)
    return row


def add_note(
    session: Session,
    attempt_id: int,
    *,
    author_id: int,
    text: str,
    seq: int | None = None,
    criterion_id: str | None = None,
) -> CoachingNote:
    """A coaching note at a turn (``seq``) or on a criterion, or on the whole call."""
    text = text.strip()
    if not text:
        raise ReviewError("text", "Scrivi la nota.", "Write the note.")
    if len(text) > MAX_NOTE:
        raise ReviewError(
            "text",
            f"Nota: al massimo {MAX_NOTE} caratteri.",
            f"Note: at most {MAX_NOTE} characters.",
        )
    if criterion_id:
        report = session.scalar(select(Score.report).where(Score.attempt_id == attempt_id))
        if not any(c["id"] == criterion_id for c in (report or {}).get("criteria", [])):
            raise ReviewError("at", "Criterio sconosciuto.", "Unknown criterion.")
    if seq is not None:
        found = session.scalar(
            select(AttemptEvent.id).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.seq == seq
            )
        )
        if found is None:
            raise ReviewError("at", "Momento della chiamata sconosciuto.", "Unknown moment.")
    note = CoachingNote(
        attempt_id=attempt_id,
        author_id=author_id,
        seq=seq,
        criterion_id=criterion_id or None,
        text=text,
    )
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, attempt_id: int) -> list[dict[str, Any]]:
    """The attempt's notes, oldest first, with the author's name."""
    rows = session.execute(
        select(CoachingNote, User.display_name, AttemptEvent.t)
        .outerjoin(User, User.id == CoachingNote.author_id)
        .outerjoin(
            AttemptEvent,
            (AttemptEvent.attempt_id == CoachingNote.attempt_id)
            & (AttemptEvent.seq == CoachingNote.seq),
        )
        .where(CoachingNote.attempt_id == attempt_id)
        .order_by(CoachingNote.id)
    ).all()
    return [
        {
            "id": note.id,
            "seq": note.seq,
            "t": t,
            "criterion": note.criterion_id,
            "text": note.text,
            "author": name or "",
            "at": note.created_at.isoformat(),
        }
        for note, name, t in rows
    ]


def overrides_json(session: Session, attempt_id: int) -> list[dict[str, Any]]:
    """The attempt's overrides for the exports: the scorer's verdict and the instructor's."""
    return [
        {
            "criterion": row.criterion_id,
            "kind": row.kind,
            "automatic_status": row.automatic_status,
            "automatic_passed": row.automatic_passed,
            "passed": row.passed,
            "reason": row.reason,
            "author": row.author_name,
            "at": row.created_at.isoformat(),
            "automatic_now": row.automatic_now,
            "agrees_now": row.agrees_now,
        }
        for row in overrides_of(session, attempt_id)
    ]


def calibration_pairs(session: Session) -> list[ReviewedVerdict]:
    """Every reviewed verdict: the scorer's current verdict beside the instructor's."""
    rows = session.execute(
        select(VerdictOverride, ScenarioVersion.scenario_id, Score.report)
        .join(Attempt, Attempt.id == VerdictOverride.attempt_id)
        .join(ScenarioVersion, ScenarioVersion.id == Attempt.scenario_version_id)
        .join(Score, Score.attempt_id == Attempt.id)
        .order_by(VerdictOverride.id)
    ).all()
    out: list[ReviewedVerdict] = []
    for row, scenario_id, report in rows:
        automatic = next(
            (bool(c["passed"]) for c in report.get("criteria", []) if c["id"] == row.criterion_id),
            row.automatic_passed,
        )
        out.append(
            ReviewedVerdict(
                scenario=scenario_id,
                criterion=row.criterion_id,
                kind=row.kind,
                scorer="P" if automatic else "F",
                assessor="P" if row.passed else "F",
            )
        )
    return out
