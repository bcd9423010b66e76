"""An instructor tries a scenario in the real console: a trial counted nowhere and purged, on real
SQLite (and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import func, select

from simulator.practice import attempts, lti_grades, trials
from simulator.store.models import Attempt, AttemptEvent, Message, ScenarioVersion, Score
from simulator.web.testing import FIXTURES, form_data, login


def _post(client, url, page_html, **fields):
    return client.post(url, data=form_data(page_html, **fields))


def _upload(client, source: bytes, name: str = "nuovo.yaml", **files):
    page = client.get("/instructor/upload").get_data(as_text=True)
    data = {**form_data(page, intent="check"), "scenario": (io.BytesIO(source), name), **files}
    return client.post("/instructor/upload", data=data, content_type="multipart/form-data")


def _new_scenario() -> bytes:
    source = (FIXTURES / "smistamento-messaggio.yaml").read_text(encoding="utf-8")
    return (
        source.replace("id: web-messaggio", "id: web-prova-nuova")
        .replace("title: Messaggio per il signor Bianchi", "title: Scenario appena scritto")
        .encode()
    )


def _play_a_message(client, console_url: str) -> str:
    """Answer, take a message, finish: the result page's HTML."""
    page = client.get(console_url).get_data(as_text=True)
    act = f"{console_url}/action"
    r = _post(client, act, page, kind="answer", line="l1")
    page = client.get(r.location).get_data(as_text=True)
    _post(
        client,
        act,
        page,
        kind="take_message",
        line="l1",
        tool="message",
        **{"for": "Luca Bianchi", "caller": "Mario Rossi", "text": "Richiamare per l'ordine 4512"},
    )
    page = client.get(console_url).get_data(as_text=True)
    r = _post(client, f"{console_url}/finish", page)
    assert r.status_code == 302 and r.location.endswith("/result")
    return client.get(r.location).get_data(as_text=True)


def test_a_checked_scenario_is_tried_in_the_console_and_counted_nowhere(app, users):
    """Check, try in the console, play, score: trainees never see the scenario, the class view,
    the trainee pages and the exports show no trace, and no grade is queued."""
    database = app.extensions["centralino_db"]
    client = app.test_client()
    login(client, "ada")
    r = _upload(client, _new_scenario())
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert "Nessun problema" in html
    action = re.search(r'action="(/instructor/scenarios/\d+/try)"', html)
    assert action is not None, html
    r = _post(client, action.group(1), html)
    assert r.status_code == 302 and "/attempts/" in r.location
    console_url = r.location.split("?")[0]
    page = client.get(console_url).get_data(as_text=True)
    assert "Scenario appena scritto" in page and 'id="trial-notice"' in page
    result = _play_a_message(client, console_url)
    assert 'id="trial-notice"' in result and "Esito complessivo" in result
    assert 'href="/instructor/upload"' in result
    attempt_id = int(console_url.rsplit("/", 1)[1])
    with database.read() as s:
        assert trials.is_trial(s, attempt_id)
        assert s.scalar(select(Score).where(Score.attempt_id == attempt_id)) is not None
        assert s.scalar(select(func.count()).select_from(Message)) == 1
        # Not in the library trainees play from.
        version = s.scalar(
            select(ScenarioVersion).where(ScenarioVersion.scenario_id == "web-prova-nuova")
        )
        assert version is not None and not version.current
        assert lti_grades.queue_grade(s, attempt_id, {"passed": True}) is None
    dashboard = client.get("/instructor/").get_data(as_text=True)
    assert "Scenario appena scritto" not in dashboard
    for name in ("luca", "marta"):
        trainee = client.get(f"/instructor/trainees/{users[name]}").get_data(as_text=True)
        assert f"/instructor/attempts/{attempt_id}" not in trainee
        export = json.loads(client.get(f"/instructor/trainees/{users[name]}/export").data)
        assert export["attempts"] == []
    # The instructor's attempt page is for trainees' attempts only.
    assert client.get(f"/instructor/attempts/{attempt_id}").status_code == 404
    trainee_client = app.test_client()
    login(trainee_client, "luca")
    practice = trainee_client.get("/practice").get_data(as_text=True)
    assert "Scenario appena scritto" not in practice
    assert trainee_client.get(console_url).status_code == 404  # another user's call
    assert trainee_client.post("/practice/web-prova-nuova/start").status_code in (400, 404)


def test_a_new_trial_purges_the_previous_one(app, users):
    """Each instructor keeps one trial: the next one deletes its events, records and score;
    trainees' attempts of the same scenario stay."""
    database = app.extensions["centralino_db"]
    with database.read() as s:
        version_id = s.scalar(
            select(ScenarioVersion.id).where(ScenarioVersion.scenario_id == "web-messaggio")
        )
    kept = attempts.start_attempt(database, users["luca"], "web-messaggio")
    first = trials.start_trial(database, users["ada"], version_id)
    attempts.finish(database, first, trainee_id=users["ada"])
    second = trials.start_trial(database, users["ada"], version_id)
    with database.read() as s:
        owned = list(s.scalars(select(Attempt).where(Attempt.trainee_id == users["ada"])))
        assert [a.id for a in owned] == [second]
        # SQLite may give the new trial the purged one's id: count what the owner has left.
        events = s.scalar(
            select(func.count())
            .select_from(AttemptEvent)
            .join(Attempt, Attempt.id == AttemptEvent.attempt_id)
            .where(Attempt.trainee_id == users["ada"])
        )
        assert events == owned[0].last_seq  # only the new trial's opening events
        assert s.scalar(select(Score).where(Score.attempt_id.in_([first, second]))) is None
        assert s.get(Attempt, kept) is not None


