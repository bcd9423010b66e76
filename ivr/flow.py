"""The phone call as the trainee lives it: identify, choose a scenario, confirm, take the call.

Each function answers one webhook request from the call's stored row and the request's fields,
and returns the TwiML plus the changes to store on the row. Engine work goes through the web
layer's attempt service (events appended in committed transactions under a per-attempt lock), so
a phone attempt is the same as a browser one for scoring, replay and the instructor's pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rapidfuzz import fuzz

from ivr import hints, in_call, state, texts
from ivr.context import (
    Clock,
    Ctx,
    Reply,
    apology,
    call_with,
    disabled,
    gather_spec,
    hangup,
    lang_of,
    said,
    system_language,
)
from ivr.twiml import Utterance, build, system
from simulator.language.normalise import normalise
from simulator.language.numbers import spoken_digits
from simulator.practice import attempts, rate_limits

MAX_TRIES = 3
_YES = frozenset({"si", "sì", "conferma", "confermo", "yes", "ok", "certo", "1", "uno", "one"})
_NO = frozenset({"no", "menu", "indietro", "back", "2", "due", "two"})


# --------------------------------------------------------------------------- identify


def _pin_prompt(
    ctx: Ctx, call: state.CallRow, turn: int, lead: list[Utterance], key: str = "ask_pin"
) -> str:
    lang = lang_of(call)
    spec = gather_spec(ctx, turn, "pin", system_language(call), timeout=10)
    return build([*lead, system(texts.text(key, lang), lang)], ctx.url_for, gather=spec)


def _pin_keys(call: state.CallRow, known: int | None) -> list[str]:
    """Whose PIN tries a wrong PIN counts against: the caller number, and the trainee whose
    verified number it is (so rotating numbers does not help against one trainee)."""
    number = state.e164(call.from_number) if call.from_number else None
    keys = [f"ivr-pin:from:{number or 'withheld'}"]
    if known is not None:
        keys.append(f"ivr-pin:trainee:{known}")
    return keys


def _locked_out(ctx: Ctx, call: state.CallRow, turn_lead: list[Utterance]) -> Reply:
    lang = lang_of(call)
    minutes = rate_limits.window_minutes(ctx.settings.pin_limit)
    line = system(texts.text("pin_locked", lang, minutes=minutes), lang)
    return hangup(ctx, [*turn_lead, line], stage="finished", outcome="locked")


def _pin_allowed(ctx: Ctx, call: state.CallRow, known: int | None) -> bool:
    if ctx.limits is None:
        return True
    return rate_limits.allowed(ctx.limits, ctx.settings.pin_limit, *_pin_keys(call, known))


def incoming(ctx: Ctx, call: state.CallRow, params: Mapping[str, str]) -> Reply:
    """Turn 0 of a call to our number: a known verified phone still confirms with the PIN,
    unless the school trusts caller ids (``CENTRALINO_IVR_TRUST_CALLER_ID``)."""
    lang = lang_of(call)
    welcome = system(texts.text("welcome", lang), lang)
    trainee = state.trainee_by_phone(ctx.db, params.get("From", ""))
    if trainee is not None and ctx.settings.trust_caller_id:
        return _menu(ctx, call, 1, trainee, [welcome])
    known = trainee.id if trainee is not None else None
    if not _pin_allowed(ctx, call, known):
        return _locked_out(ctx, call, [welcome])
    pending = {"known_trainee": known} if known is not None else {}
    key = "ask_pin_known" if known is not None else "ask_pin"
    return Reply(
        _pin_prompt(ctx, call, 1, [welcome], key), {"stage": "identify", "pending": pending}
    )


def _identify(ctx: Ctx, call: state.CallRow, turn: int, params: Mapping[str, str]) -> Reply:
    known_raw = call.pending.get("known_trainee")
    known = int(known_raw) if isinstance(known_raw, int) else None
    # Checked before the PIN is even looked at: once locked, the right PIN opens nothing.
    if not _pin_allowed(ctx, call, known):
        return _locked_out(ctx, call, [])
    digits, speech = said(params)
    pin = digits or spoken_digits(normalise(speech, system_language(call)))
    trainee = state.trainee_by_pin(ctx.db, ctx.secret, pin) if pin else None
    lang = lang_of(call)
    if trainee is not None and (known is None or trainee.id == known):
        return _menu(ctx, call_with(call, pending={}), turn + 1, trainee, [])
    if ctx.limits is not None and not rate_limits.hit(
        ctx.limits, ctx.settings.pin_limit, *_pin_keys(call, known)
    ):
        return _locked_out(ctx, call, [])
    tries = call.tries + 1
    if tries >= MAX_TRIES:
        line = system(texts.text("pin_goodbye", lang), lang)
        return hangup(ctx, [line], tries=tries, stage="finished", outcome="unidentified")
    retry = system(texts.text("bad_pin", lang), lang)
    key = "ask_pin_known" if known is not None else "ask_pin"
    return Reply(_pin_prompt(ctx, call, turn + 1, [retry], key), {"tries": tries})


# --------------------------------------------------------------------------- menu


def _menu(
    ctx: Ctx, call: state.CallRow, turn: int, trainee: state.Trainee, lead: list[Utterance]
) -> Reply:
    lang = lang_of(call)
    items = state.assigned(ctx.db, trainee.id)
    hello = system(texts.text("hello", lang, name=trainee.name), lang)
    if not items:
        none = system(texts.text("no_scenarios", lang), lang)
        return hangup(
            ctx,
            [*lead, hello, none],
            trainee_id=trainee.id,
            stage="finished",
            outcome="no_scenarios",
        )
    return Reply(
        _menu_twiml(ctx, call, turn, items, [*lead, hello]),
        {
            "stage": "menu",
            "trainee_id": trainee.id,
            "menu": [i for i, _ in items],
            "tries": 0,
            "pending": {},
        },
    )


def _menu_twiml(
    ctx: Ctx, call: state.CallRow, turn: int, items: list[tuple[str, str]], lead: list[Utterance]
) -> str:
    lang = lang_of(call)
    spoken = [system(texts.text("menu_intro", lang, count=len(items)), lang)]
    spoken += [
        system(texts.text("menu_item", lang, n=n, title=title), lang)
        for n, (_, title) in enumerate(items, start=1)
    ]
    wide = len(items) > 9
    spec = gather_spec(
        ctx,
        turn,
        "menu",
        system_language(call),
        timeout=8,
        num_digits=None if wide else 1,
        hints=hints.limit(title for _, title in items),
    )
    return build([*lead, *spoken], ctx.url_for, gather=spec)


def _choose(items: list[tuple[str, str]], digits: str, speech: str, language: str) -> str | None:
    if digits.isdigit() and 1 <= int(digits) <= len(items):
        return items[int(digits) - 1][0]
    said = normalise(speech, language)
    if not said:
        return None
    number = spoken_digits(said)
    if (
        number
        and said.replace(number, "").strip() in ("", "numero", "number")
        and (1 <= int(number) <= len(items))
    ):
        return items[int(number) - 1][0]
    best: tuple[float, str] | None = None
    for scenario_id, title in items:
        score = max(
            fuzz.token_set_ratio(said, normalise(title, language)),
            fuzz.ratio(said, normalise(scenario_id.replace("-", " "), language)),
        )
        if score >= 75 and (best is None or score > best[0]):
            best = (score, scenario_id)
    return best[1] if best else None


def _menu_choice(ctx: Ctx, call: state.CallRow, turn: int, params: Mapping[str, str]) -> Reply:
    lang = lang_of(call)
    assert call.trainee_id is not None
    items = [item for item in state.assigned(ctx.db, call.trainee_id) if item[0] in call.menu]
    digits, speech = said(params)
    chosen = _choose(items, digits, speech, system_language(call))
    if chosen is not None:
        title = dict(items)[chosen]
        return _confirm_prompt(ctx, call, turn + 1, "confirm", title, [], scenario_id=chosen)
    tries = call.tries + 1
    if tries >= MAX_TRIES:
        line = system(texts.text("menu_goodbye", lang), lang)
        return hangup(ctx, [line], tries=tries, stage="finished", outcome="no_choice")
    again = system(texts.text("menu_again", lang), lang)
    return Reply(_menu_twiml(ctx, call, turn + 1, items, [again]), {"tries": tries})


def _confirm_prompt(
    ctx: Ctx,
    call: state.CallRow,
    turn: int,
    key: str,
    title: str,
    lead: list[Utterance],
    **changes: Any,
) -> Reply:
    lang = lang_of(call)
    name = ""
    if call.trainee_id is not None:
        trainee = state.trainee(ctx.db, call.trainee_id)
        name = trainee.name if trainee else ""
    line = system(texts.text(key, lang, title=title, name=name), lang)
    spec = gather_spec(ctx, turn, "confirm", system_language(call), timeout=8, num_digits=1)
    twiml = build([*lead, line], ctx.url_for, gather=spec)
    return Reply(twiml, {"stage": "confirm", "tries": 0, **changes})


def outbound(ctx: Ctx, call: state.CallRow) -> Reply:
    """Turn 0 of a call we placed: say who calls and why, and wait for a key (not a machine)."""
    title = state.title_of(ctx.db, call.scenario_id or "") or (call.scenario_id or "")
    return _confirm_prompt(ctx, call, 1, "outbound_intro", title, [])


def _confirm(ctx: Ctx, call: state.CallRow, turn: int, params: Mapping[str, str]) -> Reply:
    lang = lang_of(call)
    digits, speech = said(params)
    words = normalise(speech, system_language(call)) if speech else ""
    if digits == "1" or words in _YES:
        return _start(ctx, call, turn)
    if digits == "2" or words in _NO:
        if call.direction == "outbound" or call.trainee_id is None:
            bye = system(texts.text("menu_goodbye", lang), lang)
            return hangup(ctx, [bye], stage="finished", outcome="declined")
        trainee = state.trainee(ctx.db, call.trainee_id)
        assert trainee is not None
        return _menu(ctx, call, turn + 1, trainee, [])
    tries = call.tries + 1
    if tries >= MAX_TRIES:
        bye = system(texts.text("menu_goodbye", lang), lang)
        return hangup(ctx, [bye], tries=tries, stage="finished", outcome="no_choice")
    title = state.title_of(ctx.db, call.scenario_id or "") or ""
    reply = _confirm_prompt(ctx, call, turn + 1, "confirm", title, [])
    return Reply(reply.twiml, {**reply.changes, "tries": tries})


def _start(ctx: Ctx, call: state.CallRow, turn: int) -> Reply:
    assert call.trainee_id is not None and call.scenario_id is not None
    attempt_id = attempts.start_attempt(
        ctx.db, call.trainee_id, call.scenario_id, channel="phone", clock=ctx.clock
    )
    # Stored at once: a worker killed before answering leaves the attempt findable, and the
    # retry goes on with it instead of starting a second one.
    state.update_call(ctx.db, call.call_sid or "", attempt_id=attempt_id)
    return _started(ctx, call, turn, attempt_id)


def _started(ctx: Ctx, call: state.CallRow, turn: int, attempt_id: int) -> Reply:
    snap = attempts.tick(ctx.db, attempt_id, clock=ctx.clock)
    started = call_with(call, attempt_id=attempt_id, heard_seq=0, pending={})
    lead = [system(texts.text("starting", lang_of(call)), lang_of(call))]
    reply = in_call.render(ctx, started, turn + 1, snap, lead=lead)
    return Reply(reply.twiml, {"stage": "in_call", "attempt_id": attempt_id, **reply.changes})


def refused(ctx: Ctx, call: state.CallRow, number: int) -> Reply:
    """An answer no caller could give (control characters, over-long): say so, ask again.

    Outside the practice it counts as not understood (a wrong PIN, an unclear choice).
    """
    if call.stage == "in_call" and call.attempt_id is not None:
        lang = lang_of(call)
        return in_call.ask_again(ctx, call, number, system(texts.text("input_refused", lang), lang))
    return turn(ctx, call, number, {})


def after_takeover(
    ctx: Ctx,
    call: state.CallRow,
    number: int,
    params: Mapping[str, str],
    seq_before: int | None,
) -> Reply:
    """A turn whose first worker died before answering: answer from the log if its work is
    there (the attempt started, the trainee's action appended), else do the turn now."""
    if call.stage == "confirm" and call.attempt_id is not None:
        return _started(ctx, call, number, call.attempt_id)
    if (
        call.stage == "in_call"
        and call.attempt_id is not None
        and seq_before is not None
        and attempts.trainee_acted_since(ctx.db, call.attempt_id, seq_before)
    ):
        return in_call.from_log(ctx, call, number)
    return turn(ctx, call, number, params)


def turn(ctx: Ctx, call: state.CallRow, number: int, params: Mapping[str, str]) -> Reply:
    """Any turn after the first, by the call's stage."""
    if call.stage == "identify":
        return _identify(ctx, call, number, params)
    if call.stage == "menu":
        return _menu_choice(ctx, call, number, params)
    if call.stage == "confirm":
        return _confirm(ctx, call, number, params)
    if call.stage == "in_call" and call.attempt_id is not None:
        return in_call.handle(ctx, call, number, params)
    lang = lang_of(call)
    return hangup(ctx, [system(texts.text("finished", lang), lang)])


__all__ = [
    "Clock",
    "Ctx",
    "Reply",
    "after_takeover",
    "apology",
    "disabled",
    "incoming",
    "outbound",
    "refused",
    "turn",
]
