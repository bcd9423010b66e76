"""Checks across fields and files that a schema cannot express, each placed and with its fix.

Run after a file has validated against its model: steps that ``goto`` nowhere, steps no path
reaches, transfers to extensions the company does not have, criteria judging a line no call
uses, placeholders the engine cannot fill. Everything found is reported at once.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from simulator.errors import Problem
from simulator.language.lexicon import BUILTIN_INTENTS, FAMILIES
from simulator.model import (
    RA_IDS,
    ActionCriterion,
    Call,
    ChecklistCriterion,
    Company,
    FonogrammaCriterion,
    ForbiddenCriterion,
    FormCriterion,
    RefersTo,
    Rule,
    Scenario,
    SpeechCriterion,
    StaffMember,
)
from simulator.templates import placeholder_values
from simulator.validation import did_you_mean
from simulator.yaml_source import Document, Path, render_path

TIMED_TRIGGERS = frozenset({"silence", "hold", "timeout", "no_answer"})
TARGET_TRIGGERS = frozenset({"transfer", "outgoing_call"})
# Anything in braces that looks like a placeholder, so '{company_name}' is caught, not kept.
_BRACES = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


class _Report:
    """Collects problems for one file, placing each by its field path."""

    def __init__(self, doc: Document, file: str) -> None:
        self.doc, self.file = doc, file
        self.problems: list[Problem] = []

    def add(self, path: Path, it: str, en: str, *, of_key: bool = False) -> None:
        line, column = self.doc.position(path, of_key=of_key)
        self.problems.append(Problem(self.file, line, column, render_path(path), it, en))

    def unknown(self, path: Path, what: tuple[str, str], name: str, choices: set[str]) -> None:
        """Report a name that refers to nothing, with the closest existing one as the fix.

        ``what`` is the Italian phrase with its agreeing adjective ("azienda sconosciuta")
        and the English noun ("company").
        """
        fix_it, fix_en = did_you_mean(name, choices)
        self.add(path, f"{what[0]} '{name}'{fix_it}", f"unknown {what[1]} '{name}'{fix_en}")


# --------------------------------------------------------------------------- company


def check_company(company: Company, doc: Document, file: str) -> list[Problem]:
    """Unique ids and extensions, staff in existing departments, authorisations of real staff."""
    report = _Report(doc, file)
    departments = {dept.id for dept in company.departments}
    seen_ids: dict[str, str] = {}
    seen_extensions: dict[str, str] = {}
    owners = [("departments", i, d.id, d.extension) for i, d in enumerate(company.departments)]
    owners += [("staff", i, s.id, s.extension) for i, s in enumerate(company.staff)]
    for section, index, ident, extension in owners:
        if ident in seen_ids:
            report.add(
                (section, index, "id"),
                f"id '{ident}' già usato da {seen_ids[ident]}: ogni id deve essere unico",
                f"id '{ident}' already used by {seen_ids[ident]}: ids must be unique",
            )
        seen_ids.setdefault(ident, f"{section}[{index}]")
        if extension is None:
            continue
        if extension in seen_extensions:
            report.add(
                (section, index, "extension"),
                f"interno '{extension}' già assegnato a {seen_extensions[extension]}",
                f"extension '{extension}' already assigned to {seen_extensions[extension]}",
            )
        seen_extensions.setdefault(extension, ident)
    for index, member in enumerate(company.staff):
        if member.department not in departments:
            report.unknown(
                ("staff", index, "department"),
                ("reparto sconosciuto", "department"),
                member.department,
                departments,
            )
    staff = {member.id for member in company.staff}
    for index, authorisation in enumerate(company.authorisations):
        if authorisation.staff not in staff:
            report.unknown(
                ("authorisations", index, "staff"),
                ("membro dello staff sconosciuto", "staff member"),
                authorisation.staff,
                staff,
            )
    if company.procedure is not None:
        _check_procedure(report, company, staff)
    return report.problems


def _check_procedure(report: _Report, company: Company, staff: set[str]) -> None:
    """Wardens are real staff, and the public-address extension is no colleague's."""
    assert company.procedure is not None
    for index, warden in enumerate(company.procedure.wardens):
        if warden.staff not in staff:
            report.unknown(
                ("procedure", "wardens", index, "staff"),
                ("membro dello staff sconosciuto", "staff member"),
                warden.staff,
                staff,
            )
    paging = company.procedure.announcement_extension
    _, extensions = _targets(company)
    if paging is not None and paging in extensions:
        report.add(
            ("procedure", "announcement_extension"),
            f"interno '{paging}' già di un collega o reparto: la diffusione sonora ne vuole uno",
            f"extension '{paging}' already belongs to a colleague or department: the public "
            "address needs its own",
        )


