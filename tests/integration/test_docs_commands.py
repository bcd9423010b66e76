"""What the README and the guides show is what runs: every shell block they contain is executed,
in order, in a scratch instance of Centralino, against the real app (real gunicorn, real SQLite,
the real call driver, the real CLI, the benchmarks).

The documents are read when the tests are collected, so a command someone adds later is run too;
a block without a language fails (see ``tests/docs_blocks.py`` for the markers).

The scratch instance is a fresh copy of the project in a temporary folder with its own empty
``instance/`` (so a fresh SQLite database), its own ``.venv`` and a clean environment (no
``CENTRALINO_*``/``TWILIO_*`` variables, no virtualenv on ``PATH``: a bare ``flask`` fails as
it would for a newcomer). How the set-up is handled, honestly: installing the Python packages
again for every run would download them, so the scratch ``.venv`` is a real virtual environment
that sees the packages already installed for this test run (a ``.pth`` file) and the copy of the
project (as ``pip install -e .`` would); it is marked installed, so ``scripts/setup.sh`` runs for
real but its ``pip install`` step is skipped. Its Debian check (``dpkg-query``) runs and passes on
a machine set up by ``scripts/setup.sh --dev``. Two substitutions, printed with the results:
port 8000 becomes a free port (so parallel runs do not collide) and
``CENTRALINO_BENCH_QUICK=1`` makes the benchmarks take their short mode.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import re
import shutil
import signal
import site
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.docs_blocks import Block, blocks, documents

ROOT = Path(__file__).resolve().parents[2]
BLOCK_GUARD_S = 900.0  # a hang guard only: a block that never ends fails instead of blocking CI
SERVE_GUARD_S = 600.0
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_DROP_PREFIXES = ("CENTRALINO_", "TWILIO_", "PYTHON", "VIRTUAL_ENV", "BENCH_", "FLASK_")
_DROP_KEYS = {"PUBLIC_BASE_URL", "DATABASE_URL", "TEST_DATABASE_URL", "PORT"}
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "instance", "__pycache__", ".*_cache", ".hypothesis", "test-artifacts",
    "*.egg-info", "*.mo", "node_modules", "build", "dist",
)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _scratch_venv(venv: Path, project: Path) -> None:
    """A virtual environment that sees this run's packages and the copied project, marked
    installed so that ``scripts/setup.sh`` does not reinstall (see the module docstring)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = next((venv / "lib").glob("python*/site-packages"))
    (packages / "00-centralino-project.pth").write_text(f"{project}\n", encoding="utf-8")
    shared = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (packages / "zz-shared-packages.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in shared), encoding="utf-8"
    )
    own_python = venv / "bin" / "python"
    for tool in sorted((Path(sys.prefix) / "bin").iterdir()):
        target = venv / "bin" / tool.name
        if target.exists() or tool.name.startswith(("python", "activate", "Activate")):
            continue
        head = tool.read_bytes()[:200] if tool.is_file() else b""
        if head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]:
            body = tool.read_bytes().split(b"\n", 1)[1]
            target.write_bytes(b"#!" + str(own_python).encode() + b"\n" + body)
            target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        elif tool.is_file():
            target.symlink_to(tool.resolve())
    for stamp in (".installed", ".installed[dev]"):
        (venv / stamp).touch()


class Scratch:
    """A fresh copy of the project, its environment and the processes its blocks left running."""

    def __init__(self, folder: Path) -> None:
        self.root = folder / "centralino"
        shutil.copytree(ROOT, self.root, ignore=_COPY_IGNORE, symlinks=True)
        _scratch_venv(self.root / ".venv", self.root)
        self.logs = folder / "logs"
        self.logs.mkdir()
        self.port = _free_port()
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(_DROP_PREFIXES) and key not in _DROP_KEYS
        }
        self.env.update(PATH=CLEAN_PATH, PORT=str(self.port), CENTRALINO_BENCH_QUICK="1")
        self.running: list[subprocess.Popen[bytes]] = []
        self.served_logs: list[Path] = []

    def adapt(self, text: str) -> str:
        """The block as run here: port 8000 becomes this instance's free port."""
        for host in ("127.0.0.1", "localhost"):
            text = text.replace(f"{host}:8000", f"{host}:{self.port}")
        return text

    def _start(self, block: Block) -> tuple[subprocess.Popen[bytes], Path]:
        script = self.logs / f"{block.path.stem}-{block.line}.sh"
        script.write_text(self.adapt(block.text) + "\n", encoding="utf-8")
        log = self.logs / f"{block.path.stem}-{block.line}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                ["bash", "-e", "-o", "pipefail", str(script)],
                cwd=self.root, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        # Kept until the end: a block may leave a server running in the background (`cmd &`).
        self.running.append(process)
        return process, log

    def run(self, block: Block) -> None:
        process, log = self._start(block)
        try:
            code = process.wait(timeout=BLOCK_GUARD_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{block.where}: still running after {BLOCK_GUARD_S:.0f} s\n{_tail(log)}")
        if code != 0:
            pytest.fail(
                f"{block.where}: exit {code}\n--- block ---\n{self.adapt(block.text)}\n"
                f"--- output ---\n{_tail(log)}"
            )

    def serve(self, block: Block) -> None:
        process, log = self._start(block)
        self.served_logs.append(log)
        url = self.adapt(block.marker_arg)
        waited = 0.0
        while True:
            if process.poll() is not None:
                pytest.fail(f"{block.where}: server exited ({process.returncode})\n{_tail(log)}")
            try:
                if httpx.get(url, timeout=5.0).status_code < 400:
                    return
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                waited += 0.25
            if waited > SERVE_GUARD_S:
                pytest.fail(f"{block.where}: {url} never answered\n{_tail(log)}")

    def stop(self) -> None:
        """End every process group a block started (servers left in the background too)."""
        for process in self.running:
            _signal_group(process.pid, signal.SIGTERM)
        for process in self.running:
            for _ in range(120):  # up to 30 s for gunicorn to stop its workers
                if not _signal_group(process.pid, 0):
                    break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=0.25)
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()


