"""Placeholders in scenario text: ``{company.name}``, ``{caller.name}``, ``{staff.rossi.extension}``.

Instructors write caller lines and expected phrases once and they follow the company file, so a
renamed company or a moved extension does not break twenty scenarios.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from simulator.model import Company, Persona

PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z0-9_-]+){1,2})\}")

CALLER_FIELDS = ("name", "organisation", "phone")
COMPANY_FIELDS = ("name", "number", "address")
STAFF_FIELDS = ("name", "extension", "role", "email", "mobile")
DEPARTMENT_FIELDS = ("name", "extension")


def placeholder_values(
    company: Company, caller: Persona | None, operator_name: str
) -> dict[str, str]:
    """Every value a placeholder can take in this company and for this caller."""
    values: dict[str, str] = {"operator.name": operator_name}
    for name in COMPANY_FIELDS:
        values[f"company.{name}"] = str(getattr(company, name) or "")
    if caller is not None:
        for name in CALLER_FIELDS:
            values[f"caller.{name}"] = str(getattr(caller, name) or "")
        for key, fact in caller.facts.items():
            values[f"facts.{key}"] = fact
    for member in company.staff:
        for name in STAFF_FIELDS:
            values[f"staff.{member.id}.{name}"] = str(getattr(member, name) or "")
    for dept in company.departments:
        for name in DEPARTMENT_FIELDS:
            values[f"department.{dept.id}.{name}"] = str(getattr(dept, name) or "")
    return values


def unknown_placeholders(text: str, values: Mapping[str, str]) -> list[str]:
    """Placeholders in ``text`` that have no value (for the loader's error messages)."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1) not in values]


def expand(text: str, values: Mapping[str, str]) -> str:
    """Replace known placeholders; unknown ones stay as written (the loader reports them)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
