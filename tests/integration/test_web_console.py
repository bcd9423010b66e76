"""A whole call through plain form posts, the JSON state, uploads, instructor pages, crash
safety and concurrency, on real SQLite (and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import io
import itertools
import threading
import time

import pytest
from sqlalchemy import func, select

from simulator import engine
from simulator.call_state import SNAPSHOT_VERSION
from simulator.errors import CallStateError
from simulator.events import Action
from simulator.practice import attempts
from simulator.store.models import Attempt, AttemptEvent, CallReport, Message, Score, User
from simulator.web.testing import (
    form_data,
    login,
    make_app,
    seed_users,
    url_for_backend,
)


def _post(client, url, page_html, **fields):
    return client.post(url, data=form_data(page_html, **fields))


def test_whole_call_by_form_posts(app, users):
    """Answer, greet, search, transfer (absent), message, report, hang up, score: no script."""
    client = app.test_client()
    login(client, "luca")
    home = client.get("/practice").get_data(as_text=True)
    started = _post(client, "/practice/web-messaggio/start", home)
    url = started.location.split("?")[0]
    act = f"{url}/action"
    page = client.get(url).get_data(as_text=True)
    assert "<title>Linea 1 squilla - Centralino</title>" in page
    assert "0971 234567" in page  # caller ID as text
    r = _post(client, act, page, kind="answer", line="l1")
    assert "focus=reply" in r.location
    page = client.get(r.location).get_data(as_text=True)
    assert "<title>Linea 1 in conversazione - Centralino</title>" in page
    assert "Linea 1 in conversazione." in page  # the status message
    assert "Chiamante:</span> <span>Buongiorno, sono Mario Rossi" in page
    r = _post(
        client, act, page, kind="say", text="Buongiorno, Acme Test. Vuole lasciare un messaggio?"
    )
    page = client.get(r.location).get_data(as_text=True)
    assert "richiamarmi per l&#39;ordine 4512" in page
    r = _post(client, act, page, kind="transfer", tool="transfer", intent="search", to="Bianki")
    assert "tool=transfer" in r.location and "q=Bianki" in r.location
    page = client.get(r.location).get_data(as_text=True)
    assert "Luca Bianchi, Amministrazione, int. 301: assente fino a lunedì 10:00" in page
    r = _post(
        client,
        act,
        page,
        kind="transfer",
        tool="transfer",
        target="bianchi-luca",
        mode="blind",
        line="l1",
    )
    page = client.get(r.location).get_data(as_text=True)
    assert "Interno assente: chiamata tua." in page
    r = _post(
        client,
        act,
        page,
        kind="take_message",
        tool="message",
        line="l1",
        **{"for": "Luca Bianchi"},
        caller="Mario Rossi",
        phone="0971 234567",
        text="Richiamare per l'ordine 4512",
    )
    page = client.get(r.location).get_data(as_text=True)
    r = _post(
        client,
        act,
        page,
        kind="report",
        tool="report",
        caller="Mario Rossi",
        reason="Cercava Bianchi, assente",
        outcome="messaggio preso",
    )
    page = client.get(r.location).get_data(as_text=True)
    r = _post(client, act, page, kind="hangup", line="l1")
    page = client.get(r.location).get_data(as_text=True)
    r = _post(client, f"{url}/finish", page)
    result = client.get(r.location).get_data(as_text=True)
    assert (
        '<h2 id="ra-1">superato: Filtrare e trasmettere telefonate e messaggi '
        '<span class="ra-code">(ADA.24.01.08.RA1)</span></h2>'
    ) in result
    assert "SUPERATO" in result and "Trascrizione" in result
    with app.extensions["centralino_db"].read() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1
        assert s.scalar(select(func.count()).select_from(CallReport)) == 1
        assert s.scalar(select(Score.passed)) is True


def test_missing_required_field_shows_error_in_tool(app, users):
    """An empty message pad re-renders with the error summary linked to the field."""
    client = app.test_client()
    login(client, "luca")
    attempt_id = attempts.start_attempt(
        app.extensions["centralino_db"], users["luca"], "web-messaggio"
    )
    page = client.get(f"/attempts/{attempt_id}?tool=message").get_data(as_text=True)
    r = _post(
        client, f"/attempts/{attempt_id}/action", page, kind="take_message", tool="message", text=""
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "<title>Errore:" in html and 'href="#message-for"' in html
    assert 'aria-describedby="message-for-error"' in html


def test_impossible_action_records_nothing(app, users):
    """Holding a ringing line is refused with a message and no event is stored."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    before = attempts.snapshot(database, attempt_id).last_seq
    with pytest.raises(CallStateError):
        attempts.act(database, attempt_id, Action("hold", "l1"))
    assert attempts.snapshot(database, attempt_id).last_seq == before


