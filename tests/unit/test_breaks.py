"""Practice time and the pause due after 120 minutes of continuous practice (D.Lgs. 81/2008)."""

from __future__ import annotations

from simulator.breaks import Span, pause_text, practice_time, session_spans

DAY = 1_800_000_000.0  # midnight of the practice day, epoch seconds
MIN = 60.0


def at(minutes: float) -> float:
    return DAY + 8 * 3600 + minutes * MIN  # minutes after 08:00


def test_two_hours_of_sessions_with_short_gaps_make_the_pause_due() -> None:
    spans = [Span(at(0), at(55)), Span(at(58), at(100)), Span(at(103), at(121))]
    practice = practice_time(spans, now=at(121), day_start=DAY)
    assert practice.pause_due
    assert practice.continuous_s == 121 * MIN
    assert practice.today_s == (55 + 42 + 18) * MIN
    assert pause_text(practice, "it").startswith("Pausa dovuta: 15 min")


def test_a_gap_of_fifteen_minutes_is_a_pause_taken() -> None:
    spans = [Span(at(0), at(100)), Span(at(115), at(130))]
    practice = practice_time(spans, now=at(130), day_start=DAY)
    assert not practice.pause_due
    assert practice.continuous_s == 15 * MIN
    assert practice.until_pause_s == 105 * MIN
    assert pause_text(practice, "en") == "Pause in 1 h 45 min (15 min of continuous practice)."


def test_after_resting_the_count_starts_again_and_yesterday_is_not_today() -> None:
    spans = [Span(DAY - 3600, DAY - 60), Span(at(0), at(130))]
    practice = practice_time(spans, now=at(150), day_start=DAY)
    assert practice.continuous_s == 0 and not practice.pause_due
    assert practice.today_s == 130 * MIN


def test_the_school_sets_the_limit() -> None:
    practice = practice_time([Span(at(0), at(50))], now=at(50), day_start=DAY, limit_minutes=45)
    assert practice.pause_due


def test_a_long_pause_inside_a_session_splits_it_a_short_one_does_not() -> None:
    events = [(0.0, "session_started"), (600.0, "pause"), (1600.0, "unpause"), (1700.0, "say")]
    assert session_spans(at(0), events, pause_s=900) == [
        Span(at(0), at(10)),
        Span(at(0) + 1600, at(0) + 1700),
    ]
    short = [(0.0, "session_started"), (600.0, "pause"), (700.0, "unpause"), (800.0, "say")]
    assert session_spans(at(0), short, pause_s=900) == [Span(at(0), at(0) + 800)]
