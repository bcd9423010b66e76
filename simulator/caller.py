"""How a simulated caller behaves: entering steps, answering questions, reacting to actions.

Kept apart from ``engine`` (which owns time and the console) so the caller's conversational
behaviour reads in one place. Every function appends the events it causes to ``out``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from simulator import mood
from simulator.call_state import CallState, LineState
from simulator.errors import CallStateError
from simulator.events import Action, Event
from simulator.language import lexicon
from simulator.language.accuracy import word_accuracy
from simulator.language.intents import intent_phrases, match_intent
from simulator.language.normalise import words
from simulator.model import Company, Rule, Scenario
from simulator.templates import Lookup, expand

# Questions any caller answers at any point, from its persona.
PERSONA_QUESTIONS = (
    "ask_code",
    "ask_name",
    "ask_organisation",
    "ask_phone",
    "ask_reason",
    "ask_email",
    "ask_spell",
    "ask_repeat",
    "ask_number",
)
# Understood at any step when no rule of the step matches, and the caller's line for each.
SOCIAL_LINES = {
    "greeting": "greeting_back",
    "offer_help": None,  # "Mi dica": the caller says again what it wants
    "thanks": "welcome",
    "apologise": "apology_ok",
    "goodbye": "goodbye",
}
MISUNDERSTOOD = "misunderstood"  # in ``LineState.fired``: unmatched utterances in a row
READBACK_MIN = 0.5  # below this, an utterance is not an attempt at reading the message back
READBACK_OK = 0.9
DICTATION_CHUNK_WORDS = 6


def lang2(state: CallState, ln: LineState) -> str:
    return state.language_of(ln).split("-")[0]


def line_text(state: CallState, ln: LineState, key: str) -> str:
    """A generic caller line: the persona's own wording, else the lexicon's in its language."""
    if key in ln.caller.lines:
        return ln.caller.lines[key]
    lines = lexicon.CALLER_LINES.get(lang2(state, ln)) or lexicon.CALLER_LINES["it"]
    return lines.get(key) or lexicon.CALLER_LINES["it"][key]


def _values(state: CallState, ln: LineState) -> Lookup:
    return Lookup(state.company, ln.caller, state.scenario.operator_name)


def say(
    state: CallState,
    ln: LineState,
    text: str,
    t: float,
    eff: float,
    out: list[Event],
    **extra: Any,
) -> None:
    """The caller says one line."""
    spoken = expand(text, _values(state, ln))
    data: dict[str, Any] = {"text": spoken, "lang": state.language_of(ln)}
    if ln.step:
        data["step"] = ln.step
    data.update(extra)
    out.append(Event(t, "caller_said", "caller", ln.line, data))
    ln.last_caller_text = spoken
    ln.last_activity_at = eff


def _reply(rule: Rule, ln: LineState, key: str) -> str | None:
    if rule.reply is None:
        return None
    if isinstance(rule.reply, str):
        return rule.reply
    count = ln.fired.get(key, 0)
    return rule.reply[count % len(rule.reply)]


def _rule_key(ln: LineState, rule: Rule) -> str:
    """A stable name for a rule within its step, the same in every process and replay."""
    replies = [rule.reply] if isinstance(rule.reply, str) else list(rule.reply or [])
    first = replies[0][:40] if replies else ""
    return f"{ln.step}/reply/{rule.intent}/{rule.goto}/{first}"


def apply_rule(
    state: CallState,
    ln: LineState,
    rule: Rule,
    t: float,
    eff: float,
    out: list[Event],
    *,
    on_hold: bool = False,
) -> None:
    """Fire a transition: the caller replies, moves to a step, or hangs up."""
    key = _rule_key(ln, rule)
    reply = _reply(rule, ln, key)
    ln.fired[key] = ln.fired.get(key, 0) + 1
    if reply:
        say(state, ln, reply, t, eff, out, **({"on_hold": True} if on_hold else {}))
    if rule.goto:
        enter_step(state, ln, rule.goto, t, eff, out)
    if rule.hangup and ln.status != "ended":
        hang_up(state, ln, t, eff, out, reason="caller_done", say_goodbye=False)


def enter_step(
    state: CallState, ln: LineState, step_id: str, t: float, eff: float, out: list[Event]
) -> None:
    """Move the caller to a step and say what the step says on entry."""
    ln.step = step_id
    ln.step_entered_at = eff
    ln.visited.setdefault(step_id, eff)
    ln.silences = 0
    out.append(Event(t, "step_entered", "system", ln.line, {"step": step_id}))
    step = ln.call.steps[step_id]
    lines = [step.say] if isinstance(step.say, str) else list(step.say or [])
    for text in lines:
        say(state, ln, text, t, eff, out)
    if step.dictate:
        dictate(state, ln, step.dictate, t, eff, out)
    if step.hangup and ln.status != "ended":
        hang_up(state, ln, t, eff, out, reason="caller_done", say_goodbye=False)


def dictate(
    state: CallState, ln: LineState, text: str, t: float, eff: float, out: list[Event]
) -> None:
    """A fonogramma: the message in short chunks, as a caller dictates slowly."""
    spoken = expand(text, _values(state, ln))
    ln.dictation = spoken
    ln.readback_confirmed = False
    chunks = dictation_chunks(spoken)
    ln.dictation_left = chunks[1:]
    say(state, ln, chunks[0], t, eff, out, dictation=True)


def next_chunk(state: CallState, ln: LineState, t: float, eff: float, out: list[Event]) -> None:
    """The caller goes on dictating: the next piece of the fonogramma."""
    chunk = ln.dictation_left.pop(0)
    say(state, ln, chunk, t, eff, out, dictation=True, last=not ln.dictation_left)


def dictation_chunks(text: str) -> list[str]:
    """A dictated text in the short pieces a caller says at a time."""
    words = text.split()
    return [
        " ".join(words[start : start + DICTATION_CHUNK_WORDS])
        for start in range(0, len(words), DICTATION_CHUNK_WORDS)
    ]


def possible_lines(scenario: Scenario, company: Company) -> Iterator[tuple[str, str]]:
    """(line id, text) for everything a scenario's callers may say, placeholders filled.

    Lets speech be rendered before a call starts: step lines, replies, dictations, answers to
    persona questions and the generic lines (silence, read-back, hold) in the caller's language.
    """
    for call in scenario.calls:
        persona = call.caller
        values = Lookup(company, persona, scenario.operator_name)
        lang = (persona.language or scenario.language).split("-")[0]
        texts: list[str] = []
        for step in call.steps.values():
            texts.extend([step.say] if isinstance(step.say, str) else step.say or [])
            if step.dictate:
                texts.extend(dictation_chunks(expand(step.dictate, values)))
            for trigger in step.on:
                for rule in step.rules(trigger):
                    texts.extend([rule.reply] if isinstance(rule.reply, str) else rule.reply or [])
        texts.extend(persona.answers.values())
        facts = {"name": persona.name, "organisation": persona.organisation or "",
                 "phone": persona.phone or "", **persona.facts}  # fmt: skip
        facts = {key: value for key, value in facts.items() if value}
        for question in PERSONA_QUESTIONS:
            answer = lexicon.fill_answer(question, facts, lang)
            if answer:
                texts.append(answer)
        texts.extend((lexicon.CALLER_LINES.get(lang) or lexicon.CALLER_LINES["it"]).values())
        texts.extend(persona.lines.values())
        for text in dict.fromkeys(expand(text, values) for text in texts):
            if text.strip():
                yield call.line, text


def hang_up(
    state: CallState,
    ln: LineState,
    t: float,
    eff: float,
    out: list[Event],
    *,
    reason: str,
    say_goodbye: bool,
) -> None:
    """The caller ends the call."""
    if say_goodbye:
        say(state, ln, line_text(state, ln, "hangs_up_angry"), t, eff, out)
    ln.status = "ended"
    ln.ended_reason = reason
    ln.hold_since = None
    out.append(Event(t, "caller_hangup", "caller", ln.line, {"reason": reason}))
    if state.active_line == ln.line:
        state.active_line = None


def react_to_speech(
    state: CallState,
    ln: LineState,
    text: str,
    alternatives: list[str],
    t: float,
    eff: float,
    out: list[Event],
) -> None:
    """Answer what the trainee said: a read-back, a step's expected intent, or a question."""
    lang = state.language_of(ln)
    if ln.dictation_left:
        # Mid-dictation the caller only goes on ("sì", "avanti") or repeats the last piece.
        repeat = candidates_match(text, alternatives, lang, state, "ask_repeat")
        if repeat and ln.last_caller_text:
            say(state, ln, ln.last_caller_text, t, eff, out, dictation=True, repeat=True)
        else:
            next_chunk(state, ln, t, eff, out)
        return
    if ln.dictation and not ln.readback_confirmed and _readback(state, ln, text, t, eff, out):
        return
    for cause in mood.causes_in(ln, text, lang):
        if patience_moved(state, ln, cause, t, eff, out, quote=text):
            return
    assert ln.step is not None
    step = ln.call.steps[ln.step]
    rules = step.rules("say")
    candidates: dict[str, list[str]] = {}
    for rule in rules:
        if rule.intent:
            candidates[rule.intent] = intent_phrases(rule.intent, lang, state.scenario.intents)
    for question in PERSONA_QUESTIONS:
        candidates.setdefault(question, intent_phrases(question, lang, state.scenario.intents))
    if "ask_wait" not in candidates:
        candidates["ask_wait"] = intent_phrases("ask_wait", lang, state.scenario.intents)
    match = match_intent(text, candidates, lang, alternatives=alternatives)
    if match is not None:
        ln.fired[MISUNDERSTOOD] = 0
        for rule in rules:
            if rule.intent == match.intent:
                apply_rule(state, ln, rule, t, eff, out)
                return
        if match.intent == "ask_wait":
            say(state, ln, line_text(state, ln, "thanks_wait"), t, eff, out)
            return
        _answer_question(state, ln, match.intent, t, eff, out, text)
        return
    fallback = [rule for rule in rules if rule.intent is None]
    if fallback:
        apply_rule(state, ln, fallback[0], t, eff, out)
        return
    _unmatched(state, ln, text, alternatives, t, eff, out)


