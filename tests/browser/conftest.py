"""Real headless Chromium (Debian's) against the real app served on a loopback port.

A screenshot of every failing browser test is saved under ``test-artifacts/``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

from simulator.practice import accounts
from simulator.web.testing import make_app, seed_users

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


class LiveServer:
    """The app served by a werkzeug thread on 127.0.0.1 and a random port."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.app.extensions["centralino_db"].dispose()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """One Playwright driver for the session (a second sync driver cannot start in-process)."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run 'bash scripts/test.sh', which installs chromium")
    launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live")
    app = make_app(f"sqlite:///{tmp / 'live.db'}", tmp)
    ids = seed_users(app, trainees=("luca", "marta", "nina", "olga", "piero", "rita"))
    with app.extensions["centralino_db"].write() as s:
        for name in ("luca", "marta", "nina", "olga", "piero", "rita"):
            # Generous timing so a slow CI machine never makes a caller hang up mid-test.
            accounts.save_settings(s, ids[name], accounts.Settings(time_multiplier=3.0))
    app.config["SEEDED_IDS"] = ids
    with LiveServer(app) as server:
        yield server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _context_page(
    browser: Browser, request: pytest.FixtureRequest, **options: Any
) -> Iterator[Page]:
    context = browser.new_context(locale="it-IT", **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
        page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _context_page(browser, request)


@pytest.fixture
def nojs_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _context_page(browser, request, java_script_enabled=False)


@pytest.fixture
def narrow_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _context_page(
        browser, request, viewport={"width": 320, "height": 640}, forced_colors="active"
    )


def log_in(page: Page, base: str, username: str) -> None:
    """Log in through the form (typing, as a person would)."""
    from simulator.web.testing import PASSWORD

    page.goto(f"{base}/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]:has-text('Accedi')")
    page.wait_for_url("**/practice")
