"""The class pages and the trainee's new links in Chromium: axe-core finds nothing on the class
list, the class page, the results page (filtered, and with a filter error) and the trainee's
home with its suggestion, course path and BRF links; all of it works with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from simulator.next_practice import PathRule
from simulator.practice import attempts, braille, classes
from simulator.web.testing import PASSWORD, make_app, seed_users
from tests.browser.conftest import LiveServer
from tests.browser.test_axe import assert_axe_clean
from tests.browser.test_keyboard import active_id, tab_to

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int]]:
    """A class with Luca and Marta, a two-step course path, and one finished attempt each."""
    tmp = tmp_path_factory.mktemp("classes")
    app = make_app(f"sqlite:///{tmp / 'classes.db'}", tmp)
    ids = seed_users(app)
    database = app.extensions["centralino_db"]
    with database.write() as s:
        klass = classes.create_class(s, "Centralinisti 2026", ids["ada"])
        classes.set_members(s, klass, [ids["luca"], ids["marta"]])
        classes.set_path(
            s,
            klass,
            [PathRule("web-messaggio", "always"), PathRule("web-due-linee", "previous_passed")],
        )
        class_id = klass.id
    for name in ("luca", "marta"):
        attempt_id = attempts.start_attempt(database, ids[name], "web-messaggio")
        attempts.finish(database, attempt_id)
    with LiveServer(app) as server:
        yield server, class_id


def _log_in(page: Page, base: str, username: str, lands: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]:has-text('Accedi')")
    page.wait_for_url(f"**{lands}")


def test_class_pages_are_axe_clean(page: Page, school: tuple[LiveServer, int]) -> None:
    server, class_id = school
    _log_in(page, server.url, "ada", "/instructor/")
    page.goto(f"{server.url}/instructor/classes")
    assert_axe_clean(page, "class list")
    page.click("button:has-text('Crea la classe')")
    expect(page).to_have_title(re.compile("^Errore:"))
    assert_axe_clean(page, "class list with an error")
    page.goto(f"{server.url}/instructor/classes/{class_id}")
    assert_axe_clean(page, "class page")
    page.goto(
        f"{server.url}/instructor/classes/{class_id}/results?family=messaggi&level=1"
        "&from=2020-01-01"
    )
    expect(page.locator("#results-count")).to_have_text("Tentativi mostrati: 2. Filtri attivi.")
    assert_axe_clean(page, "class results, filtered")
    page.goto(f"{server.url}/instructor/classes/{class_id}/results?from=2026-02-30")
    expect(page).to_have_title(re.compile("^Errore:"))
    expect(page.locator("#f-from")).to_have_attribute("aria-invalid", "true")
    assert_axe_clean(page, "class results with a bad date")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{server.url}/instructor/classes/{class_id}/results")
    assert_axe_clean(page, "class results at 320 px")


def test_results_filters_and_downloads_by_keyboard(
    page: Page, school: tuple[LiveServer, int]
) -> None:
    """Choose a family and a level with the keyboard, submit, reach the charts' tables and CSV."""
    server, class_id = school
    _log_in(page, server.url, "ada", "/instructor/")
    page.goto(f"{server.url}/instructor/classes/{class_id}/results")
    kb = page.keyboard
    tab_to(page, "f-family")
    kb.type("Messaggi")  # a closed select picks the option its label starts with
    tab_to(page, "f-level")
    kb.press("ArrowDown")
    kb.press("Tab")
    focused = page.evaluate("document.activeElement.textContent").strip()
    assert focused == "Filtra"
    kb.press("Enter")
    page.wait_for_url(re.compile(r"family=messaggi.*level=1"))
    expect(page.locator("#f-family")).to_have_value("messaggi")
    expect(page.locator("#results-count")).to_contain_text("Tentativi mostrati: 2.")
    # The charts are images with a name; their tables are scrollable regions reached by Tab.
    chart = page.get_by_role("img", name="Punteggio medio per RA e per settimana")
    expect(chart).to_be_visible()
    for _ in range(40):
        if page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == "ra-caption":
            break
        kb.press("Tab")
    else:
        raise AssertionError("the RA table's region is not reachable with Tab")
    csv_link = page.get_by_role("link", name="Registro in CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"family=messaggi"))
    with page.expect_download() as download:
        csv_link.focus()
        kb.press("Enter")
    header = download.value.path().read_text(encoding="utf-8-sig").splitlines()[0]
    assert "ADA.24.01.08.RA1 score" in header and "ADA.24.04.11.RA2 pass" in header


def test_trainee_home_links_by_keyboard(page: Page, school: tuple[LiveServer, int]) -> None:
    """The suggestion, the locked path step and the BRF links, axe-clean and keyboard-reachable."""
    server, _class_id = school
    _log_in(page, server.url, "luca", "/practice")
    expect(page.locator("#next-suggestion")).to_contain_text("Passo 1 del percorso del corso.")
    expect(page.get_by_text("bloccato (supera il passo precedente)")).to_be_visible()
    assert_axe_clean(page, "trainee home with suggestion, path and BRF links")
    kb = page.keyboard
    tab_to(page, "start-next")
    tab_to(page, "brf-directory-acme-test")
    with page.expect_download() as download:
        kb.press("Enter")
    body = download.value.path().read_bytes().decode("ascii")
    first = body.split("\r\n", 1)[0]
    assert braille.back_translate(first) == "Rubrica: Acme Test Srl"
    page.goto(f"{server.url}/practice")
    report_link = page.locator("a[id^=brf-]").filter(has_text="Valutazione in BRF").first
    link_id = report_link.get_attribute("id")
    assert link_id is not None
    tab_to(page, link_id)
    with page.expect_download() as download:
        kb.press("Enter")
    assert download.value.suggested_filename.startswith("valutazione-")
    assert active_id(page) == link_id  # a download leaves focus where it was
