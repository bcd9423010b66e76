"""Whole phone calls against the real app served by gunicorn (3 workers, 2 threads each) on
loopback, played by the call driver: for every bundled scenario the good script passes and the
poor one fails, with the same event log and the same results per RA as the text console.
SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from ivr.driver import drive, make_call
from simulator.harness import run_call
from simulator.practice import attempts
from simulator.store.db import Database
from tests.integration.ivr_support import PHONE, ROOT, SECRET, TOKEN, seed
from tests.library import library, scenario_ids, script

STARTUP_S = 30.0


@dataclass(frozen=True)
class Server:
    base_url: str
    db: Database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_urls() -> list[object]:
    """SQLite always; PostgreSQL only when TEST_DATABASE_URL names one (never a skipped test)."""
    urls: list[object] = ["sqlite"]
    postgres = os.environ.get("TEST_DATABASE_URL")
    if postgres:
        urls.append(pytest.param(postgres, marks=[pytest.mark.postgres], id="postgres"))
    return urls


@pytest.fixture(scope="module", params=_database_urls(), ids=lambda p: str(p).split(":")[0])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("gunicorn")
    url = f"sqlite:///{folder / 'ivr.db'}" if request.param == "sqlite" else str(request.param)
    db = Database(url)
    if not db.is_sqlite:
        from simulator.store import phone  # noqa: F401

        db.drop_all()
    seed(db)
    port = _free_port()
    env = dict(
        os.environ,
        CENTRALINO_DATABASE_URL=url,
        CENTRALINO_TESTING="1",
        CENTRALINO_CLOCK="driver",
        CENTRALINO_SECRET_KEY=SECRET,
        CENTRALINO_SECURE_COOKIES="0",
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_NUMBER="+390971000000",
        PUBLIC_BASE_URL="",
        CENTRALINO_IVR_TRUST_CALLER_ID="1",
    )
    log = (folder / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "3", "--threads", "2",
         "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "app:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/ivr/healthz", timeout=1.0).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.terminate()
        raise RuntimeError((folder / "gunicorn.log").read_text(errors="replace")[-3000:])
    yield Server(base, db)
    process.terminate()
    process.wait(timeout=15)
    log.close()
    if not db.is_sqlite:
        db.drop_all()
    db.dispose()


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as client:
        yield client


def _log(events: object) -> list[tuple[float, str, str, str | None, object]]:
    return [(round(e.t, 3), e.kind, e.actor, e.line, e.data.get("text")) for e in events]  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["good", "poor"])
@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_phone_run_scores_like_the_text_console(
    server: Server, http: httpx.Client, scenario_id: str, kind: str
):
    call = make_call(
        scenario_id,
        ROOT / f"scenarios/scripts/{scenario_id}.{kind}.yaml",
        PHONE,
        library_root=ROOT / "scenarios",
    )
    drive(call, http, server.base_url, TOKEN)
    from ivr import state

    row = state.current(server.db, call.call_sid)
    assert row is not None and row.attempt_id is not None and row.stage == "finished"
    stored = attempts.stored_score(server.db, row.attempt_id)
    assert stored is not None
    scenario = library().scenarios[scenario_id].scenario
    played = script(scenario_id, kind)
    snap = attempts.snapshot(server.db, row.attempt_id)
    seed = int(snap.events[0][1].data["seed"])  # the same caller gaps as the phone attempt
    text = run_call(scenario, library().companies[scenario.company], played, seed=seed)
    phone_ra = {ra: result["passed"] for ra, result in stored.report["ra"].items()}
    assert phone_ra == {ra: result.passed for ra, result in text.report.ra.items()}
    assert _log(e for _, e in snap.events) == _log(text.events)
    if kind == "good":
        assert stored.passed, call.transcript
    for ra in played.expect.fails:
        assert phone_ra[ra] is False, f"{ra} should fail on the phone too"


def test_driver_command_line_prints_the_call(server: Server, capsys: pytest.CaptureFixture[str]):
    from ivr import driver

    code = driver.main(
        [
            "--base-url", server.base_url, "--auth-token", TOKEN, "--from", PHONE,
            "--scenario", "smistamento-acquisti-assente", "--library", str(ROOT / "scenarios"),
            "--script", str(ROOT / "scenarios/scripts/smistamento-acquisti-assente.good.yaml"),
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "Buongiorno, sono Mario Rossi" in printed and "tasti / keys *7" in printed
    assert "Esito: superata" in printed


def test_wrong_token_is_refused_by_the_server(server: Server, http: httpx.Client):
    from ivr.driver import DriverError

    call = make_call(
        "smistamento-acquisti-assente",
        ROOT / "scenarios/scripts/smistamento-acquisti-assente.good.yaml", PHONE,
        library_root=ROOT / "scenarios",
    )  # fmt: skip
    with pytest.raises(DriverError, match="403"):
        drive(call, http, server.base_url, "not-the-token")
