"""Delete Twilio's copies of phone recordings the school no longer keeps.

``simulator.practice.recordings`` queues a recording's sid when its retention ends or its
trainee is erased; this asks Twilio's REST API (through Twilio's own SDK) to delete each one.
Twilio answering 404 means the copy is already gone, which is what was asked. Any other
failure is kept on the queued row and tried again on the next run, so nothing is forgotten
because Twilio was unreachable once. The network is never used inside a database transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient

from ivr.outbound import client_for
from ivr.settings import IvrSettings
from simulator.practice import recordings
from simulator.store.db import Database


@dataclass(frozen=True, slots=True)
class Cleanup:
    """What one run did: copies deleted, failures left queued, and queued when Twilio is off."""

    deleted: int = 0
    failed: int = 0
    waiting: int = 0


def delete_at_twilio(
    db: Database, settings: IvrSettings, http_client: HttpClient | None = None
) -> Cleanup:
    """Ask Twilio to delete every queued recording; what happened."""
    with db.read() as session:
        sids = [row.sid for row in recordings.remote_pending(session)]
    if not sids:
        return Cleanup()
    if not settings.outbound_enabled:
        return Cleanup(waiting=len(sids))  # nothing can reach Twilio: they stay queued
    client = client_for(settings, http_client)
    deleted = failed = 0
    for sid in sids:
        error: str | None = None
        try:
            client.recordings(sid).delete()
        except TwilioRestException as exc:
            if exc.status != 404:  # 404: Twilio no longer has it, as wanted
                error = f"{exc.status}: {exc.msg}"
        except TwilioException as exc:
            error = str(exc) or type(exc).__name__
        except OSError as exc:  # unreachable, timed out
            error = str(exc) or type(exc).__name__
        with db.write() as session:
            recordings.remote_done(session, sid, error)
        if error is None:
            deleted += 1
        else:
            failed += 1
    return Cleanup(deleted=deleted, failed=failed)