# --------------------------------------------------------------------------- scenario


def check_scenario(
    scenario: Scenario,
    doc: Document,
    file: str,
    companies: Mapping[str, Company],
    company_paths: Mapping[str, str] | None = None,
    broken_companies: frozenset[str] = frozenset(),
    searched: Mapping[str, list[str]] | None = None,
) -> list[Problem]:
    """Every cross-reference of a validated scenario, against its company when it is known.

    A company in ``broken_companies`` failed to load: its own problems are reported, so the
    scenario's company-dependent checks are skipped rather than reported a second time.
    ``searched`` (company id -> folders looked in) lets a missing company say where to put it.
    """
    report = _Report(doc, file)
    company = companies.get(scenario.company)
    company_file = (company_paths or {}).get(scenario.company)
    if company is None and scenario.company not in broken_companies:
        _missing_company(report, scenario.company, set(companies), (searched or {}))
    lines: set[str] = set()
    for index, call in enumerate(scenario.calls):
        if call.line in lines:
            report.add(
                ("calls", index, "line"),
                f"linea '{call.line}' già usata da un'altra chiamata: usa un id diverso",
                f"line '{call.line}' already used by another call: use a different id",
            )
        lines.add(call.line)
        _check_call(report, scenario, call, ("calls", index), company, company_file)
    for index, call in enumerate(scenario.calls):
        if call.ring_after is not None:
            _check_ring_after(report, scenario, call, ("calls", index, "ring_after"))
    _check_criteria(report, scenario, lines, company, company_file)
    for ra in scenario.thresholds:
        if ra not in RA_IDS:
            report.unknown(("thresholds", ra), ("RA sconosciuto", "RA"), ra, set(RA_IDS))
    if company is not None:
        _check_marked_references(report, scenario, company)
        _check_placeholders(report, scenario, company)
    return report.problems


# --------------------------------------------------------------------------- marked fields

_NAMES = {
    "staff": ("membro dello staff sconosciuto", "staff member"),
    "department": ("reparto sconosciuto", "department"),
}


def _check_marked_references(report: _Report, scenario: Scenario, company: Company) -> None:
    """Every field typed ``StaffId`` or ``DepartmentId``, wherever the model has one."""
    known = {
        "staff": {member.id for member in company.staff},
        "department": {dept.id for dept in company.departments},
    }
    for path, what, value, of_key in _marked(scenario, ()):
        if value not in known[what]:
            fix_it, fix_en = did_you_mean(value, known[what])
            it, en = _NAMES[what]
            report.add(
                path, f"{it} '{value}'{fix_it}", f"unknown {en} '{value}'{fix_en}", of_key=of_key
            )