def _request(state: CallState, ln: LineState) -> str | None:
    """What the caller wants in this step: the step's first line, or what it said last."""
    assert ln.step is not None
    step = ln.call.steps[ln.step]
    first = step.say if isinstance(step.say, str) else next(iter(step.say or []), None)
    if first:
        return expand(first, _values(state, ln))
    return ln.last_caller_text


def _unmatched(
    state: CallState,
    ln: LineState,
    text: str,
    alternatives: list[str],
    t: float,
    eff: float,
    out: list[Event],
) -> None:
    """No rule of the step matches: greetings and courtesies get their answer; anything else
    first "Come, scusi?", then the request said again, then impatience."""
    lang = state.language_of(ln)
    social = {
        intent: intent_phrases(intent, lang, state.scenario.intents) for intent in SOCIAL_LINES
    }
    match = match_intent(text, social, lang, alternatives=alternatives)
    if match is not None:
        ln.fired[MISUNDERSTOOD] = 0
        key = SOCIAL_LINES[match.intent]
        if key is not None:
            say(state, ln, line_text(state, ln, key), t, eff, out, social=match.intent)
        request = _request(state, ln)
        if match.intent in ("greeting", "offer_help") and request:
            say(state, ln, request, t, eff, out, repeat=True)
        return
    count = ln.fired.get(MISUNDERSTOOD, 0) + 1
    ln.fired[MISUNDERSTOOD] = count
    if count >= 2 and patience_moved(state, ln, "misunderstood", t, eff, out, quote=text):
        return
    request = _request(state, ln)
    if mood.current(ln) <= 1 and count > 1:
        say(state, ln, line_text(state, ln, "impatient"), t, eff, out, misunderstood=count)
    elif count == 1 or (count == 2 and not request):
        say(state, ln, line_text(state, ln, "clarify"), t, eff, out, misunderstood=count)
    elif count == 2 and request:
        say(state, ln, line_text(state, ln, "rephrase"), t, eff, out, misunderstood=count)
        say(state, ln, request, t, eff, out, repeat=True)
    else:
        say(state, ln, line_text(state, ln, "impatient"), t, eff, out, misunderstood=count)


