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
from simulator.web import attempts

MAX_TRIES = 3
_YES = frozenset({"si", "sì", "conferma", "confermo", "yes", "ok", "certo", "1", "uno", "one"})
_NO = frozenset({"no", "menu", "indietro", "back", "2", "due", "two"})


# --------------------------------------------------------------------------- identify


def _pin_prompt(ctx: Ctx, call: state.CallRow, turn: int, lead: list[Utterance]) -> str:
    lang = lang_of(call)
    spec = gather_spec(ctx, turn, "pin", system_language(call), timeout=10)
    return build([*lead, system(texts.text("ask_pin", lang), lang)], ctx.url_for, gather=spec)


def incoming(ctx: Ctx, call: state.CallRow, params: Mapping[str, str]) -> Reply:
    """Turn 0 of a call to our number: a known verified phone skips the PIN."""
    lang = lang_of(call)
    welcome = system(texts.text("welcome", lang), lang)
    trainee = state.trainee_by_phone(ctx.db, params.get("From", ""))
    if trainee is not None:
        return _menu(ctx, call, 1, trainee, [welcome])
    return Reply(_pin_prompt(ctx, call, 1, [welcome]), {"stage": "identify"})


def _identify(ctx: Ctx, call: state.CallRow, turn: int, params: Mapping[str, str]) -> Reply:
    digits, speech = said(params)
    pin = digits or spoken_digits(normalise(speech, system_language(call)))
    trainee = state.trainee_by_pin(ctx.db, ctx.secret, pin) if pin else None
    lang = lang_of(call)
    if trainee is not None:
        return _menu(ctx, call, turn + 1, trainee, [])
    tries = call.tries + 1
    if tries >= MAX_TRIES:
        line = system(texts.text("pin_goodbye", lang), lang)
        return hangup(ctx, [line], tries=tries, stage="finished", outcome="unidentified")
    retry = system(texts.text("bad_pin", lang), lang)
    return Reply(_pin_prompt(ctx, call, turn + 1, [retry]), {"tries": tries})


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
        {"stage": "menu", "trainee_id": trainee.id, "menu": first.position, "tries": 0},
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
    title = state.title_of(ctx.db, call.scenario_id or "") or ""
    reply = _confirm_prompt(ctx, call, turn + 1, "confirm", title, [])
    return Reply(reply.twiml, {**reply.changes, "tries": tries})


def _start(ctx: Ctx, call: state.CallRow, turn: int) -> Reply:
    assert call.trainee_id is not None and call.scenario_id is not None
    attempt_id = attempts.start_attempt(
        ctx.db, call.trainee_id, call.scenario_id, channel="phone", clock=ctx.clock
    )
    snap = attempts.tick(ctx.db, attempt_id, clock=ctx.clock)
    started = call_with(call, attempt_id=attempt_id, heard_seq=0, pending={})
    lead = [system(texts.text("starting", lang_of(call)), lang_of(call))]
    reply = in_call.render(ctx, started, turn + 1, snap, lead=lead)
    return Reply(reply.twiml, {"stage": "in_call", "attempt_id": attempt_id, **reply.changes})


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


__all__ = ["Clock", "Ctx", "Reply", "apology", "disabled", "incoming", "outbound", "turn"]
