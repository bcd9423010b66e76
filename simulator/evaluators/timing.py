"""The `timing` kind: answered, held or replied within a limit of seconds."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, lines_of
from simulator.model import TimingCriterion


def _graded(value: float, limit: float) -> float:
    """Full marks within the limit, falling linearly to 0 at twice the limit."""
    if value <= limit:
        return 1.0
    return max(0.0, 1.0 - (value - limit) / limit)


def timing(criterion: TimingCriterion, ctx: Context) -> tuple[float, Note]:
    limit = criterion.max_s * ctx.multiplier
    worst: tuple[float, float] | None = None  # (seconds, at)
    for line in lines_of(ctx, criterion.line):
        for seconds, at in _durations(criterion.measure, ctx, line):
            if worst is None or seconds > worst[0]:
                worst = (seconds, at)
    if criterion.measure == "answer":
        missed = [i for line in lines_of(ctx, criterion.line) for i in ctx.indexed("missed", line)]
        if missed:
            e = ctx.events[missed[0]]
            return 0.0, Note(
                e.t, "Chiamata persa: nessuna risposta.", "Missed call: never answered."
            )
    if worst is None:
        if criterion.measure == "hold":
            return 1.0, Note(None, "Nessuna attesa.", "No hold.")
        return 0.0, Note(
            None, "Non valutabile: nessun dato di tempo.", "Cannot judge: nothing was timed."
        )
    seconds, at = worst
    what_it = {"answer": "Risposta", "hold": "Attesa", "response": "Risposta al chiamante"}
    what_en = {"answer": "Answered", "hold": "Hold", "response": "Reply to caller"}
    value = _graded(seconds, limit)
    return value, Note(
        at,
        f"{what_it[criterion.measure]} in {seconds:.0f} s (limite {limit:.0f} s).",
        f"{what_en[criterion.measure]} in {seconds:.0f} s (limit {limit:.0f} s).",
    )


def _durations(measure: str, ctx: Context, line: str) -> list[tuple[float, float]]:
    events, eff = ctx.events, ctx.effective
    found: list[tuple[float, float]] = []
    if measure == "answer":
        rang = ctx.indexed("ring", line)
        answered = ctx.indexed("answer", line, "trainee")
        if rang and answered:
            found.append((eff[answered[0]] - eff[rang[0]], events[answered[0]].t))
        return found
    if measure == "hold":
        start: int | None = None
        for i, e in enumerate(events):
            if e.line != line:
                continue
            if e.kind == "hold" and start is None:
                start = i
            elif start is not None and e.kind in (
                "resume",
                "hangup",
                "caller_hangup",
                "transfer",
                "session_finished",
            ):
                if e.kind == "transfer" and e.data.get("mode") == "announced":
                    continue
                found.append((eff[i] - eff[start], events[start].t))
                start = None
        if start is not None:
            found.append((eff[-1] - eff[start], events[start].t))
        return found
    waiting: int | None = None
    for i, e in enumerate(events):
        if e.line != line:
            continue
        if e.kind == "caller_said" and not e.data.get("on_hold") and waiting is None:
            waiting = i
        elif e.kind == "say" and e.actor == "trainee" and waiting is not None:
            found.append((eff[i] - eff[waiting], events[i].t))
            waiting = None
        elif e.kind in ("hold", "hangup", "caller_hangup", "transfer", "take_message"):
            waiting = None
    return found
