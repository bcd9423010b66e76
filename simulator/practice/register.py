"""Attempts for the course register: one row per attempt, filtered, and their summaries.

The rows feed the class results page (charts and tables), the CSV and PDF exports and the
trainee's GDPR export, so the four always agree. An attempt's duration is its practice time:
the spans of its event log without pauses taken (:func:`simulator.breaks.session_spans`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator.breaks import session_spans
from simulator.exam import ExamMarks
from simulator.model import RA_IDS
from simulator.next_practice import AttemptOutcome, CriterionStat, criterion_stats
from simulator.store.models import (
    Attempt,
    AttemptEvent,
    ExamSitting,
    ScenarioVersion,
    Score,
    User,
)

# A pause this long splits a session (the D.Lgs. 81/2008 break); shorter ones are practice.
_PAUSE_S = 15 * 60
# An exam sitting's locked total out of 50 (empty for practice and for provisional marks).
EXAM_MARKS_COLUMN = "exam_marks"


@dataclass(frozen=True, slots=True)
class Filters:
    """What the class results page and the exports are narrowed to (all optional)."""

    date_from: date | None = None
    date_to: date | None = None
    family: str = ""
    language: str = ""
    level: int | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> tuple[Filters, dict[str, tuple[str, str]]]:
        """Filters from a query string, and the fields that could not be read (it, en)."""
        errors: dict[str, tuple[str, str]] = {}
        dates: dict[str, date | None] = {}
        for key in ("from", "to"):
            raw = (args.get(key) or "").strip()
            dates[key] = None
            if raw:
                try:
                    dates[key] = date.fromisoformat(raw)
                except ValueError:
                    errors[key] = (
                        "Data non valida: scrivila come AAAA-MM-GG.",
                        "Invalid date: write it as YYYY-MM-DD.",
                    )
        if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
            errors["to"] = (
                "La data finale viene prima di quella iniziale.",
                "The end date is before the start date.",
            )
        level_raw = (args.get("level") or "").strip()
        level = int(level_raw) if level_raw in {"1", "2", "3"} else None
        if level_raw and level is None:
            errors["level"] = ("Livello sconosciuto.", "Unknown level.")
        return (
            cls(
                dates["from"],
                dates["to"],
                (args.get("family") or "").strip()[:40],
                (args.get("language") or "").strip()[:10],
                level,
            ),
            errors,
        )

    @property
    def active(self) -> bool:
        return any((self.date_from, self.date_to, self.family, self.language, self.level))

    def query(self) -> dict[str, str]:
        """The filters as query-string arguments (for export links)."""
        out = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "family": self.family,
            "language": self.language,
            "level": str(self.level) if self.level else "",
        }
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True, slots=True)
class AttemptRow:
    attempt_id: int
    trainee_id: int
    trainee: str
    username: str
    scenario_id: str
    title: str
    family: str
    language: str
    level: int
    started_at: datetime
    duration_s: float
    status: str
    passed: bool | None
    ra: Mapping[str, tuple[float, bool]] = field(default_factory=dict)
    outcome: AttemptOutcome | None = None
    # The locked total out of 50 when the attempt is an exam sitting's.
    exam_marks: float | None = None


def _locked_exam_totals(s: Session, attempt_ids: Sequence[int]) -> dict[int, float]:
    """The locked exam totals of those attempts that are sittings, by attempt id."""
    if not attempt_ids:
        return {}
    found = s.execute(
        select(ExamSitting.attempt_id, ExamSitting.marks).where(
            ExamSitting.attempt_id.in_(list(attempt_ids)), ExamSitting.locked
        )
    )
    return {
        attempt_id: ExamMarks.from_json(marks).total
        for attempt_id, marks in found
        if attempt_id is not None and marks is not None
    }


def attempt_rows(s: Session, trainee_ids: Iterable[int], filters: Filters) -> list[AttemptRow]:
    """Every attempt of the trainees that the filters keep, oldest first."""
    ids = list(trainee_ids)
    if not ids:
        return []
    query = (
        select(Attempt, ScenarioVersion, User, Score)
        .join(ScenarioVersion, Attempt.scenario_version_id == ScenarioVersion.id)
        .join(User, Attempt.trainee_id == User.id)
        .outerjoin(Score, Score.attempt_id == Attempt.id)
        .where(Attempt.trainee_id.in_(ids))
        .order_by(Attempt.started_at, Attempt.id)
    )
    if filters.date_from:
        query = query.where(Attempt.started_at >= _midnight(filters.date_from))
    if filters.date_to:
        query = query.where(Attempt.started_at < _midnight(filters.date_to + timedelta(days=1)))
    if filters.family:
        query = query.where(ScenarioVersion.family == filters.family)
    if filters.language:
        query = query.where(ScenarioVersion.language == filters.language)
    if filters.level:
        query = query.where(ScenarioVersion.level == filters.level)
    found = s.execute(query).all()
    events: dict[int, list[tuple[float, str]]] = {row[0].id: [] for row in found}
    if found:
        for attempt_id, t, kind in s.execute(
            select(AttemptEvent.attempt_id, AttemptEvent.t, AttemptEvent.kind)
            .where(AttemptEvent.attempt_id.in_(list(events)))
            .order_by(AttemptEvent.attempt_id, AttemptEvent.seq)
        ):
            events[attempt_id].append((t, kind))
    exam_totals = _locked_exam_totals(s, list(events))
    rows = []
    for attempt, version, user, score in found:
        spans = session_spans(attempt.clock_origin, events[attempt.id], _PAUSE_S)
        rows.append(
            AttemptRow(
                attempt_id=attempt.id,
                trainee_id=user.id,
                trainee=user.display_name,
                username=user.username,
                scenario_id=version.scenario_id,
                title=version.title,
                family=version.family,
                language=version.language,
                level=version.level,
                started_at=attempt.started_at,
                duration_s=round(sum(span.end - span.start for span in spans), 1),
                status=attempt.status,
                passed=score.passed if score else None,
                ra={r.ra: (r.score, r.passed) for r in score.ra_results} if score else {},
                outcome=AttemptOutcome.from_report(version.scenario_id, score.report)
                if score
                else None,
                exam_marks=exam_totals.get(attempt.id),
            )
        )
    return rows


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def register_columns() -> list[str]:
    """The CSV header: who, what, when, how long, a score and a pass column per RA, exam marks."""
    columns = ["trainee", "username", "scenario", "title", "date", "duration_s", "status"]
    for ra in RA_IDS:
        columns += [f"{ra} score", f"{ra} pass"]
    return [*columns, "passed", EXAM_MARKS_COLUMN]


def register_records(rows: Sequence[AttemptRow]) -> list[dict[str, Any]]:
    """The register rows as plain values (the CSV, the PDF table, the GDPR export)."""
    out = []
    for row in rows:
        record: dict[str, Any] = {
            "trainee": row.trainee,
            "username": row.username,
            "scenario": row.scenario_id,
            "title": row.title,
            "date": row.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            "duration_s": row.duration_s,
            "status": row.status,
        }
        for ra in RA_IDS:
            result = row.ra.get(ra)
            record[f"{ra} score"] = round(result[0] * 100) if result else ""
            record[f"{ra} pass"] = ("yes" if result[1] else "no") if result else ""
        record["passed"] = "" if row.passed is None else ("yes" if row.passed else "no")
        record[EXAM_MARKS_COLUMN] = "" if row.exam_marks is None else row.exam_marks
        out.append(record)
    return out


def to_csv(rows: Sequence[AttemptRow]) -> str:
    """The register as CSV (comma separated, a header row, UTF-8 text)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=register_columns(), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(register_records(rows))
    return buffer.getvalue()