def test_state_endpoint_gives_new_entries_and_ring_alert(app, users):
    """The JSON state has the title, lines, new log entries and the ring for the alert."""
    client = app.test_client()
    login(client, "luca")
    attempt_id = attempts.start_attempt(
        app.extensions["centralino_db"], users["luca"], "web-due-linee"
    )
    data = client.get(f"/attempts/{attempt_id}/state?after=0").get_json()
    assert data["title"] == "Linea 1 squilla"
    assert data["alerts"] == ["Squilla linea 1: 06 5551234."]
    assert data["ringing"] is True
    later = client.get(f"/attempts/{attempt_id}/state?after={data['seq']}").get_json()
    assert later["alerts"] == [] or later["alerts"][0].startswith("Squilla linea 2")


def test_a_reply_is_shown_and_played_when_its_human_gap_has_passed(app, users):
    """The caller's reply is recorded with the trainee's words, a gap ahead of the clock; the
    state says how long until it is due, so the page neither shows it early nor late.

    The server's clock is bracketed by the test's clock before and after the request, so the
    expected delay is known within that bracket however slow the machine is.
    """
    client = app.test_client()
    login(client, "luca")
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    first = client.get(f"/attempts/{attempt_id}/state?after=0").get_json()
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    _post(client, f"/attempts/{attempt_id}/action", page, kind="answer", line="l1")
    seen = client.get(f"/attempts/{attempt_id}/state?after={first['seq']}").get_json()["seq"]
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    _post(client, f"/attempts/{attempt_id}/action", page, kind="say", text="Buongiorno, Acme Test.")
    before = time.time()
    data = client.get(f"/attempts/{attempt_id}/state?after={seen}").get_json()
    after = time.time()
    with database.read() as session:
        origin = session.get(Attempt, attempt_id).clock_origin
        reply = session.scalars(
            select(AttemptEvent)
            .where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "caller_said")
            .order_by(AttemptEvent.seq.desc())
        ).first()
    said = None
    for entry in data["entries"]:
        if f'data-seq="{reply.seq}"' in entry["html"]:
            said = entry
    audio = [item for item in data["audio"] if item["seq"] == reply.seq]
    assert said is not None and len(audio) == 1
    trainee = max(e.t for e in _events(database, attempt_id) if e.actor == "trainee")
    assert 0.3 <= reply.t - trainee <= 1.5  # the human gap the engine drew
    latest = max(0, round((reply.t - (before - origin)) * 1000))
    earliest = max(0, round((reply.t - (after - origin)) * 1000))
    for item in (said, audio[0]):
        assert earliest - 1 <= item["due_ms"] <= latest + 1


def _events(database, attempt_id):
    with database.read() as session:
        return list(
            session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id))
        )


def test_second_line_rings_while_talking(app, users):
    """Time passes (engine.advance on read): line 2 rings during the call on line 1."""
    database = app.extensions["centralino_db"]
    now = [1000.0]
    attempt_id = attempts.start_attempt(
        database, users["luca"], "web-due-linee", clock=lambda: now[0]
    )
    attempts.act(database, attempt_id, Action("answer", "l1"), clock=lambda: now[0])
    now[0] += 5
    snap = attempts.tick(database, attempt_id, clock=lambda: now[0])
    statuses = {line: state.status for line, state in snap.state.lines.items()}
    assert statuses == {"l1": "talking", "l2": "ringing"}
    foreign = [e for _, e in snap.events if e.kind == "ring" and e.line == "l2"]
    assert foreign and foreign[0].t == pytest.approx(2.0)


