"""The trainee's recorded utterances: kept with the attempt, for as long as the school says.

A spoken reply recorded in the browser (or by the terminal, or a phone call Twilio recorded when
the school enables it) is stored with the ``say`` event it became (``seq``). When the
recogniser's transcript waits for the trainee's confirmation the audio waits too, unattached,
and joins the ``say`` the confirmation records. ``purge_expired`` removes the audio of every
recording older than the retention period (``RECORDING_RETENTION_DAYS``, 90 by default) and
keeps its row, so the replay says the clip expired; the words stay in the event log.

Twilio keeps its own copy of a phone recording. When that recording expires, or its trainee is
erased (``forget_trainee``), its sid is queued (``RemoteRecordingDeletion``) and the phone
layer asks Twilio to delete it (``ivr.recording_cleanup``), retrying until Twilio confirms.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, undefer

from simulator.store.models import Attempt, utcnow
from simulator.store.review import RecordingNotice, RemoteRecordingDeletion, UtteranceRecording

DEFAULT_RETENTION_DAYS = 90
# Audio waiting for a confirmation that never came is dropped after this long.
PENDING_HOURS = 24


def keep(
    session: Session,
    attempt_id: int,
    seq: int | None,
    wav: bytes,
    *,
    source: str = "web",
    now: datetime | None = None,
) -> UtteranceRecording:
    """Store one utterance (``seq`` None: waiting for the trainee to confirm its words)."""
    if seq is None:
        # One reply waits at a time: an older unconfirmed one was replaced by this one.
        session.execute(
            delete(UtteranceRecording).where(
                UtteranceRecording.attempt_id == attempt_id,
                UtteranceRecording.seq.is_(None),
                UtteranceRecording.remote_sid.is_(None),
            )
        )
    row = UtteranceRecording(
        attempt_id=attempt_id,
        seq=seq,
        source=source,
        audio=wav,
        size=len(wav),
        recorded_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def attach_pending(session: Session, attempt_id: int, seq: int) -> bool:
    """Give the waiting utterance of the attempt to the ``say`` just recorded (``seq``)."""
    result = session.execute(
        update(UtteranceRecording)
        .where(
            UtteranceRecording.attempt_id == attempt_id,
            UtteranceRecording.seq.is_(None),
            UtteranceRecording.remote_sid.is_(None),
        )
        .values(seq=seq)
    )
    return bool(getattr(result, "rowcount", 0))


def keep_phone_call(
    session: Session, attempt_id: int, sid: str, url: str, *, now: datetime | None = None
) -> UtteranceRecording:
    """A whole phone call Twilio recorded: where it is (the audio stays with Twilio)."""
    row = session.scalar(select(UtteranceRecording).where(UtteranceRecording.remote_sid == sid))
    if row is None:
        row = UtteranceRecording(
            attempt_id=attempt_id,
            seq=None,
            source="phone",
            mimetype="audio/mpeg",
            size=0,
            remote_sid=sid,
            recorded_at=now or utcnow(),
        )
        session.add(row)
    row.remote_url = url
    session.flush()
    return row


def clip(session: Session, attempt_id: int, seq: int) -> UtteranceRecording | None:
    """The recording of turn ``seq`` with its audio, if it was kept and has not expired."""
    return session.scalar(
        select(UtteranceRecording)
        .options(undefer(UtteranceRecording.audio))
        .where(
            UtteranceRecording.attempt_id == attempt_id,
            UtteranceRecording.seq == seq,
            UtteranceRecording.purged_at.is_(None),
        )
        .order_by(UtteranceRecording.id.desc())
        .limit(1)
    )


def states(session: Session, attempt_id: int) -> dict[int, str]:
    """For each recorded turn: 'kept' or 'expired'."""
    rows = session.execute(
        select(UtteranceRecording.seq, UtteranceRecording.purged_at).where(
            UtteranceRecording.attempt_id == attempt_id, UtteranceRecording.seq.is_not(None)
        )
    ).all()
    out: dict[int, str] = {}
    for seq, purged_at in rows:
        if seq is not None:
            out[int(seq)] = "expired" if purged_at is not None else "kept"
    return out


def purge_expired(session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Remove the audio of recordings older than ``retention_days``; how many were removed."""
    moment = now or utcnow()
    cutoff = moment - timedelta(days=retention_days)
    queue_remote_deletion(
        session,
        session.scalars(
            select(UtteranceRecording.remote_sid).where(
                UtteranceRecording.recorded_at < cutoff,
                UtteranceRecording.purged_at.is_(None),
                UtteranceRecording.remote_sid.is_not(None),
            )
        ),
    )
    result = session.execute(
        update(UtteranceRecording)
        .where(UtteranceRecording.recorded_at < cutoff, UtteranceRecording.purged_at.is_(None))
        .values(audio=None, size=0, remote_url=None, purged_at=moment)
    )
    session.execute(
        delete(UtteranceRecording).where(
            UtteranceRecording.seq.is_(None),
            UtteranceRecording.remote_sid.is_(None),
            UtteranceRecording.recorded_at < moment - timedelta(hours=PENDING_HOURS),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def queue_remote_deletion(session: Session, sids: Iterable[str | None]) -> int:
    """Queue Twilio's copies of these recordings for deletion (once each); how many new."""
    wanted = {sid for sid in sids if sid}
    if not wanted:
        return 0
    known = set(
        session.scalars(
            select(RemoteRecordingDeletion.sid).where(RemoteRecordingDeletion.sid.in_(wanted))
        )
    )
    for sid in sorted(wanted - known):
        session.add(RemoteRecordingDeletion(sid=sid))
    session.flush()
    return len(wanted - known)


def forget_trainee(session: Session, user_id: int) -> int:
    """Before a trainee is erased: queue Twilio's copies of their phone recordings (the rows
    themselves go with the attempts); how many were queued."""
    return queue_remote_deletion(
        session,
        session.scalars(
            select(UtteranceRecording.remote_sid)
            .join(Attempt, Attempt.id == UtteranceRecording.attempt_id)
            .where(Attempt.trainee_id == user_id, UtteranceRecording.remote_sid.is_not(None))
        ),
    )


def remote_pending(session: Session, limit: int = 200) -> list[RemoteRecordingDeletion]:
    """Twilio copies still to delete, oldest request first."""
    return list(
        session.scalars(
            select(RemoteRecordingDeletion)
            .where(RemoteRecordingDeletion.deleted_at.is_(None))
            .order_by(RemoteRecordingDeletion.id)
            .limit(limit)
        )
    )


def remote_done(session: Session, sid: str, error: str | None, now: datetime | None = None) -> None:
    """Record Twilio's answer for one queued deletion: gone (``error`` None) or failed."""
    row = session.scalar(select(RemoteRecordingDeletion).where(RemoteRecordingDeletion.sid == sid))
    if row is None:
        return
    row.tries += 1
    if error is None:
        row.deleted_at = now or utcnow()
        row.last_error = None
    else:
        row.last_error = error[:300]


def notice_due(session: Session, user_id: int) -> bool:
    """Whether the trainee has not yet read what is recorded and for how long."""
    return session.get(RecordingNotice, user_id) is None


def acknowledge(session: Session, user_id: int, retention_days: int) -> None:
    """The trainee read the notice (it is not shown again)."""
    if session.get(RecordingNotice, user_id) is None:
        session.add(RecordingNotice(user_id=user_id, retention_days=retention_days))


def export(session: Session, user_id: int, attempt_ids: list[int]) -> dict[str, Any]:
    """The notice read and every recording of the trainee, audio as base64 (GDPR art. 15/20)."""
    notice = session.get(RecordingNotice, user_id)
    rows = (
        session.scalars(
            select(UtteranceRecording)
            .options(undefer(UtteranceRecording.audio))
            .where(UtteranceRecording.attempt_id.in_(attempt_ids))
            .order_by(UtteranceRecording.attempt_id, UtteranceRecording.id)
        ).all()
        if attempt_ids
        else []
    )
    return {
        "notice": None
        if notice is None
        else {"seen_at": notice.seen_at.isoformat(), "retention_days": notice.retention_days},
        "recordings": [
            {
                "attempt_id": row.attempt_id,
                "seq": row.seq,
                "source": row.source,
                "mimetype": row.mimetype,
                "recorded_at": row.recorded_at.isoformat(),
                "expired_at": row.purged_at.isoformat() if row.purged_at else None,
                "remote_url": row.remote_url,
                "audio_base64": base64.b64encode(row.audio).decode("ascii") if row.audio else None,
            }
            for row in rows
        ],
    }