def test_trainees_cannot_start_trials_and_instructors_only_their_own(app, users):
    """The try route is the instructor's (403 for a trainee, CSRF required); the service refuses
    a trainee as owner; an unknown version is 404."""
    database = app.extensions["centralino_db"]
    with database.read() as s:
        version_id = s.scalar(select(ScenarioVersion.id))
    trainee = app.test_client()
    login(trainee, "luca")
    home = trainee.get("/practice").get_data(as_text=True)
    assert _post(trainee, f"/instructor/scenarios/{version_id}/try", home).status_code == 403
    try:
        trials.start_trial(database, users["luca"], version_id)
    except trials.NotAnInstructor:
        pass
    else:
        raise AssertionError("a trainee started a trial")
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/").get_data(as_text=True)
    assert client.post(f"/instructor/scenarios/{version_id}/try").status_code == 400  # no CSRF
    assert _post(client, "/instructor/scenarios/999999/try", page).status_code == 404
    r = _post(client, f"/instructor/scenarios/{version_id}/try", page)
    assert r.status_code == 302
    # A trainee's attempt cannot be opened in the instructor's console.
    real = attempts.start_attempt(database, users["luca"], "web-messaggio")
    assert client.get(f"/attempts/{real}").status_code == 404


def test_adding_a_tried_scenario_makes_that_version_current(app, users):
    """Check (stored as not current), then add: the same version becomes the library's."""
    database = app.extensions["centralino_db"]
    client = app.test_client()
    login(client, "ada")
    source = _new_scenario()
    assert _upload(client, source).status_code == 200
    page = client.get("/instructor/upload").get_data(as_text=True)
    r = client.post(
        "/instructor/upload",
        data={**form_data(page, intent="add"), "scenario": (io.BytesIO(source), "nuovo.yaml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    with database.read() as s:
        rows = list(
            s.scalars(
                select(ScenarioVersion).where(ScenarioVersion.scenario_id == "web-prova-nuova")
            )
        )
        assert len(rows) == 1 and rows[0].current


def test_several_scripted_trainees_tried_in_one_check(app, users):
    """Two scripts: each its own report, the one whose expect differs says how."""
    client = app.test_client()
    login(client, "ada")
    weak = b"scenario: web-messaggio\nexpect: {passes: all}\nturns:\n  - {at: 2, do: answer}\n"
    idle = (
        b"scenario: web-messaggio\nexpect: {fails: [ADA.24.04.11.RA1]}\n"
        b"turns:\n  - {at: 2, do: answer}\n"
    )
    source = (FIXTURES / "smistamento-messaggio.yaml").read_bytes()
    page = client.get("/instructor/upload").get_data(as_text=True)
    r = client.post(
        "/instructor/upload",
        data={
            **form_data(page, intent="check"),
            "scenario": (io.BytesIO(source), "messaggio.yaml"),
            "script": [(io.BytesIO(weak), "debole.yaml"), (io.BytesIO(idle), "fermo.yaml")],
        },
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert "«debole.yaml»" in html and "«fermo.yaml»" in html
    assert "2 allievi simulati provati:" in html and "1 con differenze da expect." in html


def test_a_broken_script_links_each_error_to_its_line_in_its_own_view(app, users):
    """The script's problems link to their lines in a read-only view of the script (not of the
    valid scenario), named by file."""
    client = app.test_client()
    login(client, "ada")
    broken = (
        b"scenario: web-messaggio\nturns:\n  - {at: 2, do: answr}\n"
        b"  - {at: 4, say: Buongiorno, line: l9}\n"
    )
    source = (FIXTURES / "smistamento-messaggio.yaml").read_bytes()
    page = client.get("/instructor/upload").get_data(as_text=True)
    r = client.post(
        "/instructor/upload",
        data={
            **form_data(page, intent="check"),
            "scenario": (io.BytesIO(source), "messaggio.yaml"),
            "script": [(io.BytesIO(broken), "rotto.yaml")],
        },
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'href="#s1-line-3">rotto.yaml: Riga 3, colonna' in html
    assert 'href="#s1-line-4">rotto.yaml: Riga 4, colonna' in html
    assert "Il file «rotto.yaml», in sola lettura" in html
    assert '<li id="s1-line-3" tabindex="-1" class="source-view__error">' in html
    assert 'id="line-1"' not in html  # the valid scenario is not shown


def test_a_trial_left_behind_is_purged_a_day_later(app, users):
    """An instructor who never starts another trial does not keep one forever: a day after it
    started it goes, with its events; a fresh trial and trainees' attempts stay."""
    from datetime import timedelta

    from simulator.store.models import utcnow

    database = app.extensions["centralino_db"]
    with database.read() as s:
        version_id = s.scalar(
            select(ScenarioVersion.id).where(ScenarioVersion.scenario_id == "web-messaggio")
        )
    kept = attempts.start_attempt(database, users["luca"], "web-messaggio")
    trial = trials.start_trial(database, users["ada"], version_id)
    with database.write() as s:
        assert trials.purge_stale(s) == 0  # started just now
    with database.write() as s:
        assert trials.purge_stale(s, now=utcnow() + timedelta(hours=25)) == 1
    with database.read() as s:
        assert s.get(Attempt, trial) is None
        assert (
            s.scalar(
                select(func.count())
                .select_from(AttemptEvent)
                .where(AttemptEvent.attempt_id == trial)
            )
            == 0
        )
        assert s.get(Attempt, kept) is not None
