"""The register's filters, columns and weekly RA summary (pure parts, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from simulator.model import RA_IDS
from simulator.practice.register import (
    EXAM_MARKS_COLUMN,
    AttemptRow,
    Filters,
    counts_by,
    ra_over_time,
    register_columns,
    register_records,
)

RA1, RA2 = RA_IDS[0], RA_IDS[1]


def _row(day: datetime, ra: dict, family="smistamento", trainee_id=1) -> AttemptRow:
    return AttemptRow(
        attempt_id=1,
        trainee_id=trainee_id,
        trainee="Luca",
        username="luca",
        scenario_id="s",
        title="S",
        family=family,
        language="it-IT",
        level=1,
        started_at=day,
        duration_s=90.0,
        status="finished",
        passed=all(ok for _v, ok in ra.values()),
        ra=ra,
    )


def test_filters_read_dates_and_level_and_report_bad_ones():
    filters, errors = Filters.parse({"from": "2026-11-01", "to": "2026-11-30", "level": "2"})
    assert errors == {} and filters.date_from == date(2026, 11, 1) and filters.level == 2
    assert filters.query() == {"from": "2026-11-01", "to": "2026-11-30", "level": "2"}
    _f, errors = Filters.parse({"from": "01/11/2026", "level": "7"})
    assert set(errors) == {"from", "level"}
    assert errors["from"][1] == "Invalid date: write it as YYYY-MM-DD."
    _f, errors = Filters.parse({"from": "2026-12-01", "to": "2026-11-01"})
    assert set(errors) == {"to"}


def test_columns_have_a_score_and_a_pass_per_ra_and_the_exam_marks_hook():
    columns = register_columns()
    for ra in RA_IDS:
        assert f"{ra} score" in columns and f"{ra} pass" in columns
    assert columns[-1] == EXAM_MARKS_COLUMN


def test_records_leave_unjudged_ras_empty():
    row = _row(datetime(2026, 11, 2, 9, tzinfo=UTC), {RA1: (0.756, True)})
    record = register_records([row])[0]
    assert record[f"{RA1} score"] == 76 and record[f"{RA1} pass"] == "yes"
    assert record[f"{RA2} score"] == "" and record[f"{RA2} pass"] == ""
    assert record["date"] == "2026-11-02 09:00" and record[EXAM_MARKS_COLUMN] == ""


def test_ra_over_time_is_weekly_from_monday_in_ra_order():
    rows = [
        _row(datetime(2026, 11, 3, tzinfo=UTC), {RA2: (0.5, False), RA1: (1.0, True)}),
        _row(datetime(2026, 11, 8, tzinfo=UTC), {RA1: (0.0, False)}),  # Sunday: same week
        _row(datetime(2026, 11, 9, tzinfo=UTC), {RA1: (0.8, True)}),  # Monday: next week
    ]
    points = [(p.period, p.ra, round(p.mean, 2), p.passed, p.total) for p in ra_over_time(rows)]
    assert points == [
        (date(2026, 11, 2), RA1, 0.5, 1, 2),
        (date(2026, 11, 2), RA2, 0.5, 0, 1),
        (date(2026, 11, 9), RA1, 0.8, 1, 1),
    ]


def test_counts_by_family_most_first():
    day = datetime(2026, 11, 3, tzinfo=UTC)
    rows = [_row(day, {}, "rubrica"), _row(day, {}, "smistamento"), _row(day, {}, "rubrica")]
    assert counts_by(rows, "family") == [("rubrica", 2), ("smistamento", 1)]
