"""What every phone request shares: its context, its reply, and small helpers.

Split from the flow modules so the call set-up (``flow``) and the call itself (``in_call``) can
both use them without importing each other.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ivr import state, texts
from ivr.settings import IvrSettings
from ivr.twiml import AudioFor, GatherSpec, UrlFor, Utterance, build, system
from simulator.store.db import Database

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a request needs besides the call row: storage, settings, URLs and the clock."""

    db: Database
    settings: IvrSettings
    secret: str
    url_for: UrlFor
    audio_for: AudioFor | None = None
    clock: Clock = time.time
    # The rate limiter's storage (database or Redis), shared by every worker: PIN tries.
    limits: Any = None


@dataclass(frozen=True, slots=True)
class Reply:
    """The TwiML to answer and the changes to store on the call's row."""

    twiml: str
    changes: dict[str, Any] = field(default_factory=dict)


def lang_of(call: state.CallRow) -> str:
    """The trainee's language for the switchboard's announcements ("it" or "en")."""
    return call.lang or "it"


def system_language(call: state.CallRow) -> str:
    """The locale the IVR listens in outside the practice (PIN, menu, confirmation)."""
    return "en-GB" if lang_of(call).startswith("en") else "it-IT"


def gather_spec(ctx: Ctx, turn: int, fieldname: str, language: str, **options: Any) -> GatherSpec:
    """A Gather posting to the next turn; ``field`` and ``lang`` in the URL tell the next request
    (and the call driver) what was asked and in which language the answer comes."""
    action = ctx.url_for("ivr.turn", turn=turn, field=fieldname, lang=language)
    return GatherSpec(
        action=action,
        language=language,
        speech_model=ctx.settings.speech_model,
        speech_timeout=ctx.settings.speech_timeout_s,
        **options,
    )


def hangup(ctx: Ctx, lines: list[Utterance], **changes: Any) -> Reply:
    """Say the lines, then hang up."""
    return Reply(build(lines, ctx.url_for, hangup=True), changes)


def said(params: Mapping[str, str]) -> tuple[str, str]:
    """(keys pressed, words recognised) of a Gather result; both empty for silence."""
    return params.get("Digits", "").strip(), params.get("SpeechResult", "").strip()


def apology(ctx: Ctx, lang: str) -> str:
    """Spoken TwiML for any failure: never an error page on a phone call."""
    return build([system(texts.text("apology", lang), lang)], ctx.url_for, hangup=True)


def disabled(ctx: Ctx, lang: str) -> str:
    """Spoken TwiML when the IVR has no Twilio credentials."""
    return build([system(texts.text("disabled", lang), lang)], ctx.url_for, hangup=True)


def call_with(call: state.CallRow, **changes: Any) -> state.CallRow:
    """A copy of the row with some fields changed (rows are frozen)."""
    return dataclasses.replace(call, **changes)
