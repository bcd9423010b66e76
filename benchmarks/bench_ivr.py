"""Phone-call load: N simulated calls, C at a time, against gunicorn on loopback.

Each call is the call driver's scripted trainee (the good scripts of the bundled library, in
turn) over HTTP with signed requests and the testing clock, so no real waiting. Prints the round
trip of every webhook request (p50/p99, measured by the client, gunicorn's queueing included),
requests per second, and events lost or duplicated: each attempt's trainee events are compared
with what the same script records through the text console (must be 0).

    .venv/bin/python benchmarks/bench_ivr.py [--calls 100] [--concurrency 32] [--workers 3]
        [--repeat 3] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each repetition also serves ``benchmarks/bare.py`` (a bare Flask TwiML endpoint of the same
shape: signature check, a Gather with a Say) under the same gunicorn settings and drives it with
the same concurrency, so the figures come with their own ceiling: the medians over the
repetitions and the project's share of the bare endpoint's throughput.

Loopback only; every loop is bounded (the driver stops a call after 2000 requests).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bare  # noqa: E402
from ivr.driver import MAX_REQUESTS, PhoneCall, signed  # noqa: E402
from simulator.harness import run_call  # noqa: E402
from simulator.loader import load_library  # noqa: E402
from simulator.practice import attempts  # noqa: E402
from simulator.script import load_script  # noqa: E402
from simulator.store.db import Database  # noqa: E402
from tests.integration.ivr_support import PHONE, SECRET, TOKEN, seed  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, workers: int, threads: int, log: Path
) -> tuple[subprocess.Popen[bytes], str, list[str]]:
    """gunicorn on a free loopback port, with the driver's testing clock."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
        "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "app:create_app()",
    ]  # fmt: skip
    env = dict(
        os.environ, CENTRALINO_DATABASE_URL=url, CENTRALINO_TESTING="1",
        CENTRALINO_CLOCK="driver", CENTRALINO_SECRET_KEY=SECRET, TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_NUMBER="+390971000000", PUBLIC_BASE_URL="",
        CENTRALINO_IVR_TRUST_CALLER_ID="1",
    )  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(base + "/ivr/healthz", timeout=1.0).status_code == 200:
                return process, base, command
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(log.read_text(errors="replace")[-3000:])


def _service_ms(response: httpx.Response) -> float:
    """The app's own time on the request, from its Server-Timing header."""
    timing = response.headers.get("server-timing", "")
    return float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")


async def one_call(
    call: PhoneCall,
    client: httpx.AsyncClient,
    base: str,
    latencies: list[float],
    think: float,
    service: list[float],
    finishing: list[float],
    turns: list[float],
) -> None:
    """Play one call, timing every request (``think`` seconds between requests, as Twilio
    speaks and the trainee answers; 0 makes every call hammer the server back to back)."""
    request = call.first()
    for _ in range(MAX_REQUESTS):
        if request is None:
            break
        if think:
            await asyncio.sleep(think)
        url, headers = signed(request, base, TOKEN)
        started = time.perf_counter()
        response = await client.post(url, data=request.params, headers=headers)
        latencies.append(time.perf_counter() - started)
        service.append(_service_ms(response))
        turns.append(service[-1])
        response.raise_for_status()
        request = call.next(url, response.text)
    final = call.status_callback()
    url, headers = signed(final, base, TOKEN)
    started = time.perf_counter()
    last = await client.post(url, data=final.params, headers=headers)
    latencies.append(time.perf_counter() - started)
    service.append(_service_ms(last))
    finishing.append(_service_ms(last))
    last.raise_for_status()


def _fresh(call: PhoneCall) -> PhoneCall:
    """The same scripted call with a new CallSid."""
    return PhoneCall(
        scenario=call.scenario, company=call.company, script=call.script, title=call.title,
        from_number=call.from_number, strict=False,
    )  # fmt: skip


