"""axe-core (WCAG 2.0/2.1/2.2 A and AA) finds no violation on any page or console state."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from simulator.web.testing import make_app
from tests.browser.conftest import LiveServer, log_in

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()

pytestmark = pytest.mark.browser


def assert_axe_clean(page: Page, what: str) -> None:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def test_login_and_first_run_pages(page: Page, tmp_path) -> None:
    """Login and first-run pages, and the first-run page with errors."""
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    with LiveServer(app) as server:
        page.goto(f"{server.url}/setup")
        assert_axe_clean(page, "first-run")
        page.click("button[type=submit]")
        expect(page).to_have_title(re.compile("^Errore:"))
        assert_axe_clean(page, "first-run with errors")
        page.goto(f"{server.url}/login")
        assert_axe_clean(page, "login")


def test_console_states(page: Page, live: LiveServer) -> None:
    """Every console state: ringing, talking, each tool, on hold, error, score report."""
    base = live.url
    log_in(page, base, "marta")
    assert_axe_clean(page, "home")
    page.click("#start-web-messaggio")
    expect(page.locator("#answer-l1")).to_be_visible()
    assert_axe_clean(page, "console ringing")
    page.click("#answer-l1")
    expect(page.locator("#hold-l1")).to_be_visible()
    assert_axe_clean(page, "console talking")
    url = page.url.split("?")[0]
    for tool in (
        "transfer",
        "message",
        "fonogramma",
        "report",
        "ticket",
        "outgoing",
        "voicemail",
        "directory",
    ):
        page.goto(f"{url}?tool={tool}")
        expect(page.locator("#tool-heading")).to_be_visible()
        assert_axe_clean(page, f"tool {tool}")
    page.goto(f"{url}?tool=transfer")
    page.click("#transfer-search")  # empty search: error summary in the console
    expect(page).to_have_title(re.compile("^Errore:"))
    assert_axe_clean(page, "transfer form with an error")
    page.goto(f"{url}?tool=transfer")
    page.wait_for_selector("body[data-ready]")
    page.fill("#transfer-to", "Bianki")
    expect(page.locator("#transfer-listbox [role=option]").first).to_be_visible()
    assert_axe_clean(page, "transfer combobox open")
    page.goto(url)
    page.click("#hold-l1")
    expect(page.locator("#resume-l1")).to_be_visible()
    assert_axe_clean(page, "console on hold")
    page.click("#finish-button")
    page.wait_for_url("**/result")
    # Nothing was filed: the report shows "not judged" criteria, a state axe must also pass.
    expect(page.locator(".criterion--not-judged").first).to_be_visible()
    assert_axe_clean(page, "score report")


def test_two_lines(page: Page, live: LiveServer) -> None:
    """Two lines, one talking and one ringing, announced in the alert region."""
    log_in(page, live.url, "nina")
    page.click("#start-web-due-linee")
    page.click("#answer-l1")
    expect(page.locator("#answer-l2")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("alert")).to_contain_text("Squilla linea 2")
    assert_axe_clean(page, "two lines")


def test_other_pages(page: Page, live: LiveServer) -> None:
    """Settings, help, 404, 403 and every instructor page including upload errors."""
    base = live.url
    log_in(page, base, "olga")
    for path in ("/settings", "/help", "/nowhere"):
        page.goto(base + path)
        assert_axe_clean(page, path)
    page.goto(base + "/instructor/")
    expect(page.locator("h1")).to_have_text("Accesso negato")
    assert_axe_clean(page, "403")
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#f-username", "ada")
    page.fill("#f-password", "password-di-prova")
    page.click("button[type=submit]:has-text('Accedi')")
    page.wait_for_url("**/instructor/")
    assert_axe_clean(page, "instructor dashboard")
    ids = live.app.config["SEEDED_IDS"]
    for path in (
        f"/instructor/trainees/{ids['marta']}",
        "/instructor/trainees/new",
        "/instructor/upload",
        f"/ivr/trainees/{ids['marta']}/phone",
    ):
        page.goto(base + path)
        assert_axe_clean(page, path)
    page.fill("#f-phone", "non è un numero")
    page.click("main button[type=submit]")
    expect(page).to_have_title(re.compile("^Errore:"))
    assert_axe_clean(page, "trainee phone with an error")
    page.goto(f"{base}/instructor/upload")
    page.set_input_files(
        "#scenario-file",
        files=[
            {
                "name": "rotto.yaml",
                "mimeType": "text/yaml",
                "buffer": b"id: rotto\ntitle: Rotto\nlevel: 9\n",
            }
        ],
    )
    page.click("button[value=check]")
    expect(page).to_have_title(re.compile("^Errore:"))
    expect(page.locator("#error-summary")).to_be_focused()
    assert_axe_clean(page, "upload with errors")
    # From the summary, by keyboard, to the offending line of the read-only file.
    link = page.locator("#error-summary a[href='#line-3']").first
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#line-3$"))
    expect(page.locator("#line-3")).to_contain_text("level: 9")
    assert_axe_clean(page, "upload with the file shown")
    # A valid scenario tried with a scripted trainee: score and expect difference, by keyboard.
    from simulator.web.testing import FIXTURES

    page.goto(f"{base}/instructor/upload")
    page.set_input_files("#scenario-file", str(FIXTURES / "smistamento-messaggio.yaml"))
    page.set_input_files(
        "#script-file",
        files=[
            {
                "name": "debole.yaml",
                "mimeType": "text/yaml",
                "buffer": b"scenario: web-messaggio\nexpect: {passes: all}\n"
                b"turns:\n  - {at: 2, do: answer}\n",
            }
        ],
    )
    page.locator("button[value=check]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#trial-title-1")).to_contain_text("debole.yaml")
    expect(page.locator(".trial .notice--error")).to_contain_text("expect")
    assert_axe_clean(page, "upload with a scripted trainee tried")
    page.goto(f"{base}/lang/en?next=/instructor/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_axe_clean(page, "dashboard in English")


def test_safety_scenario_documents_and_pause_pages(page: Page, tmp_path) -> None:
    """A safety scenario's console with the company's documents open, its result with the pause
    reminder after two hours of practice, and the class view with the practice column."""
    from pathlib import Path

    from simulator.web.testing import seed_users

    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    app = make_app(
        f"sqlite:///{tmp_path / 'safety.db'}", tmp_path, scenarios, BREAK_AFTER_MINUTES=0
    )
    seed_users(app, trainees=("luca",), scenarios=["emergenza-infortunio-magazzino"])
    with LiveServer(app) as server:
        log_in(page, server.url, "luca")
        page.click("#start-emergenza-infortunio-magazzino")
        expect(page.locator("#answer-l1")).to_be_visible()
        page.click("#procedure summary")
        expect(page.locator("#procedure-infortunio")).to_be_visible()
        assert_axe_clean(page, "console with the company documents open")
        page.click("#finish-button")
        expect(page.locator("#ra-1")).to_be_visible()
        expect(page.locator("#pause-reminder")).to_be_visible()  # a pause is due at once here
        assert_axe_clean(page, "result with the pause reminder")
        page.context.clear_cookies()
        page.goto(f"{server.url}/login")
        page.fill("#f-username", "ada")
        page.fill("#f-password", "password-di-prova")
        page.click("button[type=submit]:has-text('Accedi')")
        page.wait_for_url("**/instructor/")
        expect(page.locator("th:has-text('Pratica oggi')")).to_be_visible()
        assert_axe_clean(page, "class view with practice today")
