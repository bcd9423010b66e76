"""One evaluator per criterion kind of DESIGN.md: action, timing, speech, forbidden, form,
directory, outcome, and fonogramma. Each returns (score 0-1, Note) and fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.events import Event
from simulator.language.accuracy import keyword_coverage, word_accuracy
from simulator.language.intents import phrase_present
from simulator.language.normalise import normalise
from simulator.language.phone import same_phone
from simulator.model import (
    ActionCriterion,
    Company,
    DirectoryCriterion,
    FieldExpectation,
    FonogrammaCriterion,
    ForbiddenCriterion,
    FormCriterion,
    OutcomeCriterion,
    Scenario,
    SpeechCriterion,
    TimingCriterion,
)
from simulator.templates import Lookup, expand

FUZZY_FIELD_OK = 0.8


@dataclass(frozen=True, slots=True)
class Note:
    t: float | None
    it: str
    en: str
    quote: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What every evaluator needs, computed once per log."""

    scenario: Scenario
    company: Company
    events: tuple[Event, ...]
    effective: tuple[float, ...]
    multiplier: float

    @classmethod
    def build(cls, scenario: Scenario, company: Company, events: Sequence[Event]) -> Context:
        multiplier = 1.0
        if events and events[0].kind == "session_started":
            multiplier = float(events[0].data.get("multiplier", 1.0))
        return cls(scenario, company, tuple(events), _effective_times(events), multiplier)

    def values(self, line: str | None = None) -> Lookup:
        caller = None
        for call in self.scenario.calls:
            if line is None or call.line == line:
                caller = call.caller
                break
        return Lookup(self.company, caller, self.scenario.operator_name)

    def language(self, line: str | None) -> str:
        for call in self.scenario.calls:
            if call.line == line and call.caller.language:
                return call.caller.language
        return self.scenario.language

    def indexed(self, kind: str, line: str | None = None, actor: str | None = None) -> list[int]:
        return [
            i
            for i, e in enumerate(self.events)
            if e.kind == kind
            and (line is None or e.line == line)
            and (actor is None or e.actor == actor)
        ]


def _effective_times(events: Sequence[Event]) -> tuple[float, ...]:
    """Event times with paused stretches removed, the clock callers' patience runs on."""
    out: list[float] = []
    paused_at: float | None = None
    paused_total = 0.0
    for event in events:
        if event.kind == "pause" and paused_at is None:
            paused_at = event.t
        elif event.kind == "unpause" and paused_at is not None:
            paused_total += event.t - paused_at
            paused_at = None
        out.append((paused_at if paused_at is not None else event.t) - paused_total)
    return tuple(out)


def evaluate(criterion: Any, ctx: Context) -> tuple[float, Note]:
    """Dispatch on the criterion's kind."""
    return _EVALUATORS[criterion.kind](criterion, ctx)


# --------------------------------------------------------------------------- action


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


# --------------------------------------------------------------------------- timing


def _graded(value: float, limit: float) -> float:
    """Full marks within the limit, falling linearly to 0 at twice the limit."""
    if value <= limit:
        return 1.0
    return max(0.0, 1.0 - (value - limit) / limit)


def _lines(ctx: Context, line: str | None) -> list[str]:
    return [line] if line else [call.line for call in ctx.scenario.calls]


def timing(criterion: TimingCriterion, ctx: Context) -> tuple[float, Note]:
    limit = criterion.max_s * ctx.multiplier
    worst: tuple[float, float] | None = None  # (seconds, at)
    for line in _lines(ctx, criterion.line):
        for seconds, at in _durations(criterion.measure, ctx, line):
            if worst is None or seconds > worst[0]:
                worst = (seconds, at)
    if criterion.measure == "answer":
        missed = [i for line in _lines(ctx, criterion.line) for i in ctx.indexed("missed", line)]
        if missed:
            e = ctx.events[missed[0]]
            return 0.0, Note(
                e.t, "Chiamata persa: nessuna risposta.", "Missed call: never answered."
            )
    if worst is None:
        if criterion.measure == "hold":
            return 1.0, Note(None, "Nessuna attesa.", "No hold.")
        return 0.0, Note(
            None, "Non valutabile: nessun dato di tempo.", "Cannot judge: nothing was timed."
        )
    seconds, at = worst
    what_it = {"answer": "Risposta", "hold": "Attesa", "response": "Risposta al chiamante"}
    what_en = {"answer": "Answered", "hold": "Hold", "response": "Reply to caller"}
    value = _graded(seconds, limit)
    return value, Note(
        at,
        f"{what_it[criterion.measure]} in {seconds:.0f} s (limite {limit:.0f} s).",
        f"{what_en[criterion.measure]} in {seconds:.0f} s (limit {limit:.0f} s).",
    )


