"""The `alternatives` kind: one criterion that accepts several routes ("message or a colleague
of the same office", "transfer or ticket"). Passed when any route is passed; when none is, the
route the trainee took (the one whose situation arose, best score first) is the one reported,
never the route not taken.
"""

from __future__ import annotations

from typing import Any

from simulator.evaluators.base import Context, Note, not_judged
from simulator.model import AlternativesCriterion


def route_passed(route: Any, value: float, note: Note) -> bool:
    """A route's verdict: its stated rule when the evaluator gave one, else its pass mark."""
    if not note.judged:
        return False
    return note.passed if note.passed is not None else value >= route.pass_at


def alternatives(criterion: AlternativesCriterion, ctx: Context) -> tuple[float, Note]:
    from simulator.evaluators import evaluate

    judged: list[tuple[bool, float, int, Any, Note]] = []
    for index, route in enumerate(criterion.routes):
        value, note = evaluate(route, ctx)
        if note.judged:
            judged.append((route_passed(route, value, note), value, -index, route, note))
    if not judged:
        return not_judged(
            "nessuna delle strade ammesse è stata tentata.",
            "none of the accepted routes was tried.",
        )
    passed, value, _, route, note = max(judged, key=lambda item: item[:3])
    if not passed and all(item[4].t is None for item in judged):
        names_it = " o ".join(r.title or r.id for r in criterion.routes)
        names_en = " or ".join(r.title_en or r.title or r.id for r in criterion.routes)
        return 0.0, Note(
            None,
            f"Nessuna delle strade ammesse: {names_it}.",
            f"None of the accepted routes: {names_en}.",
            passed=False,
        )
    name_it = route.title or route.id
    name_en = route.title_en or name_it
    return value, Note(
        note.t,
        f"Strada scelta: {name_it}. {note.it}",
        f"Route taken: {name_en}. {note.en}",
        quote=note.quote,
        expected=note.expected,
        passed=passed,
    )
