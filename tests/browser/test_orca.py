"""A real screen reader: Orca on Xvfb listening to a visible Chromium through AT-SPI.

Orca's own debug log records every utterance as ``SPEECH OUTPUT: '...'``; the test reads it as
Orca speaks (``orca_linebuffered.py`` makes the log line-buffered) and asserts what a blind
trainee hears for a ring, the answer, the caller's first line and a hold. What made Chromium's
page reach Orca here: ``ACCESSIBILITY_ENABLED=1`` in Chromium's environment (without it Orca
only hears "Chromium frame."), ``--force-renderer-accessibility``, a session D-Bus and the AT-SPI
bus launched before Orca. Packages: ``scripts/setup.sh --dev`` (orca xvfb dbus-x11 at-spi2-core).
About 20 s.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright

from simulator.practice import accounts
from simulator.web.testing import make_app, seed_users
from tests.browser.conftest import ARGS, CHROMIUM, LiveServer, log_in

pytestmark = pytest.mark.browser
HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "listening"
NEEDED = ("/usr/bin/orca", "/usr/bin/Xvfb", "/usr/bin/dbus-launch", "/usr/bin/python3")
AT_SPI = "/usr/libexec/at-spi-bus-launcher"
SPEECH = re.compile(r"SPEECH OUTPUT: '(.*)'")
SPOKEN_WITHIN_S = 30.0


class Desktop:
    """Xvfb, a session bus, the AT-SPI bus and Orca, each started here and ended by its id."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.log = tmp / "orca-debug.log"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.outputs: list[Any] = []
        self.env = dict(os.environ)
        self.bus_pid: int | None = None
        self.speechd_socket = tmp / "speechd.sock"

    def _spawn(self, *cmd: str) -> subprocess.Popen[bytes]:
        out = open(self.tmp / f"{Path(cmd[0]).name}.out", "wb")  # noqa: SIM115 - closed in stop()
        self.outputs.append(out)
        proc = subprocess.Popen(
            cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        display = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
        self.env["DISPLAY"] = f":{display}"
        screen = ("-screen", "0", "1280x900x24", "-nolisten", "tcp")
        self._spawn("/usr/bin/Xvfb", f":{display}", *screen)
        self._wait(lambda: Path(f"/tmp/.X11-unix/X{display}").exists(), "Xvfb")
        bus = subprocess.run(
            ["/usr/bin/dbus-launch", "--sh-syntax"], env=self.env, capture_output=True, text=True
        ).stdout
        for name in ("DBUS_SESSION_BUS_ADDRESS", "DBUS_SESSION_BUS_PID"):
            found = re.search(rf"{name}='?([^';]+)'?;", bus)
            assert found, f"dbus-launch gave no {name}: {bus!r}"
            self.env[name] = found.group(1)
        self.bus_pid = int(self.env["DBUS_SESSION_BUS_PID"])
        # Orca's speech-dispatcher is spawned by speechd on demand and leaves its process group
        # (it daemonises): one of our own, on a socket in this run's folder, ended in stop().
        # A shared one left by an earlier run answered nothing and Orca hung waiting for it.
        self.env["SPEECHD_ADDRESS"] = f"unix_socket:{self.speechd_socket}"
        self._spawn(AT_SPI, "--launch-immediately")
        prefs = self.tmp / "orca-prefs"
        prefs.mkdir()
        self._spawn(
            "/usr/bin/python3", str(HERE / "orca_linebuffered.py"), str(self.log), "-u", str(prefs)
        )
        self.wait_spoken("Screen reader on")

    def _wait(self, done: Any, what: str) -> None:
        deadline = time.monotonic() + SPOKEN_WITHIN_S
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not start")
            time.sleep(0.1)

    def spoken(self) -> list[str]:
        if not self.log.exists():
            return []
        return SPEECH.findall(self.log.read_text("utf-8", errors="replace"))

    def wait_spoken(self, text: str, page: Page | None = None, after: int = 0) -> int:
        """Wait until Orca has said something containing ``text``; its index in the speech."""
        deadline = time.monotonic() + SPOKEN_WITHIN_S
        while True:
            lines = self.spoken()
            for index, line in enumerate(lines[after:], start=after):
                if text in line:
                    return index
            if time.monotonic() > deadline:
                raise AssertionError(f"Orca never said {text!r}; it said: {lines[after:]}")
            if page is not None:
                page.wait_for_timeout(200)  # lets Playwright deliver page events meanwhile
            else:
                time.sleep(0.2)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            # Each was started in its own session: its group holds what it spawned (Orca's
            # speech-dispatcher, the AT-SPI bus daemon), and nothing else.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if self.bus_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.bus_pid, signal.SIGTERM)
        subprocess.run(
            ["pkill", "-KILL", "-f", f"--socket-path {self.speechd_socket}"], check=False
        )
        for out in self.outputs:
            out.close()


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    missing = [p for p in (*NEEDED, AT_SPI) if not Path(p).exists()]
    if missing or not shutil.which("orca"):
        pytest.fail(f"missing {missing}: run 'bash scripts/setup.sh --dev' (orca xvfb dbus-x11)")
    env = Desktop(tmp_path_factory.mktemp("orca"))
    try:
        env.start()
        yield env
    finally:
        env.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("orca-app")
    app = make_app(f"sqlite:///{tmp / 'orca.db'}", tmp, scenario_root=FIXTURES)
    ids = seed_users(app, trainees=("orca",))
    with app.extensions["centralino_db"].write() as s:
        accounts.save_settings(s, ids["orca"], accounts.Settings(time_multiplier=1.0))
    with LiveServer(app) as live:
        yield live


def test_orca_hears_ring_answer_caller_and_hold(
    playwright_driver: Playwright, desktop: Desktop, server: LiveServer
) -> None:
    """What Orca speaks: the ring alert, the answer's status, the caller's first line, the hold."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM,
        headless=False,
        env={**desktop.env, "ACCESSIBILITY_ENABLED": "1"},
        args=[*ARGS, "--force-renderer-accessibility", "--disable-features=Translate"],
    )
    try:
        page = browser.new_context(locale="it-IT").new_page()
        page.set_default_timeout(20_000)
        log_in(page, server.url, "orca")
        page.click("#start-ascolto-una-linea")
        page.wait_for_selector("body[data-ready]")
        mark = desktop.wait_spoken("Squilla linea 1: 0971 234567", page)
        # Orca reads a new page from the top once it has loaded (say all), down to the footer:
        # answer after that, as a user who listens first would, else it may reach the log just
        # as the caller's first line lands there and read that line a second time (the page is
        # longer since the company documents came in).
        loaded = desktop.wait_spoken("Finished loading Linea 1 squilla", page)
        desktop.wait_spoken("Aiuto e scorciatoie da tastiera", page, after=loaded)
        page.keyboard.press("Alt+Shift+KeyR")
        answered = desktop.wait_spoken("Linea 1 in conversazione", page, after=mark)
        desktop.wait_spoken("Buongiorno, sono Mario Rossi", page, after=mark)
        page.keyboard.press("Alt+Shift+KeyH")
        held = desktop.wait_spoken("Linea 1 in attesa", page, after=answered)
        # Each said once: no re-read of a button or a region from polling.
        heard = desktop.spoken()[mark : held + 1]
        assert sum("Linea 1 in conversazione." in line for line in heard) == 1, heard
        caller = [line for line in heard if "Buongiorno, sono Mario Rossi" in line]
        assert len(caller) == 1, heard
        assert caller[0].startswith("Chiamante:") and not re.search(r"\d\d:\d\d", caller[0])
    finally:
        browser.close()