# ------------------------------------------------------------------------------ summaries


@dataclass(frozen=True, slots=True)
class RAPoint:
    """One period of one RA: mean score (0-1) and passes of the scored attempts."""

    period: date
    ra: str
    mean: float
    passed: int
    total: int


def week_of(moment: datetime) -> date:
    """The Monday of ``moment``'s week."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def ra_over_time(rows: Sequence[AttemptRow]) -> list[RAPoint]:
    """Per week and RA, the mean score and passes; weeks in order, RAs in the qualification's."""
    sums: dict[tuple[date, str], list[float]] = {}
    for row in rows:
        for ra, (value, ok) in row.ra.items():
            tally = sums.setdefault((week_of(row.started_at), ra), [0.0, 0, 0])
            tally[0] += value
            tally[1] += int(ok)
            tally[2] += 1
    order = {ra: i for i, ra in enumerate(RA_IDS)}
    return [
        RAPoint(week, ra, total / n, int(passes), int(n))
        for (week, ra), (total, passes, n) in sorted(
            sums.items(), key=lambda item: (item[0][0], order.get(item[0][1], 99))
        )
    ]


def weakest(rows: Sequence[AttemptRow], limit: int = 8) -> list[CriterionStat]:
    """The criteria passed least often in these attempts."""
    return criterion_stats(row.outcome for row in rows if row.outcome)[:limit]


def counts_by(rows: Sequence[AttemptRow], attribute: str) -> list[tuple[Any, int]]:
    """Attempts per family, language or level, most first."""
    counter = Counter(getattr(row, attribute) for row in rows)
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))


def practice_seconds(rows: Sequence[AttemptRow]) -> dict[int, float]:
    """Practice time per trainee in these attempts."""
    out: dict[int, float] = {}
    for row in rows:
        out[row.trainee_id] = out.get(row.trainee_id, 0.0) + row.duration_s
    return out


def latest_ra(rows: Sequence[AttemptRow]) -> dict[int, dict[str, tuple[float, bool]]]:
    """Per trainee, the latest scored result of each RA in these attempts."""
    out: dict[int, dict[str, tuple[float, bool]]] = {}
    for row in rows:
        for ra, result in row.ra.items():
            out.setdefault(row.trainee_id, {})[ra] = result
    return out