def _durations(measure: str, ctx: Context, line: str) -> list[tuple[float, float]]:
    events, eff = ctx.events, ctx.effective
    found: list[tuple[float, float]] = []
    if measure == "answer":
        rang = ctx.indexed("ring", line)
        answered = ctx.indexed("answer", line, "trainee")
        if rang and answered:
            found.append((eff[answered[0]] - eff[rang[0]], events[answered[0]].t))
        return found
    if measure == "hold":
        start: int | None = None
        for i, e in enumerate(events):
            if e.line != line:
                continue
            if e.kind == "hold" and start is None:
                start = i
            elif start is not None and e.kind in (
                "resume",
                "hangup",
                "caller_hangup",
                "transfer",
                "session_finished",
            ):
                if e.kind == "transfer" and e.data.get("mode") == "announced":
                    continue
                found.append((eff[i] - eff[start], events[start].t))
                start = None
        if start is not None:
            found.append((eff[-1] - eff[start], events[start].t))
        return found
    waiting: int | None = None
    for i, e in enumerate(events):
        if e.line != line:
            continue
        if e.kind == "caller_said" and not e.data.get("on_hold") and waiting is None:
            waiting = i
        elif e.kind == "say" and e.actor == "trainee" and waiting is not None:
            found.append((eff[i] - eff[waiting], events[i].t))
            waiting = None
        elif e.kind in ("hold", "hangup", "caller_hangup", "transfer", "take_message"):
            waiting = None
    return found


# --------------------------------------------------------------------------- speech


def _utterances(ctx: Context, line: str | None, first: int, until: float | None) -> list[int]:
    """The trainee's utterances logged after event ``first`` and, if given, by ``until``."""
    return [
        i
        for i in ctx.indexed("say", line, "trainee")
        if i > first and (until is None or ctx.effective[i] <= until)
    ]


def _window_start(ctx: Context, after: str, line: str | None) -> int | None:
    """Index of the event that opens the window (the utterance that led to a step is before)."""
    if after == "start":
        return 0
    kind, match = ("answer", None) if after == "answer" else ("step_entered", after)
    for i in ctx.indexed(kind, line):
        if match is None or ctx.events[i].data.get("step") == match:
            return i
    return None


def _same_numbers(phrase: str, heard: str, lang: str) -> bool:
    """Numbers in an expected phrase must be said exactly: '823154' is not '823145'."""
    wanted = re.findall(r"\d+", normalise(phrase, lang))
    if not wanted:
        return True
    said = _digits(normalise(heard, lang))
    return all(number in said for number in wanted)


def _heard(event: Event) -> list[str]:
    return [str(event.data.get("text", ""))] + [str(a) for a in event.data.get("alternatives", ())]


