"""The `timing` kind: answered, held or replied within a limit of seconds."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, lines_of, not_judged
from simulator.model import TimingCriterion


def _graded(value: float, limit: float) -> float:
    """Full marks within the limit, falling linearly to 0 at twice the limit."""
    if value <= limit:
        return 1.0
    return max(0.0, 1.0 - (value - limit) / limit)


def _fmt(seconds: float) -> str:
    """Seconds as the evidence prints them, the same number the verdict compares."""
    return f"{seconds:.1f}".rstrip("0").rstrip(".")


def timing(criterion: TimingCriterion, ctx: Context) -> tuple[float, Note]:
    limit = round(criterion.max_s * ctx.multiplier, 1)
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
                e.t,
                "Chiamata persa: nessuna risposta.",
                "Missed call: never answered.",
                passed=False,
            )
        rang = [i for line in lines_of(ctx, criterion.line) for i in ctx.indexed("ring", line)]
        if worst is None and rang:
            return 0.0, Note(
                ctx.events[rang[0]].t,
                "La chiamata ha squillato e non hai risposto.",
                "The call rang and was not answered.",
                passed=False,
            )
    if worst is None:
        if criterion.measure == "hold":
            return not_judged("nessuno è stato messo in attesa.", "nobody was put on hold.")
        return not_judged("nessun tempo da misurare.", "nothing to time.")
    # The verdict and the evidence use the same number: the time to a tenth of a second.
    seconds, at = round(worst[0], 1), worst[1]
    what_it = {"answer": "Risposta", "hold": "Attesa", "response": "Risposta al chiamante"}
    what_en = {"answer": "Answered", "hold": "Hold", "response": "Reply to caller"}
    within = seconds <= limit
    verdict_it = "entro il limite" if within else "oltre il limite"
    verdict_en = "within the limit" if within else "over the limit"
    return _graded(seconds, limit), Note(
        at,
        f"{what_it[criterion.measure]} in {_fmt(seconds)} s, {verdict_it} di {_fmt(limit)} s.",
        f"{what_en[criterion.measure]} in {_fmt(seconds)} s, {verdict_en} of {_fmt(limit)} s.",
        expected=f"≤ {_fmt(limit)} s",
        passed=within,
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
