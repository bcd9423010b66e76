"""The replay page's timeline: every turn in order, each verdict anchored at its moment.

Turns are the transcript's entries (who, when, text); a caller line is playable from the audio
cache, a trainee reply when its recording was kept. Each criterion with a moment in its evidence
is placed after the last turn at or before that moment ("Apertura: superato, 00:06"); the others
are listed after the call. Notes join the turn or the criterion they were written on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from simulator.flaskkit.i18n import lang, mmss
from simulator.practice import attempts
from simulator.web import console_view
from simulator.web.console_view import Entry


def _(message: str, **values: Any) -> str:
    return str(gettext(message, **values))


@dataclass(slots=True)
class Verdict:
    criterion: dict[str, Any]
    heading: str
    anchor: str
    t: float | None
    turn_seq: int | None
    notes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Turn:
    entry: Entry
    clip: str | None  # URL of the audio, when there is some
    clip_state: str  # "caller", "kept", "expired", "none"
    notes: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)


@dataclass(slots=True)
class Timeline:
    turns: list[Turn]
    unanchored: list[Verdict]
    call_notes: list[dict[str, Any]]
    # Play-all data: (seq, start second, clip URL) of every playable turn, in order.
    playlist: list[dict[str, Any]]


def status_word(criterion: dict[str, Any]) -> str:
    """'superato', 'non superato' or 'non valutabile' (lower case: it follows the name)."""
    status = criterion.get("status") or ("passed" if criterion.get("passed") else "failed")
    if status == "not_judged":
        return _("non valutabile")
    return _("superato") if status == "passed" else _("non superato")


def criterion_name(criterion: dict[str, Any]) -> str:
    if lang() == "en":
        return str(criterion.get("title_en") or criterion.get("title") or criterion["id"])
    return str(criterion.get("title") or criterion.get("description") or criterion["id"])


def heading_of(criterion: dict[str, Any]) -> str:
    """'Apertura: superato, 00:06', with the instructor's correction said when there is one."""
    t = criterion.get("evidence", {}).get("t")
    text = f"{criterion_name(criterion)}: {status_word(criterion)}"
    if t is not None:
        text += f", {mmss(float(t))}"
    override = criterion.get("override")
    if override and override["passed"] != override["automatic_passed"]:
        text += " " + _("(verdetto corretto dall'istruttore)")
    elif override:
        text += " " + _("(confermato dall'istruttore)")
    return text


def build(
    snap: attempts.Snapshot,
    report: dict[str, Any] | None,
    notes: list[dict[str, Any]],
    clips: dict[int, str],
    caller_url: Any,
    trainee_url: Any,
) -> Timeline:
    """The timeline of a finished attempt (``clips``: recorded turn seq -> kept/expired)."""
    view = console_view.build(snap)
    turns: list[Turn] = []
    for entry in view.entries:
        if entry.kind == "caller_said":
            turn = Turn(entry, caller_url(entry.seq), "caller")
        elif entry.kind == "say" and clips.get(entry.seq) == "kept":
            turn = Turn(entry, trainee_url(entry.seq), "kept")
        else:
            turn = Turn(entry, None, clips.get(entry.seq, "none"))
        turns.append(turn)
    by_seq = {turn.entry.seq: turn for turn in turns}
    unanchored: list[Verdict] = []
    verdicts: dict[str, Verdict] = {}
    for number, criterion in enumerate((report or {}).get("criteria", []), start=1):
        t = criterion.get("evidence", {}).get("t")
        anchor_turn = None
        if t is not None:
            before = [turn for turn in turns if turn.entry.t <= float(t) + 0.05]
            anchor_turn = before[-1] if before else (turns[0] if turns else None)
        verdict = Verdict(
            criterion,
            heading_of(criterion),
            f"verdict-{number}",
            None if t is None else float(t),
            anchor_turn.entry.seq if anchor_turn else None,
        )
        verdicts[criterion["id"]] = verdict
        if anchor_turn is None:
            unanchored.append(verdict)
        else:
            anchor_turn.verdicts.append(verdict)
    call_notes: list[dict[str, Any]] = []
    for note in notes:
        if note.get("criterion") and note["criterion"] in verdicts:
            verdicts[note["criterion"]].notes.append(note)
        elif note.get("seq") is not None and note["seq"] in by_seq:
            by_seq[note["seq"]].notes.append(note)
        else:
            call_notes.append(note)
    playlist = [
        {"seq": turn.entry.seq, "t": round(turn.entry.t, 2), "url": turn.clip}
        for turn in turns
        if turn.clip
    ]
    return Timeline(turns, unanchored, call_notes, playlist)
