"""The call engine: a pure, deterministic state machine over the session's event log.

``step(state, action, now)`` first fires every timer due by ``now`` (a caller re-prompting after a
silence, a second line ringing, a caller tired of waiting on hold) at the time it fell due, then
applies the trainee's action. It returns a new state and the events to append; it never reads a
clock, sleeps or does I/O. ``replay`` rebuilds a state by re-running the recorded trainee actions
at their recorded times, which is how a web worker picks up a call another worker served.

Every caller timing is stretched by the trainee's time multiplier (WCAG 2.2.1).

Callers behave like people on a line: an incoming caller waits for the operator's opening (or
says "Pronto?" after a silence) and every reply to the trainee comes after a human gap. A reply is
decided when the trainee acts but said later: it waits in ``LineState.pending`` and a timer says
it at its time, so the log stays in time order and a console hears it when it falls due.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulator import caller as caller_mod
from simulator import mood, pacing
from simulator.call_state import CallState, LineState
from simulator.errors import CallStateError
from simulator.events import Action, Event
from simulator.model import Call, Company, Rule, Scenario

DEFAULT_NO_ANSWER_S = 40.0
DEFAULT_SILENCE = Rule(after_s=20, max=2, hangup=True)
DICTATION_SILENCE = Rule(after_s=90, max=2, hangup=True)
# A caller dictating a fonogramma waits this long for the operator to write, then goes on.
DICTATION_PAUSE_S = 5.0
DEFAULT_HOLD = Rule(after_s=90, hangup=True)
HOLD_WARNING_S = 20.0
# Where in ``LineState.fired`` the silence warning remembers the quiet spell it was given for.
SILENCE_WARNED = "silence-warned-at-ms"
MAX_TIMERS_PER_CALL = 500
# An incoming caller who hears nothing after the pick-up says "Pronto?" after this long.
OPENING_WAIT_S = 2.5
# Caller events that wait for a human gap when they answer something the trainee did.
DELAYED_KINDS = frozenset({"caller_said", "caller_hangup"})
# How long a caller takes to say a word (about 200 words a minute). A trainee who speaks before
# the caller is halfway through its line talks over the caller (a reply to the first words of a
# sentence is an interruption; one near its end is ordinary turn-taking).
SECONDS_PER_WORD = 0.3
SPEAKING_UNTIL = "speaking-until-ms"  # in ``LineState.fired``: halfway through the last line


def start(
    scenario: Scenario, company: Company, *, multiplier: float = 1.0, seed: int = 0
) -> tuple[CallState, list[Event]]:
    """A new session at time 0: lines due at once start ringing.

    ``seed`` draws the callers' reply gaps; it is recorded so that a replay draws the same.
    """
    if not 0.5 <= multiplier <= 5:
        raise CallStateError(
            "Il moltiplicatore dei tempi deve essere tra 0,5 e 5.",
            "The time multiplier must be between 0.5 and 5.",
        )
    lines = {call.line: LineState(line=call.line, call=call) for call in scenario.calls}
    if scenario.presence:
        staff = [
            member.model_copy(update={"presence": scenario.presence[member.id]})
            if member.id in scenario.presence
            else member
            for member in company.staff
        ]
        company = company.model_copy(update={"staff": staff})
    state = CallState(
        scenario=scenario, company=company, multiplier=multiplier, lines=lines, seed=seed
    )
    out = [
        Event(
            0.0,
            "session_started",
            "system",
            data={
                "scenario": scenario.id,
                "multiplier": multiplier,
                "language": scenario.language,
                "seed": seed,
            },
        )
    ]
    _fire_due(state, 0.0, out)
    return state, out


def advance(state: CallState, now: float) -> tuple[CallState, list[Event]]:
    """Let time pass until ``now``: fire every due timer."""
    work = state.clone()
    out: list[Event] = []
    if not work.finished:
        _fire_due(work, now, out)
        work.last_t = max(work.last_t, now)
    return work, out


def step(state: CallState, action: Action, now: float) -> tuple[CallState, list[Event]]:
    """Apply one trainee action at ``now`` (after due timers). Raises CallStateError if refused."""
    early = now < state.last_t
    if early:
        now = state.last_t  # times are monotonic; a late clock reading never goes back
    work = state.clone()
    work.arrived_early = early
    out: list[Event] = []
    if work.finished:
        raise CallStateError("L'esercitazione è terminata.", "The session has ended.")
    if work.paused and action.kind not in ("unpause", "finish"):
        raise CallStateError(
            "Esercitazione in pausa: riprendi prima di agire.",
            "The session is paused: resume it first.",
        )
    _fire_due(work, now, out)
    mark = len(out)
    handler = _HANDLERS[action.kind]
    handler(work, action, now, out)
    out[mark:] = _defer_replies(work, action, out[mark:], now)
    work.arrived_early = False
    work.last_t = now
    return work, out


def replay(scenario: Scenario, company: Company, events: Sequence[Event]) -> CallState:
    """Rebuild the state of a recorded session by re-running the trainee's actions."""
    multiplier = 1.0
    seed = 0
    if events and events[0].kind == "session_started":
        multiplier = float(events[0].data.get("multiplier", 1.0))
        seed = int(events[0].data.get("seed", 0))
    state, _ = start(scenario, company, multiplier=multiplier, seed=seed)
    for event in events:
        if event.actor != "trainee":
            continue
        action = Action(event.kind, event.line, _action_data(event))
        state, _ = step(state, action, event.t)
    if events:
        state, _ = advance(state, events[-1].t)
    return state


