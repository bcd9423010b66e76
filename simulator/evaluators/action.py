"""The `action` kind: the trainee did (or did not do) a console action, to the right target."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note
from simulator.events import Event
from simulator.language.phone import same_phone
from simulator.model import ActionCriterion


def _target_keys(event: Event) -> set[str]:
    target = event.data.get("target") or {}
    keys = {str(event.data.get("to", ""))}
    keys.update(str(target.get(k) or "") for k in ("id", "extension", "department"))
    return keys - {""}


def _action_matches(criterion: ActionCriterion, event: Event) -> bool:
    if criterion.expect == "outgoing_call" and criterion.to:
        number = str(event.data.get("number", ""))
        return event.data.get("decision") == "place" and any(
            same_phone(number, wanted) for wanted in criterion.to
        )
    if criterion.expect == "transfer":
        if criterion.to and not _target_keys(event) & set(criterion.to):
            return False
        if criterion.mode and event.data.get("mode") != criterion.mode:
            return False
    return True


def action(criterion: ActionCriterion, ctx: Context) -> tuple[float, Note]:
    found = [
        i
        for i in ctx.indexed(criterion.expect, criterion.line, "trainee")
        if _action_matches(criterion, ctx.events[i])
    ]
    label = criterion.expect.replace("_", " ")
    if criterion.absent:
        if found:
            e = ctx.events[found[0]]
            return 0.0, Note(e.t, f"Azione da evitare eseguita: {label}.", f"Done: {label}.")
        return 1.0, Note(None, f"Nessun '{label}', come atteso.", f"No '{label}', as expected.")
    if not found:
        tried = ctx.indexed(criterion.expect, criterion.line, "trainee")
        if tried:
            e = ctx.events[tried[0]]
            where = ", ".join(sorted(_target_keys(e))) or label
            return 0.0, Note(
                e.t, f"Azione '{label}' fatta ma verso {where}.", f"'{label}' done, but to {where}."
            )
        return 0.0, Note(None, f"Azione '{label}' mai eseguita.", f"'{label}' never done.")
    first = ctx.events[found[0]]
    if criterion.before:
        later = ctx.indexed(criterion.before, criterion.line, "trainee")
        if later and later[0] < found[0]:
            other = criterion.before.replace("_", " ")
            return 0.0, Note(
                first.t,
                f"'{label}' fatto dopo '{other}'.",
                f"'{label}' done after '{other}'.",
            )
    detail = ", ".join(sorted(_target_keys(first)))
    suffix = f" ({detail})" if detail else ""
    return 1.0, Note(first.t, f"Azione '{label}' eseguita{suffix}.", f"'{label}' done{suffix}.")