def _trainee_events(events: object) -> list[tuple[str, float, object]]:
    return [
        (e.kind, round(e.t, 3), e.data.get("text"))  # type: ignore[attr-defined]
        for e in events  # type: ignore[attr-defined]
        if e.actor == "trainee"
    ]


def check(db: Database, calls: list[PhoneCall]) -> tuple[int, int, int]:
    """(lost, duplicated, calls whose attempt is missing) against the text console's events."""
    from ivr import state

    lost = duplicated = missing = 0
    for call in calls:
        row = state.current(db, call.call_sid)
        if row is None or row.attempt_id is None:
            missing += 1
            continue
        snap = attempts.snapshot(db, row.attempt_id)
        stored = _trainee_events(e for _, e in snap.events)
        seed = int(snap.events[0][1].data["seed"])  # the callers' reply gaps of that attempt
        replayed = run_call(call.scenario, call.company, call.script, seed=seed)
        expected = _trainee_events(replayed.events)
        have, want = Counter(stored), Counter(expected)
        lost += sum((want - have).values())
        duplicated += sum((have - want).values())
    return lost, duplicated, missing


async def run_once(args: argparse.Namespace) -> dict[str, float]:
    library = load_library(ROOT / "scenarios")
    ids = sorted(library.scenarios)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        if not db.is_sqlite:
            from simulator.store import phone  # noqa: F401

            db.drop_all()
        seed(db)
        process, base, command = start_server(url, args.workers, args.threads, Path(folder) / "log")
        try:
            calls = []
            for n in range(args.calls):
                scenario_id = ids[n % len(ids)]
                scenario = library.scenarios[scenario_id].scenario
                calls.append(
                    PhoneCall(
                        scenario=scenario, company=library.companies[scenario.company],
                        script=load_script(ROOT / f"scenarios/scripts/{scenario_id}.good.yaml"),
                        title=scenario.title, from_number=PHONE, strict=False,
                    )
                )  # fmt: skip
            latencies: list[float] = []
            service: list[float] = []
            finishing: list[float] = []  # the status callbacks that finish and score a call
            turns: list[float] = []  # every other webhook request
            gate = asyncio.Semaphore(args.concurrency)
            warm = [_fresh(call) for call in calls[: len(ids)]] if args.warmup else []
            limits = httpx.Limits(max_connections=args.concurrency)

            async def gated(call: PhoneCall, client: httpx.AsyncClient) -> None:
                async with gate:
                    await one_call(
                        call,
                        client,
                        base,
                        latencies,
                        args.think_ms / 1000,
                        service,
                        finishing,
                        turns,
                    )

            async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:
                # Warm-up, not measured: each worker parses each scenario once (cached after).
                for _ in range(args.workers):
                    unmeasured = (one_call(c, client, base, [], 0.0, [], [], []) for c in warm)
                    await asyncio.gather(*unmeasured)
                    warm = [_fresh(call) for call in warm]
                started = time.perf_counter()
                cpu_started = time.process_time()
                await asyncio.gather(*(gated(call, client) for call in calls))
                elapsed = time.perf_counter() - started
                client_cpu = time.process_time() - cpu_started
        finally:
            process.terminate()
            process.wait(timeout=15)
        lost, duplicated, missing = check(db, calls)
        if not db.is_sqlite:
            db.drop_all()
        db.dispose()
    ordered = sorted(latencies)
    served = sorted(service)
    turns.sort()
    return {
        "turn_p99": turns[min(len(turns) - 1, int(len(turns) * 0.99))],
        "finish_p50": statistics.median(finishing),
        "requests": float(len(latencies)),
        "elapsed": elapsed,
        "throughput": len(latencies) / elapsed,
        "service_p50": statistics.median(served),
        "service_p99": served[min(len(served) - 1, int(len(served) * 0.99))],
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "client_cpu": client_cpu,
        "lost": float(lost),
        "duplicated": float(duplicated),
        "missing": float(missing),
        "command": shlex.join(command),  # type: ignore[dict-item]
    }


