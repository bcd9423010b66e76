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


@dataclass(frozen=True, slots=True)
class Listening:
    """The line the trainee speaks on, its language and the phrases the step expects.

    Attributes:
        line: Line id the utterance goes to.
        language: The caller's language, e.g. ``"en-GB"`` (the recogniser's language).
        phrases: Expected phrases, step intents first, without duplicates.
    """

    line: str
    language: str
    phrases: tuple[str, ...]


def talking_line(state: CallState, line: str | None = None) -> LineState | None:
    """The line in conversation (the given one, else the active one), or ``None``."""
    ln = state.lines.get(line or state.active_line or "")
    return ln if ln is not None and ln.status == "talking" else None


def expected_phrases(state: CallState, ln: LineState) -> tuple[str, ...]:
    """Phrases the caller on ``ln`` reacts to in its current step, as the scenario wrote them."""
    lang = state.language_of(ln)
    extra = state.scenario.intents
    phrases: list[str] = []
    if ln.dictation and not ln.readback_confirmed:
        phrases.append(ln.dictation)
    if ln.step is not None:
        for rule in ln.call.steps[ln.step].rules("say"):
            if rule.intent:
                phrases.extend(intent_phrases(rule.intent, lang, extra))
    for question in (*PERSONA_QUESTIONS, "ask_wait"):
        phrases.extend(intent_phrases(question, lang, extra))
    return tuple(dict.fromkeys(p for p in phrases if p.strip()))


def listening(state: CallState, line: str | None = None) -> Listening | None:
    """What a recogniser should listen for now, or ``None`` when no line is in conversation."""
    ln = talking_line(state, line)
    if ln is None:
        return None
    return Listening(ln.line, state.language_of(ln), expected_phrases(state, ln))