def replies_due_by(state: CallState) -> float | None:
    """Session time by which every reply the callers have decided is said, or None.

    A surface that answers a request with the caller's reply (a web page, a phone turn) advances
    to it: the reply is recorded at its own time, a human gap after the trainee's action.
    """
    if state.finished or state.paused:
        return None
    due = [float(item["due"]) for ln in state.lines.values() for item in ln.pending]
    return state.wall(max(due)) if due else None


def next_deadline(state: CallState) -> float | None:
    """Session time of the next timer, so a console knows when to look again."""
    if state.finished or state.paused:
        return None
    due = [t for t, _, _ in _timers(state)]
    return state.wall(min(due)) if due else None


# --------------------------------------------------------------------------- timers


def _timers(state: CallState) -> list[tuple[float, str, Any]]:
    """(effective deadline, kind, payload) of every armed timer."""
    m = state.multiplier
    found: list[tuple[float, str, Any]] = []
    for ln in state.lines.values():
        call = ln.call
        if ln.pending:
            found.append((float(ln.pending[0]["due"]), "speak", ln.line))
        if ln.status == "idle" and call.direction == "incoming":
            ring_at = _ring_time(state, call)
            if ring_at is not None:
                found.append((ring_at, "ring", ln.line))
        elif ln.status == "ringing" and ln.rang_at is not None:
            rules = call.steps[call.start].rules("no_answer")
            after = rules[0].after_s if rules and rules[0].after_s else DEFAULT_NO_ANSWER_S
            found.append((ln.rang_at + after * m, "no_answer", ln.line))
        elif ln.status == "talking" and ln.line == state.active_line and ln.awaiting_opening:
            found.append((ln.last_activity_at + OPENING_WAIT_S * m, "opening", ln.line))
        elif ln.status == "talking" and ln.line == state.active_line and ln.dictation_left:
            found.append((ln.last_activity_at + DICTATION_PAUSE_S * m, "dictation", ln.line))
        elif ln.status == "talking" and ln.line == state.active_line and ln.step:
            rule = _silence_rule(ln)
            if rule is not None and rule.after_s is not None:
                deadline = ln.last_activity_at + rule.after_s * m
                warning = _silence_warning_at(ln, rule, deadline, m)
                if warning is not None:
                    found.append((warning, "silence_warning", ln.line))
                found.append((deadline, "silence", ln.line))
        elif ln.status == "on_hold" and ln.hold_since is not None and ln.step:
            barge = ln.call.interrupts.hold_s
            if barge is not None and not ln.fired.get(_barge_key(ln)):
                found.append((ln.hold_since + barge * m, "barge_hold", ln.line))
            rule = _hold_rule(ln)
            if rule is not None and rule.after_s is not None:
                deadline = ln.hold_since + rule.after_s * m
                warn_at = deadline - HOLD_WARNING_S * m
                if rule.hangup and not ln.hold_warned and warn_at > ln.hold_since:
                    found.append((warn_at, "hold_warning", ln.line))
                found.append((deadline, "hold", ln.line))
        if ln.status in ("talking", "on_hold") and ln.step:
            for index, rule in enumerate(call.steps[ln.step].rules("timeout")):
                key = f"{ln.step}/timeout/{index}"
                if rule.after_s is not None and ln.fired.get(key, 0) < rule.max:
                    found.append(
                        (ln.step_entered_at + rule.after_s * m, "timeout", (ln.line, index))
                    )
    return found


