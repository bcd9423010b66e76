"""The `form` kind: a message, report, ticket or other form filed with the right fields."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, not_judged
from simulator.evaluators.truthful import truthful
from simulator.language.accuracy import keyword_coverage
from simulator.language.normalise import normalise
from simulator.language.phone import same_phone
from simulator.model import FieldExpectation, FormCriterion
from simulator.templates import expand

FUZZY_FIELD_OK = 0.8


def _field_score(
    name: str, expectation: FieldExpectation, given: str, ctx: Context, lang: str
) -> float:
    values = ctx.values(None)
    expected = expectation.expected
    options = [expected] if isinstance(expected, str) else list(expected or [])
    options = [expand(o, values) for o in options]
    if expectation.match == "present":
        return 1.0 if given.strip() else 0.0
    if not given.strip():
        return 0.0
    if expectation.match == "keywords":
        return keyword_coverage(options, given, lang)
    if expectation.match == "truthful":
        return truthful(given, ctx)
    if expectation.match == "phone_number":
        return 1.0 if any(same_phone(o, given) for o in options) else 0.0
    best = 0.0
    for option in options:
        target = _staff_or_value(option, ctx)
        if target is not None and _same_person(target, given, ctx):
            return 1.0
        if expectation.match == "exact":
            best = max(best, 1.0 if normalise(option, lang) == normalise(given, lang) else 0.0)
        else:
            best = max(best, _fuzzy(option, given, lang))
    return best


def _staff_or_value(option: str, ctx: Context) -> str | None:
    ids = {s.id for s in ctx.company.staff} | {d.id for d in ctx.company.departments}
    return option if option in ids else None


def _same_person(target_id: str, given: str, ctx: Context) -> bool:
    """Whether what the trainee wrote names the expected colleague or department."""
    from simulator.directory import resolve_target

    wanted = normalise(given, "it")
    for member in ctx.company.staff:
        if member.id == target_id:
            names = {normalise(member.name, "it"), member.extension, member.id}
            if wanted in names:
                return True
    found = resolve_target(ctx.company, given)
    return found is not None and (found.id == target_id)


def _fuzzy(expected: str, given: str, lang: str) -> float:
    from rapidfuzz import fuzz

    ratio = fuzz.token_set_ratio(normalise(expected, lang), normalise(given, lang)) / 100
    return 1.0 if ratio >= FUZZY_FIELD_OK else ratio


FIELD_WORDS: dict[str, tuple[str, str]] = {
    "phone": ("numero", "number"),
    "number": ("numero", "number"),
    "callback": ("numero di richiamata", "callback number"),
    "for": ("destinatario", "recipient"),
    "recipient": ("destinatario", "recipient"),
    "queue": ("coda", "queue"),
    "caller": ("chiamante", "caller"),
    "sender": ("mittente", "sender"),
    "organisation": ("azienda", "organisation"),
    "reason": ("motivo", "reason"),
    "text": ("testo", "text"),
    "outcome": ("esito", "outcome"),
    "problem": ("problema", "problem"),
    "summary": ("sintesi", "summary"),
    "priority": ("priorità", "priority"),
}

_FORM_WORDS: dict[str, tuple[str, str]] = {
    "message": ("nessun messaggio compilato", "no message filed"),
    "report": ("nessun rapporto compilato", "no report filed"),
    "ticket": ("nessun ticket aperto", "no ticket opened"),
    "fonogramma": ("nessun fonogramma compilato", "no fonogramma filed"),
    "voicemail_greeting": ("nessun annuncio di segreteria", "no voice-mail greeting recorded"),
}


def _shown(expectation: FieldExpectation, ctx: Context) -> str:
    """What was expected in a field, as the trainee would read it (a colleague by name)."""
    expected = expectation.expected
    options = [expected] if isinstance(expected, str) else list(expected or [])
    shown = []
    for option in options:
        option = expand(option, ctx.values(None))
        member = next((m for m in ctx.company.staff if m.id == option), None)
        department = next((d for d in ctx.company.departments if d.id == option), None)
        queue = next((q for q in ctx.company.ticket_queues if q.id == option), None)
        shown.append(
            member.name
            if member
            else department.name
            if department
            else queue.name
            if queue
            else option
        )
    joiner = ", " if expectation.match == "keywords" else " o "
    return joiner.join(shown) if shown else "un valore"


def _field_note(
    name: str, given: str, expectation: FieldExpectation, ctx: Context
) -> tuple[str, str]:
    it, en = FIELD_WORDS.get(name, (name, name))
    wanted = _shown(expectation, ctx)
    if not given.strip():
        return f"{it}: vuoto, atteso {wanted}", f"{en}: empty, expected {wanted}"
    if expectation.match == "present":
        return f"{it}: vuoto", f"{en}: empty"
    if expectation.match == "truthful":
        return (
            f"{it}: «{given.strip()}» non dice quello che è successo nella chiamata",
            f"{en}: «{given.strip()}» does not say what happened in the call",
        )
    if expectation.match == "keywords":
        lang = ctx.language(None)
        options = [expectation.expected] if isinstance(expectation.expected, str) else []
        options = options or list(expectation.expected or [])
        values = ctx.values(None)
        missing = [
            expand(option, values)
            for option in options
            if keyword_coverage([expand(option, values)], given, lang) < 1
        ]
        if missing:
            listed = ", ".join(missing)
            return (
                f"{it}: «{given.strip()}», mancano le parole chiave {listed}",
                f"{en}: «{given.strip()}», missing the keywords {listed}",
            )
    return f"{it}: {given.strip()}, atteso {wanted}", f"{en}: {given.strip()}, expected {wanted}"


def form(criterion: FormCriterion, ctx: Context) -> tuple[float, Note]:
    kind = "take_message" if criterion.form == "message" else criterion.form
    submitted = ctx.indexed(kind, criterion.line, "trainee") or ctx.indexed(kind, None, "trainee")
    if not submitted:
        return not_judged(
            _FORM_WORDS[criterion.form][0] + ".", _FORM_WORDS[criterion.form][1] + "."
        )
    lang = ctx.language(criterion.line)
    # Several forms of a kind (two voice-mail messages, say): judge the one meant here, the
    # submission that best fits this criterion.
    best: tuple[float, int, dict[str, float]] | None = None
    for index in submitted:
        data = ctx.events[index].data
        scores = {
            name: _field_score(name, expectation, str(data.get(name, "") or ""), ctx, lang)
            for name, expectation in criterion.fields.items()
        }
        total = sum(scores.values()) / len(scores)
        if best is None or total >= best[0]:
            best = (total, index, scores)
    assert best is not None
    value, chosen, scores = best
    event = ctx.events[chosen]
    wrong = [name for name, s in scores.items() if s < FUZZY_FIELD_OK]
    if not wrong:
        return value, Note(event.t, "Tutti i campi corretti.", "Every field right.")
    notes = [
        _field_note(name, str(event.data.get(name, "") or ""), criterion.fields[name], ctx)
        for name in wrong
    ]
    critical = [name for name in wrong if criterion.fields[name].is_critical(name)]
    lead_it = "Campo essenziale sbagliato" if critical else "Campi da correggere"
    lead_en = "Essential field wrong" if critical else "Fields to fix"
    return value, Note(
        event.t,
        f"{lead_it}: " + "; ".join(n[0] for n in notes) + ".",
        f"{lead_en}: " + "; ".join(n[1] for n in notes) + ".",
        quote=None,
        passed=False if critical else None,
    )
