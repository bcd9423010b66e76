"""Start-up notices: what the configuration leaves switched off, and what to do about it.

A server says them once per start, grouped in one block: once for a gunicorn master and all its
workers (each worker builds its own app), once for ``flask run``, never for the other ``flask``
commands (``db-upgrade``, ``load-scenarios``, ``status`` ... are not a server starting). Several
app instances in one process (the tests) say them once.

Across gunicorn workers the first one to create a marker file in the instance folder, named
after the master process and the time it started, prints the block; the others stay quiet.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click
from flask import Flask


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing switched off by the configuration, in Italian and English, with the fix."""

    key: str
    it: str
    en: str
    fix_it: str
    fix_en: str


_said_in_process: set[tuple[str, ...]] = set()


def collect(app: Flask) -> list[Notice]:
    """The notices that apply to this app's configuration, in a stable order."""
    found: list[Notice] = []
    ivr = app.extensions.get("centralino_ivr")
    if ivr is not None and ivr.missing:
        names = ", ".join(ivr.missing)
        found.append(
            Notice(
                "phone",
                f"Esercitazione al telefono disattivata: mancano {names}.",
                f"Phone practice disabled: {names} not set.",
                "imposta le variabili (docs/phone.md); il resto funziona lo stesso.",
                "set these variables (docs/phone.md); everything else works without them.",
            )
        )
    if shutil.which("espeak-ng") is None:
        found.append(
            Notice(
                "speech",
                "espeak-ng non installato: i chiamanti parlano solo in testo.",
                "espeak-ng is not installed: callers speak in text only.",
                "sudo apt-get install espeak-ng (o bash scripts/setup.sh).",
                "sudo apt-get install espeak-ng (or bash scripts/setup.sh).",
            )
        )
    return found


def render(notices: Sequence[Notice]) -> str:
    """The grouped block: a heading line, then one line per notice with what to do."""
    count = len(notices)
    it, en = ("avviso", "notice") if count == 1 else ("avvisi", "notices")
    lines = [f"Centralino: {count} {it} di configurazione / {count} configuration {en}"]
    for notice in notices:
        lines.append(f"- {notice.it} Cosa fare: {notice.fix_it}")
        lines.append(f"  {notice.en} To do: {notice.fix_en}")
    return "\n".join(lines)


def _serving() -> bool:
    """False inside a ``flask`` command other than ``run``: those are not a server start."""
    context = click.get_current_context(silent=True)
    if context is None:
        return True
    return context.info_name == "run" or context.command.name == "run"


def _start_id() -> str:
    """This server start: the gunicorn master (pid and start time) for a worker, else us."""
    pid = os.getppid() if "gunicorn" in sys.modules else os.getpid()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        started = stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        started = "0"
    return f"{pid}-{started}"


def _first_in_start(instance: Path) -> bool:
    marker_dir = instance / "notices"
    marker_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(marker_dir / _start_id(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    for old in marker_dir.iterdir():  # markers of servers that have stopped
        if not Path(f"/proc/{old.name.split('-')[0]}").exists():
            old.unlink(missing_ok=True)
    return True


def announce(app: Flask, stream: TextIO | None = None) -> bool:
    """Print the grouped notices if this is the first app of a server start; True if printed."""
    notices = collect(app)
    if not notices or not _serving():
        return False
    keys = (app.instance_path, *(n.key for n in notices))
    if keys in _said_in_process or not _first_in_start(Path(app.instance_path)):
        return False
    _said_in_process.add(keys)
    print(render(notices), file=stream or sys.stderr, flush=True)
    return True