def _ring_time(state: CallState, call: Call) -> float | None:
    """When an idle line rings: at ``ring_at_s``, or once its ``ring_after`` moment has come."""
    after = call.ring_after
    if after is None:
        return call.ring_at_s * state.multiplier
    other = state.lines.get(after.line)
    if other is None:
        return None
    anchor = other.answered_at if after.step is None else other.visited.get(after.step)
    return None if anchor is None else anchor + after.after_s * state.multiplier


def _silence_rule(ln: LineState) -> Rule | None:
    assert ln.step is not None
    rules = ln.call.steps[ln.step].rules("silence")
    rule = rules[0] if rules else (DICTATION_SILENCE if ln.dictation else DEFAULT_SILENCE)
    if ln.silences > rule.max and rule.hangup:
        return None
    if ln.silences >= rule.max and not rule.hangup:
        return None
    return rule


def _silence_warning_at(ln: LineState, rule: Rule, deadline: float, m: float) -> float | None:
    """When to warn that the next silence ends the call (like the hold warning), or None.

    The warning comes once per quiet spell: any activity moves ``last_activity_at`` and re-arms it.
    """
    assert rule.after_s is not None
    if not rule.hangup or ln.silences < rule.max:
        return None
    if ln.fired.get(SILENCE_WARNED) == round(ln.last_activity_at * 1000):
        return None
    return deadline - min(HOLD_WARNING_S, rule.after_s / 2) * m


def _hold_rule(ln: LineState) -> Rule | None:
    """The caller's patience on hold: the step's rule, then the default one (nobody waits
    forever: after the step's own complaints the default patience ends the call)."""
    assert ln.step is not None
    rules = [r for r in ln.call.steps[ln.step].rules("hold") if r.after_s is not None]
    if rules and ln.fired.get(f"{ln.step}/hold-timer", 0) < rules[0].max:
        return rules[0]
    if rules and rules[0].hangup:
        return None
    return DEFAULT_HOLD


def _fire_due(state: CallState, now: float, out: list[Event]) -> None:
    if state.paused:
        return
    limit = state.effective(now)
    for _ in range(MAX_TIMERS_PER_CALL):
        due = [timer for timer in _timers(state) if timer[0] <= limit]
        if not due:
            return
        deadline, kind, payload = min(due, key=lambda timer: (timer[0], str(timer[2])))
        _fire(state, deadline, kind, payload, out)


