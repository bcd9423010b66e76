"""Attacks on the web console, replayed against the real app under gunicorn: open redirects,
ids out of range, NUL bytes and over-long fields, a saved cookie after logout, trivial
passwords, and login guessing across workers."""

from __future__ import annotations

import pytest

from tests.integration.ivr_support import PASSWORD, SCENARIO
from tests.security.support import Browser, Server


@pytest.fixture
def browser(server: Server):
    client = Browser(server)
    yield client
    client.close()


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
    ],
)
def test_language_switch_never_redirects_off_site(browser: Browser, target: str):
    """``/lang/en?next=`` follows only same-origin paths; anything else goes to the home page."""
    response = browser.get(f"/lang/en?next={target}")
    assert response.status_code == 302, response.text[:300]
    location = response.headers["location"]
    assert location == "/", location


def test_nul_in_a_redirect_target_is_a_message(browser: Browser):
    response = browser.get("/lang/en?next=/%00/evil.example")
    assert response.status_code == 400 and "location" not in response.headers


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0a/evil.example", "//evil.example"])
def test_login_never_redirects_off_site(browser: Browser, target: str):
    """``POST /login?next=`` after a correct password lands on the trainee's home page."""
    html = browser.get("/login").text
    from simulator.web.testing import csrf_from

    response = browser.http.post(
        f"/login?next={target}",
        data={"csrf_token": csrf_from(html), "username": "marta", "password": PASSWORD},
    )
    assert response.status_code == 302, response.text[:300]
    assert response.headers["location"] == "/practice"


def test_a_same_site_next_is_still_followed(browser: Browser):
    response = browser.get("/lang/en?next=/help?x=1")
    assert response.headers["location"] == "/help?x=1"


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/99999999999999999999",
        "/attempts/9223372036854775808/state",
        "/attempts/2147483648/result",
    ],
)
def test_over_large_ids_are_404_for_trainees(browser: Browser, path: str):
    browser.login("marta")
    assert browser.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/instructor/attempts/9223372036854775808",
        "/instructor/trainees/99999999999999999999",
        "/instructor/trainees/9223372036854775808/export",
        "/ivr/trainees/9223372036854775808/phone",
    ],
)
def test_over_large_ids_are_404_for_instructors(browser: Browser, path: str):
    browser.login("ada")
    assert browser.get(path).status_code == 404


def test_nul_byte_in_a_reply_is_refused_with_a_message(browser: Browser, server: Server):
    """A NUL in a reply is a 400 with a message (PostgreSQL cannot store it), never a 500, and
    the attempt goes on."""
    browser.login("marta")
    attempt_id = browser.start()
    assert browser.act(attempt_id, kind="answer").status_code == 200
    refused = browser.act(attempt_id, kind="say", text="Buongiorno\x00 Acme")
    assert refused.status_code == 400
    assert "NUL" in refused.json()["message"]
    ok = browser.act(attempt_id, kind="say", text="Buongiorno, Acme, sono Marta")
    assert ok.status_code == 200 and ok.json()["ok"] is True


def test_nul_byte_in_a_message_form_keeps_the_page_working(browser: Browser):
    browser.login("marta")
    attempt_id = browser.start()
    browser.act(attempt_id, kind="answer")
    refused = browser.act(attempt_id, kind="take_message", **{"for": "Romano", "text": "a\x00b"})
    assert refused.status_code == 400


def test_over_long_reply_is_refused_not_cut(browser: Browser, server: Server):
    """5,000 characters: 400 with the limit in the message, nothing recorded (no silent cut)."""
    from simulator.practice import attempts

    browser.login("marta")
    attempt_id = browser.start()
    browser.act(attempt_id, kind="answer")
    before = attempts.snapshot(server.db, attempt_id).last_seq
    refused = browser.act(attempt_id, kind="say", text="parola " * 700)
    assert refused.status_code == 400
    assert "4000" in refused.json()["errors"]["text"]
    assert attempts.snapshot(server.db, attempt_id).last_seq == before


def test_over_long_plain_form_keeps_what_was_typed(browser: Browser):
    """Without the script: the console comes back 400 with the message and the text kept."""
    browser.login("marta")
    attempt_id = browser.start()
    browser.act(attempt_id, kind="answer")
    text = "lunga " * 800
    response = browser.http.post(
        f"/attempts/{attempt_id}/action",
        data={"csrf_token": browser.token, "kind": "say", "line": "", "text": text},
    )
    assert response.status_code == 400
    assert "Testo troppo lungo" in response.text
    assert text.strip() in response.text