async def run_bare(args: argparse.Namespace, requests: int) -> dict[str, float]:
    """The bare endpoint under the same gunicorn settings, at the same concurrency."""
    with tempfile.TemporaryDirectory() as folder:
        process, base = bare.start(args.workers, args.threads, Path(folder) / "log")
        try:
            return await bare.saturate_ivr(base, args.concurrency, requests)
        finally:
            bare.stop(process)


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


async def run(args: argparse.Namespace) -> None:
    project: list[dict[str, float]] = []
    ceiling: list[dict[str, float]] = []
    for n in range(args.repeat):
        figures = await run_once(args)
        project.append(figures)
        bare_figures = await run_bare(args, int(figures["requests"]))
        ceiling.append(bare_figures)
        print(
            f"run {n + 1}: project {figures['throughput']:.0f} requests/s, service p99 "
            f"{figures['service_p99']:.1f} ms, round trip p99 {figures['p99_ms']:.1f} ms; bare "
            f"{bare_figures['throughput']:.0f} requests/s, round trip p99 "
            f"{bare_figures['p99_ms']:.1f} ms",
            flush=True,
        )
    print(f"nproc: {os.cpu_count()}")
    print(f"server: {project[0]['command']}")
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (WAL)'}")
    print(f"warm-up: {'one call per scenario per worker, not measured' if args.warmup else 'none'}")
    print(
        f"calls: {args.calls}, concurrency: {args.concurrency}, think time: {args.think_ms} ms, "
        f"requests: {int(project[0]['requests'])} a run, repetitions: {args.repeat} (medians)"
    )
    print(
        f"webhook service time (app, Server-Timing) p50: {_median(project, 'service_p50'):.1f} ms, "
        f"p99: {_median(project, 'service_p99'):.1f} ms; without the status callbacks that "
        f"finish and score a call (one a call): p99 {_median(project, 'turn_p99'):.1f} ms; "
        f"those callbacks p50 {_median(project, 'finish_p50'):.1f} ms"
    )
    print(f"webhook round trip p50: {_median(project, 'p50_ms'):.1f} ms")
    print(
        f"webhook round trip p99: {_median(project, 'p99_ms'):.1f} ms "
        "(includes queueing and the client)"
    )
    throughput = _median(project, "throughput")
    bare_throughput = _median(ceiling, "throughput")
    print(f"throughput: {throughput:.0f} requests/s")
    print(
        f"bare endpoint, same gunicorn settings: {bare_throughput:.0f} requests/s, round trip p99 "
        f"{_median(ceiling, 'p99_ms'):.1f} ms"
    )
    if args.think_ms:
        # Paced calls ask for what the callers' pauses allow, not for all the server can give:
        # a share of the bare endpoint's saturated throughput would measure the pauses.
        print("project / bare throughput: not compared (paced calls; run without --think-ms)")
    else:
        print(f"project / bare throughput: {throughput / bare_throughput:.0%}")
    print(f"driver (client) CPU: {_median(project, 'client_cpu'):.1f} s a run, on the same 2 cores")
    lost = sum(int(run["lost"]) for run in project)
    duplicated = sum(int(run["duplicated"]) for run in project)
    missing = sum(int(run["missing"]) for run in project)
    print(f"events lost: {lost}, duplicated: {duplicated}, calls without attempt: {missing}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, choices=range(1, 9))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument("--no-warmup", dest="warmup", action="store_false")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (medians printed)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    # CENTRALINO_BENCH_QUICK=1: the short mode the docs test runs (a smoke pass, no real figures).
    if os.environ.get("CENTRALINO_BENCH_QUICK") == "1":
        args.calls, args.concurrency, args.workers = min(args.calls, 2), 2, 1
        args.think_ms, args.warmup, args.repeat = min(args.think_ms, 10.0), False, 1
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
