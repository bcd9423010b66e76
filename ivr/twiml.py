"""TwiML from engine events and IVR prompts: the only module that writes Twilio's XML.

Caller lines are spoken in the persona's language and voice; the switchboard's announcements in
the trainee's language and a voice no caller uses. Every ``<Gather>`` sets its language (Twilio
defaults to en-US), a pinned speech model with a numeric ``speechTimeout`` (``auto`` is refused
with a model) and ``actionOnEmptyResult`` so silence reaches the engine as a turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr import texts, voices
from simulator.call_state import CallState
from simulator.events import Event
from simulator.model import Scenario, Voice
from simulator.transcript import describe

UrlFor = Callable[..., str]
AudioFor = Callable[["Utterance"], "str | None"]
MIN_TIMEOUT_S = 1
# Twilio's limit is 64 kB per TwiML document; keep a margin for the Gather and Redirect.
MAX_TWIML_BYTES = 60_000
MAX_SAY_CHARS = 1500
MAX_TIMEOUT_S = 30
# The trainee's own words are not read back; the end of the session has its own goodbye.
_SILENT = frozenset({"finish", "session_finished"})


@dataclass(frozen=True, slots=True)
class Utterance:
    """One thing to hear: words in a voice, or an earcon before them."""

    text: str
    language: str
    voice: str
    tone: str | None = None
    caller: bool = False  # a persona's line (may be played as rendered audio)
    engine_voice: Voice | None = None  # the persona's own voice, for rendered audio
    # Where the line is said: its voice is kept distinct from the scenario's other callers.
    scenario: Scenario | None = None
    line: str | None = None


@dataclass(frozen=True, slots=True)
class GatherSpec:
    """What to listen for next and where to post it."""

    action: str
    language: str
    speech_model: str
    speech_timeout: int
    timeout: int = 8
    num_digits: int | None = None
    finish_on_key: str = "#"
    input: str = "dtmf speech"
    hints: Sequence[str] = ()


def system(text: str, lang: str, tone: str | None = None) -> Utterance:
    """An announcement of the switchboard in the trainee's language."""
    language, voice = voices.system_voice(lang)
    return Utterance(text, language, voice, tone=tone)


def line_numbers(state: CallState) -> dict[str, int]:
    """Lines numbered 1, 2, ... in scenario order: what a trainee presses and hears."""
    return {call.line: index for index, call in enumerate(state.scenario.calls, start=1)}


def _who(data: dict[str, object]) -> str:
    parts = [str(data.get(key) or "") for key in ("caller", "organisation", "number")]
    return ", ".join(part for part in parts if part)


def from_events(state: CallState, events: Sequence[Event], lang: str) -> list[Utterance]:
    """What the trainee hears of new events: callers' words, rings, results of actions.

    The trainee's own words are not read back; bookkeeping events are silent.
    """
    numbers = line_numbers(state)
    out: list[Utterance] = []
    rang_before = False
    for event in events:
        number = numbers.get(event.line or "", 0)
        if event.kind == "ring":
            others_open = any(
                ln.line != event.line and ln.status in ("talking", "on_hold")
                for ln in state.lines.values()
            )
            key = "second_ring" if (others_open or rang_before) else "first_ring"
            tone = "beep" if key == "second_ring" else "ring"
            out.append(
                system(texts.text(key, lang, who=_who(dict(event.data)), line=number), lang, tone)
            )
            rang_before = True
            continue
        if event.kind == "caller_said" and event.line in state.lines:
            line = state.lines[event.line]
            language = state.language_of(line)
            if event.data.get("on_hold"):
                out.append(system(_describe(event, number, lang) or "", lang))
                continue
            out.append(
                Utterance(
                    str(event.data.get("text", "")),
                    language,
                    voices.persona_voice(line.caller, language),
                    caller=True,
                    engine_voice=line.caller.voice,
                    scenario=state.scenario,
                    line=event.line,
                )
            )
            continue
        if (event.kind == "say" and event.actor == "trainee") or event.kind in _SILENT:
            continue
        spoken = _describe(event, number, lang)
        if spoken:
            out.append(system(spoken, lang))
    return out


def _describe(event: Event, number: int, lang: str) -> str | None:
    numbered = Event(event.t, event.kind, event.actor, str(number) if number else None, event.data)
    return describe(numbered, lang)


def timeout_until(deadline: float | None, now: float, default: int = 8) -> int:
    """Seconds to wait for the trainee before posting an empty result: until the next timer."""
    if deadline is None:
        return default
    wait = int(deadline - now + 0.999)
    return max(MIN_TIMEOUT_S, min(MAX_TIMEOUT_S, wait))


def _speak(
    parent: VoiceResponse | Gather,
    utterance: Utterance,
    url_for: UrlFor,
    audio_for: AudioFor | None,
) -> None:
    if utterance.tone:
        parent.play(url_for("ivr.tone", name=utterance.tone))
    if not utterance.text:
        return
    played = audio_for(utterance) if (audio_for and utterance.caller) else None
    if played:
        parent.play(played)
    else:
        parent.say(utterance.text, voice=utterance.voice, language=utterance.language)


def build(
    utterances: Sequence[Utterance],
    url_for: UrlFor,
    *,
    gather: GatherSpec | None = None,
    hangup: bool = False,
    audio_for: AudioFor | None = None,
) -> str:
    """A complete TwiML document: speech (inside the Gather, so the trainee can barge in),
    then the Gather, with a Redirect to the same action in case Twilio skips it; or a Hangup.

    Twilio refuses a document over 64 kB: long lines are shortened and, if that is not enough,
    the oldest lines are left out, so the newest (what to do now) is always heard.
    """
    xml = _build(utterances, url_for, gather=gather, hangup=hangup, audio_for=audio_for)
    if len(xml.encode()) <= MAX_TWIML_BYTES:
        return xml
    kept = [_shortened(u) for u in utterances]
    while True:
        xml = _build(kept, url_for, gather=gather, hangup=hangup, audio_for=audio_for)
        if len(xml.encode()) <= MAX_TWIML_BYTES or not kept:
            return xml
        kept = kept[max(1, len(kept) // 4) :]


def _shortened(utterance: Utterance) -> Utterance:
    if len(utterance.text) <= MAX_SAY_CHARS:
        return utterance
    return replace(utterance, text=utterance.text[: MAX_SAY_CHARS - 1] + "…")


def _build(
    utterances: Sequence[Utterance],
    url_for: UrlFor,
    *,
    gather: GatherSpec | None,
    hangup: bool,
    audio_for: AudioFor | None,
) -> str:
    response = VoiceResponse()
    if gather is None:
        for utterance in utterances:
            _speak(response, utterance, url_for, audio_for)
        if hangup:
            response.hangup()
        return str(response.to_xml())
    element = Gather(
        action=gather.action,
        method="POST",
        input=gather.input,
        language=gather.language,
        speech_model=gather.speech_model,
        speech_timeout=gather.speech_timeout,
        timeout=gather.timeout,
        finish_on_key=gather.finish_on_key,
        action_on_empty_result=True,
        num_digits=gather.num_digits,
        hints=", ".join(gather.hints) if gather.hints else None,
    )
    for utterance in utterances:
        _speak(element, utterance, url_for, audio_for)
    response.append(element)
    response.redirect(gather.action, method="POST")
    return str(response.to_xml())
