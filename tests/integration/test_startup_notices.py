"""A start-up that speaks once: the configuration notices (here: the phone switched off for lack
of Twilio variables) come once per server start, grouped, with what to do: once for gunicorn
with three workers, never from the ``flask`` maintenance commands that ``scripts/run.sh`` runs
before the server, once for several apps built in one process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADING = "configuration notice"
PHONE = "Phone practice disabled"
# A gunicorn server hook, for the test only: it says when a worker has finished loading the app,
# so the test waits for that event instead of a clock.
READY_HOOK = 'def post_worker_init(worker):\n    print("worker-ready", worker.pid, flush=True)\n'


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "CENTRALINO_")) and k != "PUBLIC_BASE_URL"
    }
    env.update(
        CENTRALINO_DATABASE_URL=f"sqlite:///{tmp_path / 'notices.db'}",
        CENTRALINO_SECRET_KEY="test-secret-key-not-for-production",
        PYTHONPATH=str(ROOT),
    )
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_gunicorn_with_three_workers_says_each_notice_once(tmp_path: Path) -> None:
    hook = tmp_path / "ready.py"
    hook.write_text(READY_HOOK, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "3", "-c", str(hook),
         "-b", f"127.0.0.1:{_free_port()}", "--chdir", str(ROOT), "app:create_app()"],
        env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    output: list[str] = []
    try:
        for line in process.stdout:  # until the three workers have loaded the app
            output.append(line)
            if sum("worker-ready" in seen for seen in output) == 3:
                break
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=30)
    text = "".join(output)
    assert text.count("worker-ready") == 3, text + rest
    assert text.count(HEADING) == 1, text
    assert text.count(PHONE) == 1, text
    block = text[text.index("Centralino:") :]
    assert "TWILIO_AUTH_TOKEN" in block and "Cosa fare:" in block and "To do:" in block


def test_maintenance_commands_do_not_repeat_the_notices(tmp_path: Path) -> None:
    """``flask db-upgrade``/``status`` (run by scripts/run.sh before the server) stay quiet."""
    for command in (["db-upgrade"], ["status"]):
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *command],
            cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert PHONE not in done.stdout + done.stderr
        assert HEADING not in done.stdout + done.stderr


def test_several_apps_in_one_process_say_the_notices_once(tmp_path: Path) -> None:
    code = "from app import create_app\nfor _ in range(3):\n    create_app()\n"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stderr.count(HEADING) == 1, done.stderr
    assert done.stderr.count(PHONE) == 1, done.stderr