def _signal_group(group: int, signum: int) -> bool:
    """Send a signal to a process group; False when no process of it is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def _tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Callable[[], Scratch]]:
    """Makes the scratch instance on first use (documents without commands need none)."""
    made: list[Scratch] = []

    def make() -> Scratch:
        if not made:
            made.append(Scratch(tmp_path))
        return made[0]

    yield make
    for instance in made:
        instance.stop()


@pytest.mark.slow
@pytest.mark.parametrize("document", documents(ROOT), ids=lambda path: path.name)
def test_every_documented_command_runs(
    document: Path, scratch: Callable[[], Scratch], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each shell block of the document runs, in order, in one fresh instance, and exits 0."""
    notes: list[str] = []
    ran: list[Scratch] = []
    for block in blocks(document):
        if not block.is_command:
            continue
        if block.marker == "skip":
            notes.append(f"docs-test: {block.where} non eseguito / not run: {block.marker_arg}")
            continue
        instance = scratch()
        ran[:] = [instance]
        started = time.monotonic()  # reported, never asserted
        if block.marker == "serve":
            instance.serve(block)
            what = f"served at {instance.adapt(block.marker_arg)}"
        else:
            instance.run(block)
            what = "ok"
        notes.append(f"docs-test: {block.where} {what} ({time.monotonic() - started:.0f} s)")
    # A start-up that speaks once: a server block (scripts/run.sh, which runs several flask
    # commands and then gunicorn's workers) prints the configuration notices once.
    for log in (log for instance in ran for log in instance.served_logs):
        said = log.read_text(encoding="utf-8", errors="replace")
        assert said.count("configuration notice") <= 1, f"{log.name}:\n{said[-3000:]}"
    with capsys.disabled():
        print(f"\n{document.name}: port 8000 -> a free port, CENTRALINO_BENCH_QUICK=1")
        print("\n".join(notes) or "docs-test: no shell block")


# ----------------------------------------------------------------- commands written inline
# Tables and sentences name commands in `inline code` too (`simulator say TESTO --lang L`).
# They cannot all run (placeholders), but each must name a command and options that exist.

_INLINE = re.compile(r"`([^`\n]+)`")
_ENV = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+")
_APP_SPEC = re.compile(r"'([A-Za-z_][\w.]*):create_app\(\)'")


def _inline_commands(text: str) -> list[list[str]]:
    found = []
    for span in _INLINE.findall(text.replace("\\|", "|")):
        words = _ENV.sub("", span.strip()).replace(".venv/bin/", "").split()
        words = [word for word in words if word != "..."]  # "any command" in prose
        if len(words) > 1 and words[0] in ("simulator", "flask"):
            found.append(words)
    return found


def _simulator_problem(words: list[str]) -> str | None:
    from simulator.cli import build_parser

    parser = build_parser()
    rest = words[1:]
    while rest and rest[0].startswith("--"):  # top-level options and their value
        rest = rest[2:] if rest[0] in ("--lang", "--library") else rest[1:]
    while rest:
        choices = next(
            (a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)),
            None,
        )
        if not choices:
            break
        if rest[0] not in choices:
            return f"no subcommand {rest[0]!r}"
        parser, rest = choices[rest[0]], rest[1:]
    known = parser._option_string_actions
    unknown = [w.split("=")[0] for w in rest if w.startswith("-") and w.split("=")[0] not in known]
    return f"unknown option(s) {unknown}" if unknown else None


def _flask_problem(words: list[str], app: Any) -> str | None:
    import click

    if words[1:3] != ["--app", "app"]:
        return "write `flask --app app COMMAND` (the app module is app)"
    command: Any = app.cli
    rest = words[3:]
    if rest and rest[0] in ("run", "shell", "routes"):  # Flask's own commands
        return None
    with click.Context(app.cli) as context:
        while rest and isinstance(command, click.Group):
            found = command.get_command(context, rest[0])
            if found is None:
                return f"no flask command {rest[0]!r}"
            command, rest = found, rest[1:]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    options |= {"--help"}
    unknown = [w for w in rest if w.startswith("--") and w.split("=")[0] not in options]
    return f"unknown option(s) {unknown}" if unknown else None


@pytest.mark.parametrize("document", documents(ROOT), ids=lambda path: path.name)
def test_commands_written_inline_name_real_commands_and_options(
    document: Path, tmp_path: Path
) -> None:
    """`simulator ...` and `flask --app app ...` in the text, and every gunicorn app spec."""
    from app import create_app

    text = document.read_text(encoding="utf-8")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
    problems = []
    for words in _inline_commands(text):
        problem = (
            _simulator_problem(words) if words[0] == "simulator" else _flask_problem(words, app)
        )
        if problem:
            problems.append(f"`{' '.join(words)}`: {problem}")
    for module in _APP_SPEC.findall(text):
        spec = importlib.util.find_spec(module)
        if spec is None or not hasattr(importlib.import_module(module), "create_app"):
            problems.append(f"'{module}:create_app()': no such module or factory")
    app.extensions["centralino_db"].dispose()
    assert not problems, f"{document.name}:\n" + "\n".join(problems)
