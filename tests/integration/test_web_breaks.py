"""Breaks at the console on a real app and database, with a clock the test moves (no sleeping):
two hours of continuous practice bring the pause reminder after the call in progress, never
during it; the time to the pause is said on request; the instructor sees practice today."""

from __future__ import annotations

import time

from simulator.events import Action
from simulator.practice import attempts
from simulator.practice.practice_time import day_start
from simulator.web.testing import form_data, login, make_app, seed_users, url_for_backend

MINUTE = 60.0


class MovableClock:
    """Epoch seconds the test sets; starts tomorrow at 08:00 so the real clock stays behind it."""

    def __init__(self) -> None:
        self.base = day_start(time.time()) + 86_400 + 8 * 3600
        self.now = self.base

    def at(self, minutes: float) -> MovableClock:
        self.now = self.base + minutes * MINUTE
        return self

    def __call__(self) -> float:
        return self.now


def practise(app, trainee: int, clock: MovableClock, start: float, end: float, finish: bool):
    """A session from minute ``start`` to ``end``: answered, then finished or paused at ``end``
    (a paused call is still a call in progress)."""
    db = app.extensions["centralino_db"]
    attempt = attempts.start_attempt(db, trainee, "web-messaggio", clock=clock.at(start))
    attempts.act(
        db, attempt, Action("answer", "l1"), trainee_id=trainee, clock=clock.at(start + 0.25)
    )
    if finish:
        attempts.finish(db, attempt, trainee_id=trainee, clock=clock.at(end))
    else:
        attempts.act(db, attempt, Action("pause"), trainee_id=trainee, clock=clock.at(end))
    return attempt


def test_two_hours_of_practice_remind_a_pause_after_the_call_never_during(tmp_path) -> None:
    clock = MovableClock()
    app = make_app(url_for_backend("sqlite", tmp_path), tmp_path, PRACTICE_CLOCK=clock)
    users = seed_users(app)
    client = app.test_client()
    login(client, "luca")

    first = practise(app, users["luca"], clock, 0, 60, finish=True)
    result = client.get(f"/attempts/{first}/result").get_data(as_text=True)
    assert 'id="pause-reminder"' not in result
    home = client.get("/practice").get_data(as_text=True)
    assert (
        "Pratica di oggi: 1 h 00 min. Pausa tra 1 h 00 min (1 h 00 min di pratica continua)."
        in home
    )

    second = practise(app, users["luca"], clock, 62, 121, finish=False)
    console = client.get(f"/attempts/{second}").get_data(as_text=True)
    assert 'id="pause-reminder"' not in console  # a call in progress is never interrupted
    asked = client.get(f"/attempts/{second}/ask?what=pause", headers={"X-Requested-With": "fetch"})
    assert asked.get_json()["message"].startswith("Pausa dovuta: 15 min")

    attempts.finish(app.extensions["centralino_db"], second, clock=clock.at(122))
    result = client.get(f"/attempts/{second}/result").get_data(as_text=True)
    assert 'id="pause-reminder" data-announce="status"' in result
    assert "Pausa dovuta: 15 min, togli la cuffia." in result

    instructor = app.test_client()
    login(instructor, "ada")
    dashboard = instructor.get("/instructor/").get_data(as_text=True)
    row = dashboard[dashboard.index(">Luca</a>") :].split("</tr>")[0]
    assert "1 h 59 min, pausa dovuta" in row  # 60 min, then 59 until the pause button
    other = dashboard[dashboard.index(">Marta</a>") :].split("</tr>")[0]
    assert "<td>0 min</td>" in other

    clock.at(140)  # eighteen minutes away from the console: a pause taken
    home = client.get("/practice").get_data(as_text=True)
    assert 'id="pause-reminder"' not in home
    assert "Pausa tra 2 h 00 min (0 min di pratica continua)." in home


def test_the_school_chooses_a_shorter_stretch(tmp_path) -> None:
    clock = MovableClock()
    app = make_app(
        url_for_backend("sqlite", tmp_path), tmp_path, PRACTICE_CLOCK=clock, BREAK_AFTER_MINUTES=30
    )
    users = seed_users(app)
    client = app.test_client()
    login(client, "marta")
    attempt = practise(app, users["marta"], clock, 0, 31, finish=True)
    result = client.get(f"/attempts/{attempt}/result").get_data(as_text=True)
    assert "Pausa dovuta" in result


def test_the_call_that_ends_the_stretch_says_the_pause_in_its_own_message(tmp_path) -> None:
    clock = MovableClock()
    app = make_app(url_for_backend("sqlite", tmp_path), tmp_path, PRACTICE_CLOCK=clock)
    users = seed_users(app)
    luca = users["luca"]
    db = app.extensions["centralino_db"]
    client = app.test_client()
    login(client, "luca")
    practise(app, luca, clock, 0, 110, finish=True)

    talking = attempts.start_attempt(db, luca, "web-messaggio", clock=clock.at(120.5))
    attempts.act(db, talking, Action("answer", "l1"), trainee_id=luca, clock=clock.at(120.6))
    clock.at(121)
    page = client.get(f"/attempts/{talking}").get_data(as_text=True)
    assert "Pausa dovuta" not in page  # two hours are up, but a call is in progress
    hung_up = client.post(
        f"/attempts/{talking}/action",
        data=form_data(page, kind="hangup", line="l1"),
        headers={"X-Requested-With": "fetch"},
    ).get_json()
    assert hung_up["message"] == "Linea 1 chiusa. Pausa dovuta: 15 min, togli la cuffia."

    # A caller who hangs up on the next call: the poll's notice of the hang-up carries it.
    waiting = attempts.start_attempt(db, luca, "web-messaggio", clock=clock.at(122))
    seen = attempts.act(
        db, waiting, Action("answer", "l1"), trainee_id=luca, clock=clock.at(122.1)
    ).last_seq
    attempts.tick(db, waiting, trainee_id=luca, clock=clock.at(130))  # silence: caller gives up
    state = client.get(f"/attempts/{waiting}/state?after={seen}").get_json()
    ended = [n["text"] for n in state["notices"] if "riattaccato" in n["text"]]
    assert len(ended) == 1 and ended[0].endswith("Pausa dovuta: 15 min, togli la cuffia.")
