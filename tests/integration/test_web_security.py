"""Roles, ownership, CSRF, rate limits and cookie flags, on a real database."""

from __future__ import annotations

from simulator.practice import attempts
from simulator.web.testing import (
    form_data,
    login,
    make_app,
    seed_users,
    url_for_backend,
)


def test_trainee_gets_403_on_instructor_routes(app, users):
    """Every instructor page answers 403 to a trainee."""
    client = app.test_client()
    login(client, "luca")
    for path in (
        "/instructor/",
        "/instructor/upload",
        "/instructor/trainees/new",
        f"/instructor/trainees/{users['marta']}/export",
    ):
        assert client.get(path).status_code == 403, path
    page = client.get("/practice").get_data(as_text=True)
    assert client.post("/instructor/scenarios/1/try", data=form_data(page)).status_code == 403


def test_instructor_gets_403_on_trainee_console(app, users):
    """The practice list, starting a practice call and the settings are for trainees only; an
    instructor opens the console on their own trials only: a trainee's attempt is 404 on every
    console route."""
    client = app.test_client()
    login(client, "ada")
    assert client.get("/practice").status_code == 403
    assert client.get("/settings").status_code == 403
    page = client.get("/instructor/").get_data(as_text=True)
    start = client.post("/practice/web-messaggio/start", data=form_data(page))
    assert start.status_code == 403
    attempt_id = attempts.start_attempt(
        app.extensions["centralino_db"], users["luca"], "web-messaggio"
    )
    for path in ("", "/state", "/result", "/ask?what=lines", "/directory?q=Bianchi"):
        assert client.get(f"/attempts/{attempt_id}{path}").status_code == 404, path
    for path in ("/action", "/finish"):
        response = client.post(f"/attempts/{attempt_id}{path}", data=form_data(page, kind="answer"))
        assert response.status_code == 404, path


def test_anonymous_is_sent_to_login(app, users):
    """Protected pages redirect anonymous visitors to the login page."""
    response = app.test_client().get("/practice")
    assert response.status_code == 302 and "/login" in response.location


def test_trainee_never_sees_another_trainees_attempt(app, users):
    """Another trainee's attempt is 404 on every console route."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["marta"], "web-messaggio")
    client = app.test_client()
    login(client, "luca")
    assert client.get(f"/attempts/{attempt_id}").status_code == 404
    assert client.get(f"/attempts/{attempt_id}/state").status_code == 404
    assert client.get(f"/attempts/{attempt_id}/result").status_code == 404
    page = client.get("/practice").get_data(as_text=True)
    response = client.post(
        f"/attempts/{attempt_id}/action", data=form_data(page, kind="answer", line="l1")
    )
    assert response.status_code == 404


def test_post_without_csrf_token_is_rejected(app, users):
    """A form post without the token fails with an accessible 400 page."""
    client = app.test_client()
    login(client, "luca")
    response = client.post("/practice/web-messaggio/start")
    assert response.status_code == 400
    assert "Il modulo è scaduto" in response.get_data(as_text=True)


def test_fetch_posts_send_the_token_in_a_header(app, users):
    """JSON calls from the console script carry X-CSRFToken and get JSON back."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    client = app.test_client()
    login(client, "luca")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    token = form_data(page)["csrf_token"]
    headers = {"X-Requested-With": "fetch", "Accept": "application/json"}
    refused = client.post(
        f"/attempts/{attempt_id}/action", data={"kind": "answer"}, headers=headers
    )
    assert refused.status_code == 400 and refused.is_json
    ok = client.post(
        f"/attempts/{attempt_id}/action",
        data={"kind": "answer"},
        headers={**headers, "X-CSRFToken": token},
    )
    assert ok.status_code == 200 and ok.json["focus"] == "reply"


def test_login_is_rate_limited(tmp_path):
    """After the limit, logins get 429 with an accessible page."""
    app = make_app(url_for_backend("sqlite", tmp_path), tmp_path, LOGIN_RATE_LIMIT="3 per minute")
    seed_users(app)
    client = app.test_client()
    codes = []
    html = ""
    for _ in range(5):
        page = client.get("/login").get_data(as_text=True)
        response = client.post(
            "/login", data=form_data(page, username="luca", password="sbagliata-davvero")
        )
        codes.append(response.status_code)
        html = response.get_data(as_text=True)
    assert codes == [400, 400, 400, 429, 429]
    assert "Troppi tentativi" in html
    app.extensions["centralino_db"].dispose()


def test_session_cookie_flags(tmp_path):
    """HttpOnly and SameSite=Lax always; Secure when configured."""
    app = make_app(url_for_backend("sqlite", tmp_path), tmp_path, SECURE_COOKIES=True)
    seed_users(app)
    client = app.test_client()
    response = login(client, "luca")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    app.extensions["centralino_db"].dispose()


def test_wrong_password_and_unknown_user_look_the_same(app, users):
    """No user enumeration: both answer the same message."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    a = client.post("/login", data=form_data(page, username="luca", password="x" * 12))
    b = client.post("/login", data=form_data(page, username="nessuno", password="x" * 12))
    assert a.status_code == b.status_code == 400
    assert "Nome utente o password non corretti" in a.get_data(as_text=True)
    assert "Nome utente o password non corretti" in b.get_data(as_text=True)


def test_passwords_are_argon2_hashed(app, users):
    """Stored hashes are argon2id, never the password."""
    from sqlalchemy import select

    from simulator.store.models import User

    with app.extensions["centralino_db"].read() as s:
        hashes = s.scalars(select(User.password_hash)).all()
    assert all(h.startswith("$argon2id$") for h in hashes)
