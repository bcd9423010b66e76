"""LTI 1.3 against a test platform over real HTTP: launches, a practice call, the grade arriving,
deep linking, platform registration, and the launches that must be refused."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select, update

from simulator.practice import lti
from simulator.store.lti import LtiGradeOutbox, LtiIdentity, LtiLaunchData
from simulator.store.models import Score, User, utcnow
from simulator.web.testing import form_data, login, make_app, seed_users
from tests.integration.lti_platform import (
    INSTRUCTOR,
    LEARNER,
    Launch,
    TestPlatform,
    form_fields,
    new_key,
    new_sub,
)


@pytest.fixture
def platform():
    with TestPlatform().running() as running:
        yield running


def _register(app, platform: TestPlatform, base: str = "http://localhost") -> None:
    with app.extensions["centralino_db"].write() as s:
        lti.register_platform(s, **platform.registration())
    platform.tool_launch_url = f"{base}/lti/launch"
    platform.tool_jwks = app.test_client().get("/lti/jwks").get_json()


@pytest.fixture
def tool(app, users, platform):
    _register(app, platform)
    return app


def _login_redirect(client, platform: TestPlatform, launch: Launch) -> str:
    hint = new_sub()
    platform.launches[hint] = launch
    r = client.get("/lti/login", query_string=platform.login_params(hint))
    assert r.status_code == 302, r.get_data(as_text=True)
    assert r.location.startswith(platform.url + "/auth?")
    return r.location


def _launch(client, platform: TestPlatform, launch: Launch):
    auth = requests.get(_login_redirect(client, platform, launch), timeout=10)
    assert auth.status_code == 200
    fields = form_fields(auth.text)
    return client.post("/lti/launch", data=fields), fields


def _learner(scenario: str = "web-messaggio", **extra) -> Launch:
    return Launch(
        sub=new_sub(), name="Giulia Verdi", roles=[LEARNER], custom={"scenario": scenario}, **extra
    )


def _post(client, url, page_html, **fields):
    return client.post(url, data=form_data(page_html, **fields))


def _play_good_call(client, console_url: str) -> str:
    """The trainee's side of the fixture call: greet, offer a message, take it, report, hang up."""
    act = f"{console_url}/action"
    page = client.get(console_url).get_data(as_text=True)
    r = _post(client, act, page, kind="answer", line="l1")
    page = client.get(r.location).get_data(as_text=True)
    r = _post(
        client, act, page, kind="say", text="Buongiorno, Acme Test. Vuole lasciare un messaggio?"
    )
    page = client.get(r.location).get_data(as_text=True)
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
    r = _post(client, act, page, kind="hangup", line="l1")
    return client.get(r.location).get_data(as_text=True)


def test_learner_launch_call_and_grade_arrive_at_the_platform(tool, platform):
    """A learner's launch logs in a new trainee, who takes the call; the score reaches Moodle."""
    client = tool.test_client()
    launch = _learner()
    r, _ = _launch(client, platform, launch)
    assert r.status_code == 302 and r.location.endswith("/lti/activity")
    activity = client.get("/lti/activity")
    page = activity.get_data(as_text=True)
    assert "Aperto da Moodle di prova" in page and "Centralinisti 2026" in page
    assert f'href="{platform.url}/course/1"' in page and "Torna a Moodle di prova" in page
    # Framed by the platform only: its origin in frame-ancestors, no X-Frame-Options: DENY.
    assert f"frame-ancestors {platform.url}" in activity.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in activity.headers
    started = _post(client, "/lti/activity/start", page)
    console_url = started.location.split("?")[0]
    assert "/attempts/" in console_url
    page = _play_good_call(client, console_url)
    finished = _post(client, f"{console_url}/finish", page)
    result = client.get(finished.location).get_data(as_text=True)
    assert "Punteggio inviato a Moodle di prova." in result
    # Reading the result again sends nothing more.
    assert "Punteggio inviato" not in client.get(finished.location).get_data(as_text=True)

    assert len(platform.scores) == 1
    sent = platform.scores[0]
    database = tool.extensions["centralino_db"]
    with database.read() as s:
        report = s.scalar(select(Score.report))
        user = s.scalar(
            select(User)
            .join(LtiIdentity, LtiIdentity.user_id == User.id)
            .where(LtiIdentity.subject == launch.sub)
        )
        row = s.scalar(select(LtiGradeOutbox))
    assert user.role == "trainee" and user.display_name == "Giulia Verdi"
    assert sent["userId"] == launch.sub and sent["lineitem"] == 7
    assert sent["scoreGiven"] == round(report["score"] * 100, 1) and sent["scoreGiven"] > 0
    assert sent["scoreMaximum"] == 100
    assert sent["activityProgress"] == "Completed" and sent["gradingProgress"] == "FullyGraded"
    assert "ADA.24.01.08.RA1" in sent["comment"] and sent["timestamp"]
    assert row.status == "sent" and row.sent_at is not None