def _fire(state: CallState, eff: float, kind: str, payload: Any, out: list[Event]) -> None:
    t = state.wall(eff)
    if kind == "ring":
        ln = state.lines[payload]
        ln.status = "ringing"
        ln.rang_at = eff
        out.append(Event(t, "ring", "system", ln.line, _caller_id(ln)))
        return
    if kind == "no_answer":
        ln = state.lines[payload]
        ln.status = "ended"
        ln.ended_reason = "no_answer"
        out.append(Event(t, "missed", "caller", ln.line, {"reason": "no_answer"}))
        _after_line_end(state, ln)
        return
    if kind == "silence":
        ln = state.lines[payload]
        rule = _silence_rule(ln)
        assert rule is not None
        ln.silences += 1
        if ln.silences > rule.max:
            caller_mod.hang_up(state, ln, t, eff, out, reason="silence", say_goodbye=True)
            return
        reply = rule.reply or caller_mod.line_text(state, ln, "silence_prompt")
        prompt = rule.model_copy(update={"reply": reply, "hangup": False})
        caller_mod.apply_rule(state, ln, prompt, t, eff, out)
        ln.last_activity_at = eff
        return
    if kind == "speak":
        _speak_pending(state, state.lines[payload], eff, out)
        return
    if kind == "opening":
        ln = state.lines[payload]
        ln.awaiting_opening = False
        caller_mod.say(state, ln, caller_mod.line_text(state, ln, "hello"), t, eff, out)
        _begin_call(state, ln, t, eff, out)
        return
    if kind == "barge_hold":
        ln = state.lines[payload]
        ln.fired[_barge_key(ln)] = 1
        text = caller_mod.line_text(state, ln, "hold_complaint")
        caller_mod.say(state, ln, text, t, eff, out, on_hold=True, barge_in=True)
        return
    if kind == "dictation":
        caller_mod.next_chunk(state, state.lines[payload], t, eff, out)
        return
    if kind == "silence_warning":
        ln = state.lines[payload]
        ln.fired[SILENCE_WARNED] = round(ln.last_activity_at * 1000)
        out.append(
            Event(
                t,
                "notice",
                "system",
                ln.line,
                {"code": "silence_warning", "caller": ln.caller.name},
            )
        )
        return
    if kind == "hold_warning":
        ln = state.lines[payload]
        ln.hold_warned = True
        out.append(
            Event(
                t, "notice", "system", ln.line, {"code": "hold_warning", "caller": ln.caller.name}
            )
        )
        return
    if kind == "hold":
        ln = state.lines[payload]
        rule = _hold_rule(ln)
        assert rule is not None and ln.step is not None
        key = f"{ln.step}/hold-timer"
        ln.fired[key] = ln.fired.get(key, 0) + 1
        ln.hold_warned = False
        if rule.hangup:
            caller_mod.hang_up(state, ln, t, eff, out, reason="hold", say_goodbye=False)
        else:
            caller_mod.apply_rule(state, ln, rule, t, eff, out, on_hold=True)
            ln.hold_since = eff
        return
    if kind == "timeout":
        line_id, index = payload
        ln = state.lines[line_id]
        assert ln.step is not None
        rule = ln.call.steps[ln.step].rules("timeout")[index]
        key = f"{ln.step}/timeout/{index}"
        ln.fired[key] = ln.fired.get(key, 0) + 1
        caller_mod.apply_rule(state, ln, rule, t, eff, out)
        return
    raise AssertionError(f"unknown timer {kind}")  # an internal invariant


def _barge_key(ln: LineState) -> str:
    """One break-in per hold: the key names the hold by the moment it began."""
    return f"barge-hold-{round((ln.hold_since or 0.0) * 1000)}"


def _speak_pending(state: CallState, ln: LineState, eff: float, out: list[Event]) -> None:
    """Say the caller's lines that fall due now, in the order they were decided."""
    due = float(ln.pending[0]["due"])
    until = due
    while ln.pending and float(ln.pending[0]["due"]) <= due:
        item = ln.pending.pop(0)
        out.append(Event(state.wall(due), item["kind"], "caller", ln.line, item["data"]))
        until += SECONDS_PER_WORD * len(str(item["data"].get("text", "")).split()) / 2
    ln.fired[SPEAKING_UNTIL] = round(until * 1000)
    if ln.status == "talking":
        ln.last_activity_at = max(ln.last_activity_at, due)


