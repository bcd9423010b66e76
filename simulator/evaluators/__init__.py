"""Evaluators, one module per criterion kind, and the table that maps a kind to its evaluator.

Each evaluator takes a criterion and the call's :class:`Context` and returns a score 0-1 and a
:class:`Note` (evidence). They fail closed: what cannot be judged scores 0 and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.evaluators import (
    action,
    alternatives,
    checklist,
    directory,
    fonogramma,
    forbidden,
    form,
    hold_etiquette,
    language,
    outcome,
    patience,
    promise,
    register,
    speech,
    timing,
)
from simulator.evaluators.base import Context, Note

Evaluator = Callable[[Any, Context], tuple[float, Note]]

EVALUATORS: dict[str, Evaluator] = {
    "action": action.action,
    "timing": timing.timing,
    "speech": speech.speech,
    "forbidden": forbidden.forbidden,
    "form": form.form,
    "directory": directory.directory,
    "outcome": outcome.outcome,
    "fonogramma": fonogramma.fonogramma,
    "register": register.register,
    "language": language.language,
    "promise": promise.promise,
    "hold_etiquette": hold_etiquette.hold_etiquette,
    "patience": patience.patience,
    "alternatives": alternatives.alternatives,
    "checklist": checklist.checklist,
}


def evaluate(criterion: Any, ctx: Context) -> tuple[float, Note]:
    """Dispatch on the criterion's kind."""
    return EVALUATORS[criterion.kind](criterion, ctx)


__all__ = ["EVALUATORS", "Context", "Note", "evaluate"]
