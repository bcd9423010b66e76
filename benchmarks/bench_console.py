"""Console round-trip benchmark: 30 simulated trainees taking a call at once through gunicorn.

    .venv/bin/python benchmarks/bench_console.py [--trainees 30] [--workers 2] [--threads 4]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

Starts gunicorn on 127.0.0.1 (a free port) with a temporary SQLite database in WAL mode (or the
given PostgreSQL URL, whose tables are dropped and recreated), creates the trainees, then each
trainee logs in, starts a scenario and does a call: every step posts an action (JSON, as the
console script does) and reads the next state. Prints p50/p99 round-trip times of those requests,
requests per second, the machine's core count and the command. Loopback only; bounded loops.

Each repetition (``--repeat``, medians printed) also drives ``benchmarks/bare.py``, bare Flask
endpoints of the same shape (a form POST answered with JSON, a JSON state GET) under the same
gunicorn settings, with the same trainees and think time: the ceiling beside the figure.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bare  # noqa: E402 - after the path set-up above
from simulator.practice import accounts  # noqa: E402
from simulator.web.testing import FIXTURES, PASSWORD, make_app, seed_users  # noqa: E402

STEPS: list[dict[str, str]] = [
    {"kind": "answer", "line": "l1"},
    {"kind": "say", "text": "Buongiorno, Acme Test, sono Giulia. Come posso aiutarla?"},
    {"kind": "say", "text": "Il signor Bianchi è assente. Vuole lasciare un messaggio?"},
    {"kind": "directory_search", "query": "Bianki"},
    {
        "kind": "take_message",
        "for": "Luca Bianchi",
        "caller": "Mario Rossi",
        "phone": "0971 234567",
        "text": "Richiamare per l'ordine 4512",
    },
    {"kind": "say", "text": "Riferirò. Arrivederci."},
    {"kind": "report", "caller": "Mario Rossi", "reason": "Cercava Bianchi"},
    {"kind": "hangup", "line": "l1"},
]
TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def trainee_run(
    base: str,
    username: str,
    timings: list[float],
    failures: list[str],
    barrier: threading.Barrier,
    think_s: float,
    bare: bool = False,
) -> None:
    """One trainee: log in, start, then post each action and read the state after it."""
    with requests.Session() as http:
        if bare:
            attempt_url, headers = f"{base}/attempts/1", {"Accept": "application/json"}
            barrier.wait(timeout=120)
            _actions(http, attempt_url, headers, username, timings, failures, think_s)
            return
        page = http.get(f"{base}/login", timeout=TIMEOUT_S).text
        http.post(
            f"{base}/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf(page)},
            timeout=TIMEOUT_S,
        )
        home = http.get(f"{base}/practice", timeout=TIMEOUT_S).text
        started = http.post(
            f"{base}/practice/web-messaggio/start",
            data={"csrf_token": csrf(home)},
            timeout=TIMEOUT_S,
        )
        attempt_url = started.url.split("?")[0]
        token = csrf(started.text)
        headers = {"X-Requested-With": "fetch", "Accept": "application/json", "X-CSRFToken": token}
        barrier.wait(timeout=120)  # logins (argon2) are not what we measure: start together
        _actions(http, attempt_url, headers, username, timings, failures, think_s)


def _actions(
    http: requests.Session,
    attempt_url: str,
    headers: dict[str, str],
    username: str,
    timings: list[float],
    failures: list[str],
    think_s: float,
) -> None:
    """The call: each step posts an action and reads the state after it, timing both."""
    seq = 0
    rng = random.Random(username)
    for step in STEPS:
        # A trainee reads and types between actions; seeded jitter keeps 30 people from
        # acting on the same millisecond, as they never do in a classroom.
        time.sleep(think_s * rng.uniform(0.5, 1.5))
        t0 = time.perf_counter()
        response = http.post(f"{attempt_url}/action", data=step, headers=headers, timeout=TIMEOUT_S)
        timings.append(time.perf_counter() - t0)
        if response.status_code != 200:
            failures.append(f"{username} {step['kind']}: {response.status_code}")
        t0 = time.perf_counter()
        state = http.get(f"{attempt_url}/state?after={seq}", headers=headers, timeout=TIMEOUT_S)
        timings.append(time.perf_counter() - t0)
        if state.status_code != 200:
            failures.append(f"{username} state: {state.status_code}")
        else:
            seq = int(state.json()["seq"])


def _drive(
    base: str, names: list[str], think_ms: int, bare: bool
) -> tuple[list[float], list[str], float]:
    """All trainees at once; (round trips in s, failures, elapsed s after the logins)."""
    timings: list[float] = []
    failures: list[str] = []
    barrier = threading.Barrier(len(names) + 1)
    threads = [
        threading.Thread(
            target=trainee_run,
            args=(base, name, timings, failures, barrier, think_ms / 1000, bare),
        )
        for name in names
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=300)
    return timings, failures, time.perf_counter() - started


def _wait_up(url: str) -> bool:
    for _ in range(100):
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return True
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    return False


def _figures(timings: list[float], elapsed: float) -> dict[str, float]:
    ms = sorted(t * 1000 for t in timings)
    return {
        "requests": float(len(ms)),
        "throughput": len(ms) / elapsed,
        "p50": statistics.median(ms),
        "p99": ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))],
        "max": ms[-1],
    }


def run_once(args: argparse.Namespace, names: list[str]) -> tuple[dict[str, float], list[str], str]:
    """The project under gunicorn with a fresh database; (figures, failures, command)."""
    tmp = Path(tempfile.mkdtemp(prefix="centralino-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    if args.database_url:
        from simulator.store.db import Database

        shared = Database(url)
        shared.drop_all()  # a scratch database: start from empty tables
        shared.dispose()
    app = make_app(url, tmp, FIXTURES)
    seed_users(app, trainees=names, scenarios=["web-messaggio"])
    with app.extensions["centralino_db"].write() as s:
        # Generous caller patience so no caller hangs up while the machine is saturated.
        from sqlalchemy import select

        from simulator.store.models import User

        for user_id in s.scalars(select(User.id).where(User.role == "trainee")):
            accounts.save_settings(s, user_id, accounts.Settings(time_multiplier=3.0))
    app.extensions["centralino_db"].dispose()
    port = free_port()
    command = [
        str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "--threads", str(args.threads),
        "-b", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()",
    ]  # fmt: skip
    env = {
        **os.environ,
        "CENTRALINO_DATABASE_URL": url,
        "CENTRALINO_SECRET_KEY": "bench",
        "CENTRALINO_SECURE_COOKIES": "0",
        "CENTRALINO_LOGIN_RATE_LIMIT": "10000 per minute",
    }
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        if not _wait_up(f"{base}/healthz"):
            raise SystemExit("gunicorn did not start")
        timings, failures, elapsed = _drive(base, names, args.think_ms, bare=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return _figures(timings, elapsed), failures, shlex.join(command)


def run_bare(args: argparse.Namespace, names: list[str]) -> dict[str, float]:
    """The same trainees and think time against the bare endpoints, same gunicorn settings."""
    with tempfile.TemporaryDirectory() as folder:
        process, base = bare.start(args.workers, args.threads, Path(folder) / "log")
        try:
            timings, failures, elapsed = _drive(base, names, args.think_ms, bare=True)
        finally:
            bare.stop(process)
    if failures:
        raise SystemExit(f"bare endpoint failed: {failures[:5]}")
    return _figures(timings, elapsed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--think-ms",
        type=int,
        default=1000,
        help="pause between a trainee's actions (0: closed-loop stress test)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (medians printed)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    # CENTRALINO_BENCH_QUICK=1: the short mode the docs test runs (a smoke pass, no real figures).
    if os.environ.get("CENTRALINO_BENCH_QUICK") == "1":
        args.trainees, args.workers, args.repeat = min(args.trainees, 2), 1, 1
        args.think_ms = min(args.think_ms, 10)
    names = [f"allievo{i:02d}" for i in range(args.trainees)]
    project: list[dict[str, float]] = []
    ceiling: list[dict[str, float]] = []
    command = ""
    for n in range(args.repeat):
        figures, failures, command = run_once(args, names)
        if failures:
            print(f"failures: {len(failures)}: {failures[:5]}")
            return 1
        project.append(figures)
        ceiling.append(run_bare(args, names))
        print(
            f"run {n + 1}: project p50 {figures['p50']:.1f} ms p99 {figures['p99']:.1f} ms "
            f"{figures['throughput']:.1f} req/s; bare p50 {ceiling[-1]['p50']:.1f} ms "
            f"p99 {ceiling[-1]['p99']:.1f} ms {ceiling[-1]['throughput']:.1f} req/s",
            flush=True,
        )

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    backend = "postgresql" if args.database_url else "sqlite (WAL)"
    print(f"machine: {os.cpu_count()} cores (nproc), backend: {backend}")
    print(f"command: {command}")
    print(
        f"trainees: {args.trainees} concurrent, {len(STEPS)} actions each "
        f"(action POST + state GET), think time {args.think_ms} ms, repetitions {args.repeat} "
        "(medians)"
    )
    print(
        f"round trip: p50 {median(project, 'p50'):.1f} ms, p99 {median(project, 'p99'):.1f} ms, "
        f"{median(project, 'throughput'):.1f} req/s (the client runs on the same cores)"
    )
    print(
        f"bare endpoint, same settings: p50 {median(ceiling, 'p50'):.1f} ms, "
        f"p99 {median(ceiling, 'p99'):.1f} ms, {median(ceiling, 'throughput'):.1f} req/s"
    )
    ratio = median(project, "throughput") / median(ceiling, "throughput")
    print(f"project / bare throughput: {ratio:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
