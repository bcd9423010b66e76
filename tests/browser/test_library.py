"""The trainee's library in a real Chromium: axe-clean (WCAG 2.2 AA) unfiltered and filtered, the
filter used from the keyboard alone, and the same filter without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from simulator.web.testing import make_app, seed_users
from tests.browser.conftest import LiveServer, log_in
from tests.browser.test_axe import assert_axe_clean

ROOT = Path(__file__).resolve().parents[2]
# Every bundled scenario but the assigned one is in the free-practice library.
OTHERS = len(list((ROOT / "scenarios").glob("*.yaml"))) - 1

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def library_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("library")
    app = make_app(f"sqlite:///{tmp / 'library.db'}", tmp, ROOT / "scenarios")
    seed_users(app, trainees=("luca",), scenarios=["smistamento-acquisti-assente"])
    with LiveServer(app) as server:
        yield server


def test_library_is_axe_clean_and_filtered_from_the_keyboard(
    page: Page, library_server: LiveServer
) -> None:
    log_in(page, library_server.url, "luca")
    expect(page.get_by_role("heading", name="Smistamento delle chiamate (3)")).to_be_visible()
    expect(page.get_by_role("heading", name="Livello 1, base").first).to_be_visible()
    assert_axe_clean(page, "library")

    page.get_by_label("Famiglia").focus()
    page.keyboard.press("ArrowDown")  # the first family: Smistamento delle chiamate
    for _ in range(4):  # level, language, result, then the button
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Filtra"
    page.keyboard.press("Enter")
    page.wait_for_url("**/practice?family=smistamento*")
    expect(page.locator("#library-count")).to_have_text(f"Esercitazioni mostrate: 3 su {OTHERS}.")
    families = page.locator("section h3")
    expect(families).to_have_count(1)
    expect(families).to_have_text("Smistamento delle chiamate (3)")
    expect(page.get_by_label("Famiglia")).to_have_value("smistamento")
    assert_axe_clean(page, "library filtered")


def test_library_filter_works_without_javascript(
    nojs_page: Page, library_server: LiveServer
) -> None:
    log_in(nojs_page, library_server.url, "luca")
    nojs_page.get_by_label("Lingua").select_option(label="francese")
    nojs_page.get_by_role("button", name="Filtra").click()
    expect(nojs_page.locator("#library-count")).to_have_text(
        f"Esercitazioni mostrate: 2 su {OTHERS}."
    )
    expect(nojs_page.get_by_text("lingua: francese")).to_have_count(2)
    nojs_page.get_by_role("link", name="Mostra tutta la libreria").click()
    expect(nojs_page.locator("#library-count")).to_have_text(
        f"Esercitazioni mostrate: {OTHERS} su {OTHERS}."
    )


def test_library_reflows_at_320_px_in_forced_colours(
    narrow_page: Page, library_server: LiveServer
) -> None:
    log_in(narrow_page, library_server.url, "luca")
    width = narrow_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"horizontal scrolling at 320 px: {width}px"
    assert_axe_clean(narrow_page, "library at 320 px, forced colours")
