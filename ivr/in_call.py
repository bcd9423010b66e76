"""The practice call itself on the phone: speech and keys become engine actions, forms are asked
field by field, and what happened since the trainee last listened is spoken back.

Engine work goes through the web layer's attempt service (events appended in committed
transactions under a per-attempt lock), so a phone attempt is the same as a browser one for
scoring, replay and the instructor's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ivr import commands, hints, state, texts
from ivr.commands import FORMS
from ivr.context import (
    Ctx,
    Reply,
    call_with,
    gather_spec,
    hangup,
    lang_of,
    said,
    system_language,
)
from ivr.twiml import Utterance, build, from_events, line_numbers, system, timeout_until
from simulator import directory, engine
from simulator.call_state import CallState
from simulator.errors import CallStateError
from simulator.events import Action, Event
from simulator.language.normalise import normalise
from simulator.language.numbers import spoken_digits
from simulator.practice import attempts, exams
from simulator.practice.attempts import Snapshot


def handle(ctx: Ctx, call: state.CallRow, number: int, params: Mapping[str, str]) -> Reply:
    digits, speech = said(params)
    language = params.get("lang_hint") or system_language(call)
    if call.pending:
        return _pending(ctx, call, number, digits, speech, language)
    if digits:
        code = commands.BY_KEYS.get(digits)
        if code is None:
            lang = lang_of(call)
            bad = system(texts.text("bad_code", lang, code=_keys_spoken(digits, lang)), lang)
            return _tick(ctx, call, number, lead=[bad])
        return _command(ctx, call, number, code.command, "")
    if speech:
        spoken = commands.spoken_command(speech, language)
        if spoken is not None:
            return _command(ctx, call, number, spoken.command, spoken.argument)
        data: dict[str, Any] = {"text": speech, "source": "phone"}
        confidence = _confidence(params.get("Confidence", ""))
        if confidence is not None:
            data["confidence"] = confidence
        return _act(ctx, call, number, Action("say", None, data))
    return _tick(ctx, call, number)


def ask_again(ctx: Ctx, call: state.CallRow, number: int, line: Utterance) -> Reply:
    """Say why the answer was not taken, then the same question (nothing recorded)."""
    return _tick(ctx, call, number, lead=[line])


def from_log(ctx: Ctx, call: state.CallRow, number: int) -> Reply:
    """The answer to a turn whose action is already in the attempt's log (its worker died
    before storing the answer): speak what happened since the trainee last listened."""
    return _tick(ctx, call_with(call, pending={}), number)


def _confidence(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return round(value, 3) if 0.0 <= value <= 1.0 else None


def _keys_spoken(digits: str, lang: str) -> str:
    star, hash_ = ("star", "hash") if lang.startswith("en") else ("asterisco", "cancelletto")
    return " ".join(star if k == "*" else hash_ if k == "#" else k for k in digits)


def _tick(
    ctx: Ctx,
    call: state.CallRow,
    number: int,
    *,
    lead: list[Utterance] | None = None,
    tail: list[Utterance] | None = None,
) -> Reply:
    assert call.attempt_id is not None
    snap = attempts.tick(ctx.db, call.attempt_id, clock=ctx.clock, since=call.heard_seq)
    return render(ctx, call, number + 1, snap, lead=lead or [], tail=tail or [])


def _act(
    ctx: Ctx,
    call: state.CallRow,
    number: int,
    action: Action,
    *,
    after: Callable[[Snapshot], list[Utterance]] | None = None,
) -> Reply:
    assert call.attempt_id is not None
    lang = lang_of(call)
    try:
        snap = attempts.act(ctx.db, call.attempt_id, action, clock=ctx.clock, since=call.heard_seq)
    except CallStateError as refused:
        message = refused.en if lang.startswith("en") else refused.it
        return _tick(ctx, call, number, lead=[system(message, lang)])
    extra = after(snap) if after else []
    return render(ctx, call, number + 1, snap, tail=extra)


def _command(ctx: Ctx, call: state.CallRow, number: int, command: str, argument: str) -> Reply:
    lang = lang_of(call)
    if command == "help":
        return _tick(ctx, call, number, tail=[system(texts.text("help", lang), lang)])
    if command == "answer":
        return _answer(ctx, call, number)
    if command in ("hangup", "finish"):
        return _act(ctx, call, number, Action(command))
    if command in ("transfer", "transfer_announced"):
        mode = "announced" if command == "transfer_announced" else "blind"
        if argument:
            return _act(ctx, call, number, Action("transfer", None, {"to": argument, "mode": mode}))
        return _ask(ctx, call, number, {"kind": "extension", "mode": mode})
    if command in ("hold_toggle", "switch", "pause_toggle"):
        return _toggle(ctx, call, number, command)
    if command in FORMS:
        return _ask(ctx, call, number, {"kind": "form", "form": command, "index": 0, "values": {}})
    return _tick(ctx, call, number)


def _state_now(ctx: Ctx, call: state.CallRow) -> tuple[Snapshot, CallState]:
    """The stored attempt and its state at this moment (due timers fired, nothing written)."""
    assert call.attempt_id is not None
    snap = attempts.snapshot(ctx.db, call.attempt_id, clock=ctx.clock, since=attempts.ONLY_NEW)
    moved, _ = engine.advance(snap.state, snap.now)
    return snap, moved


def _answer(ctx: Ctx, call: state.CallRow, number: int) -> Reply:
    """Answer the line ringing longest (the engine would otherwise try the active line)."""
    assert call.attempt_id is not None
    _, now = _state_now(ctx, call)
    ringing = sorted(
        (ln for ln in now.lines.values() if ln.status == "ringing"),
        key=lambda ln: ln.rang_at or 0.0,
    )
    return _act(ctx, call, number, Action("answer", ringing[0].line if ringing else None))


def _toggle(ctx: Ctx, call: state.CallRow, number: int, command: str) -> Reply:
    _, current = _state_now(ctx, call)
    if command == "pause_toggle":
        if call.attempt_id is not None and not exams.pause_allowed(ctx.db, call.attempt_id):
            lang = lang_of(call)
            return _tick(ctx, call, number, lead=[system(texts.text("exam_no_pause", lang), lang)])
        return _act(ctx, call, number, Action("unpause" if current.paused else "pause"))
    active = current.lines.get(current.active_line or "")
    if command == "hold_toggle" and active is not None and active.status == "talking":
        return _act(ctx, call, number, Action("hold", active.line))
    wanted = ("on_hold",) if command == "hold_toggle" else ("on_hold", "ringing")
    choices = [
        ln.line
        for ln in current.lines.values()
        if ln.status in wanted and ln.line != current.active_line
    ]
    if not choices:
        lang = lang_of(call)
        return _tick(ctx, call, number, lead=[system(texts.text("no_line", lang), lang)])
    if len(choices) == 1:
        return _take_line(ctx, call, number, current, choices[0])
    return _ask(ctx, call, number, {"kind": "line", "choices": choices})


def _take_line(ctx: Ctx, call: state.CallRow, number: int, now: CallState, line: str) -> Reply:
    status = now.lines[line].status
    kind = "answer" if status == "ringing" else "resume"
    return _act(ctx, call, number, Action(kind, line))


# --------------------------------------------------------------------------- pending input


def _ask(ctx: Ctx, call: state.CallRow, number: int, pending: dict[str, Any]) -> Reply:
    """Open a form or a choice: the next Gathers ask for its fields."""
    return _tick(ctx, call_with(call, pending=pending), number)


def _pending(
    ctx: Ctx, call: state.CallRow, number: int, digits: str, speech: str, language: str
) -> Reply:
    pending = call.pending
    lang = lang_of(call)
    if digits == "**" or (digits == "*" and pending["kind"] != "form"):
        cancelled = [system(texts.text("form_cancelled", lang), lang)]
        return _tick(ctx, call_with(call, pending={}), number, lead=cancelled)
    if not digits and not speech:
        return _tick(ctx, call, number)  # silence: time passes, the same question again
    if pending["kind"] == "extension":
        extension = digits or spoken_digits(normalise(speech, language))
        action = Action("transfer", None, {"to": extension, "mode": pending["mode"]})
        return _act(ctx, call_with(call, pending={}), number, action)
    if pending["kind"] == "line":
        choices: list[str] = pending["choices"]
        numbers = {str(n): line for line, n in _numbers_for(ctx, call).items()}
        chosen = numbers.get(digits or spoken_digits(normalise(speech, language)))
        cleared = call_with(call, pending={})
        if chosen not in choices:
            return _tick(ctx, cleared, number, lead=[system(texts.text("no_line", lang), lang)])
        assert chosen is not None
        _, now = _state_now(ctx, call)
        return _take_line(ctx, cleared, number, now, chosen)
    return _form_input(ctx, call, number, digits, speech, language)


def _numbers_for(ctx: Ctx, call: state.CallRow) -> dict[str, int]:
    snap, _ = _state_now(ctx, call)
    return line_numbers(snap.state)


def _form_input(
    ctx: Ctx, call: state.CallRow, number: int, digits: str, speech: str, language: str
) -> Reply:
    pending = dict(call.pending)
    form: str = pending["form"]
    fields = FORMS[form]
    index: int = pending["index"]
    values: dict[str, str] = dict(pending["values"])
    current = fields[index]
    if digits != "*":  # a single star skips the field
        raw = digits if (digits and current.digits) else speech or digits
        values[current.name] = commands.field_value(form, current, raw, language)
    if index + 1 < len(fields):
        pending.update(index=index + 1, values=values)
        return _tick(ctx, call_with(call, pending=pending), number)
    cleared = call_with(call, pending={})
    if form == "voicemail_listen":
        return _voicemail(ctx, cleared, number, values.get("id", ""))
    action = Action(form, None, values)
    after = (
        _directory_results(values.get("query", ""), lang_of(call))
        if form == "directory_search"
        else None
    )
    return _act(ctx, cleared, number, action, after=after)


def _directory_results(query: str, lang: str) -> Callable[[Snapshot], list[Utterance]]:
    def read(snap: Snapshot) -> list[Utterance]:
        company = snap.state.company
        hits = directory.search(company, query, snap.scenario.language, limit=5)
        if not hits:
            return [system(texts.text("directory_none", lang), lang)]
        return [system(_hit_label(company, hit.id, lang), lang) for hit in hits]

    return read


def _hit_label(company: Any, hit_id: str, lang: str) -> str:
    en = lang.startswith("en")
    for member in company.staff:
        if member.id == hit_id:
            status = member.presence.status.value
            if status == "available":
                state_text = "available" if en else "libero"
            elif status == "busy":
                state_text = "busy" if en else "occupato"
            else:
                until = member.presence.until
                state_text = ("absent" if en else "assente") + (
                    f" {'until' if en else 'fino a'} {until}" if until else ""
                )
            ext = "extension" if en else "interno"
            return f"{member.name}, {member.role}, {ext} {member.extension}: {state_text}."
    for department in company.departments:
        if department.id == hit_id:
            ext = "extension" if en else "interno"
            return f"{department.name}, {ext} {department.extension or '-'}."
    return hit_id


def _voicemail(ctx: Ctx, call: state.CallRow, number: int, chosen: str) -> Reply:
    assert call.attempt_id is not None
    snap = attempts.snapshot(ctx.db, call.attempt_id, clock=ctx.clock, since=attempts.ONLY_NEW)
    messages = snap.scenario.voicemail
    index = int(chosen) - 1 if chosen.isdigit() else -1
    lang = lang_of(call)
    if not 0 <= index < len(messages):
        return _tick(ctx, call, number, lead=[system(texts.text("voicemail_none", lang), lang)])
    message = messages[index]
    language = message.language or snap.scenario.language
    heard = Utterance(message.text, language, _voice_for_language(language), caller=True)
    return _act(
        ctx,
        call,
        number,
        Action("voicemail_listen", None, {"id": message.id}),
        after=lambda _snap: [heard],
    )


def _voice_for_language(language: str) -> str:
    from ivr.voices import VOICES

    return VOICES.get(language, VOICES["it-IT"])[1][1]


# --------------------------------------------------------------------------- rendering


def _field_prompt(
    ctx: Ctx, call: state.CallRow, snap: Snapshot
) -> tuple[str, list[Utterance], dict[str, Any]]:
    """(field name, what to ask, gather options) for the pending form or choice."""
    lang = lang_of(call)
    pending = call.pending
    en = lang.startswith("en")
    if pending["kind"] == "extension":
        ask = system(texts.text("ask_extension", lang), lang)
        return "extension", [ask], {"input": "dtmf speech", "finish_on_key": "#"}
    if pending["kind"] == "line":
        numbers = line_numbers(snap.state)
        choices = ", ".join(
            texts.text("line_choice", lang, n=numbers[line], who=snap.state.lines[line].caller.name)
            for line in pending["choices"]
        )
        ask = system(texts.text("ask_line", lang, choices=choices), lang)
        return "line", [ask], {"num_digits": 1}
    current = FORMS[pending["form"]][pending["index"]]
    lines = [system(current.en if en else current.it, lang)]
    if pending["form"] == "voicemail_listen":
        lines += [
            system(texts.text("voicemail_list", lang, n=n, caller=m.caller, when=m.left_at), lang)
            for n, m in enumerate(snap.scenario.voicemail, start=1)
        ] or [system(texts.text("voicemail_none", lang), lang)]
    if pending["index"] == 0:
        lines.append(system(texts.text("field_hint", lang), lang))
    return current.name, lines, {"finish_on_key": "#"}


def render(
    ctx: Ctx,
    call: state.CallRow,
    turn: int,
    snap: Snapshot,
    *,
    lead: list[Utterance] | None = None,
    tail: list[Utterance] | None = None,
) -> Reply:
    """Speak what happened since the trainee last listened, then listen again (or say goodbye)."""
    lang = lang_of(call)
    fresh: list[Event] = [event for seq, event in snap.events if seq > call.heard_seq]
    spoken = [*(lead or []), *from_events(snap.state, fresh, lang), *(tail or [])]
    changes: dict[str, Any] = {"heard_seq": snap.last_seq, "pending": call.pending}
    if snap.state.finished or snap.status != "active":
        return _results(ctx, call, spoken, changes)
    active = snap.state.lines.get(snap.state.active_line or "")
    language = snap.state.language_of(active) if active else snap.scenario.language
    deadline = engine.next_deadline(snap.state)
    timeout = timeout_until(deadline, snap.now)
    options: dict[str, Any] = {"num_digits": 2, "finish_on_key": ""}
    fieldname = ""
    if call.pending:
        fieldname, asked, options = _field_prompt(ctx, call, snap)
        spoken += asked
    spec = gather_spec(
        ctx,
        turn,
        fieldname,
        language,
        timeout=timeout,
        hints=hints.for_state(snap.state, language),
        **options,
    )
    return Reply(build(spoken, ctx.url_for, gather=spec, audio_for=ctx.audio_for), changes)


def _results(
    ctx: Ctx, call: state.CallRow, spoken: list[Utterance], changes: dict[str, Any]
) -> Reply:
    lang = lang_of(call)
    assert call.attempt_id is not None
    final = {**changes, "stage": "finished", "pending": {}, "outcome": "completed"}
    if exams.is_exam_attempt(ctx.db, call.attempt_id):  # no score: the commission gives it
        return hangup(ctx, [*spoken, system(texts.text("exam_handed_in", lang), lang)], **final)
    score = attempts.stored_score(ctx.db, call.attempt_id)
    if score is None:
        score = attempts.score_attempt(ctx.db, call.attempt_id)
    report = attempts.effective_score(ctx.db, call.attempt_id) or score.report or {}
    ras = report.get("ra", {})
    passed = sum(1 for result in ras.values() if result.get("passed"))
    summary = (
        f"Expected results passed: {passed} of {len(ras)}."
        if lang.startswith("en")
        else f"Risultati attesi superati: {passed} su {len(ras)}."
    )
    verdict = texts.text("result_pass" if report.get("passed") else "result_fail", lang)
    lines = [
        *spoken,
        system(texts.text("finished", lang), lang),
        system(summary, lang),
        system(verdict, lang),
    ]
    return hangup(ctx, lines, **final)