def speech(criterion: SpeechCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    values = ctx.values(criterion.line)
    phrases = [expand(p, values) for p in criterion.any_of]
    start = _window_start(ctx, criterion.window.after, criterion.line)
    if start is None:
        return 0.0, Note(
            None,
            f"Non valutabile: '{criterion.window.after}' non è mai avvenuto.",
            f"Cannot judge: '{criterion.window.after}' never happened.",
        )
    within = criterion.window.within_s
    until = None if within is None else ctx.effective[start] + within * ctx.multiplier
    said = _utterances(ctx, criterion.line, start, until)
    matched: dict[str, tuple[int, str]] = {}
    for i in said:
        for heard in _heard(ctx.events[i]):
            for phrase in phrases:
                if phrase in matched:
                    continue
                if phrase_present(heard, [phrase], lang) is not None and _same_numbers(
                    phrase, heard, lang
                ):
                    matched[phrase] = (i, heard)
    span = "" if within is None else f" entro {within * ctx.multiplier:.0f} s"
    span_en = "" if within is None else f" within {within * ctx.multiplier:.0f} s"
    if not matched:
        if not said:
            return 0.0, Note(None, f"Nessuna battuta{span}.", f"Nothing said{span_en}.")
        first = ctx.events[said[0]]
        return 0.0, Note(
            first.t,
            f"Nessuna delle frasi attese{span}.",
            f"None of the expected phrases{span_en}.",
            quote=str(first.data.get("text", "")),
        )
    i, heard = min(matched.values())
    value = min(1.0, len(matched) / criterion.min_matches)
    return value, Note(
        ctx.events[i].t,
        f"Detto ({len(matched)} di {criterion.min_matches} richieste).",
        f"Said ({len(matched)} of {criterion.min_matches} needed).",
        quote=heard,
    )


# --------------------------------------------------------------------------- forbidden


def _disclosed_values(criterion: ForbiddenCriterion, ctx: Context) -> list[str]:
    values = ctx.values(criterion.line)
    found: list[str] = []
    for ref in criterion.disclose:
        parts = ref.split(".")
        if len(parts) == 3 and parts[0] == "staff" and parts[2] == "presence":
            member = next((s for s in ctx.company.staff if s.id == parts[1]), None)
            if member and member.presence.note:
                found.append(member.presence.note)
            continue
        value = values.get(ref)
        if value:
            found.append(value)
    return found


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def forbidden(criterion: ForbiddenCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    values = ctx.values(criterion.line)
    phrases = [expand(p, values) for p in criterion.none_of]
    secrets = _disclosed_values(criterion, ctx)
    said = ctx.indexed("say", criterion.line, "trainee")
    if not said:
        return 0.0, Note(
            None,
            "Non valutabile: l'operatore non ha detto nulla.",
            "Cannot judge: the operator said nothing.",
        )
    for i in said:
        for heard in _heard(ctx.events[i]):
            for secret in secrets:
                digits = _digits(secret)
                spoken = _digits(normalise(heard, lang))
                if (len(digits) >= 6 and digits[-6:] in spoken) or (
                    len(digits) < 6 and phrase_present(heard, [secret], lang, threshold=0.85)
                ):
                    return 0.0, Note(
                        ctx.events[i].t,
                        "Dato riservato comunicato a chi chiama.",
                        "Private data disclosed to the caller.",
                        quote=heard,
                    )
            hit = phrase_present(heard, phrases, lang, threshold=0.85) if phrases else None
            if hit is not None:
                return 0.0, Note(
                    ctx.events[i].t, "Frase da evitare.", "Phrase to avoid.", quote=heard
                )
    return 1.0, Note(
        None,
        f"Nessuna frase vietata in {len(said)} battute.",
        f"Nothing forbidden in {len(said)} turns.",
    )


# --------------------------------------------------------------------------- forms


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


def form(criterion: FormCriterion, ctx: Context) -> tuple[float, Note]:
    kinds = {"voicemail_greeting": "voicemail_greeting"}
    kind = kinds.get(
        criterion.form, "take_message" if criterion.form == "message" else criterion.form
    )
    submitted = ctx.indexed(kind, criterion.line, "trainee") or ctx.indexed(kind, None, "trainee")
    names_it = {
        "message": "messaggio",
        "report": "rapporto",
        "ticket": "ticket",
        "fonogramma": "fonogramma",
        "voicemail_greeting": "messaggio di segreteria",
    }
    if not submitted:
        return 0.0, Note(
            None,
            f"Non valutabile: nessun {names_it[criterion.form]} compilato.",
            f"Cannot judge: no {criterion.form.replace('_', ' ')} filed.",
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
    if wrong:
        return value, Note(
            event.t,
            f"Campi da correggere: {', '.join(wrong)}.",
            f"Fields to fix: {', '.join(wrong)}.",
        )
    return value, Note(event.t, "Tutti i campi corretti.", "Every field right.")


# --------------------------------------------------------------------------- directory


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
        return 0.0, Note(
            None,
            "Non valutabile: rubrica mai aggiornata.",
            "Cannot judge: directory never updated.",
        )
    right = 0
    wrong: list[str] = []
    for change in criterion.expect:
        member = next((s for s in company.staff if s.id == change.staff), None)
        actual = _staff_field(member, change.field) if member else ""
        same = (
            same_phone(actual, change.value) or _digits(actual) == _digits(change.value)
            if _digits(change.value) and len(_digits(change.value)) >= 2
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


# --------------------------------------------------------------------------- outcome


def outcome(criterion: OutcomeCriterion, ctx: Context) -> tuple[float, Note]:
    calls = ctx.indexed("outgoing_call", None, "trainee")
    if criterion.number:
        calls = [
            i
            for i in calls
            if same_phone(str(ctx.events[i].data.get("number", "")), criterion.number)
            or _digits(str(ctx.events[i].data.get("number", ""))) == _digits(criterion.number)
        ]
    if not calls:
        return 0.0, Note(
            None,
            "Non valutabile: nessuna decisione sulla chiamata in uscita.",
            "Cannot judge: no decision on the outgoing call.",
        )
    event = ctx.events[calls[-1]]
    decision = event.data.get("decision")
    words_it = {"place": "effettuata", "refuse": "rifiutata"}
    check = event.data.get("check") or {}
    if decision == "place" == criterion.outgoing and not check.get("authorised"):
        return 0.0, Note(
            event.t,
            "Chiamata effettuata senza verificare nome e codice nella tabella autorizzazioni.",
            "Call placed without checking name and code against the authorisation table.",
        )
    if decision == criterion.outgoing:
        return 1.0, Note(
            event.t,
            f"Chiamata {words_it[criterion.outgoing]}, come previsto.",
            f"Call {'placed' if decision == 'place' else 'refused'}, as it should be.",
        )
    return 0.0, Note(
        event.t,
        f"Chiamata {words_it.get(str(decision), str(decision))}: andava "
        f"{words_it[criterion.outgoing]}.",
        f"Call {decision}d: it should have been {criterion.outgoing}d.",
    )


# --------------------------------------------------------------------------- fonogramma


def fonogramma(criterion: FonogrammaCriterion, ctx: Context) -> tuple[float, Note]:
    reference = None
    line = criterion.line
    for call in ctx.scenario.calls:
        step = call.steps.get(criterion.step)
        if step is not None and step.dictate and (line is None or call.line == line):
            reference = expand(step.dictate, ctx.values(call.line))
            line = call.line
            break
    lang = ctx.language(line)
    forms = ctx.indexed("fonogramma", None, "trainee")
    if reference is None or not forms:
        return 0.0, Note(
            None,
            "Non valutabile: nessun fonogramma trascritto.",
            "Cannot judge: no fonogramma transcribed.",
        )
    event = ctx.events[forms[-1]]
    accuracy = word_accuracy(reference, str(event.data.get("text", "")), lang)
    confirmed = [
        i
        for i in ctx.indexed("caller_said", line)
        if ctx.events[i].data.get("readback") and ctx.events[i].data.get("confirmed")
    ]
    pct = round(accuracy * 100)
    if not criterion.readback:
        value = accuracy if accuracy >= criterion.min_accuracy else accuracy * 0.5
        return value, Note(
            event.t, f"Trascrizione: {pct}% parole esatte.", f"Transcript: {pct}% words right."
        )
    value = 0.7 * accuracy + (0.3 if confirmed else 0.0)
    if accuracy < criterion.min_accuracy:
        value = min(value, criterion.pass_at - 0.01)
    if not confirmed:
        value = min(value, criterion.pass_at - 0.01)
        return value, Note(
            event.t,
            f"Trascrizione {pct}% esatta; rilettura non fatta o non confermata.",
            f"Transcript {pct}% right; no confirmed read-back.",
        )
    at = ctx.events[confirmed[0]].t
    return value, Note(
        at,
        f"Trascrizione {pct}% esatta; rilettura confermata.",
        f"Transcript {pct}% right; read-back confirmed.",
    )


_EVALUATORS: dict[str, Callable[[Any, Context], tuple[float, Note]]] = {
    "action": action,
    "timing": timing,
    "speech": speech,
    "forbidden": forbidden,
    "form": form,
    "directory": directory,
    "outcome": outcome,
    "fonogramma": fonogramma,
}

__all__ = ["Context", "Note", "evaluate"]
