"""What the console says and when, through the real app on real SQLite: notices in the JSON
state, the message of an action that causes an automatic hold, status on demand (with and
without the script), ``lang`` on foreign-language text, timestamps hidden from screen readers."""

from __future__ import annotations

import re
import time

from simulator.events import Action
from simulator.practice import attempts
from simulator.web import on_demand
from simulator.web.testing import form_data, login


def _start(app, users, scenario="web-due-linee", clock=None):
    database = app.extensions["centralino_db"]
    kwargs = {"clock": clock} if clock else {}
    return database, attempts.start_attempt(database, users["luca"], scenario, **kwargs)


def test_answering_a_second_line_says_the_automatic_hold_once(app, users):
    """The answer's JSON message names both lines and covers the hold event; the poll's
    notices then carry the hold only with its seq, which the script drops as covered."""
    # Started 10 s ago on the real clock (the app's requests use it): line 2 is ringing.
    database, attempt_id = _start(app, users, clock=lambda: time.time() - 10)
    client = app.test_client()
    login(client, "luca")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    act = f"/attempts/{attempt_id}/action"
    headers = {"X-Requested-With": "fetch"}
    r = client.post(act, data=form_data(page, kind="answer", line="l1"), headers=headers)
    assert r.get_json()["message"] == "Linea 1 in conversazione."
    before = attempts.snapshot(database, attempt_id).last_seq
    r = client.post(act, data=form_data(page, kind="answer", line="l2"), headers=headers)
    payload = r.get_json()
    assert payload["message"] == "Linea 2 in conversazione, 1 in attesa."
    assert len(payload["message"]) <= 40
    state = client.get(f"/attempts/{attempt_id}/state?after={before}").get_json()
    holds = [n for n in state["notices"] if n["text"] == "Linea 1 in attesa."]
    assert [n["seq"] for n in holds] == payload["covered"]
    # The log of the console says no "Sistema:" line for either.
    assert not any("Sistema" in entry["html"] for entry in state["entries"])


def test_caller_hang_up_is_a_notice_not_a_log_line(app, users):
    """A caller who hangs up is said by the status region in every voice mode."""
    database, attempt_id = _start(app, users, "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    before = attempts.snapshot(database, attempt_id).last_seq
    attempts.act(database, attempt_id, Action("hangup", "l1"))
    client = app.test_client()
    login(client, "luca")
    state = client.get(f"/attempts/{attempt_id}/state?after=0").get_json()
    assert state["seq"] > before
    assert all(len(n["text"]) <= 40 for n in state["notices"])
    assert not any("Sistema" in entry["html"] for entry in state["entries"])


def test_status_on_demand_with_and_without_script(app, users):
    """ "Stato delle linee" and "Ultima operazione": JSON for the script, a flashed status
    message on the plain page; running times in words, only here."""
    database, attempt_id = _start(app, users)
    attempts.act(database, attempt_id, Action("answer", "l1"))
    client = app.test_client()
    login(client, "luca")
    r = client.get(f"/attempts/{attempt_id}/ask?what=lines", headers={"X-Requested-With": "fetch"})
    text = r.get_json()["message"]
    assert re.match(r"^Linea 1 in conversazione da \d+ second[oi], 06 5551234", text)
    r = client.get(f"/attempts/{attempt_id}/ask?what=last")
    assert r.status_code == 302
    page = client.get(r.location).get_data(as_text=True)
    assert re.search(r"Ultima operazione: risposta alla linea 1, \d+ second[oi] fa\.", page)
    assert client.get(f"/attempts/{attempt_id}/ask?what=nonsense").status_code == 400


def test_spoken_durations_read_as_words(app):
    with app.test_request_context():
        assert on_demand.spoken_duration(1) == "1 secondo"
        assert on_demand.spoken_duration(42) == "42 secondi"
        assert on_demand.spoken_duration(60) == "1 minuto"
        assert on_demand.spoken_duration(125) == "2 minuti e 5 secondi"


def test_foreign_language_and_timestamps(app, users):
    """An English caller and the operator's English reply are marked lang="en-GB" in an Italian
    page; in the English interface the Italian scenario's title is marked lang="it-IT"; the
    log's times are hidden from screen readers in the console and readable on the score page."""
    database, attempt_id = _start(app, users)
    attempts.act(database, attempt_id, Action("answer", "l1"))
    client = app.test_client()
    login(client, "luca")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert '<span class="time" aria-hidden="true">' in page
    client.get("/lang/en?next=/practice")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert '<h1 lang="it-IT">Due linee insieme</h1>' in page
    assert '<span lang="it-IT">Buongiorno, vorrei parlare' in page


def test_activity_is_silent_and_a_silence_hang_up_is_alerted_first(app, users):
    """The script's "activity" post says nothing and moves no focus; before a silent caller
    hangs up, the console gets the same short alert as for a held caller."""
    from simulator.web import console_view

    database = app.extensions["centralino_db"]
    client = app.test_client()
    login(client, "luca")
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    attempts.act(database, attempt_id, Action("answer", "l1"))
    r = client.post(
        f"/attempts/{attempt_id}/action",
        data=form_data(page, kind="activity"),
        headers={"X-Requested-With": "fetch"},
    )
    payload = r.get_json()
    assert (payload["ok"], payload["message"], payload["focus"]) == (True, "", "")
    kinds = [e.kind for _, e in attempts.snapshot(database, attempt_id).events]
    assert kinds[-1] == "activity"  # recorded, so replay rebuilds the same timers
    now = [1000.0]
    other = attempts.start_attempt(database, users["luca"], "web-messaggio", clock=lambda: now[0])
    attempts.act(database, other, Action("answer", "l1"), clock=lambda: now[0])
    now[0] += 55  # default silence: prompts at 20 s and 40 s, warning at 50 s, hang-up at 60 s
    snap = attempts.tick(database, other, clock=lambda: now[0])
    with app.test_request_context():
        view = console_view.build(snap)
    assert [text for _, text in view.alerts][-1] == "Linea 1 sta per riattaccare."
    assert "caller_hangup" not in [e.kind for _, e in snap.events]
