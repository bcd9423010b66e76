"""Authoring in the browser, by keyboard and checked by axe: upload a scenario with errors, follow
an error to its line, upload a valid one with scripted trainees, try it in the real console; and
the company's knowledge base in the trainee's console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from simulator.web.testing import FIXTURES, PASSWORD
from tests.browser.conftest import LiveServer, log_in
from tests.browser.test_axe import assert_axe_clean
from tests.browser.test_keyboard import ready, tab_to

pytestmark = pytest.mark.browser


def _broken() -> bytes:
    """The fixture with a misspelt step and an unknown RA: three problems in one run."""
    source = (FIXTURES / "smistamento-messaggio.yaml").read_text(encoding="utf-8")
    return (
        source.replace("goto: messaggio", "goto: messagio")
        .replace("ra: ADA.24.01.08.RA2", "ra: ADA.24.01.08.RA9")
        .encode()
    )


def _instructor(page: Page, base: str) -> None:
    kb = page.keyboard
    page.goto(f"{base}/login")
    tab_to(page, "f-username")
    kb.type("ada")
    kb.press("Tab")
    kb.type(PASSWORD)
    kb.press("Enter")
    page.wait_for_url("**/instructor/")


def test_upload_errors_link_to_lines_then_try_it_in_the_console(page: Page, live: LiveServer):
    """Every error of the file is a link to its line (focus moves there); a valid file's
    scripted trainees show an expect difference; «Prova nella console» opens the real console
    as a trial, played by keyboard to its result, and the result says it counts nowhere."""
    kb = page.keyboard
    base = live.url
    _instructor(page, base)
    page.locator("nav").get_by_role("link", name="Carica scenario").focus()
    kb.press("Enter")
    page.wait_for_url("**/instructor/upload")
    page.set_input_files(
        "#scenario-file",
        files=[{"name": "rotto.yaml", "mimeType": "text/yaml", "buffer": _broken()}],
    )
    page.locator("button[value=check]").focus()
    kb.press("Enter")
    expect(page).to_have_title(re.compile("^Errore:"))
    expect(page.locator("#error-summary")).to_be_focused()
    links = page.locator("#error-summary a")
    expect(links).to_have_count(3)
    expect(links.nth(0)).to_contain_text("Riga 27, colonna 19")
    expect(links.nth(0)).to_contain_text("forse 'messaggio'?")
    expect(links.nth(2)).to_contain_text("Riga 45, colonna 9")
    assert_axe_clean(page, "upload with three errors")
    kb.press("Tab")  # the first link of the summary
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#line-27"
    kb.press("Enter")
    expect(page).to_have_url(re.compile("#line-27$"))
    expect(page.locator("#line-27")).to_be_focused()
    expect(page.locator("#line-27")).to_contain_text("Problema alla riga 27:")
    expect(page.locator("#line-27")).to_contain_text("goto: messagio")
    expect(page.locator(".source-view__lines > li")).to_have_count(_broken().count(b"\n"))
    assert_axe_clean(page, "the file's line targeted by an error")

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
            },
            {
                "name": "fermo.yaml",
                "mimeType": "text/yaml",
                "buffer": b"scenario: web-messaggio\nexpect: {fails: [ADA.24.04.11.RA1]}\n"
                b"turns:\n  - {at: 2, do: answer}\n",
            },
        ],
    )
    page.locator("button[value=check]").focus()
    kb.press("Enter")
    expect(page.locator("#tried-summary")).to_have_text(
        "2 allievi simulati provati: 1 con differenze da expect."
    )
    expect(page.locator("#trial-title-1")).to_contain_text("debole.yaml")
    expect(page.locator(".trial").nth(0).locator(".notice--error")).to_contain_text(
        "atteso ADA.24.04.11.RA1 superato, invece non superato"
    )
    expect(page.locator(".trial").nth(1).locator(".notice--ok")).to_be_visible()
    assert_axe_clean(page, "upload with two scripted trainees and the try button")

    tab_to(page, "try-button")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    ready(page)
    expect(page.locator("#lines-heading")).to_be_focused()
    expect(page.locator("#trial-notice")).to_contain_text("Prova dell'istruttore.")
    expect(page.get_by_role("alert")).to_have_text(re.compile("Squilla linea 1"))
    assert_axe_clean(page, "the instructor's trial ringing")
    kb.press("Alt+Shift+KeyR")
    expect(page.locator("#reply")).to_be_focused()
    expect(page.get_by_role("log")).to_contain_text("Chiamante: Buongiorno, sono Mario Rossi")
    kb.type("Buongiorno, Acme Test. Vuole lasciare un messaggio?")
    kb.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("richiamarmi per l'ordine 4512")
    assert_axe_clean(page, "the instructor's trial talking")
    tab_to(page, "finish-button")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("#trial-notice")).to_contain_text("non è tra quelli degli allievi")
    expect(page.locator("h2#ra-1")).to_be_visible()
    assert_axe_clean(page, "the instructor's trial result")
    page.get_by_role("link", name="Torna al caricamento degli scenari").focus()
    kb.press("Enter")
    page.wait_for_url("**/instructor/upload")
    expect(page.locator("h1")).to_have_text("Carica uno scenario")


def test_try_a_library_scenario_from_the_dashboard(page: Page, live: LiveServer):
    """The dashboard's «Prova nella console» for a scenario of the library, by keyboard."""
    _instructor(page, live.url)
    assert_axe_clean(page, "dashboard with the try buttons")
    tab_to(page, "try-web-messaggio")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    ready(page)
    expect(page.locator("h1")).to_have_text("Messaggio per il signor Bianchi")
    expect(page.locator("#trial-notice")).to_be_visible()


