"""The IVR's database work: calls by CallSid, answered turns, trainees' phones and PINs.

Every request reads the call's row, decides, and writes the row back with the TwiML it answered,
so any worker can take the next request. A turn is claimed before anything is done: a retried
request (same CallSid and turn) gets the stored answer, and a retry that arrives while the first
is still being answered waits for it; nothing is ever recorded twice.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import socket
import time
from dataclasses import dataclass, fields
from typing import Any

import phonenumbers
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ivr import menu
from simulator.practice import exams
from simulator.practice.library import current_scenarios
from simulator.store.db import Database
from simulator.store.models import Assignment, Attempt, User, utcnow
from simulator.store.phone import IvrCall, IvrPhone, IvrTurn

# A turn is answered in well under a second; an unanswered claim older than this belonged to a
# worker that died. A retry waits at most this long, once: well inside Twilio's 15 s.
STALE_CLAIM_S = 4.0
REPLAY_POLL_S = 0.1
log = logging.getLogger(__name__)


def worker_name() -> str:
    """This process, as named in a claim: "host:pid" (read per call: workers fork)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class CallRow:
    """A detached copy of an ``ivr_calls`` row: what a request decides from."""

    id: int
    call_sid: str | None
    direction: str
    from_number: str
    trainee_id: int | None
    attempt_id: int | None
    stage: str
    tries: int
    menu: list[Any]
    scenario_id: str | None
    pending: dict[str, Any]
    heard_seq: int
    next_turn: int
    lang: str
    last_clock: float | None
    outcome: str
    twilio_status: str