def patience_moved(
    state: CallState,
    ln: LineState,
    cause: str,
    t: float,
    eff: float,
    out: list[Event],
    *,
    quote: str = "",
) -> bool:
    """Move the caller's patience; True when it ran out and the caller hung up."""
    if ln.status == "ended" or mood.move(ln, cause) > 0:
        return False
    data: dict[str, Any] = {"patience_lost": True, "cause": cause}
    if quote:
        data["quote"] = quote
    say(state, ln, line_text(state, ln, "patience_lost"), t, eff, out, **data)
    hang_up(state, ln, t, eff, out, reason="patience", say_goodbye=False)
    return True


def candidates_match(
    text: str, alternatives: list[str], lang: str, state: CallState, intent: str
) -> bool:
    """Whether the trainee's words express one given intent."""
    phrases = {intent: intent_phrases(intent, lang, state.scenario.intents)}
    return match_intent(text, phrases, lang, alternatives=alternatives) is not None


def _readback(
    state: CallState, ln: LineState, text: str, t: float, eff: float, out: list[Event]
) -> bool:
    assert ln.dictation is not None
    accuracy = readback_accuracy(ln.dictation, text, state.language_of(ln))
    if accuracy < READBACK_MIN:
        return False
    if accuracy >= READBACK_OK:
        ln.readback_confirmed = True
        say(
            state,
            ln,
            line_text(state, ln, "readback_ok"),
            t,
            eff,
            out,
            readback=True,
            confirmed=True,
            accuracy=round(accuracy, 3),
        )
    else:
        say(
            state,
            ln,
            line_text(state, ln, "readback_wrong"),
            t,
            eff,
            out,
            readback=True,
            confirmed=False,
            accuracy=round(accuracy, 3),
        )
        dictate(state, ln, ln.dictation, t, eff, out)
    return True