def test_knowledge_base_in_the_console_by_keyboard(page: Page, live: LiveServer):
    """Alt+Shift+X opens the knowledge base on its search field; a search moves focus to the
    results heading; the article reads as a heading and text; Esc closes the panel and
    returns focus to its button."""
    kb = page.keyboard
    log_in(page, live.url, "piero")
    tab_to(page, "start-web-messaggio")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    ready(page)
    kb.press("Alt+Shift+KeyX")
    page.wait_for_url(re.compile(r"tool=knowledge"))
    ready(page)
    expect(page.locator("#knowledge-q")).to_be_focused()
    expect(page.locator("#knowledge-results")).to_have_text("Tutti gli articoli: 1")
    assert_axe_clean(page, "knowledge base open")
    kb.type("orari di apertura")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"kq=orari"))
    ready(page)
    expect(page.locator("#knowledge-results")).to_be_focused()
    expect(page.locator("#knowledge-results")).to_have_text(
        "Risultati per «orari di apertura»: 1 articolo"
    )
    expect(page.get_by_role("heading", name="Orari", level=5)).to_be_visible()
    expect(page.locator(".knowledge-list")).to_contain_text("Dal lunedì al venerdì, 9-13 e 14-18.")
    assert_axe_clean(page, "knowledge base with a result")
    kb.press("Escape")
    page.wait_for_url(re.compile(r"focus=tool-btn-knowledge"))
    ready(page)
    expect(page.locator("#tool-btn-knowledge")).to_be_focused()


def test_a_scripts_error_leads_to_its_line(page: Page, live: LiveServer):
    """A scripted trainee's mistake links to its line in the script's own read-only view."""
    _instructor(page, live.url)
    page.goto(f"{live.url}/instructor/upload")
    page.set_input_files("#scenario-file", str(FIXTURES / "smistamento-messaggio.yaml"))
    page.set_input_files(
        "#script-file",
        files=[
            {
                "name": "rotto.yaml",
                "mimeType": "text/yaml",
                "buffer": b"scenario: web-messaggio\nturns:\n  - {at: 2, do: answr}\n",
            }
        ],
    )
    page.locator("button[value=check]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_contain_text("rotto.yaml: Riga 3")
    page.keyboard.press("Enter")
    expect(page.locator("#s1-line-3")).to_be_focused()
    expect(page.locator("#source-title-1")).to_have_text("Il file «rotto.yaml», in sola lettura")
    assert_axe_clean(page, "a script's error line")
