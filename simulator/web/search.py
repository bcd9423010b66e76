"""Directory search results as plain dicts, for the combobox JSON and the no-script list."""

from __future__ import annotations

from typing import Any

from simulator import directory
from simulator.model import Company
from simulator.web.console_view import presence_text

MAX_HITS = 8


def directory_hits(company: Company, query: str, lang: str) -> list[dict[str, Any]]:
    """Fuzzy hits (misspelt surnames welcome), each with a label that reads well in Braille."""
    hits = directory.search(company, query, lang, limit=MAX_HITS)
    staff = {m.id: m for m in company.staff}
    depts = {d.id: d for d in company.departments}
    out: list[dict[str, Any]] = []
    for hit in hits:
        hit_id = str(getattr(hit, "id", ""))
        member = staff.get(hit_id)
        dept = depts.get(hit_id)
        if member is not None:
            dept_name = depts[member.department].name if member.department in depts else ""
            state = presence_text(member.presence.status.value, member.presence.until)
            label = f"{member.name}, {dept_name}, int. {member.extension}: {state}"
            out.append(
                {
                    "id": member.id,
                    "label": label,
                    "extension": member.extension,
                    "state": member.presence.status.value,
                }
            )
        elif dept is not None:
            label = f"{dept.name}, int. {dept.extension or '-'}"
            out.append(
                {"id": dept.id, "label": label, "extension": dept.extension, "state": "available"}
            )
        else:
            name = str(getattr(hit, "name", hit_id))
            out.append(
                {
                    "id": hit_id,
                    "label": name,
                    "extension": getattr(hit, "extension", ""),
                    "state": "",
                }
            )
    return out