def readback_accuracy(dictated: str, said: str, lang: str) -> float:
    """Word accuracy of a read-back, ignoring framing words around it ("rileggo: ... giusto?")."""
    reference = words(dictated, lang)
    heard = words(said, lang)
    if not reference or not heard:
        return 0.0
    best = 0.0
    size = len(reference)
    for length in range(max(1, size - 2), min(len(heard), size + 2) + 1):
        for start in range(0, len(heard) - length + 1):
            window = " ".join(heard[start : start + length])
            best = max(best, word_accuracy(" ".join(reference), window, lang))
    return best


def _repeat_topic(text: str, lang: str) -> str | None:
    """The one answer a request to repeat asks for ("ripetere il numero"), if it names one."""
    said = set(words(text, lang))
    for intent, by_lang in lexicon.REPEAT_TOPICS.items():
        if said & set(by_lang.get(lang, ())):
            return intent
    return None


def _answer_question(
    state: CallState,
    ln: LineState,
    intent: str,
    t: float,
    eff: float,
    out: list[Event],
    text: str = "",
) -> None:
    persona = ln.caller
    if intent == "ask_repeat":
        topic = _repeat_topic(text, lang2(state, ln))
        if ln.dictation and not ln.readback_confirmed:
            dictate(state, ln, ln.dictation, t, eff, out)
            return
        if topic is None:
            if ln.last_caller_text:
                say(state, ln, ln.last_caller_text, t, eff, out, repeat=True)
            return
        intent = topic  # only what was asked again, not the whole last line
    if intent in persona.answers:
        say(state, ln, persona.answers[intent], t, eff, out, answers=intent)
        return
    lang = lang2(state, ln)
    facts = {
        "name": persona.name,
        "organisation": persona.organisation or "",
        "phone": persona.phone or "",
        **persona.facts,
    }
    facts = {key: value for key, value in facts.items() if value}
    if intent == "ask_number" and "number" not in facts:
        intent = "ask_phone"
    answer = lexicon.fill_answer(intent, facts, lang)
    if answer is None:
        say(state, ln, line_text(state, ln, "not_understood"), t, eff, out, answers=intent)
        return
    say(state, ln, answer, t, eff, out, answers=intent)


# --------------------------------------------------------------------------- transfer


def transfer(state: CallState, ln: LineState, action: Action, t: float, out: list[Event]) -> None:
    """Blind or announced transfer to an extension, a colleague or a department."""
    from simulator.directory import resolve_target

    target_text = str(action.data.get("to", "")).strip()
    mode = str(action.data.get("mode", "blind"))
    if mode not in ("blind", "announced"):
        raise CallStateError(f"Tipo di trasferimento sconosciuto: {mode}.", f"Unknown mode {mode}.")
    target = resolve_target(state.company, target_text) if target_text else None
    if target is None:
        raise CallStateError(
            f"Interno o nominativo non trovato in rubrica: '{target_text}'.",
            f"Extension or name not in the directory: '{target_text}'.",
        )
    eff = state.effective(t)
    department = _department_of(state, target.id) if target.kind == "staff" else target.id
    target_data = {
        "kind": str(target.kind),
        "id": target.id,
        "extension": target.extension,
        "name": target.name,
        "presence": str(target.presence),
        "department": department,
    }
    data = dict(action.data)
    data["mode"] = mode
    data["target"] = target_data
    out.append(Event(t, "transfer", "trainee", ln.line, data))
    available = target.presence == "available"
    keys = {target.id, target.extension or "", department or ""} - {""}
    rules = ln.call.steps[ln.step].rules("transfer") if ln.step else []
    # A rule with 'presence' is the scenario's own reaction to a busy or absent colleague.
    rules = [rule for rule in rules if str(target.presence) in _presences(rule)]
    out.append(
        Event(
            t,
            "transfer_result",
            "system",
            ln.line,
            {"status": "connected" if available else str(target.presence), "target": target.id},
        )
    )
    own = [
        rule
        for rule in rules
        if rule.presence and (rule.to is None or keys & set(rule.to)) and rule.mode in (None, mode)
    ]
    if not available and own:
        ln.status = "talking"  # the colleague cannot take it: the scenario says what follows
        ln.hold_since = None
        state.active_line = ln.line
        apply_rule(state, ln, own[0], t, eff, out)
        return
    if not available:
        if mode == "announced":
            ln.status = "on_hold"
            ln.hold_since = eff
            ln.hold_warned = False
            if state.active_line == ln.line:
                state.active_line = None
        else:
            ln.status = "talking"
            ln.hold_since = None
            state.active_line = ln.line
            say(state, ln, line_text(state, ln, "no_answer"), t, eff, out, bounced=True)
        return
    matched = [
        rule
        for rule in rules
        if rule.to is not None and keys & set(rule.to) and (rule.mode in (None, mode))
    ]
    if matched:
        rule = matched[0]
        reply = _reply(rule, ln, f"{ln.step}/transfer")
        if reply:
            say(state, ln, reply, t, eff, out)
        _leave(state, ln, t, out)
        return
    fallback = [rule for rule in rules if rule.to is None]
    if fallback:
        # The colleague sends the caller back: the line returns to the operator.
        ln.status = "talking"
        ln.hold_since = None
        state.active_line = ln.line
        apply_rule(state, ln, fallback[0], t, eff, out)
        return
    _leave(state, ln, t, out)


