"""The `checklist` kind: the items a procedure requires, each asked, said, done or written.

A bomb threat, a call to 112, an evacuation: the procedure is a list, and what a trainee needs to
hear is which item was missed. Every item is met at the first event that satisfies it; with
``order: given`` the items must also come in the written order. The window opens as a speech
criterion's does; a call never taken is "not judged", never passed.
"""

from __future__ import annotations

from simulator.evaluators.action import _target_keys
from simulator.evaluators.base import (
    Context,
    Note,
    digits_of,
    heard_texts,
    window_never_opened,
    window_start,
)
from simulator.evaluators.speech import same_numbers
from simulator.language.lexicon import expand_families
from simulator.language.match import each_present
from simulator.language.phone import same_phone
from simulator.model import ChecklistCriterion, ChecklistItem
from simulator.templates import expand

FORM_KINDS = ("message", "report", "ticket", "fonogramma")


def _said(phrases: list[str], ctx: Context, indices: list[int], lang: str) -> int | None:
    for i in indices:
        if ctx.events[i].kind != "say":
            continue
        for heard in heard_texts(ctx.events[i]):
            if any(same_numbers(p, heard, lang) for p in each_present(heard, phrases, lang)):
                return i
    return None


def _done_matches(item: ChecklistItem, ctx: Context, index: int) -> bool:
    event = ctx.events[index]
    if event.kind != item.done:
        return False
    if item.done == "outgoing_call":
        if event.data.get("decision") != "place":
            return False
        number = str(event.data.get("number", ""))
        return not item.to or any(
            same_phone(number, wanted) or digits_of(number) == digits_of(wanted)
            for wanted in item.to
        )
    return not item.to or bool(_target_keys(event) & set(item.to))


def _written(item: ChecklistItem, ctx: Context, index: int) -> bool:
    event = ctx.events[index]
    if event.kind not in ((item.form,) if item.form else FORM_KINDS):
        return False
    text = " ; ".join(str(value) for value in event.data.values() if isinstance(value, str))
    words = expand_families([expand(w, ctx.values(None)) for w in item.written], "it")
    return bool(text.strip()) and bool(each_present(text, words, ctx.language(item.line)))


def _met_at(
    item: ChecklistItem, criterion: ChecklistCriterion, ctx: Context, first: int, until: float
) -> int | None:
    """Index of the first event that meets ``item``, or None."""
    trainee = [
        i
        for i, e in enumerate(ctx.events)
        if i > first and e.actor == "trainee" and ctx.effective[i] <= until
    ]
    if item.asked or item.said:
        # Words count on the criterion's line; actions, wherever the procedure sends them.
        line = item.line or criterion.line
        lang = ctx.language(line)
        values = ctx.values(line)
        phrases = expand_families([expand(p, values) for p in item.asked or item.said], lang)
        on_line = [i for i in trainee if line is None or ctx.events[i].line == line]
        return _said(phrases, ctx, on_line, lang)
    if item.line is not None:
        trainee = [i for i in trainee if ctx.events[i].line == item.line]
    if item.done is not None:
        return next((i for i in trainee if _done_matches(item, ctx, i)), None)
    return next((i for i in trainee if _written(item, ctx, i)), None)


def _listed(items: list[ChecklistItem], lang: str) -> str:
    return "; ".join(item.title_en if lang == "en" else item.title for item in items)


def checklist(criterion: ChecklistCriterion, ctx: Context) -> tuple[float, Note]:
    start = window_start(ctx, criterion.window.after, criterion.line)
    if start is None:
        return window_never_opened(criterion.window.after)
    within = criterion.window.within_s
    until = float("inf") if within is None else ctx.effective[start] + within * ctx.multiplier
    met = {item.id: _met_at(item, criterion, ctx, start, until) for item in criterion.items}
    total = len(criterion.items)
    missing = [item for item in criterion.items if met[item.id] is None]
    done = total - len(missing)
    if missing:
        last = ctx.events[-1].t if ctx.events else None
        names_it, names_en = _listed(missing, "it"), _listed(missing, "en")
        # By the end of the log the missing items had every chance: the evidence is that moment.
        return done / total, Note(
            last,
            f"Procedura incompleta ({done} di {total}); mancano: {names_it}.",
            f"Procedure incomplete ({done} of {total}); missing: {names_en}.",
            passed=False,
        )
    times = [met[item.id] for item in criterion.items]
    if criterion.order == "given":
        for position in range(1, total):
            earlier = criterion.items[:position]
            index = times[position]
            assert index is not None
            before = [item for item in earlier if (met[item.id] or 0) > index]
            if before:
                item = criterion.items[position]
                in_order = sum(
                    1
                    for k, t in enumerate(times)
                    if all((times[j] or 0) <= (t or 0) for j in range(k))
                )
                return in_order / total, Note(
                    ctx.events[index].t,
                    f"Fuori ordine: «{item.title}» prima di «{before[0].title}».",
                    f"Out of order: '{item.title_en}' before '{before[0].title_en}'.",
                    quote=str(ctx.events[index].data.get("text", "")) or None,
                    expected=_listed(criterion.items, "it"),
                    passed=False,
                )
    final = max(i for i in times if i is not None)
    return 1.0, Note(
        ctx.events[final].t,
        f"Procedura completa ({total} di {total}).",
        f"Procedure complete ({total} of {total}).",
        passed=True,
    )
