"""An allow-list of TwiML Voice, from Twilio's reference pages, to check what we send.

The SDK writes any keyword it is given (``langauge=`` included) and any voice name: Twilio then
ignores the attribute or fails the verb at call time. ``problems(xml)`` lists every element,
attribute or value outside what Twilio documents, so tests fail before a trainee hears silence.
Sources: twilio.com/docs/voice/twiml (Say, Play, Pause, Gather, Redirect, Hangup, Reject,
Record, Dial and its nouns) and the text-to-speech voice table.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from ivr.voices import SYSTEM_VOICE, VOICES

# verb -> allowed attributes
VERBS: dict[str, frozenset[str]] = {
    "Say": frozenset({"voice", "language", "loop"}),
    "Play": frozenset({"loop", "digits"}),
    "Pause": frozenset({"length"}),
    "Gather": frozenset(
        {
            "action", "actionOnEmptyResult", "enhanced", "finishOnKey", "hints", "input",
            "language", "method", "numDigits", "partialResultCallback",
            "partialResultCallbackMethod", "profanityFilter", "speechModel", "speechTimeout",
            "timeout",
        }
    ),
    "Redirect": frozenset({"method"}),
    "Hangup": frozenset(),
    "Reject": frozenset({"reason"}),
    "Record": frozenset(
        {
            "action", "method", "timeout", "finishOnKey", "maxLength", "playBeep", "trim",
            "recordingStatusCallback", "recordingStatusCallbackMethod",
            "recordingStatusCallbackEvent", "transcribe", "transcribeCallback",
        }
    ),
    "Dial": frozenset(
        {
            "action", "method", "timeout", "hangupOnStar", "timeLimit", "callerId", "record",
            "trim", "answerOnBridge", "ringTone", "recordingStatusCallback",
            "recordingStatusCallbackMethod", "recordingStatusCallbackEvent",
        }
    ),
    "Number": frozenset({"sendDigits", "url", "method", "statusCallback", "statusCallbackEvent",
                         "statusCallbackMethod"}),
    "Client": frozenset({"url", "method", "statusCallback", "statusCallbackEvent",
                         "statusCallbackMethod"}),
}  # fmt: skip
# Which elements may contain which (Response holds verbs; Gather nests Say, Play, Pause).
CHILDREN: dict[str, frozenset[str]] = {
    "Response": frozenset(VERBS) - {"Number", "Client"},
    "Gather": frozenset({"Say", "Play", "Pause"}),
    "Dial": frozenset({"Number", "Client"}),
}
TEXT_ELEMENTS = frozenset({"Say", "Play", "Redirect", "Number", "Client"})
GATHER_INPUTS = frozenset({"dtmf", "speech", "dtmf speech", "speech dtmf"})
# Generic models, then provider models, as listed under Gather's speechModel.
SPEECH_MODELS = frozenset(
    {
        "default", "numbers_and_commands", "phone_call", "experimental_conversations",
        "experimental_utterances", "googlev2_long", "googlev2_short", "googlev2_telephony",
        "googlev2_telephony_short", "deepgram_nova-2", "deepgram_nova-3",
    }
)  # fmt: skip
KNOWN_VOICES = frozenset(
    {"man", "woman", *(v for pair in VOICES.values() for group in pair for v in group)}
    | {voice for _, voice in SYSTEM_VOICE.values()}
)
VOICE_LANGUAGE = {
    voice: language for language, pair in VOICES.items() for group in pair for voice in group
}
MAX_HINTS = 500
MAX_HINT_CHARS = 100
_POSITIVE = re.compile(r"^[1-9]\d*$")
_KEYS = re.compile(r"^[0-9#*]?$")


def problems(xml: str) -> list[str]:
    """Everything in ``xml`` that Twilio does not document; empty when the document is fine."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "Response":
        return [f"root is <{root.tag}>, not <Response>"]
    found: list[str] = []
    _walk(root, found)
    return found


def _walk(element: ElementTree.Element, found: list[str]) -> None:
    allowed = CHILDREN.get(element.tag, frozenset())
    for child in element:
        if child.tag not in allowed:
            found.append(f"<{child.tag}> is not allowed inside <{element.tag}>")
            continue
        _check(child, found)
        _walk(child, found)


def _check(element: ElementTree.Element, found: list[str]) -> None:
    tag, attrs = element.tag, element.attrib
    for name in attrs:
        if name not in VERBS[tag]:
            found.append(f"<{tag}> has undocumented attribute {name!r}")
    if tag in TEXT_ELEMENTS and not (element.text or "").strip():
        found.append(f"<{tag}> is empty")
    if tag == "Say":
        voice = attrs.get("voice")
        if voice is not None and voice not in KNOWN_VOICES:
            found.append(f"unknown voice {voice!r}")
        language = attrs.get("language")
        if voice in VOICE_LANGUAGE and language != VOICE_LANGUAGE[voice]:
            found.append(f"voice {voice} speaks {VOICE_LANGUAGE[voice]}, not {language}")
    if tag == "Gather":
        _check_gather(attrs, found)
    if tag == "Pause" and "length" in attrs and not _POSITIVE.match(attrs["length"]):
        found.append("<Pause length> must be a positive integer")
    if tag == "Redirect" and attrs.get("method", "POST") not in ("GET", "POST"):
        found.append("<Redirect method> must be GET or POST")


def _check_gather(attrs: dict[str, str], found: list[str]) -> None:
    if attrs.get("input", "dtmf") not in GATHER_INPUTS:
        found.append(f"<Gather input> {attrs.get('input')!r} is not documented")
    if "speech" in attrs.get("input", "") and "language" not in attrs:
        found.append("speech <Gather> without language (Twilio would assume en-US)")
    model = attrs.get("speechModel")
    if model is not None and model not in SPEECH_MODELS:
        found.append(f"unknown speechModel {model!r}")
    timeout = attrs.get("speechTimeout")
    if model is not None and timeout == "auto":
        found.append("speechTimeout='auto' is refused when speechModel is set")
    if timeout is not None and timeout != "auto" and not _POSITIVE.match(timeout):
        found.append("speechTimeout must be a positive integer or auto")
    for name in ("timeout", "numDigits"):
        if name in attrs and not _POSITIVE.match(attrs[name]):
            found.append(f"<Gather {name}> must be a positive integer")
    if "finishOnKey" in attrs and not _KEYS.match(attrs["finishOnKey"]):
        found.append("<Gather finishOnKey> must be one key or empty")
    for name in ("actionOnEmptyResult", "profanityFilter", "enhanced"):
        if name in attrs and attrs[name] not in ("true", "false"):
            found.append(f"<Gather {name}> must be true or false")
    if attrs.get("method", "POST") not in ("GET", "POST"):
        found.append("<Gather method> must be GET or POST")
    hints = [h.strip() for h in attrs.get("hints", "").split(",") if h.strip()]
    if len(hints) > MAX_HINTS:
        found.append(f"{len(hints)} hints: Twilio takes at most {MAX_HINTS}")
    long = [h for h in hints if len(h) > MAX_HINT_CHARS]
    if long:
        found.append(f"hints longer than {MAX_HINT_CHARS} characters: {long[:2]}")