def test_over_long_report_caller_is_refused(browser: Browser):
    """A field stored in a String(255) column: refused with its own limit (was a 500 on
    PostgreSQL)."""
    browser.login("marta")
    attempt_id = browser.start()
    browser.act(attempt_id, kind="answer")
    response = browser.act(attempt_id, kind="report", reason="ordine", caller="R" * 300)
    assert response.status_code == 400
    assert "255" in response.json()["errors"]["caller"]


def test_five_thousand_character_display_name_is_refused(browser: Browser):
    browser.login("ada")
    response = browser.form(
        "/instructor/trainees/new",
        page="/instructor/trainees/new",
        username="lungo",
        display_name="N" * 5000,
        password="tre parole a caso",
    )
    assert response.status_code == 400
    assert "120" in response.text


def test_nul_in_login_username_is_a_message_not_a_500(browser: Browser):
    response = browser.form("/login", username="ada\x00", password="qualcosa-di-lungo")
    assert response.status_code == 400
    assert "NUL" in response.text


def test_saved_cookie_stops_working_after_logout(server: Server):
    """A cookie copied before ``POST /logout`` no longer opens the console."""
    browser = Browser(server)
    browser.login("marta")
    saved = dict(browser.http.cookies)
    assert browser.get("/practice").status_code == 200
    html = browser.get("/practice").text
    from simulator.web.testing import csrf_from

    assert browser.http.post("/logout", data={"csrf_token": csrf_from(html)}).status_code == 302
    thief = Browser(server)
    thief.http.cookies.update(saved)
    response = thief.get("/practice")
    assert response.status_code == 302 and "/login" in response.headers["location"]
    browser.close()
    thief.close()


def test_saved_cookie_stops_working_after_a_password_change(server: Server):
    from simulator.practice import accounts

    browser = Browser(server)
    browser.login("marta")
    assert browser.get("/practice").status_code == 200
    with server.db.write() as session:
        accounts.change_password(session, server.ids["marta"], PASSWORD)
    response = browser.get("/practice")
    assert response.status_code == 302 and "/login" in response.headers["location"]
    assert browser.login("marta").status_code == 302
    browser.close()


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "qwertyuiop", "abcabcabcabc"])
def test_trivial_passwords_are_refused_with_a_message(browser: Browser, password: str):
    browser.login("ada")
    response = browser.form(
        "/instructor/trainees/new",
        page="/instructor/trainees/new",
        username="nuovo",
        display_name="Nuovo Allievo",
        password=password,
    )
    assert response.status_code == 400
    assert "troppo facile da indovinare" in response.text


def test_forty_wrong_passwords_from_one_address_are_limited_across_workers(server: Server):
    """The documented 10 a minute holds for the whole server, whichever worker answers."""
    codes = []
    for _ in range(40):
        browser = Browser(server)  # a new connection each time: gunicorn spreads them
        response = browser.login("bersaglio", "sbagliata-davvero")
        codes.append(response.status_code)
        browser.close()
    assert codes.count(400) == 10, codes
    assert codes.count(429) == 30, codes


def test_scenario_start_still_works_after_the_limit_tests(browser: Browser):
    """Sanity: a trainee who never mistyped logs in and practises."""
    assert browser.login("marta").status_code == 302
    assert browser.start(SCENARIO) > 0


def test_login_limit_holds_across_workers_on_redis(tmp_path_factory):
    """With CENTRALINO_RATELIMIT_STORAGE_URI=redis://... the same limit holds (Redis runs on
    these machines at 127.0.0.1:6379; a key prefix of its own keeps this run apart)."""
    import uuid

    from tests.security.support import serve

    folder = tmp_path_factory.mktemp("redis")
    with serve(
        folder,
        "sqlite",
        CENTRALINO_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        CENTRALINO_RATELIMIT_KEY_PREFIX=f"centralino-test-{uuid.uuid4().hex}",
    ) as running:
        codes = []
        for _ in range(20):
            browser = Browser(running)
            codes.append(browser.login("bersaglio", "sbagliata-davvero").status_code)
            browser.close()
    assert codes.count(400) == 10 and codes.count(429) == 10, codes
