"""Domain figures quoted in the README: library validation, engine time per event, scoring.

Run: .venv/bin/python benchmarks/bench_domain.py [--logs 10000] [--rounds 20]
Prints plain lines; targets on a 2-core machine: library < 1 s, engine p99 < 1 ms per event,
10,000 logs scored in < 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import engine  # noqa: E402
from simulator.errors import CallStateError  # noqa: E402
from simulator.events import Action, Event  # noqa: E402
from simulator.loader import load_library  # noqa: E402
from simulator.scoring import score  # noqa: E402
from simulator.script import load_script  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    # CENTRALINO_BENCH_QUICK=1: the short mode the docs test runs (a smoke pass, no real figures).
    if os.environ.get("CENTRALINO_BENCH_QUICK") == "1":
        args.logs, args.rounds = min(args.logs, 200), 1
    root = ROOT / "scenarios"
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"
    )

    files = [p for p in root.rglob("*.yaml") if "scripts" not in p.parts]
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        library = load_library(root)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    print(
        f"validation: {len(files)} files in {best * 1000:.1f} ms "
        f"(median {statistics.median(timings) * 1000:.1f} ms), {len(files) / best:.0f} files/s"
    )

    per_event: list[float] = []
    logs: list[tuple[object, object, list[Event]]] = []
    for _ in range(args.rounds):
        for scenario_id, loaded in sorted(library.scenarios.items()):
            scenario = loaded.scenario
            company = library.companies[scenario.company]
            for kind in ("good", "poor"):
                script = load_script(root / "scripts" / f"{scenario_id}.{kind}.yaml")
                state, log = engine.start(scenario, company, multiplier=script.multiplier)
                for turn in script.turns:
                    begin = time.perf_counter_ns()
                    try:
                        state, new = engine.step(state, turn.action(), turn.at)
                    except CallStateError:
                        state, new = engine.advance(state, turn.at)
                    elapsed = (time.perf_counter_ns() - begin) / 1e6
                    per_event.append(elapsed / max(1, len(new)))
                    log.extend(new)
                state, new = engine.step(state, Action("finish"), script.turns[-1].at + 1)
                log.extend(new)
                if len(logs) < 2 * len(library.scenarios):
                    logs.append((scenario, company, log))
    print(
        f"engine: {len(per_event)} actions, per event p50 {percentile(per_event, 50):.3f} ms, "
        f"p99 {percentile(per_event, 99):.3f} ms, max {max(per_event):.3f} ms"
    )

    start = time.perf_counter()
    for i in range(args.logs):
        scenario, company, log = logs[i % len(logs)]
        score(scenario, company, log)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    print(f"scoring: {args.logs} logs in {elapsed:.2f} s, {args.logs / elapsed:.0f} logs/s")


if __name__ == "__main__":
    main()
