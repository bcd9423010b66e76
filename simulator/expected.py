"""What the trainee may say next: the phrases a recogniser is constrained to for a call state.

The caller reacts to the intents of the current step's ``say`` rules, to the questions any
persona answers and to a request to wait (``simulator.caller.react_to_speech``), plus a read-back
while a dictated message is pending. The same phrases make a good grammar for speech recognition:
constrained recognition is accurate where free dictation is weak. Pure: no audio library here.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.call_state import CallState, LineState
from simulator.caller import PERSONA_QUESTIONS
from simulator.language.intents import intent_phrases
from simulator.language.lexicon import expand_families
from simulator.templates import Lookup, expand


@dataclass(frozen=True, slots=True)
class Listening:
    """The line the trainee speaks on, its language and the phrases the step expects.

    Attributes:
        line: Line id the utterance goes to.
        language: The caller's language, e.g. ``"en-GB"`` (the recogniser's language).
        phrases: Expected phrases, step intents first, without duplicates.
        names: Proper names the trainee may say (company, departments, staff, the caller):
            hints for a free recogniser, which misspells names more than anything else.
    """

    line: str
    language: str
    phrases: tuple[str, ...]
    names: tuple[str, ...] = ()


def names_in_call(state: CallState, ln: LineState) -> tuple[str, ...]:
    """Company, caller, organisation, department and staff names, without duplicates."""
    return _names(state, [ln])


def names_for_dictation(state: CallState) -> tuple[str, ...]:
    """The names a trainee may dictate into a form: the company's and every caller's so far."""
    return _names(state, list(state.lines.values()))


def _names(state: CallState, lines: list[LineState]) -> tuple[str, ...]:
    company = state.company
    found = [company.name]
    for ln in lines:
        found.extend([ln.caller.name, ln.caller.organisation or ""])
    found.extend(d.name for d in company.departments)
    found.extend(m.name for m in company.staff)
    return tuple(dict.fromkeys(n for n in found if n.strip()))


def speaking_language(state: CallState) -> str:
    """The language the trainee speaks now: the talking line's caller's, else the scenario's."""
    ln = talking_line(state)
    return state.language_of(ln) if ln is not None else state.scenario.language


def talking_line(state: CallState, line: str | None = None) -> LineState | None:
    """The line in conversation (the given one, else the active one), or ``None``."""
    ln = state.lines.get(line or state.active_line or "")
    return ln if ln is not None and ln.status == "talking" else None


# Builtin intents a trainee may use in any step (openings, closings, courtesy, offers).
COMMON_INTENTS = (
    "greeting",
    "goodbye",
    "thanks",
    "apologise",
    "offer_help",
    "offer_message",
    "offer_transfer",
    "ask_code",
    "yes",
    "no",
)


def expected_phrases(state: CallState, ln: LineState) -> tuple[str, ...]:
    """What the trainee may say on ``ln`` now, most expected first.

    The current step's intents come first, then a pending read-back, then everything else the
    call can hear or the rubric listens for: the other steps' intents, the criteria's expected
    and forbidden phrases, courtesy and persona questions. A grammar of only the current step
    would turn a sentence meant for another moment into one of this step's phrases (and
    scoring would credit words never said); with the whole call in the grammar it is recognised
    as what it is, and anything else falls through to free dictation.
    """
    lang = state.language_of(ln)
    extra = state.scenario.intents
    values = Lookup(state.company, ln.caller, state.scenario.operator_name)
    phrases: list[str] = []
    if ln.awaiting_opening:
        # Answered, the caller waits for the opening: greetings and the rubric's opening lead.
        for intent in ("greeting", "offer_help"):
            phrases.extend(intent_phrases(intent, lang, extra))
        phrases.extend(_rubric_phrases(state, ln, values, lang))
    if ln.step is not None:
        for rule in ln.call.steps[ln.step].rules("say"):
            if rule.intent:
                phrases.extend(intent_phrases(rule.intent, lang, extra))
    if ln.dictation and not ln.readback_confirmed:
        phrases.append(ln.dictation)
    for step in ln.call.steps.values():
        for rule in step.rules("say"):
            if rule.intent:
                phrases.extend(intent_phrases(rule.intent, lang, extra))
    phrases.extend(_rubric_phrases(state, ln, values, lang))
    for intent in (*COMMON_INTENTS, *PERSONA_QUESTIONS, "ask_wait"):
        phrases.extend(intent_phrases(intent, lang, extra))
    return tuple(dict.fromkeys(p for p in phrases if p.strip()))


def _rubric_phrases(state: CallState, ln: LineState, values: Lookup, lang: str) -> list[str]:
    """The phrases the criteria expect or forbid on this line, families expanded."""
    phrases: list[str] = []
    for criterion in state.scenario.all_criteria():
        if criterion.line not in (None, ln.line):
            continue
        written = getattr(criterion, "any_of", None) or getattr(criterion, "none_of", None) or []
        phrases.extend(expand_families([expand(phrase, values) for phrase in written], lang))
    return phrases


def listening(state: CallState, line: str | None = None) -> Listening | None:
    """What a recogniser should listen for now, or ``None`` when no line is in conversation."""
    ln = talking_line(state, line)
    if ln is None:
        return None
    return Listening(
        ln.line, state.language_of(ln), expected_phrases(state, ln), names_in_call(state, ln)
    )
