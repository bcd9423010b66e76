"""A request reads what changed, never the whole log: a poll and a phone turn at the three
hundredth event load no more stored events than at the tenth, and still say the right thing.

Counted, not timed: every ``AttemptEvent`` the ORM builds from a row is counted, so the test
holds on a busy machine and fails the day a surface goes back to reading the whole log.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from sqlalchemy import event

from simulator.events import Action
from simulator.practice import attempts
from simulator.store.models import AttemptEvent
from simulator.web.testing import login
from tests.integration.ivr_support import Phone
from tests.integration.ivr_support import make_app as make_ivr_app


@contextlib.contextmanager
def counting_loaded_events() -> Iterator[list[int]]:
    """Counts the stored events the ORM loads inside the block."""
    loaded: list[int] = []

    def on_load(target: AttemptEvent, _context: object) -> None:
        loaded.append(target.seq)

    event.listen(AttemptEvent, "load", on_load)
    try:
        yield loaded
    finally:
        event.remove(AttemptEvent, "load", on_load)


def _grow(database, attempt_id: int, until: int) -> None:
    """Ask the caller things until the log holds ``until`` events, each question asked once the
    caller has finished its answer (a clock 10 s apart: an operator who fires questions over the
    caller's replies would use up its patience)."""
    questions = ["Chi parla, scusi?", "Mi dice il suo numero?", "Di quale ditta?"]
    n = 0
    start = time.time()
    while attempts.snapshot(database, attempt_id, since=attempts.ONLY_NEW).last_seq < until:
        text = questions[n % len(questions)]
        n += 1
        later = start + 10.0 * n
        action = Action("say", "l1", {"text": text})
        attempts.act(database, attempt_id, action, clock=lambda at=later: at)


def test_snapshot_since_gives_only_later_events_and_the_true_last_seq(app, users):
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    _grow(database, attempt_id, 20)
    whole = attempts.snapshot(database, attempt_id)
    recent = attempts.snapshot(database, attempt_id, since=whole.last_seq - 3)
    assert [seq for seq, _ in recent.events] == [seq for seq, _ in whole.events][-3:]
    assert recent.last_seq == whole.last_seq
    assert recent.state.lines["l1"].status == whole.state.lines["l1"].status == "talking"
    nothing = attempts.snapshot(database, attempt_id, since=attempts.ONLY_NEW)
    assert nothing.events == [] and nothing.last_seq == whole.last_seq


def test_a_console_poll_reads_only_what_the_page_has_not_seen(app, users):
    """A poll at 300 events loads no stored event, and "repeat" still names the last caller line."""
    database = app.extensions["centralino_db"]
    client = app.test_client()
    login(client, "luca")
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    loads = []
    for size in (10, 300):
        _grow(database, attempt_id, size)
        whole = attempts.snapshot(database, attempt_id)
        said = [seq for seq, e in whole.events if e.kind == "caller_said" and e.line == "l1"]
        with counting_loaded_events() as loaded:
            data = client.get(f"/attempts/{attempt_id}/state?after={whole.last_seq}").get_json()
        loads.append(len(loaded))
        assert data["seq"] == whole.last_seq
        assert data["entries"] == []
        assert data["last_caller_seq"] == said[-1]
    assert loads == [0, 0]
    # The page that has seen nothing yet still gets the whole conversation.
    first = client.get(f"/attempts/{attempt_id}/state?after=0").get_json()
    assert len(first["entries"]) > 100


def test_a_phone_turn_at_300_events_reads_no_more_than_at_10(tmp_path):
    """The phone speaks what happened since the trainee last listened, read from the log tail."""
    app = next(make_ivr_app(tmp_path))
    phone = Phone(app.test_client())
    phone.into_call(0.0)
    phone.t = 1.0
    phone.post(Digits="*7")  # answer
    database = app.extensions["centralino_db"]
    loads = []
    clock = 2.0
    for size in (10, 300):
        while True:
            with database.read() as session:
                last = session.query(AttemptEvent.seq).order_by(AttemptEvent.seq.desc()).first()
            if last is not None and last[0] >= size:
                break
            clock += 2.0
            phone.t = clock
            phone.post(SpeechResult="Mi scusi, chi parla?", Confidence="0.9")
        clock += 2.0
        phone.t = clock
        with counting_loaded_events() as loaded:
            phone.post(SpeechResult="Mi dice il suo numero di telefono?", Confidence="0.9")
        loads.append(len(loaded))
        assert "0971 234567" in phone.said()  # the caller answers the question asked
    assert loads[1] <= loads[0] <= 3
