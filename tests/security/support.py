"""The real app under gunicorn on loopback, seeded, and the two clients that attack it: a
Twilio-like caller that signs every request and follows TwiML as Twilio does (retrying once
when the connection breaks, giving up after Twilio's 15 s), and a browser-like web client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import delete

from ivr import twiml_schema
from simulator.practice import accounts
from simulator.store.db import Database
from simulator.store.models import Assignment, RateLimitCounter
from simulator.web.testing import csrf_from
from tests.integration.ivr_support import PASSWORD, PHONE, PIN, ROOT, SCENARIO, SECRET, TOKEN, sign
from tests.integration.ivr_support import seed as seed_phone

STARTUP_S = 60.0
# Twilio waits 15 s for a webhook's answer, then gives up on the call.
TWILIO_TIMEOUT_S = 15.0
NUMBER = "+390971000000"


def database_params() -> list[Any]:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL names one (never a skipped test)."""
    params: list[Any] = ["sqlite"]
    postgres = os.environ.get("TEST_DATABASE_URL")
    if postgres:
        params.append(pytest.param(postgres, marks=[pytest.mark.postgres], id="postgres"))
    return params


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running gunicorn: where it listens, its database, the URL Twilio signs."""

    base_url: str
    db: Database
    process: subprocess.Popen[bytes]
    log: Path
    public_url: str = ""
    ids: dict[str, int] = field(default_factory=dict)
    ready_dir: Path | None = None

    @property
    def signed_base(self) -> str:
        return self.public_url or self.base_url

    def workers(self) -> list[int]:
        """Pids of the master's live worker processes."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(entry.name))
        return sorted(pids)

    def serving_workers(self) -> list[int]:
        """Live workers that have loaded the app (gunicorn's post_worker_init hook)."""
        assert self.ready_dir is not None
        ready = {int(p.name) for p in self.ready_dir.iterdir()}
        return [pid for pid in self.workers() if pid in ready]

    def reset_limits(self) -> None:
        with self.db.write() as session:
            session.execute(delete(RateLimitCounter))

    def tail(self, size: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-size:]


def _seed(db: Database) -> dict[str, int]:
    """The phone trainee (luca, phone and PIN), a second trainee, a target, an instructor."""
    if not db.is_sqlite:
        from simulator.store import phone  # noqa: F401  (the phone tables join the metadata)

        db.drop_all()
    ids = {"luca": seed_phone(db, assign=[SCENARIO])}
    with db.write() as session:
        for name, role in (("marta", "trainee"), ("bersaglio", "trainee"), ("ada", "instructor")):
            user = accounts.create_user(
                session,
                username=name,
                display_name=name.title(),
                password=PASSWORD,
                role=role,
            )
            ids[name] = user.id
            if role == "trainee":
                session.add(Assignment(trainee_id=user.id, scenario_id=SCENARIO))
    return ids


@contextmanager
def serve(folder: Path, backend: str, workers: int = 3, **env: str) -> Iterator[Server]:
    """Seed a fresh database and run ``gunicorn 'app:create_app()'`` on it until the block ends."""
    url = f"sqlite:///{folder / 'security.db'}" if backend == "sqlite" else backend
    db = Database(url)
    ids = _seed(db)
    port = _free_port()
    environ = dict(
        os.environ,
        CENTRALINO_DATABASE_URL=url,
        CENTRALINO_TESTING="1",
        CENTRALINO_CLOCK="driver",
        CENTRALINO_SECRET_KEY=SECRET,
        CENTRALINO_SECURE_COOKIES="0",
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_NUMBER=NUMBER,
        PUBLIC_BASE_URL="",
    )
    environ.update(env)
    log = folder / f"gunicorn-{port}.log"
    handle = log.open("wb")
    # A worker says when it has loaded the app and serves (tests wait for that, not a clock).
    ready = folder / f"ready-{port}"
    ready.mkdir()
    hooks = folder / f"hooks-{port}.py"
    hooks.write_text(
        "def post_worker_init(worker):\n"
        f"    open({str(ready)!r} + '/' + str(worker.pid), 'w').close()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(hooks), "-w", str(workers),
         "--threads", "4", "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
         "--graceful-timeout", "5", "app:create_app()"],
        env=environ, stdout=handle, stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", db, process, log, env.get("PUBLIC_BASE_URL", ""))
    server.ready_dir = ready
    server.ids = ids
    deadline = time.monotonic() + STARTUP_S
    while True:
        try:
            if httpx.get(server.base_url + "/healthz", timeout=2.0).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError(server.tail())
        time.sleep(0.2)
    try:
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        handle.close()
        if not db.is_sqlite:
            db.drop_all()
        db.dispose()


