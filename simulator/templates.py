"""Placeholders in scenario text: ``{company.name}``, ``{caller.name}``, ``{staff.ID.extension}``.

Instructors write caller lines and expected phrases once and they follow the company file, so a
renamed company or a moved extension does not break twenty scenarios.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from simulator.model import Company, Persona

PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z0-9_-]+){1,2})\}")

CALLER_FIELDS = ("name", "organisation", "phone")
COMPANY_FIELDS = ("name", "number", "address")
STAFF_FIELDS = ("name", "extension", "role", "email", "mobile")
DEPARTMENT_FIELDS = ("name", "extension")
KNOWLEDGE_FIELDS = ("title", "text")  # {knowledge.ID.text}: an article of the knowledge base


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
    for article in company.knowledge_base:
        for name in KNOWLEDGE_FIELDS:
            values[f"knowledge.{article.id}.{name}"] = str(getattr(article, name) or "")
    return values


class Lookup(Mapping[str, str]):
    """Placeholder values resolved on demand: what the engine and scoring use at run time.

    Building every value (all staff times all fields) for each caller line cost more than the
    rest of the engine's work; a lookup touches only the placeholders a text really uses.
    """

    def __init__(self, company: Company, caller: Persona | None, operator_name: str) -> None:
        self.company, self.caller, self.operator_name = company, caller, operator_name

    def _resolve(self, key: str) -> str | None:
        head, _, rest = key.partition(".")
        if head == "operator" and rest == "name":
            return self.operator_name
        if head == "company" and rest in COMPANY_FIELDS:
            return str(getattr(self.company, rest) or "")
        if head == "caller" and rest in CALLER_FIELDS and self.caller is not None:
            return str(getattr(self.caller, rest) or "")
        if head == "facts" and self.caller is not None:
            return self.caller.facts.get(rest)
        ident, _, name = rest.rpartition(".")
        if head == "staff" and name in STAFF_FIELDS:
            member = next((m for m in self.company.staff if m.id == ident), None)
            return None if member is None else str(getattr(member, name) or "")
        if head == "department" and name in DEPARTMENT_FIELDS:
            dept = next((d for d in self.company.departments if d.id == ident), None)
            return None if dept is None else str(getattr(dept, name) or "")
        if head == "knowledge" and name in KNOWLEDGE_FIELDS:
            article = next((a for a in self.company.knowledge_base if a.id == ident), None)
            return None if article is None else str(getattr(article, name) or "")
        return None

    def __getitem__(self, key: str) -> str:
        value = self._resolve(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._resolve(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(placeholder_values(self.company, self.caller, self.operator_name))

    def __len__(self) -> int:
        return len(placeholder_values(self.company, self.caller, self.operator_name))


def unknown_placeholders(text: str, values: Mapping[str, str]) -> list[str]:
    """Placeholders in ``text`` that have no value (for the loader's error messages)."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1) not in values]


def expand(text: str, values: Mapping[str, str]) -> str:
    """Replace known placeholders; unknown ones stay as written (the loader reports them)."""
    if "{" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