def _defer_replies(
    state: CallState, action: Action, produced: list[Event], now: float
) -> list[Event]:
    """Hold back the caller's reaction to an action by a human gap (see ``pacing``).

    Returns the events to record now; the caller's go to their line's ``pending`` list, after
    anything that line still has to say.
    """
    kept: list[Event] = []
    gaps: dict[str, float] = {}
    eff = state.effective(now)
    for event in produced:
        ln = state.lines.get(event.line or "")
        immediate = event.data.get("barge_in") is True  # breaking in does not wait its turn
        if event.kind not in DELAYED_KINDS or event.actor != "caller" or ln is None or immediate:
            kept.append(event)
            continue
        if ln.line not in gaps:
            ln.replies += 1
            heard = str(action.data.get("text", "")) if action.kind == "say" else ""
            gap = pacing.reply_gap(state.seed, ln.line, ln.replies, ln.caller.mood, heard)
            after = float(ln.pending[-1]["due"]) if ln.pending else 0.0
            gaps[ln.line] = round(max(eff + gap, after), 3)
        ln.pending.append({"due": gaps[ln.line], "kind": event.kind, "data": dict(event.data)})
    return kept


def _begin_call(state: CallState, ln: LineState, t: float, eff: float, out: list[Event]) -> None:
    """The caller starts the conversation: the start step's answer rule, or the step itself."""
    start_step = ln.call.steps[ln.call.start]
    rules = start_step.rules("answer")
    if rules:
        ln.step = ln.call.start
        caller_mod.apply_rule(state, ln, rules[0], t, eff, out)
    else:
        caller_mod.enter_step(state, ln, ln.call.start, t, eff, out)


def _after_line_end(state: CallState, ln: LineState) -> None:
    if state.active_line == ln.line:
        state.active_line = None


def _caller_id(ln: LineState) -> dict[str, Any]:
    caller = ln.caller
    return {
        "caller": caller.name,
        "organisation": caller.organisation,
        "number": caller.phone,
        "internal": caller.internal,
        "direction": ln.call.direction,
    }


# --------------------------------------------------------------------------- actions


def _line_for(state: CallState, action: Action, *statuses: str) -> LineState:
    line_id = action.line or state.active_line
    if line_id is None and "ringing" in statuses:
        ringing = sorted(
            (ln for ln in state.lines.values() if ln.status == "ringing"),
            key=lambda ln: ln.rang_at or 0.0,
        )
        line_id = ringing[0].line if ringing else None
    if line_id is None:
        raise CallStateError("Nessuna linea attiva.", "No active line.")
    ln = state.lines.get(line_id)
    if ln is None:
        raise CallStateError(f"Linea sconosciuta: {line_id}.", f"Unknown line: {line_id}.")
    if statuses and ln.status not in statuses:
        raise CallStateError(
            f"Linea {line_id}: azione non possibile ({_STATUS_IT[ln.status]}).",
            f"Line {line_id}: not possible now ({ln.status.replace('_', ' ')}).",
        )
    return ln


_STATUS_IT = {
    "idle": "libera",
    "ringing": "squilla",
    "talking": "in conversazione",
    "on_hold": "in attesa",
    "ended": "chiusa",
}


def _record(action: Action, line: str | None, now: float, out: list[Event], **extra: Any) -> None:
    data = dict(action.data)
    data.update(extra)
    out.append(Event(now, action.kind, "trainee", line, data))