# --------------------------------------------------------------------------- the phone


class DroppedCall(AssertionError):
    """Twilio would have given up on this call (no valid TwiML within 15 s, after one retry)."""


class Caller:
    """One phone call, made as Twilio makes it: signed form posts, the Gather's action next."""

    def __init__(self, server: Server, http: httpx.Client, from_number: str = PHONE) -> None:
        self.server = server
        self.http = http
        self.call_sid = "CA" + uuid.uuid4().hex
        self.from_number = from_number
        self.action = "/ivr/voice"
        self.last = ""
        self.t: float | None = None
        self.retries = 0

    def fields(self, **extra: str) -> dict[str, str]:
        base = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "1" * 32,
            "From": self.from_number,
            "To": NUMBER,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        base.update(extra)
        return base

    def _path(self, target: str) -> str:
        parts = urlsplit(target)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def raw(
        self, path: str, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """One signed POST, as is (no retry, no checks)."""
        signature = sign(self.server.signed_base + path, data)
        return self.http.post(
            self.server.base_url + path,
            data=data,
            headers={"X-Twilio-Signature": signature, **(headers or {})},
            timeout=TWILIO_TIMEOUT_S,
        )

    def post(self, path: str | None = None, **extra: str) -> str:
        """Post the next turn and follow its TwiML; one retry if the connection breaks."""
        target = self._path(path or self.action)
        if self.t is not None:
            extra.setdefault("CentralinoClock", f"{self.t}")
        data = self.fields(**extra)
        response = None
        for attempt in range(2):
            try:
                response = self.raw(target, data)
                break
            except httpx.TransportError as error:
                if attempt == 1:
                    raise DroppedCall(f"{target}: {error!r}") from error
                self.retries += 1
        assert response is not None
        if response.status_code != 200:
            raise DroppedCall(f"{target}: HTTP {response.status_code} {response.text[:300]}")
        body = response.text
        problems = twiml_schema.problems(body)
        assert problems == [], body
        self.last = body
        gather = ElementTree.fromstring(body).find("Gather")
        if gather is not None:
            self.action = gather.get("action", self.action)
        return body

    def said(self) -> str:
        root = ElementTree.fromstring(self.last)
        return " ".join((e.text or "") for e in root.iter("Say"))

    def hung_up(self) -> bool:
        return ElementTree.fromstring(self.last).find("Hangup") is not None

    def field(self) -> str:
        return parse_qs(urlsplit(self.action).query).get("field", [""])[0]

    def status(self, status: str) -> int:
        return self.raw("/ivr/status", self.fields(CallStatus=status)).status_code

    def into_practice(self, pin: str = PIN) -> None:
        """Call in, confirm with the PIN, choose the scenario, confirm, answer line 1."""
        self.post("/ivr/voice", CallStatus="ringing")
        assert self.field() == "pin", self.said()
        self.post(Digits=pin)
        self.post(Digits="1")
        self.t = 0.0
        self.post(Digits="1")
        self.t = 1.0
        self.post(Digits="*7")


# --------------------------------------------------------------------------- the web


class Browser:
    """A browser session on the server: cookies, CSRF tokens from the pages, JSON actions."""

    def __init__(self, server: Server, headers: dict[str, str] | None = None) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.base_url, timeout=30.0, headers=headers or {}, follow_redirects=False
        )
        self.token = ""

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def form(self, path: str, page: str = "/login", **fields: str) -> httpx.Response:
        """A form post with the CSRF token of ``page``."""
        html = self.http.get(page).text
        return self.http.post(path, data={"csrf_token": csrf_from(html), **fields})

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return self.form("/login", username=username, password=password)

    def start(self, scenario_id: str = SCENARIO) -> int:
        """Start a practice from the console home page; the attempt's id."""
        response = self.form(f"/practice/{scenario_id}/start", page="/practice")
        assert response.status_code == 302, response.text[:300]
        path = response.headers["location"].split("?")[0]
        html = self.http.get(path).text
        self.token = csrf_from(html)
        return int(path.rsplit("/", 1)[1])

    def act(self, attempt_id: int, **fields: str) -> httpx.Response:
        """A console action as the page's script sends it (JSON answer)."""
        return self.http.post(
            f"/attempts/{attempt_id}/action",
            data={"line": "", **fields},
            headers={
                "X-Requested-With": "fetch",
                "Accept": "application/json",
                "X-CSRFToken": self.token,
            },
        )