def test_the_same_person_comes_back_to_the_same_account(tool, platform):
    """No second account and no password: the platform's subject is the key."""
    launch = _learner()
    for _ in range(2):
        client = tool.test_client()
        r, _ = _launch(client, platform, launch)
        assert r.status_code == 302
    with tool.extensions["centralino_db"].read() as s:
        assert len(list(s.scalars(select(LtiIdentity)))) == 1


def test_instructor_launch_logs_in_an_instructor(tool, platform):
    client = tool.test_client()
    r, _ = _launch(client, platform, Launch(sub=new_sub(), name="Ada Docente", roles=[INSTRUCTOR]))
    assert r.status_code == 302 and r.location.endswith("/instructor/")
    page = client.get("/instructor/").get_data(as_text=True)
    assert "Aperto da Moodle di prova" in page and "Allievi e risultati" in page
    client.get("/lang/en")
    page = client.get("/instructor/").get_data(as_text=True)
    assert "Opened from Moodle di prova" in page and "Back to Moodle di prova" in page
    assert "LTI platforms" in page  # the menu entry to the registration page


def test_a_grade_the_platform_refuses_is_kept_and_sent_later(tool, platform):
    """A 503 from the platform leaves the grade pending; `flask lti send-grades` sends it."""
    client = tool.test_client()
    _launch(client, platform, _learner())
    page = client.get("/lti/activity").get_data(as_text=True)
    console_url = _post(client, "/lti/activity/start", page).location.split("?")[0]
    page = _play_good_call(client, console_url)
    platform.fail_scores = 1
    finished = _post(client, f"{console_url}/finish", page)
    result = client.get(finished.location).get_data(as_text=True)
    assert result.count("Punteggio non ancora inviato a Moodle di prova") == 1
    database = tool.extensions["centralino_db"]
    with database.read() as s:
        row = s.scalar(select(LtiGradeOutbox))
    assert row.status == "pending" and row.tries == 1 and "503" in row.last_error
    assert platform.scores == []
    # Not due yet: the retry waits for its time.
    assert "sent: 0" in tool.test_cli_runner().invoke(args=["lti", "send-grades"]).output
    with database.write() as s:
        s.execute(update(LtiGradeOutbox).values(next_try_at=utcnow() - timedelta(seconds=1)))
    out = tool.test_cli_runner().invoke(args=["lti", "send-grades"])
    assert out.exit_code == 0 and "sent: 1" in out.output
    assert len(platform.scores) == 1
    with database.read() as s:
        assert s.scalar(select(LtiGradeOutbox.status)) == "sent"


def _forged(client, platform: TestPlatform, change) -> tuple[object, str]:
    """Start a real login, then post an id_token the test builds (and may spoil) itself."""
    launch = _learner()
    location = _login_redirect(client, platform, launch)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    body = platform.claims(launch, query["nonce"])
    token = change(platform, body)
    return client.post("/lti/launch", data={"id_token": token, "state": query["state"]}), query[
        "nonce"
    ]