CRASHING_WORKER = """
import os, signal, sys
from simulator.events import Action
from simulator.practice import attempts
from simulator.store.db import Database
from simulator.store.models import AttemptEvent
database = Database(sys.argv[1])
attempt_id = int(sys.argv[2])
attempts.act(database, attempt_id, Action("answer", "l1"))
attempts.act(database, attempt_id, Action("say", "l1", {"text": "Buongiorno"}))
with database.write() as session:
    session.add(AttemptEvent(attempt_id=attempt_id, seq=999, t=9.0, kind="hold", actor="trainee",
                             line="l1", data={}))
    session.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # the worker dies inside an open write transaction
"""


def test_a_worker_killed_mid_transaction_loses_nothing_already_recorded(app, users):
    """A real SIGKILL inside a write: committed events stay, the half-written one never lands."""
    import subprocess
    import sys

    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    died = subprocess.run(
        [sys.executable, "-c", CRASHING_WORKER, app.config["DATABASE_URL"], str(attempt_id)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == -9, died.stderr
    events = attempts.snapshot(database, attempt_id).events
    kinds = [e.kind for _, e in events]
    assert "answer" in kinds and kinds.count("say") == 1
    assert all(seq != 999 for seq, _ in events)
    # and the call carries on from what was recorded
    after = attempts.act(database, attempt_id, Action("hold", "l1"))
    assert after.state.lines["l1"].status == "on_hold"


def test_crash_in_a_request_gives_a_500_page_and_keeps_events(app, users):
    """A corrupted stored event makes the request fail: an accessible 500 page, log intact."""
    client = app.test_client()
    login(client, "luca")
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    with database.write() as s:
        row = s.get(Attempt, attempt_id)
        row.last_seq += 1
        row.state_json = None  # no shortcut: the state must be replayed, and replay will fail
        s.add(AttemptEvent(attempt_id=attempt_id, seq=row.last_seq, t=3.0, kind="teleport",
                           actor="trainee", line="l1", data={}))  # fmt: skip
    r = _post(client, f"/attempts/{attempt_id}/action", page, kind="say", text="Pronto")
    assert r.status_code == 500
    assert "Quanto hai già fatto è stato salvato" in r.get_data(as_text=True)
    with database.read() as s:
        kinds = s.scalars(
            select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)
        ).all()
    assert "answer" in kinds and "say" not in kinds


def test_concurrent_posts_never_duplicate_seq(app, users):
    """Two threads acting on one attempt: every action recorded once, seq strictly 1..n."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    errors: list[BaseException] = []
    later = itertools.count(10, 10)  # every action 10 s after the one before

    def speak(who: str) -> None:
        try:
            for i in range(8):
                # A question the caller answers, each after the caller's last reply (sixteen odd
                # sentences fired over its replies would use up its patience).
                text = f"Chi parla, scusi? {who} {i}"
                action = Action("say", "l1", {"text": text})
                attempts.act(database, attempt_id, action, clock=lambda: time.time() + next(later))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=speak, args=(name,)) for name in ("uno", "due")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    with database.read() as s:
        seqs = s.scalars(
            select(AttemptEvent.seq)
            .where(AttemptEvent.attempt_id == attempt_id)
            .order_by(AttemptEvent.seq)
        ).all()
    assert seqs == list(range(1, len(seqs) + 1))
    said = [e for _, e in attempts.snapshot(database, attempt_id).events if e.kind == "say"]
    assert len(said) == 16


def test_concurrent_http_clients(app, users):
    """The same through HTTP: two clients of one trainee posting at once."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    statuses: list[int] = []

    def client_run() -> None:
        client = app.test_client()
        login(client, "luca")
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        for i in range(5):
            r = _post(client, f"/attempts/{attempt_id}/action", page, kind="say", text=f"ciao {i}")
            statuses.append(r.status_code)

    threads = [threading.Thread(target=client_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 10
    said = [e for _, e in attempts.snapshot(database, attempt_id).events if e.kind == "say"]
    assert len(said) == 10


def test_upload_errors_with_line_numbers(app, users):
    """A broken YAML upload lists each problem with its line in an error summary."""
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/upload").get_data(as_text=True)
    bad = b"id: rotto\ntitle: Rotto\nfamily: smistamento\nlanguage: it-IT\nlevel: 9\n"
    r = client.post(
        "/instructor/upload",
        data={**form_data(page, intent="check"), "scenario": (io.BytesIO(bad), "rotto.yaml")},
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "<title>Errore:" in html and 'id="error-summary"' in html
    assert "Riga 5, colonna" in html
    # Each error links to its line in a read-only view of the file as uploaded.
    assert 'href="#line-5"' in html
    assert '<li id="line-5" tabindex="-1" class="source-view__error">' in html
    assert "<code>level: 9</code>" in html
    assert '<li id="line-2" tabindex="-1"><code>title: Rotto</code></li>' in html


def test_upload_rejects_non_utf8_and_oversize(app, users):
    """Latin-1 bytes and files over the limit are refused with a message."""
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/upload").get_data(as_text=True)
    latin = "id: caffè\n".encode("latin-1")
    r = client.post(
        "/instructor/upload",
        data={**form_data(page, intent="check"), "scenario": (io.BytesIO(latin), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400 and "UTF-8" in r.get_data(as_text=True)
    big = b"# " + b"x" * (300 * 1024)
    r = client.post(
        "/instructor/upload",
        data={**form_data(page, intent="check"), "scenario": (io.BytesIO(big), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert r.status_code in (400, 413) and "grande" in r.get_data(as_text=True)


def test_upload_adds_new_version_and_old_attempts_keep_theirs(app, users):
    """A changed scenario becomes a new version; an attempt keeps the version it played."""
    database = app.extensions["centralino_db"]
    old_attempt = attempts.start_attempt(database, users["luca"], "web-messaggio")
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/upload").get_data(as_text=True)
    from simulator.web.testing import FIXTURES

    source = (FIXTURES / "smistamento-messaggio.yaml").read_text(encoding="utf-8")
    changed = source.replace("title: Messaggio per il signor Bianchi", "title: Messaggio v2")
    r = client.post(
        "/instructor/upload",
        data={
            **form_data(page, intent="add"),
            "scenario": (io.BytesIO(changed.encode()), "v2.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    new_attempt = attempts.start_attempt(database, users["luca"], "web-messaggio")
    assert attempts.snapshot(database, old_attempt).scenario.title == (
        "Messaggio per il signor Bianchi"
    )
    assert attempts.snapshot(database, new_attempt).scenario.title == "Messaggio v2"


def test_instructor_dashboard_attempt_detail_and_accommodations(app, users):
    """Results per RA in a captioned table; attempt detail; multiplier saved and used."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.finish(database, attempt_id)
    client = app.test_client()
    login(client, "ada")
    html = client.get("/instructor/").get_data(as_text=True)
    assert "<caption" in html and 'scope="col">ADA.24.01.08.RA1' in html
    assert "non superato" in html
    detail = client.get(f"/instructor/attempts/{attempt_id}").get_data(as_text=True)
    assert "Trascrizione" in detail and "Consiglio" in detail
    page = client.get(f"/instructor/trainees/{users['luca']}").get_data(as_text=True)
    r = _post(
        client,
        f"/instructor/trainees/{users['luca']}/accommodations",
        page,
        time_multiplier="2.0",
        voice_mode="both",
        shortcuts="on",
    )
    assert r.status_code == 302
    second = attempts.start_attempt(database, users["luca"], "web-messaggio")
    assert attempts.snapshot(database, second).state.multiplier == 2.0


def test_create_trainee_assign_and_start(app, users):
    """An instructor creates a trainee and assigns a scenario the trainee can then start."""
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/trainees/new").get_data(as_text=True)
    r = _post(
        client,
        "/instructor/trainees/new",
        page,
        display_name="Nina Neri",
        username="nina",
        password="password-nina-1",
    )
    trainee_url = r.location
    page = client.get(trainee_url).get_data(as_text=True)
    r = client.post(
        f"{trainee_url}/assignments", data={**form_data(page), "scenario": ["web-due-linee"]}
    )
    assert r.status_code == 302
    nina = app.test_client()
    login(nina, "nina", "password-nina-1")
    assert "Due linee insieme" in nina.get("/practice").get_data(as_text=True)


def test_gdpr_export_and_delete(app, users):
    """Export gives every attempt and event as JSON; delete removes user, attempts, events."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    client = app.test_client()
    login(client, "ada")
    exported = client.get(f"/instructor/trainees/{users['luca']}/export")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    data = exported.get_json(force=True)
    assert data["user"]["username"] == "luca"
    assert data["attempts"][0]["events"][0]["kind"] == "session_started"
    page = client.get(f"/instructor/trainees/{users['luca']}").get_data(as_text=True)
    r = _post(client, f"/instructor/trainees/{users['luca']}/delete", page, confirm_username="luca")
    assert r.status_code == 302
    with database.read() as s:
        assert s.get(User, users["luca"]) is None
        count = s.scalar(select(func.count()).select_from(AttemptEvent))
    assert count == 0


def test_score_page_names_criteria_by_title_and_says_what_was_not_judged(app, users):
    """An empty call (answer, hang up): titles, RA title with code, 'Non valutabile' for forms."""
    client = app.test_client()
    login(client, "luca")
    home = client.get("/practice").get_data(as_text=True)
    started = _post(client, "/practice/web-messaggio/start", home)
    url = started.location.split("?")[0]
    page = client.get(url).get_data(as_text=True)
    r = _post(client, f"{url}/action", page, kind="answer", line="l1")
    page = client.get(r.location).get_data(as_text=True)
    r = _post(client, f"{url}/action", page, kind="hangup", line="l1")
    page = client.get(r.location).get_data(as_text=True)
    r = _post(client, f"{url}/finish", page)
    result = client.get(r.location).get_data(as_text=True)
    assert "<h3>Non superato: Apre con saluto e azienda</h3>" in result
    assert "<h3>Non valutabile: Messaggio completo</h3>" in result
    assert "Non valutabile: nessun messaggio compilato." in result
    assert (
        '<h2 id="ra-1">non superato: Filtrare e trasmettere telefonate e messaggi '
        '<span class="ra-code">(ADA.24.01.08.RA1)</span></h2>'
    ) in result
    client.get("/lang/en")
    english = client.get(r.location).get_data(as_text=True)
    assert "<h3>Not judged: Complete message</h3>" in english
    assert "Not judged: no message filed." in english


def test_english_console(app, users):
    """The console switches to English, caller lines keep their own language."""
    client = app.test_client()
    login(client, "luca")
    client.get("/lang/en")
    attempt_id = attempts.start_attempt(
        app.extensions["centralino_db"], users["luca"], "web-due-linee"
    )
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "<title>Line 1 ringing - Centralino</title>" in html
    assert "Your reply (Operator)" in html


@pytest.mark.parametrize("free", [True, False])
def test_free_practice_opens_the_library_unless_the_school_turns_it_off(tmp_path, free):
    """A new trainee with nothing assigned can practise the library; a school can restrict it."""
    app = make_app(url_for_backend("sqlite", tmp_path), tmp_path, FREE_PRACTICE=free)
    try:
        seed_users(app, trainees=("nuovo",), scenarios=[])
        client = app.test_client()
        login(client, "nuovo")
        home = client.get("/practice").get_data(as_text=True)
        assert ("Esercitazione libera" in home) is free
        started = _post(client, "/practice/web-messaggio/start", home)
        assert started.status_code == (302 if free else 404)
    finally:
        app.extensions["centralino_db"].dispose()


def test_state_snapshot_is_a_shortcut_and_replay_stays_the_truth(app, users):
    """Each append stores the engine state; a stale or unreadable snapshot falls back to replay."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    attempts.act(database, attempt_id, Action("say", "l1", {"text": "Buongiorno, chi parla?"}))
    attempts.act(database, attempt_id, Action("hold", "l1"))
    with database.read() as s:
        row = s.get(Attempt, attempt_id)
        assert row.state_seq == row.last_seq and row.state_json is not None
    from_snapshot = attempts.snapshot(database, attempt_id)
    replayed = engine.replay(
        from_snapshot.scenario, from_snapshot.company, [e for _, e in from_snapshot.events]
    )
    assert from_snapshot.state.lines["l1"].status == replayed.lines["l1"].status == "on_hold"
    with database.write() as s:
        row = s.get(Attempt, attempt_id)
        row.state_json = {"v": -1}  # a snapshot from another version of Centralino
    after = attempts.act(database, attempt_id, Action("resume", "l1"))
    assert after.state.lines["l1"].status == "talking"
    with database.read() as s:
        assert s.get(Attempt, attempt_id).state_json["v"] == SNAPSHOT_VERSION


def test_hold_warning_is_an_alert_not_a_log_line(app, users):
    """Before a held caller hangs up the console alerts once, in every voice mode."""
    from simulator.web import console_view

    database = app.extensions["centralino_db"]
    now = [1000.0]

    def clock():
        return now[0]

    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio", clock=clock)
    attempts.act(database, attempt_id, Action("answer", "l1"), clock=clock)
    attempts.act(database, attempt_id, Action("hold", "l1"), clock=clock)
    now[0] += 75  # default patience 90 s, warning 20 s before
    snap = attempts.tick(database, attempt_id, clock=clock)
    with app.test_request_context():
        view = console_view.build(snap)
    texts = [text for _, text in view.alerts]
    assert "Linea 1 sta per riattaccare." in texts
    assert all(len(text) <= 40 for text in texts)  # one 40-cell Braille line
    assert not any("riattaccare" in entry.text for entry in view.entries)


def test_upload_tries_a_scripted_trainee_without_storing_anything(app, users):
    """Check a scenario with a script: its score and the expect difference, no attempt kept."""
    from simulator.web.testing import FIXTURES

    database = app.extensions["centralino_db"]
    with database.read() as s:
        before = s.scalar(select(func.count()).select_from(Attempt))
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/upload").get_data(as_text=True)
    source = (FIXTURES / "smistamento-messaggio.yaml").read_bytes()
    script = (
        b"scenario: web-messaggio\nexpect:\n  passes: all\nturns:\n"
        b'  - {at: 2, do: answer}\n  - {at: 4, say: "Pronto?"}\n'
    )
    r = client.post(
        "/instructor/upload",
        data={
            **form_data(page, intent="check"),
            "scenario": (io.BytesIO(source), "messaggio.yaml"),
            "script": (io.BytesIO(script), "debole.yaml"),
        },
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert "Prova con l'allievo simulato «debole.yaml»" in html
    assert "L'esito differisce da quello atteso (expect):" in html
    assert "atteso ADA.24.04.11.RA1 superato, invece non superato" in html
    assert "Esito complessivo" in html and "NON SUPERATO" in html
    broken = script.replace(b"do: answer", b"do: answr")
    r = client.post(
        "/instructor/upload",
        data={
            **form_data(page, intent="check"),
            "scenario": (io.BytesIO(source), "messaggio.yaml"),
            "script": (io.BytesIO(broken), "debole.yaml"),
        },
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Riga 5, colonna 17" in html and "azione sconosciuta" in html and "forse" in html
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Attempt)) == before


def test_the_same_scenario_over_a_changed_company_is_a_new_version(app, users):
    """A file stored again after its company changed becomes a version of its own (old attempts
    keep the company they played); it used to break the uniqueness rule."""
    from simulator.practice.library import store_scenario
    from simulator.store.models import ScenarioVersion
    from tests.library import library

    scenario = library().scenarios["smistamento-due-linee"].scenario
    company = library().companies[scenario.company]
    moved = company.model_copy(update={"name": f"{company.name} Srl"})
    source = f"# {scenario.id}\nid: {scenario.id}\n"
    database = app.extensions["centralino_db"]
    with database.write() as session:
        first, created_first = store_scenario(session, scenario, source, "s.yaml", company)
        second, created_second = store_scenario(session, scenario, source, "s.yaml", moved)
        again, created_again = store_scenario(session, scenario, source, "s.yaml", moved)
        assert created_first and created_second and not created_again
        assert first.id != second.id and again.id == second.id
        assert first.company_version_id != second.company_version_id
        rows = session.scalars(
            select(ScenarioVersion).where(
                ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.sha256 == first.sha256
            )
        ).all()
        assert sorted(row.current for row in rows) == [False, True]
        # A file checked but not added (an instructor's trial) never changes what trainees play.
        checked, created_checked = store_scenario(
            session, scenario, source + "# v2\n", "s.yaml", moved, current=False
        )
        assert created_checked and not checked.current and second.current