def _row(call: IvrCall) -> CallRow:
    names = {f.name for f in fields(CallRow)}
    values = {name: getattr(call, name) for name in names}
    values["menu"] = list(call.menu or [])
    values["pending"] = dict(call.pending or {})
    return CallRow(**values)


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a turn: a stored answer to replay, or the call to act on.

    ``taken_over`` says the turn had been claimed by a worker that never answered (killed
    mid-request); ``seq_before`` is then the attempt's last event seq when that claim was made,
    so the new owner can tell whether the dead worker's action reached the log.
    """

    replay: str | None = None
    call: CallRow | None = None
    unknown: bool = False
    taken_over: bool = False
    seq_before: int | None = None


def e164(number: str, region: str = "IT") -> str | None:
    """A phone number in E.164, as Twilio sends ``From``; None if it is not a number."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def pin_digest(secret: str, pin: str) -> str:
    """The stored form of a PIN: an HMAC, unique per trainee, never the PIN itself."""
    return hmac.new(secret.encode(), f"ivr-pin:{pin}".encode(), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- calls


def start_call(
    db: Database,
    call_sid: str,
    *,
    direction: str,
    from_number: str,
    to_number: str,
    lang: str,
    stage: str = "identify",
    trainee_id: int | None = None,
) -> CallRow | None:
    """Create the row of a new call and claim its turn 0; None if the call already exists."""
    try:
        with db.write() as session:
            call = IvrCall(
                call_sid=call_sid,
                direction=direction,
                from_number=from_number,
                to_number=to_number,
                lang=lang,
                stage=stage,
                trainee_id=trainee_id,
                menu=[],
                pending={},
                heard_seq=0,
                next_turn=1,
                tries=0,
            )
            session.add(call)
            session.add(
                IvrTurn(call_sid=call_sid, turn=0, claimed_at=time.time(), claimed_by=worker_name())
            )
            session.flush()
            return _row(call)
    except IntegrityError:
        return None


def create_outbound(
    db: Database, token: str, *, trainee_id: int, scenario_id: str, to_number: str, lang: str
) -> int:
    """The row of a call we are about to place (its CallSid comes later)."""
    with db.write() as session:
        call = IvrCall(
            token=token,
            direction="outbound",
            to_number=to_number,
            trainee_id=trainee_id,
            scenario_id=scenario_id,
            stage="dialing",
            lang=lang,
            menu=[],
            pending={},
            heard_seq=0,
            next_turn=1,
            tries=0,
        )
        session.add(call)
        session.flush()
        return call.id


def set_call_sid(db: Database, call_id: int, call_sid: str) -> None:
    """Store the CallSid Twilio gave when the call was created."""
    with db.write() as session:
        session.execute(
            update(IvrCall)
            .where(IvrCall.id == call_id, IvrCall.call_sid.is_(None))
            .values(call_sid=call_sid)
        )


def claim_outbound(db: Database, token: str, call_sid: str) -> Claim | None:
    """Turn 0 of a placed call, found by its token; None if the token is unknown."""
    with db.write() as session:
        call = session.scalar(select(IvrCall).where(IvrCall.token == token).with_for_update())
        if call is None or (call.call_sid not in (None, call_sid)):
            return None
        call.call_sid = call_sid
    return claim(db, call_sid, 0)


def claim(db: Database, call_sid: str, turn: int) -> Claim:
    """Claim a turn of a call, or return the answer already given to it.

    A twin request still answering the turn is waited for once, at most until its claim is
    stale (``STALE_CLAIM_S``); then the turn is taken over, so a killed worker drops no call.
    """
    claimed, held_since = _try_claim(db, call_sid, turn)
    if claimed is not None:
        return claimed
    stored = wait_for_answer(db, call_sid, turn, until=held_since + STALE_CLAIM_S)
    if stored is not None:
        return Claim(replay=stored)
    claimed, _ = _try_claim(db, call_sid, turn)
    return claimed if claimed is not None else Claim()


def _try_claim(db: Database, call_sid: str, turn: int) -> tuple[Claim | None, float]:
    """(the claim, 0) or (None, when the twin holding the turn claimed it)."""
    now = time.time()
    try:
        with db.write() as session:
            # The call's row lock serialises claims of one call (SQLite: BEGIN IMMEDIATE).
            call = session.scalar(
                select(IvrCall).where(IvrCall.call_sid == call_sid).with_for_update()
            )
            if call is None:
                return Claim(unknown=True), 0.0
            done = session.scalar(
                select(IvrTurn).where(IvrTurn.call_sid == call_sid, IvrTurn.turn == turn)
            )
            if done is None:
                seq = _attempt_seq(session, call.attempt_id)
                session.add(
                    IvrTurn(
                        call_sid=call_sid,
                        turn=turn,
                        claimed_at=now,
                        claimed_by=worker_name(),
                        seq_before=seq,
                    )
                )
                session.flush()
                return Claim(call=_row(call)), 0.0
            if done.response is not None:
                return Claim(replay=done.response), 0.0
            held_since = done.claimed_at or 0.0
            if now - held_since < STALE_CLAIM_S:
                return None, held_since
            log.warning(
                "call %s turn %s: took over a stale claim of %s (worker gone?)",
                call_sid,
                turn,
                done.claimed_by,
            )
            done.claimed_at = now
            done.claimed_by = worker_name()
            return Claim(call=_row(call), taken_over=True, seq_before=done.seq_before), 0.0
    except IntegrityError:
        return None, now  # a concurrent twin claimed it first: wait for its answer


def _attempt_seq(session: Any, attempt_id: int | None) -> int | None:
    if attempt_id is None:
        return None
    seq = session.scalar(select(Attempt.last_seq).where(Attempt.id == attempt_id))
    return None if seq is None else int(seq)


def wait_for_answer(
    db: Database, call_sid: str, turn: int, *, until: float | None = None
) -> str | None:
    """The answer stored for a turn, waiting (until ``until``, epoch seconds, at most
    ``STALE_CLAIM_S``) for a twin request still answering it."""
    now = time.time()
    limit = now + STALE_CLAIM_S
    deadline = min(limit, until) if until is not None else limit
    while True:
        with db.read() as session:
            response = session.scalar(
                select(IvrTurn.response).where(IvrTurn.call_sid == call_sid, IvrTurn.turn == turn)
            )
        if response is not None:
            return response
        if time.time() >= deadline:
            return None
        time.sleep(REPLAY_POLL_S)


def wait_for_claim(db: Database, call_sid: str, turn: int, *, within: float) -> bool:
    """Whether turn ``turn`` of the call is claimed (or answered), waiting up to ``within`` s."""
    deadline = time.time() + within
    while True:
        with db.read() as session:
            found = session.scalar(
                select(IvrTurn.id).where(IvrTurn.call_sid == call_sid, IvrTurn.turn == turn)
            )
        if found is not None:
            return True
        if time.time() >= deadline:
            return False
        time.sleep(REPLAY_POLL_S)


def open_turns(db: Database, call_sid: str) -> list[tuple[int, float]]:
    """(turn, claimed at) of the call's turns claimed but not answered yet."""
    with db.read() as session:
        rows = session.execute(
            select(IvrTurn.turn, IvrTurn.claimed_at).where(
                IvrTurn.call_sid == call_sid, IvrTurn.response.is_(None)
            )
        ).all()
    return [(int(turn), float(claimed or 0.0)) for turn, claimed in rows]


def current(db: Database, call_sid: str) -> CallRow | None:
    """The call's row as stored (no claim)."""
    with db.read() as session:
        call = session.scalar(select(IvrCall).where(IvrCall.call_sid == call_sid))
        return None if call is None else _row(call)


def answer(db: Database, call_sid: str, turn: int, twiml: str, changes: dict[str, Any]) -> None:
    """Store the TwiML answered to a turn and the call's new state, in one transaction."""
    with db.write() as session:
        call = session.scalar(select(IvrCall).where(IvrCall.call_sid == call_sid).with_for_update())
        if call is None:
            return
        for key, value in changes.items():
            setattr(call, key, value)
        call.next_turn = max(call.next_turn, turn + 1)
        call.updated_at = utcnow()
        session.execute(
            update(IvrTurn)
            .where(IvrTurn.call_sid == call_sid, IvrTurn.turn == turn)
            .values(response=twiml)
        )


def update_call(db: Database, call_sid: str, **changes: Any) -> CallRow | None:
    """Change a call's row outside a turn (status callbacks)."""
    with db.write() as session:
        call = session.scalar(select(IvrCall).where(IvrCall.call_sid == call_sid).with_for_update())
        if call is None:
            return None
        for key, value in changes.items():
            setattr(call, key, value)
        session.flush()
        return _row(call)


def attempt_active(db: Database, attempt_id: int) -> bool:
    """Whether the attempt is still running (so a status callback finishes it only once)."""
    with db.read() as session:
        return session.scalar(select(Attempt.status).where(Attempt.id == attempt_id)) == "active"


def mark_attempt(db: Database, attempt_id: int, status: str) -> None:
    """Set an attempt's status when the phone call broke (interrupted) before it finished."""
    with db.write() as session:
        session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.status == "active")
            .values(status=status, finished_at=utcnow())
        )


