"""The company directory: find a colleague or a department from what the trainee typed or said.

Callers ask for "il dottor Sposito", "l'ufficio acquisti" or "l'interno due uno quattro"; the
trainee searches the directory with those words. Search forgives misspelt surnames but ranks
exact matches first; resolving a transfer target is stricter and refuses an ambiguous name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from simulator.language.intents import phrase_score
from simulator.language.normalise import normalise
from simulator.language.numbers import spoken_digits
from simulator.model import Company, Department, Presence, StaffMember, StaffPresence

Kind = Literal["staff", "department"]

_PRESENCE_ORDER = {Presence.AVAILABLE: 0, Presence.BUSY: 1, Presence.ABSENT: 2}
# Titles and articles a caller puts before a name; they are not part of it.
_TITLES = frozenset(
    {
        "il",
        "la",
        "lo",
        "l",
        "dott",
        "dottor",
        "dottore",
        "dottoressa",
        "dr",
        "ing",
        "ingegner",
        "ingegnere",
        "avv",
        "avvocato",
        "prof",
        "professor",
        "professore",
        "professoressa",
        "sig",
        "signor",
        "signore",
        "signora",
        "signorina",
        "geom",
        "geometra",
        "rag",
        "ragioniere",
        "mr",
        "mrs",
        "ms",
        "miss",
        "doctor",
        "monsieur",
        "madame",
        "mme",
        "m",
        "herr",
        "frau",
        "senor",
        "senora",
        "interno",
        "extension",
        "ext",
        "ufficio",
        "reparto",
        "office",
        "department",
        "service",
        "servizio",
        "con",
        "per",
        "parlare",
        "cerco",
        "vorrei",
        "passare",
        "mi",
        "passi",
    }
)
_MIN_SCORE = 0.6
# A match on role or department says less about a person than a match on the name.
_ROLE_WEIGHT = 0.9
_MEMBER_OF_DEPARTMENT_WEIGHT = 0.8
_PART_OF_QUERY_WEIGHT = 0.9
# Resolving a name needs a clear winner: this sure, and this far ahead of the runner-up.
_RESOLVE_MIN_SCORE = 0.85
_RESOLVE_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class DirectoryHit:
    """One search result, as the console lists it and a screen reader reads it."""

    kind: Kind
    id: str
    name: str
    extension: str | None
    department: str
    presence: Presence
    score: float


@dataclass(frozen=True, slots=True)
class Target:
    """Where a transfer or an internal call goes."""

    kind: Kind
    id: str
    extension: str | None
    name: str
    presence: Presence


def search(company: Company, query: str, lang: str = "it-IT", limit: int = 5) -> list[DirectoryHit]:
    """Return up to ``limit`` directory entries matching ``query``, best first.

    Names, surnames, first names, departments, roles and extensions are searched; ties go to the
    colleague who is available, then busy, then absent.
    """
    text = normalise(query, lang)
    digits = spoken_digits(text)
    words = " ".join(word for word in _strip_titles(text).split() if not word.isdigit())
    departments = {department.id: department for department in company.departments}
    hits: list[DirectoryHit] = []
    for department in company.departments:
        score = _department_score(department, words, digits, lang)
        if score >= _MIN_SCORE:
            hits.append(_department_hit(company, department, score))
    for member in company.staff:
        home = departments.get(member.department)
        score = _staff_score(member, home, words, digits, lang)
        if score >= _MIN_SCORE:
            hits.append(_staff_hit(member, home, score))
    hits.sort(key=lambda hit: (-hit.score, _PRESENCE_ORDER[hit.presence], hit.name))
    return hits[:limit]


def resolve_target(company: Company, target: str, lang: str | None = None) -> Target | None:
    """Return the colleague or department that ``target`` names, or None if unknown or ambiguous.

    ``target`` may be an extension (also spoken), a staff id, a department id or a name.
    """
    language = lang or company.language
    for member in company.staff:
        if target == member.id:
            return _staff_target(member)
    for department in company.departments:
        if target == department.id:
            return _department_target(company, department)
    remaining = _strip_titles(normalise(target, language)).split()
    if len(remaining) == 1 and remaining[0].isdigit():
        return _extension_target(company, remaining[0])
    hits = search(company, target, language, limit=2)
    if not hits or hits[0].score < _RESOLVE_MIN_SCORE:
        return None
    if len(hits) > 1 and hits[0].score - hits[1].score < _RESOLVE_MARGIN:
        return None
    best = hits[0]
    return Target(best.kind, best.id, best.extension, best.name, best.presence)


def apply_directory_update(company: Company, staff_id: str, field: str, value: str) -> Company:
    """Return a copy of ``company`` with one field of one colleague changed.

    Raises:
        ValueError: Unknown colleague, unknown field or invalid value (message in it / en).
    """
    members = {member.id: member for member in company.staff}
    if staff_id not in members:
        raise ValueError(f"Collega sconosciuto: '{staff_id}' / unknown staff member: '{staff_id}'")
    allowed = ("extension", "mobile", "email", "presence", "role", "department", "name")
    if field not in allowed:
        raise ValueError(
            f"Campo non modificabile: '{field}', usa uno di {', '.join(allowed)} / "
            f"field cannot be changed: '{field}', use one of {', '.join(allowed)}"
        )
    if field == "department" and value not in {item.id for item in company.departments}:
        raise ValueError(f"Reparto sconosciuto: '{value}' / unknown department: '{value}'")
    updated = _updated_member(members[staff_id], field, value)
    staff = [updated if member.id == staff_id else member for member in company.staff]
    return company.model_copy(update={"staff": staff})


def _updated_member(member: StaffMember, field: str, value: str) -> StaffMember:
    data = member.model_dump()
    try:
        if field == "presence":
            # A new status makes the old "until" and reason stale.
            data["presence"] = StaffPresence.model_validate({"status": value}).model_dump()
        else:
            data[field] = value
        return StaffMember.model_validate(data)
    except (ValidationError, ValueError) as error:
        raise ValueError(
            f"Valore non valido per '{field}': '{value}' / invalid value for '{field}': "
            f"'{value}' ({error.__class__.__name__})"
        ) from error


def _staff_score(
    member: StaffMember, department: Department | None, words: str, digits: str, lang: str
) -> float:
    if digits:
        return _extension_score(member.extension, digits)
    if not words:
        return 0.0
    name = _strip_titles(normalise(member.name, lang))
    parts = name.split()
    # Surname first or last, any rotation: "De Luca Paola" is "Paola De Luca".
    rotations = [" ".join(parts[index:] + parts[:index]) for index in range(1, len(parts))]
    full_names = [name, *rotations, name.replace(" ", "")]
    if len(parts) > 2:
        # "Maria De Luca" or "De Luca Maria": the surname may be two words.
        parts += [" ".join(parts[:2]), " ".join(parts[-2:]), "".join(parts[-2:])]
    score = max(_field_score(candidate, words) for candidate in full_names)
    for part in parts:
        score = max(score, _part_score(part, words))
    if member.role:
        role = _strip_titles(normalise(member.role, lang))
        score = max(score, _field_score(role, words) * _ROLE_WEIGHT)
    if department is not None:
        department_score = _department_score(department, words, "", lang)
        score = max(score, department_score * _MEMBER_OF_DEPARTMENT_WEIGHT)
    return score


def _department_score(department: Department, words: str, digits: str, lang: str) -> float:
    if digits:
        return _extension_score(department.extension, digits) if department.extension else 0.0
    if not words:
        return 0.0
    names = [department.name, department.name_en or "", department.id.replace("-", " ")]
    return max(_field_score(_strip_titles(normalise(name, lang)), words) for name in names if name)


def _strip_titles(text: str) -> str:
    return " ".join(word for word in text.split() if word not in _TITLES)


def _field_score(value: str, words: str) -> float:
    """Score a directory field against the query words, whichever is contained in the other."""
    if not value:
        return 0.0
    if value == words or value.replace(" ", "") == words.replace(" ", ""):
        return 1.0
    # Exact matches rank first: a fuzzy one is worth at most 0.99.
    return min(0.99, max(phrase_score(value, words), phrase_score(words, value)))


def _part_score(part: str, words: str) -> float:
    """Score a first name or surname: inside a longer query it counts less than the full name.

    "Anna Rossi" must prefer Anna Rossi to Marco Rossi, who matches only on the surname.
    """
    if part == words:
        return 1.0
    inside_part = phrase_score(words, part)
    inside_query = phrase_score(part, words) * _PART_OF_QUERY_WEIGHT
    return min(0.99, max(inside_part, inside_query))


def _extension_score(extension: str | None, digits: str) -> float:
    if extension is None:
        return 0.0
    if extension == digits:
        return 1.0
    return 0.7 if extension.startswith(digits) and len(digits) >= 2 else 0.0


def _extension_target(company: Company, digits: str) -> Target | None:
    for member in company.staff:
        if member.extension == digits:
            return _staff_target(member)
    for department in company.departments:
        if department.extension == digits:
            return _department_target(company, department)
    return None


def _department_presence(company: Company, department_id: str) -> Presence:
    statuses = [m.presence.status for m in company.staff if m.department == department_id]
    return min(statuses, key=_PRESENCE_ORDER.__getitem__, default=Presence.ABSENT)


def _staff_hit(member: StaffMember, department: Department | None, score: float) -> DirectoryHit:
    department_name = department.name if department is not None else member.department
    return DirectoryHit(
        "staff",
        member.id,
        member.name,
        member.extension,
        department_name,
        member.presence.status,
        round(score, 4),
    )


def _department_hit(company: Company, department: Department, score: float) -> DirectoryHit:
    return DirectoryHit(
        "department",
        department.id,
        department.name,
        department.extension,
        department.name,
        _department_presence(company, department.id),
        round(score, 4),
    )


def _staff_target(member: StaffMember) -> Target:
    return Target("staff", member.id, member.extension, member.name, member.presence.status)


def _department_target(company: Company, department: Department) -> Target:
    return Target(
        "department",
        department.id,
        department.extension,
        department.name,
        _department_presence(company, department.id),
    )