def _mark_of(annotation: Any) -> RefersTo | None:
    """The ``RefersTo`` on a type, looking through ``Annotated`` and ``X | None``."""
    if get_origin(annotation) is Annotated:
        found = next((m for m in annotation.__metadata__ if isinstance(m, RefersTo)), None)
        return found or _mark_of(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return next((m for m in map(_mark_of, get_args(annotation)) if m is not None), None)
    return None


def _bare(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _bare(members[0])
    return annotation


def _marked(
    value: Any, path: Path, annotation: Any = None, metadata: tuple[Any, ...] = ()
) -> Iterator[tuple[Path, str, str, bool]]:
    """(path, what, value, is a key) for every marked value inside a validated model."""
    mark = next((m for m in metadata if isinstance(m, RefersTo)), None) or _mark_of(annotation)
    if mark is not None and isinstance(value, str):
        yield path, mark.what, value, False
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _marked(
                getattr(value, name), (*path, name), info.annotation, tuple(info.metadata)
            )
    elif isinstance(value, (list, tuple)):
        args = get_args(_bare(annotation))
        for index, item in enumerate(value):
            yield from _marked(item, (*path, index), args[0] if args else None)
    elif isinstance(value, dict):
        args = get_args(_bare(annotation))
        key_kind, value_kind = args if len(args) == 2 else (None, None)
        key_mark = _mark_of(key_kind)
        for key, item in value.items():
            if key_mark is not None and isinstance(key, str):
                yield (*path, key), key_mark.what, key, True
            yield from _marked(item, (*path, key), value_kind)


# --------------------------------------------------------------------------- form values

# Fields whose expected value is a colleague or a department even as one plain word.
_RECIPIENT_FIELDS = frozenset({"for", "recipient"})
_SLUG = re.compile(r"^[a-z][a-z0-9_.-]*$")


def _check_form_values(
    report: _Report, criterion: FormCriterion, where: Path, company: Company
) -> None:
    """Expected values that name a colleague, a department or a queue must exist.

    A misspelt id would otherwise be compared as text and fail a correct trainee.
    """
    people = {member.id for member in company.staff} | {d.id for d in company.departments}
    queues = {queue.id for queue in company.ticket_queues}
    for name, expectation in criterion.fields.items():
        expected = expectation.expected
        options = [expected] if isinstance(expected, str) else list(expected or [])
        for number, option in enumerate(options):
            path: Path = (*where, "fields", name, "expected")
            if not isinstance(expected, str):
                path = (*path, number)
            if name == "queue" and queues:
                if option not in queues:
                    report.unknown(
                        path, ("coda dei ticket sconosciuta", "ticket queue"), option, queues
                    )
                continue
            if expectation.match not in ("exact", "fuzzy") or not _SLUG.match(option):
                continue
            looks_like_id = any(mark in option for mark in "-_") or name in _RECIPIENT_FIELDS
            if looks_like_id and option not in people:
                fix_it, fix_en = did_you_mean(option, people)
                report.add(
                    path,
                    f"'{option}' non è un id dello staff o di un reparto{fix_it} (per un testo"
                    ' libero scrivilo con le maiuscole o gli spazi, es. "Paolo De Luca")',
                    f"'{option}' is not a staff or department id{fix_en} (for free text write it"
                    ' with capitals or spaces, e.g. "Paolo De Luca")',
                )


def _missing_company(
    report: _Report, wanted: str, known: set[str], searched: Mapping[str, list[str]]
) -> None:
    """An unknown company, with where it was looked for and how to make it found."""
    best = did_you_mean(wanted, known) if known else None
    if best is not None and "forse" in best[0]:
        report.unknown(("company",), ("azienda sconosciuta", "company"), wanted, known)
        return
    places = searched.get(wanted, [])
    where_it = f" (cercata in: {', '.join(places)})" if places else ""
    where_en = f" (looked in: {', '.join(places)})" if places else ""
    report.add(
        ("company",),
        f"azienda sconosciuta '{wanted}'{where_it}: metti il suo file in una cartella"
        f" 'companies/' accanto allo scenario o sopra di esso, oppure indica la libreria che la"
        f" contiene con --library CARTELLA",
        f"unknown company '{wanted}'{where_en}: put its file in a 'companies/' folder beside"
        f" the scenario or above it, or name the library that holds it with --library FOLDER",
    )


def _check_ring_after(report: _Report, scenario: Scenario, call: Call, where: Path) -> None:
    """A line that rings after another's moment: that line and its step must exist."""
    after = call.ring_after
    assert after is not None
    others = {other.line: other for other in scenario.calls if other.line != call.line}
    if after.line not in others:
        if after.line == call.line:
            report.add(
                (*where, "line"),
                f"la linea '{call.line}' non può squillare dopo se stessa: indica un'altra linea",
                f"line '{call.line}' cannot ring after itself: name another line",
            )
        else:
            report.unknown((*where, "line"), ("linea sconosciuta", "line"), after.line, set(others))
        return
    steps = set(others[after.line].steps)
    if after.step is not None and after.step not in steps:
        report.unknown((*where, "step"), ("passo sconosciuto", "step"), after.step, steps)


def _rules(call: Call) -> Iterator[tuple[str, str, Rule, Path]]:
    for step_id, step in call.steps.items():
        for trigger, found in step.on.items():
            if isinstance(found, list):
                for index, rule in enumerate(found):
                    yield step_id, trigger, rule, ("steps", step_id, "on", trigger, index)
            else:
                yield step_id, trigger, found, ("steps", step_id, "on", trigger)


def _check_call(
    report: _Report,
    scenario: Scenario,
    call: Call,
    where: Path,
    company: Company | None,
    company_file: str | None,
) -> None:
    steps = set(call.steps)
    if call.start not in steps:
        report.unknown((*where, "start"), ("passo sconosciuto", "step"), call.start, steps)
    edges: dict[str, set[str]] = {step: set() for step in steps}
    intents = set(BUILTIN_INTENTS) | set(scenario.intents)
    # Call-wide rules are in every step they are not overridden in: checked once, where written.
    wide: list[tuple[str, Rule, Path]] = []
    for event, found in call.on.items():
        for index, rule in enumerate(_listed(found)):
            at: Path = ("on", event, index) if isinstance(found, list) else ("on", event)
            wide.append((str(event), rule, at))
    inherited = {id(rule) for _, rule, _ in wide}
    for kind, rule, path in wide:
        _check_one_rule(report, kind, rule, (*where, *path), steps, intents, company, company_file)
    for step_id, trigger, rule, path in _rules(call):
        if rule.goto is not None and rule.goto in steps:
            edges[step_id].add(rule.goto)
        if id(rule) not in inherited:
            _check_one_rule(
                report, trigger, rule, (*where, *path), steps, intents, company, company_file
            )
    if call.start in steps:
        reached = {call.start}
        frontier = [call.start]
        while frontier:
            for target in edges[frontier.pop()] - reached:
                reached.add(target)
                frontier.append(target)
        for step_id in sorted(steps - reached, key=list(call.steps).index):
            report.add(
                (*where, "steps", step_id),
                f"passo '{step_id}' irraggiungibile: nessun 'goto' lo raggiunge da '{call.start}'",
                f"step '{step_id}' is unreachable: no 'goto' leads to it from '{call.start}'",
                of_key=True,
            )


def _listed(found: Rule | list[Rule]) -> list[Rule]:
    return list(found) if isinstance(found, list) else [found]


def _check_one_rule(
    report: _Report,
    trigger: str,
    rule: Rule,
    rule_path: Path,
    steps: set[str],
    intents: set[str],
    company: Company | None,
    company_file: str | None,
) -> None:
    if rule.goto is not None and rule.goto not in steps:
        report.unknown((*rule_path, "goto"), ("passo sconosciuto", "step"), rule.goto, steps)
    _check_rule(report, trigger, rule, rule_path, intents)
    if trigger == "transfer" and rule.to and company is not None:
        for index, target in enumerate(rule.to):
            _check_target(report, (*rule_path, "to", index), target, company, company_file)


def _check_rule(report: _Report, trigger: str, rule: Rule, path: Path, intents: set[str]) -> None:
    # A hold rule without after_s is the caller's immediate reaction ("Va bene, attendo").
    if trigger in TIMED_TRIGGERS and rule.after_s is None and trigger != "hold":
        report.add(
            path,
            f"'{trigger}' richiede 'after_s': dopo quanti secondi scatta",
            f"'{trigger}' needs 'after_s': after how many seconds it fires",
        )
    if trigger not in TIMED_TRIGGERS and rule.after_s is not None:
        report.add(
            (*path, "after_s"),
            f"'after_s' vale solo per {', '.join(sorted(TIMED_TRIGGERS))}: toglilo",
            f"'after_s' only applies to {', '.join(sorted(TIMED_TRIGGERS))}: remove it",
        )
    # A say rule without intent is the fallback: the caller's answer to anything else.
    if trigger != "say" and rule.intent is not None:
        report.add(
            (*path, "intent"),
            "'intent' vale solo per 'say': toglilo",
            "'intent' only applies to 'say': remove it",
        )
    if rule.intent is not None and trigger == "say" and rule.intent not in intents:
        report.unknown((*path, "intent"), ("intento sconosciuto", "intent"), rule.intent, intents)
    for name, allowed in (
        ("to", TARGET_TRIGGERS),
        ("mode", {"transfer"}),
        ("decision", {"outgoing_call"}),
        ("presence", {"transfer"}),
    ):
        if getattr(rule, name) is not None and trigger not in allowed:
            listed = ", ".join(sorted(allowed))
            report.add(
                (*path, name),
                f"'{name}' vale solo per {listed}: toglilo",
                f"'{name}' only applies to {listed}: remove it",
            )


def _targets(company: Company) -> tuple[set[str], set[str]]:
    ids = {member.id for member in company.staff} | {dept.id for dept in company.departments}
    extensions = {member.extension for member in company.staff}
    extensions |= {dept.extension for dept in company.departments if dept.extension}
    return ids, extensions


def _check_target(
    report: _Report, path: Path, target: str, company: Company, company_file: str | None
) -> None:
    ids, extensions = _targets(company)
    source = company_file or f"azienda '{company.id}'"
    source_en = company_file or f"company '{company.id}'"
    if target.isdigit():
        if target not in extensions:
            fix_it, fix_en = did_you_mean(target, extensions)
            report.add(
                path,
                f"interno '{target}' non presente nella rubrica di {source}{fix_it}",
                f"extension '{target}' is not in the directory of {source_en}{fix_en}",
            )
    elif target not in ids:
        fix_it, fix_en = did_you_mean(target, ids)
        report.add(
            path,
            f"destinazione '{target}' sconosciuta in {source}: usa un interno, un id dello staff"
            f" o di un reparto{fix_it}",
            f"unknown target '{target}' in {source_en}: use an extension, a staff or department"
            f" id{fix_en}",
        )


_FAMILY_NAMES = frozenset(FAMILIES) | frozenset(BUILTIN_INTENTS)


def _check_criteria(
    report: _Report,
    scenario: Scenario,
    lines: set[str],
    company: Company | None,
    company_file: str | None,
) -> None:
    seen: set[str] = set()
    all_steps = {step for call in scenario.calls for step in call.steps}
    for index, criterion in enumerate(scenario.criteria):
        where: Path = ("criteria", index)
        if criterion.id in seen:
            report.add(
                (*where, "id"),
                f"criterio '{criterion.id}' ripetuto: ogni criterio ha un id unico",
                f"criterion '{criterion.id}' repeated: each criterion needs a unique id",
            )
        seen.add(criterion.id)
        steps = all_steps
        if criterion.line is not None:
            if criterion.line in lines:
                call = next(call for call in scenario.calls if call.line == criterion.line)
                steps = set(call.steps)
            else:
                report.unknown(
                    (*where, "line"), ("linea sconosciuta", "line"), criterion.line, lines
                )
        if isinstance(criterion, ChecklistCriterion):
            for number, item in enumerate(criterion.items):
                if item.line is not None and item.line not in lines:
                    report.unknown(
                        (*where, "items", number, "line"),
                        ("linea sconosciuta", "line"),
                        item.line,
                        lines,
                    )
        if isinstance(criterion, SpeechCriterion | ChecklistCriterion):
            after = criterion.window.after
            if after not in ("answer", "start") and after not in steps:
                report.unknown(
                    (*where, "window", "after"),
                    ("passo sconosciuto", "step"),
                    after,
                    steps | {"answer", "start"},
                )
        for key in ("any_of", "none_of"):
            for number, phrase in enumerate(getattr(criterion, key, None) or []):
                if phrase.startswith("@") and phrase[1:] not in _FAMILY_NAMES:
                    report.unknown(
                        (*where, key, number),
                        ("famiglia di frasi sconosciuta", "phrase family"),
                        phrase,
                        {f"@{name}" for name in _FAMILY_NAMES},
                    )
        if isinstance(criterion, FonogrammaCriterion):
            dictating = {
                step_id
                for call in scenario.calls
                for step_id, step in call.steps.items()
                if step.dictate and step_id in steps
            }
            if criterion.step not in dictating:
                report.unknown(
                    (*where, "step"),
                    ("passo sconosciuto o senza 'dictate'", "step (or step without 'dictate')"),
                    criterion.step,
                    dictating,
                )
        if company is not None:
            _check_company_refs(report, criterion, where, company, company_file)
            for number, route in enumerate(getattr(criterion, "routes", ())):
                _check_company_refs(
                    report, route, (*where, "routes", number), company, company_file
                )


def _check_company_refs(
    report: _Report, criterion: Any, where: Path, company: Company, company_file: str | None
) -> None:
    staff = {member.id for member in company.staff}
    if (
        isinstance(criterion, ActionCriterion)
        and criterion.to
        and criterion.expect != "outgoing_call"
    ):
        for index, target in enumerate(criterion.to):
            _check_target(report, (*where, "to", index), target, company, company_file)
    if isinstance(criterion, FormCriterion):
        _check_form_values(report, criterion, where, company)
    if isinstance(criterion, ForbiddenCriterion):
        for index, item in enumerate(criterion.disclose):
            problem = _disclose_problem(item, staff)
            if problem is not None:
                report.add((*where, "disclose", index), *problem)


def _disclose_problem(item: str, staff: set[str]) -> tuple[str, str] | None:
    parts = item.split(".")
    if len(parts) < 3 or parts[0] != "staff":
        return (
            f"'{item}' non ha la forma 'staff.<id>.<campo>', es. 'staff.rossi-anna.mobile'",
            f"'{item}' is not of the form 'staff.<id>.<field>', e.g. 'staff.rossi-anna.mobile'",
        )
    if parts[1] not in staff:
        fix_it, fix_en = did_you_mean(parts[1], staff)
        return (
            f"membro dello staff sconosciuto '{parts[1]}'{fix_it}",
            f"unknown staff member '{parts[1]}'{fix_en}",
        )
    model: type[BaseModel] | None = StaffMember
    for name in parts[2:]:
        fields = set(model.model_fields) if model is not None else set()
        if name not in fields:
            fix_it, fix_en = did_you_mean(name, fields)
            return f"campo sconosciuto '{name}'{fix_it}", f"unknown field '{name}'{fix_en}"
        annotation = model.model_fields[name].annotation if model is not None else None
        is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation if is_model else None  # type: ignore[assignment]
    return None


def _check_placeholders(report: _Report, scenario: Scenario, company: Company) -> None:
    per_call = [
        placeholder_values(company, call.caller, scenario.operator_name) for call in scenario.calls
    ]
    shared: dict[str, str] = {}
    for values in per_call:
        shared |= values
    for path, text in _strings(report.doc.data, ()):
        in_call = len(path) > 1 and path[0] == "calls"
        index = path[1] if in_call else -1
        values = (
            per_call[index] if isinstance(index, int) and 0 <= index < len(per_call) else shared
        )
        for match in _BRACES.finditer(text):
            name = match.group(1)
            if name not in values:
                fix_it, fix_en = did_you_mean(name, set(values))
                report.add(
                    path,
                    f"segnaposto sconosciuto '{{{name}}}'{fix_it}",
                    f"unknown placeholder '{{{name}}}'{fix_en}",
                )


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