# --------------------------------------------------------------------------- trainees


@dataclass(frozen=True, slots=True)
class Trainee:
    id: int
    name: str


def trainee_by_phone(db: Database, number: str) -> Trainee | None:
    """The trainee whose verified phone is ``number``."""
    normalised = e164(number, "IT") if number else None
    if not normalised:
        return None
    with db.read() as session:
        row = session.execute(
            select(User.id, User.display_name)
            .join(IvrPhone, IvrPhone.user_id == User.id)
            .where(IvrPhone.phone == normalised, IvrPhone.verified.is_(True))
            .where(User.role == "trainee")
        ).first()
    return None if row is None else Trainee(row[0], row[1])


def trainee_by_pin(db: Database, secret: str, pin: str) -> Trainee | None:
    """The trainee whose PIN this is."""
    if not pin.isdigit():
        return None
    with db.read() as session:
        row = session.execute(
            select(User.id, User.display_name)
            .join(IvrPhone, IvrPhone.user_id == User.id)
            .where(IvrPhone.pin_digest == pin_digest(secret, pin), User.role == "trainee")
        ).first()
    return None if row is None else Trainee(row[0], row[1])


def trainee(db: Database, trainee_id: int) -> Trainee | None:
    """A trainee by id."""
    with db.read() as session:
        user = session.get(User, trainee_id)
        if user is None or user.role != "trainee":
            return None
        return Trainee(user.id, user.display_name)


def trainee_by_username(db: Database, username: str) -> Trainee | None:
    """A trainee by username (CLI)."""
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None or user.role != "trainee":
            return None
        return Trainee(user.id, user.display_name)


def verified_phone(db: Database, trainee_id: int) -> str | None:
    """Where to call a trainee: their verified number."""
    with db.read() as session:
        row = session.get(IvrPhone, trainee_id)
        return row.phone if row is not None and row.verified and row.phone else None


def set_phone(
    db: Database,
    trainee_id: int,
    *,
    secret: str,
    phone: str | None = None,
    verified: bool = True,
    pin: str | None = None,
) -> None:
    """Record a trainee's phone (E.164) and PIN (as a digest). Raises ValueError if invalid."""
    with db.write() as session:
        row = session.get(IvrPhone, trainee_id)
        if row is None:
            row = IvrPhone(user_id=trainee_id, verified=False)
            session.add(row)
        if phone is not None:
            normalised = e164(phone)
            if normalised is None:
                raise ValueError(f"numero non valido / invalid number: {phone}")
            row.phone = normalised
            row.verified = verified
        if pin is not None:
            if not (pin.isdigit() and 4 <= len(pin) <= 8):
                raise ValueError("il PIN ha 4-8 cifre / the PIN has 4-8 digits")
            row.pin_digest = pin_digest(secret, pin)
        row.updated_at = utcnow()


def menu_entries(
    db: Database, trainee_id: int, free_practice: bool
) -> tuple[list[menu.Entry], list[menu.Entry]]:
    """(assigned, library) scenarios for the phone menu; the library only with free practice."""
    with db.read() as session:
        ids = set(
            session.scalars(
                select(Assignment.scenario_id).where(Assignment.trainee_id == trainee_id)
            )
        )
        entries = [
            menu.Entry(v.scenario_id, v.title, v.family, v.level, v.language)
            for v in current_scenarios(session)
        ]
    # Exams first: the phone takes a sitting through the same attempt service as the console.
    sittings = [
        menu.Entry(s.scenario_id, s.title, s.family, s.level, s.language)
        for s in exams.open_sittings(db, trainee_id)
    ]
    assigned = [*sittings, *(e for e in entries if e.scenario_id in ids)]
    return assigned, entries if free_practice else []


def title_of(db: Database, scenario_id: str, trainee_id: int | None = None) -> str | None:
    """The current title of a scenario (or of the trainee's exam), if it exists."""
    with db.read() as session:
        for version in current_scenarios(session):
            if version.scenario_id == scenario_id:
                return version.title
    for sitting in exams.open_sittings(db, trainee_id) if trainee_id is not None else []:
        if sitting.scenario_id == scenario_id:
            return sitting.title
    return None