def _hold_others(state: CallState, keep: str, now: float, out: list[Event]) -> None:
    """A console has one talking line: taking another puts the current one on hold."""
    eff = state.effective(now)
    for ln in state.lines.values():
        if ln.line != keep and ln.status == "talking":
            ln.status = "on_hold"
            ln.hold_since = eff
            ln.hold_warned = False
            out.append(Event(now, "hold", "system", ln.line, {"auto": True}))


def _answer(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    ln = _line_for(state, action, "ringing")
    _hold_others(state, ln.line, now, out)
    eff = state.effective(now)
    _record(action, ln.line, now, out)
    ln.status = "talking"
    ln.answered_at = eff
    ln.last_activity_at = eff
    state.active_line = ln.line
    if ln.call.direction == "incoming" and not ln.call.caller_speaks_first:
        ln.awaiting_opening = True  # on a real line the one who answers speaks first
        return
    _begin_call(state, ln, now, eff, out)


def _say(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    text = str(action.data.get("text", "")).strip()
    if not text:
        raise CallStateError("Scrivi cosa dici al chiamante.", "Type what you say to the caller.")
    ln = _line_for(state, action, "talking")
    eff = state.effective(now)
    _record(action, ln.line, now, out)
    talked_over = not state.arrived_early and eff * 1000 < ln.fired.get(SPEAKING_UNTIL, 0)
    ln.last_activity_at = eff
    ln.silences = 0  # the trainee spoke: the caller's patience with silence starts again
    if talked_over and caller_mod.patience_moved(
        state, ln, "talked_over", now, eff, out, quote=text
    ):
        return
    limit = ln.call.interrupts.monologue_words
    if limit is not None and len(text.split()) > limit and not ln.awaiting_opening:
        line = caller_mod.line_text(state, ln, "interrupt")
        caller_mod.say(state, ln, line, now, eff, out, barge_in=True)
    if ln.awaiting_opening:
        ln.awaiting_opening = False  # the operator's opening: now the caller says why it calls
        _begin_call(state, ln, now, eff, out)
        return
    alternatives = [str(a) for a in action.data.get("alternatives", ())]
    caller_mod.react_to_speech(state, ln, text, alternatives, now, eff, out)


def _activity(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    """The trainee is busy at the console for the active call (typing a reply, filling a panel):
    the caller waits politely, so the silence timer starts again. Never scored; recorded only
    when it changes something (so replay rebuilds the same timers)."""
    ln = state.lines.get(state.active_line or "")
    if ln is None or ln.status != "talking" or ln.dictation_left:
        return  # a dictating caller keeps its own pace
    ln.last_activity_at = state.effective(now)
    _record(action, ln.line, now, out)


def _hold(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    ln = _line_for(state, action, "talking")
    eff = state.effective(now)
    _record(action, ln.line, now, out)
    ln.status = "on_hold"
    ln.hold_since = eff
    ln.hold_warned = False
    state.active_line = None
    for rule in ln.call.steps[ln.step].rules("hold") if ln.step else []:
        if rule.after_s is None:
            caller_mod.apply_rule(state, ln, rule, now, eff, out)
            break


def _resume(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    ln = _line_for(state, action, "on_hold")
    _hold_others(state, ln.line, now, out)
    eff = state.effective(now)
    held_s = eff - (ln.hold_since or eff)
    _record(action, ln.line, now, out, held_s=round(held_s, 3))
    ln.status = "talking"
    ln.hold_since = None
    ln.last_activity_at = eff
    state.active_line = ln.line
    if held_s > mood.LONG_HOLD_S * state.multiplier and caller_mod.patience_moved(
        state, ln, "long_hold", now, eff, out
    ):
        return
    rules = ln.call.steps[ln.step].rules("resume") if ln.step else []
    if rules:
        caller_mod.apply_rule(state, ln, rules[0], now, eff, out)


def _transfer(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    ln = _line_for(state, action, "talking", "on_hold")
    caller_mod.transfer(state, ln, action, now, out)


def _hangup(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    ln = _line_for(state, action, "talking", "on_hold", "ringing")
    _record(action, ln.line, now, out)
    ln.status = "ended"
    ln.ended_reason = "operator"
    ln.hold_since = None
    ln.pending = []  # the line is down: whatever the caller was about to say is never heard
    _after_line_end(state, ln)


def _form(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    """Message, fonogramma, report, ticket, greeting: recorded, and the caller may react."""
    ln = _form_line(state, action)
    _record(action, ln.line if ln else None, now, out)
    if ln is not None and ln.status in ("talking", "on_hold") and ln.step:
        rules = ln.call.steps[ln.step].rules(action.kind)
        if rules:
            caller_mod.apply_rule(state, ln, rules[0], now, state.effective(now), out)


def _form_line(state: CallState, action: Action) -> LineState | None:
    line_id = action.line or state.active_line
    if line_id is None:
        return None
    ln = state.lines.get(line_id)
    if ln is None:
        raise CallStateError(f"Linea sconosciuta: {line_id}.", f"Unknown line: {line_id}.")
    return ln


def _outgoing(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    caller_mod.outgoing_call(state, action, now, out)


def _directory_search(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    from simulator.directory import search

    query = str(action.data.get("query", "")).strip()
    if not query:
        raise CallStateError("Scrivi cosa cercare in rubrica.", "Type what to look up.")
    hits = search(state.company, query, state.scenario.language, limit=5)
    results = [hit.id for hit in hits]
    _record(action, state.active_line, now, out, results=results)


def _directory_update(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    from simulator.directory import apply_directory_update

    staff = str(action.data.get("staff", ""))
    field = str(action.data.get("field", ""))
    value = str(action.data.get("value", ""))
    try:
        state.company = apply_directory_update(state.company, staff, field, value)
    except ValueError as exc:
        raise CallStateError(str(exc), str(exc)) from exc
    _form(state, action, now, out)


def _voicemail_listen(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    wanted = str(action.data.get("id", ""))
    if all(msg.id != wanted for msg in state.scenario.voicemail):
        raise CallStateError(
            f"Messaggio in segreteria sconosciuto: {wanted}.", f"Unknown voice-mail: {wanted}."
        )
    _record(action, None, now, out)


def _pause(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    state.paused_at = now
    _record(action, None, now, out)


def _unpause(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    if state.paused_at is None:
        raise CallStateError("L'esercitazione non è in pausa.", "The session is not paused.")
    state.paused_total += now - state.paused_at
    state.paused_at = None
    _record(action, None, now, out)


def _finish(state: CallState, action: Action, now: float, out: list[Event]) -> None:
    if state.paused_at is not None:
        state.paused_total += now - state.paused_at
        state.paused_at = None
    _record(action, None, now, out)
    for ln in state.lines.values():
        ln.pending = []
        if ln.status in ("ringing", "talking", "on_hold"):
            ln.status = "ended"
            ln.ended_reason = "session_finished"
    state.active_line = None
    state.finished = True
    out.append(Event(now, "session_finished", "system"))


_HANDLERS = {
    "answer": _answer,
    "say": _say,
    "hold": _hold,
    "resume": _resume,
    "transfer": _transfer,
    "hangup": _hangup,
    "take_message": _form,
    "fonogramma": _form,
    "report": _form,
    "ticket": _form,
    "voicemail_greeting": _form,
    "outgoing_call": _outgoing,
    "directory_search": _directory_search,
    "directory_update": _directory_update,
    "voicemail_listen": _voicemail_listen,
    "pause": _pause,
    "unpause": _unpause,
    "finish": _finish,
    "activity": _activity,
}

# Keys the engine adds to recorded trainee events; replay strips them to get the action back.
_DERIVED_KEYS = frozenset({"results", "held_s", "target", "check"})


def _action_data(event: Event) -> Mapping[str, Any]:
    return {k: v for k, v in event.data.items() if k not in _DERIVED_KEYS}