def _wrong_issuer(platform, body):
    body["iss"] = "https://moodle.altrove.example"
    return platform.sign(body)


def _bad_signature(platform, body):
    other_pem, _ = new_key()
    return platform.sign(body, pem=other_pem)  # same kid, another key


def _expired(platform, body):
    body["iat"] = int(time.time()) - 900
    body["exp"] = int(time.time()) - 600
    return platform.sign(body)


def _unknown_deployment(platform, body):
    body["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "dep-sconosciuto"
    return platform.sign(body)


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        (_wrong_issuer, 400, "Piattaforma non registrata"),
        (_bad_signature, 403, "La firma del messaggio di avvio non è valida."),
        (_expired, 403, "Il messaggio di avvio è scaduto"),
        (_unknown_deployment, 400, "Deployment sconosciuto"),
    ],
    ids=["wrong-issuer", "bad-signature", "expired-token", "unknown-deployment"],
)
def test_forged_launches_are_refused_with_a_message(tool, platform, change, status, message):
    client = tool.test_client()
    r, _ = _forged(client, platform, change)
    page = r.get_data(as_text=True)
    assert r.status_code == status
    assert message in page and "<title>Errore: Accesso dalla piattaforma rifiutato" in page
    assert client.get("/lti/activity").status_code == 302  # nobody was logged in
    with tool.extensions["centralino_db"].read() as s:
        assert list(s.scalars(select(LtiIdentity))) == []


def test_a_replayed_launch_is_refused(tool, platform):
    """The same id_token and state posted again (the nonce is used once): 403."""
    client = tool.test_client()
    first, fields = _launch(client, platform, _learner())
    assert first.status_code == 302
    # The same browser posts it again, with the state cookie and the session it already has.
    r = client.post("/lti/launch", data=fields)
    assert r.status_code == 403
    assert "Questo avvio è già stato usato o è scaduto" in r.get_data(as_text=True)


