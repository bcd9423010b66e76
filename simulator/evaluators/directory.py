"""The `directory` kind: the directory after the call against the expected changes."""

from __future__ import annotations

from typing import Any

from simulator.evaluators.base import Context, Note, digits_of, not_judged
from simulator.language.normalise import normalise
from simulator.language.phone import same_phone
from simulator.model import DirectoryCriterion


def directory(criterion: DirectoryCriterion, ctx: Context) -> tuple[float, Note]:
    from simulator.directory import apply_directory_update

    updates = ctx.indexed("directory_update", None, "trainee")
    company = ctx.company
    for i in updates:
        data = ctx.events[i].data
        try:
            company = apply_directory_update(
                company, str(data.get("staff")), str(data.get("field")), str(data.get("value"))
            )
        except ValueError:
            continue
    if not updates:
        return not_judged("rubrica mai aggiornata.", "the directory was never updated.")
    right = 0
    wrong: list[str] = []
    for change in criterion.expect:
        member = next((s for s in company.staff if s.id == change.staff), None)
        actual = _staff_field(member, change.field) if member else ""
        same = (
            same_phone(actual, change.value) or digits_of(actual) == digits_of(change.value)
            if digits_of(change.value) and len(digits_of(change.value)) >= 2
            else normalise(actual, "it") == normalise(change.value, "it")
        )
        if same:
            right += 1
        else:
            wrong.append(f"{change.staff}.{change.field}")
    at = ctx.events[updates[-1]].t
    if wrong:
        return right / len(criterion.expect), Note(
            at, f"Voci non corrette: {', '.join(wrong)}.", f"Wrong entries: {', '.join(wrong)}."
        )
    return 1.0, Note(at, "Rubrica aggiornata correttamente.", "Directory updated correctly.")


def _staff_field(member: Any, field: str) -> str:
    if field == "presence":
        return str(member.presence.status.value)
    return str(getattr(member, field, "") or "")