def _presences(rule: Rule) -> set[str]:
    """The target states a transfer rule applies to: only a free colleague unless it says."""
    return {str(p.value) for p in rule.presence} if rule.presence else {"available"}


def _department_of(state: CallState, staff_id: str) -> str | None:
    member = next((s for s in state.company.staff if s.id == staff_id), None)
    return member.department if member else None


def _leave(state: CallState, ln: LineState, t: float, out: list[Event]) -> None:
    ln.status = "ended"
    ln.ended_reason = "transferred"
    ln.hold_since = None
    if state.active_line == ln.line:
        state.active_line = None


# --------------------------------------------------------------------------- outgoing calls


def outgoing_call(state: CallState, action: Action, t: float, out: list[Event]) -> None:
    """Place or refuse an outgoing call; the engine records what the table says."""
    from simulator.directory import resolve_target
    from simulator.language.phone import call_class, same_phone

    number = str(action.data.get("number", "")).strip()
    decision = str(action.data.get("decision", ""))
    if not number:
        raise CallStateError("Indica il numero da chiamare.", "Give the number to call.")
    if decision not in ("place", "refuse"):
        raise CallStateError(
            "Scegli se effettuare o rifiutare la chiamata.", "Choose to place or refuse the call."
        )
    requested_by = str(action.data.get("requested_by", "")).strip()
    code = str(action.data.get("code", "")).strip()
    staff = resolve_target(state.company, requested_by) if requested_by else None
    staff_id = staff.id if staff is not None and staff.kind == "staff" else None
    auth = next((a for a in state.company.authorisations if a.staff == staff_id), None)
    try:
        klass = call_class(number, home=state.company.number)
    except ValueError as exc:
        raise CallStateError(
            f"Numero non valido: '{number}'.", f"Invalid number: '{number}'."
        ) from exc
    permitted = {c.value for c in auth.allowed} if auth else set()
    # Emergency numbers are always allowed (D.Lgs. 81/2008: nobody may stop a call to 112).
    allowed = klass == "emergency" or bool(auth and auth.code == code and klass in permitted)
    check = {
        "staff": staff_id,
        "code_ok": bool(auth and auth.code == code),
        "class": str(klass),
        "authorised": allowed,
    }
    ln = state.lines.get(action.line or state.active_line or "")
    data = dict(action.data)
    data["check"] = check
    out.append(Event(t, "outgoing_call", "trainee", ln.line if ln else None, data))
    eff = state.effective(t)
    if ln is not None and ln.status in ("talking", "on_hold") and ln.step:
        for rule in ln.call.steps[ln.step].rules("outgoing_call"):
            if rule.decision in (None, decision):
                apply_rule(state, ln, rule, t, eff, out)
                break
    if decision != "place":
        return
    for callee in state.lines.values():
        wanted = callee.call.number
        idle_outgoing = callee.call.direction == "outgoing" and callee.status == "idle"
        if idle_outgoing and wanted and same_phone(wanted, number):
            for other in state.lines.values():
                if other.status == "talking":
                    other.status = "on_hold"
                    other.hold_since = eff
                    out.append(Event(t, "hold", "system", other.line, {"auto": True}))
            callee.status = "talking"
            callee.rang_at = eff
            callee.answered_at = eff
            callee.last_activity_at = eff
            state.active_line = callee.line
            enter_step(state, callee, callee.call.start, t, eff, out)
            return