def test_an_expired_nonce_is_refused_in_english_too(tool, platform):
    client = tool.test_client()
    client.get("/lang/en")
    launch = _learner()
    auth = requests.get(_login_redirect(client, platform, launch), timeout=10)
    with tool.extensions["centralino_db"].write() as s:
        s.execute(update(LtiLaunchData).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = client.post("/lti/launch", data=form_fields(auth.text))
    assert r.status_code == 403
    assert "This launch was already used or has expired" in r.get_data(as_text=True)


def test_a_launch_without_its_login_state_is_refused(tool, platform):
    """Another browser (no state cookie, unknown state) cannot use someone's id_token."""
    client = tool.test_client()
    auth = requests.get(_login_redirect(client, platform, _learner()), timeout=10)
    fields = form_fields(auth.text)
    fields["state"] = "state-forged"
    r = tool.test_client().post("/lti/launch", data=fields)
    assert r.status_code == 403
    assert "La sessione di accesso non è valida" in r.get_data(as_text=True)


def test_login_from_an_unregistered_platform_is_refused(tool, platform):
    params = platform.login_params("x") | {"iss": "https://sconosciuta.example"}
    r = tool.test_client().get("/lti/login", query_string=params)
    assert r.status_code == 400
    assert "piattaforma non registrata" in r.get_data(as_text=True)


def test_deep_linking_returns_a_signed_scenario_link(tool, platform):
    """The teacher picks a scenario; the platform receives a signed LTI resource link with it."""
    client = tool.test_client()
    r, _ = _launch(
        client,
        platform,
        Launch(
            sub=new_sub(),
            name="Ada Docente",
            roles=[INSTRUCTOR],
            message_type="LtiDeepLinkingRequest",
        ),
    )
    assert r.location.endswith("/lti/deep-link")
    page = client.get("/lti/deep-link").get_data(as_text=True)
    assert "Scegli lo scenario da aggiungere" in page and 'value="web-messaggio"' in page
    empty = _post(client, "/lti/deep-link", page)
    assert empty.status_code == 400 and "Scegli uno scenario dall" in empty.get_data(as_text=True)
    chosen = _post(client, "/lti/deep-link", page, scenario="web-messaggio")
    answer = chosen.get_data(as_text=True)
    assert f'action="{platform.url}/deep-link-return"' in answer
    assert f"form-action 'self' {platform.url}" in chosen.headers["Content-Security-Policy"]
    token = answer.split('name="JWT" value="')[1].split('"')[0]
    back = requests.post(f"{platform.url}/deep-link-return", data={"JWT": token}, timeout=10)
    assert back.status_code == 200
    claims = platform.deep_link_answers[0]
    assert claims["iss"] == platform.client_id and claims["aud"] == [platform.issuer]
    assert (
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "dep-1"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://localhost/lti/launch"
    assert item["custom"] == {"scenario": "web-messaggio"}
    assert item["lineItem"]["scoreMaximum"] == 100
    # The activity Moodle makes of it opens that scenario for a learner.
    learner = tool.test_client()
    _launch(learner, platform, _learner(scenario=item["custom"]["scenario"]))
    assert item["title"] in learner.get("/lti/activity").get_data(as_text=True)


def test_an_instructor_registers_a_platform_on_the_page(app, users, platform):
    client = app.test_client()
    login(client, "ada")
    page = client.get("/lti/platforms").get_data(as_text=True)
    assert "http://localhost/lti/login" in page and "http://localhost/lti/jwks" in page
    bad = _post(client, "/lti/platforms", page, **(platform.registration() | {"issuer": "moodle"}))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "<title>Errore:" in text
    assert 'aria-invalid="true"' in text and "https://" in text
    ok = _post(client, "/lti/platforms", page, **platform.registration())
    assert ok.status_code == 302
    listed = client.get("/lti/platforms").get_data(as_text=True)
    assert "Moodle di prova" in listed and platform.client_id in listed
    again = _post(client, "/lti/platforms", page, **platform.registration())
    assert again.status_code == 400 and "già registrata" in again.get_data(as_text=True)
    trainee = app.test_client()
    login(trainee, "luca")
    assert trainee.get("/lti/platforms").status_code == 403


class _Https:
    """A test client whose requests arrive over HTTPS (as behind the school's proxy)."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, *args, **kwargs):
        return self.client.get(*args, base_url="https://localhost", **kwargs)

    def post(self, *args, **kwargs):
        return self.client.post(*args, base_url="https://localhost", **kwargs)


def test_framed_sessions_get_cross_site_cookies_and_csrf_still_works(tmp_path, platform):
    """Over HTTPS, an iframe launch's session cookie is SameSite=None; Secure; Partitioned."""
    app = make_app(f"sqlite:///{tmp_path / 'secure.db'}", tmp_path, SECURE_COOKIES=True)
    seed_users(app)
    _register(app, platform, base="https://localhost")
    client = _Https(app.test_client())
    r, _ = _launch(client, platform, _learner(document_target="iframe"))
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if "centralino_session" in h)
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    page = client.get("/lti/activity").get_data(as_text=True)
    assert "dentro la pagina della piattaforma" in page and 'target="_top"' in page
    # The browser sends the frame's own page as Referer (Referrer-Policy: same-origin), which
    # Flask-WTF's strict HTTPS check wants.
    referer = {"Referer": "https://localhost/lti/activity"}
    started = client.post("/lti/activity/start", data=form_data(page), headers=referer)
    assert started.status_code == 302 and "/attempts/" in started.location
    # Without the token the same form is refused: CSRF holds inside the frame too.
    assert client.post("/lti/activity/start", data={}, headers=referer).status_code == 400
    # A session that did not come from a platform keeps SameSite=Lax and no framing.
    plain = _Https(app.test_client())
    page = plain.get("/login")  # stores a CSRF token: the session cookie is set
    lax = next(h for h in page.headers.getlist("Set-Cookie") if "centralino_session" in h)
    assert "SameSite=Lax" in lax and "Partitioned" not in lax
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    app.extensions["centralino_db"].dispose()
