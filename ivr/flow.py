"""The phone call as the trainee lives it: identify, choose a scenario, confirm, take the call.

The menu (``ivr.menu``) offers the assigned calls and, when free practice is allowed, the whole
library by family and scenario, like the browser's library.

Each function answers one webhook request from the call's stored row and the request's fields,
and returns the TwiML plus the changes to store on the row. Engine work goes through the web
layer's attempt service (events appended in committed transactions under a per-attempt lock), so
a phone attempt is the same as a browser one for scoring, replay and the instructor's pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr import hints, in_call, menu, state, texts
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
from simulator.practice import attempts, exams, rate_limits

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


def _entries(ctx: Ctx, trainee_id: int) -> tuple[list[menu.Entry], list[menu.Entry]]:
    return state.menu_entries(ctx.db, trainee_id, ctx.settings.free_practice)


def _menu(
    ctx: Ctx, call: state.CallRow, turn: int, trainee: state.Trainee, lead: list[Utterance]
) -> Reply:
    lang = lang_of(call)
    assigned, library = _entries(ctx, trainee.id)
    hello = system(texts.text("hello", lang, name=trainee.name), lang)
    if not assigned and not library:
        none = system(texts.text("no_scenarios", lang), lang)
        return hangup(
            ctx,
            [*lead, hello, none],
            trainee_id=trainee.id,
            stage="finished",
            outcome="no_scenarios",
        )
    lead = [*lead, hello]
    if not assigned:
        lead.append(system(texts.text("no_assigned_free", lang), lang))
    first = menu.page(menu.start(assigned, library), 0, assigned, library, lang)
    return Reply(
        _menu_twiml(ctx, call, turn, first, [*assigned, *library], lead),
        {
            "stage": "menu",
            "trainee_id": trainee.id,
            "menu": first.position,
            "tries": 0,
            "pending": {},
        },
    )


def _menu_twiml(
    ctx: Ctx,
    call: state.CallRow,
    turn: int,
    page: menu.Page,
    offered: list[menu.Entry],
    lead: list[Utterance],
) -> str:
    lang = lang_of(call)
    spoken = [system(line, lang) for line in page.spoken()]
    spec = gather_spec(
        ctx,
        turn,
        "menu",
        system_language(call),
        timeout=8,
        num_digits=1,
        hints=hints.limit(
            [*(o.label.split(",")[0] for o in page.options), *(e.title for e in offered)]
        ),
    )
    return build([*lead, *spoken], ctx.url_for, gather=spec)


def _stored_page(
    call: state.CallRow, assigned: list[menu.Entry], library: list[menu.Entry]
) -> menu.Page:
    stored = call.menu  # [at, page]; anything else (a row from before pages) is the top
    at, number = menu.TOP, 0
    if len(stored) == 2 and isinstance(stored[0], str) and isinstance(stored[1], int):
        at, number = stored[0], stored[1]
    return menu.page(at, number, assigned, library, lang_of(call))


def _menu_choice(ctx: Ctx, call: state.CallRow, turn: int, params: Mapping[str, str]) -> Reply:
    lang = lang_of(call)
    assert call.trainee_id is not None
    assigned, library = _entries(ctx, call.trainee_id)
    offered = [*assigned, *library]
    current = _stored_page(call, assigned, library)
    digits, speech = said(params)
    token = menu.choose(current, digits, speech, assigned, library, system_language(call))
    if token is not None and token.startswith("s:"):
        chosen = token[2:]
        title = next(e.title for e in offered if e.scenario_id == chosen)
        return _confirm_prompt(ctx, call, turn + 1, "confirm", title, [], scenario_id=chosen)
    target: tuple[str, int] | None = None
    if token == "more":
        target = (current.at, current.number + 1)
    elif token == "back":
        above = menu.parent(current.at, assigned)
        target = (above, 0) if above else None
    elif token == "free":
        target = (menu.FAMILIES, 0)
    elif token is not None and token.startswith("f:"):
        target = (f"family:{token[2:]}", 0)
    if target is not None:
        shown = menu.page(target[0], target[1], assigned, library, lang)
        twiml = _menu_twiml(ctx, call, turn + 1, shown, offered, [])
        return Reply(twiml, {"menu": shown.position, "tries": 0})
    tries = call.tries + 1
    if tries >= MAX_TRIES:
        line = system(texts.text("menu_goodbye", lang), lang)
        return hangup(ctx, [line], tries=tries, stage="finished", outcome="no_choice")
    again = system(texts.text("menu_again", lang), lang)
    return Reply(_menu_twiml(ctx, call, turn + 1, current, offered, [again]), {"tries": tries})


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
    title = state.title_of(ctx.db, call.scenario_id or "", call.trainee_id) or ""
    reply = _confirm_prompt(ctx, call, turn + 1, "confirm", title, [])
    return Reply(reply.twiml, {**reply.changes, "tries": tries})


def _start(ctx: Ctx, call: state.CallRow, turn: int) -> Reply:
    assert call.trainee_id is not None and call.scenario_id is not None
    sitting = next(
        (
            s
            for s in exams.open_sittings(ctx.db, call.trainee_id)
            if s.scenario_id == call.scenario_id
        ),
        None,
    )
    if sitting is not None:  # an exam: its one attempt, at the exam's timing
        attempt_id = exams.start_sitting(
            ctx.db, sitting.sitting_id, call.trainee_id, channel="phone", clock=ctx.clock
        )
    else:
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
