"""A whole call with the keyboard only, announcements in the live regions, forced colours and
a 320 px viewport, and the same call with JavaScript switched off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from simulator.web.testing import PASSWORD
from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser
MAX_TABS = 80


def active_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element has focus (proves it is reachable), bounded."""
    for _ in range(MAX_TABS):
        if active_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reachable with Tab")


def ready(page: Page) -> None:
    page.wait_for_selector("body[data-ready]")


def test_keyboard_only_call(page: Page, live: LiveServer) -> None:
    """Log in, start, answer, search, transfer, message, report, hang up, read the score."""
    kb = page.keyboard
    page.goto(f"{live.url}/login")
    kb.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Salta")
    tab_to(page, "f-username")
    kb.type("luca")
    kb.press("Tab")
    assert active_id(page) == "f-password"
    kb.type(PASSWORD)
    kb.press("Enter")
    page.wait_for_url("**/practice")
    tab_to(page, "start-web-messaggio")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    ready(page)
    expect(page.locator("#lines-heading")).to_be_focused()
    expect(page).to_have_title("Linea 1 squilla - Centralino")
    expect(page.get_by_role("alert")).to_have_text(re.compile("Squilla linea 1: 0971 234567"))

    kb.press("Alt+Shift+KeyR")  # answer
    expect(page.locator("#reply")).to_be_focused()
    expect(page.get_by_role("status").first).to_have_text("Linea 1 in conversazione.")
    expect(page).to_have_title("Linea 1 in conversazione - Centralino")
    expect(page.get_by_role("log")).to_contain_text("Chiamante: Buongiorno, sono Mario Rossi")

    kb.type("Buongiorno, Acme Test, sono Giulia. Vuole lasciare un messaggio?")
    kb.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("Operatore: Buongiorno, Acme Test")
    expect(page.get_by_role("log")).to_contain_text("richiamarmi per l'ordine 4512")
    expect(page.locator("#reply")).to_be_focused()
    expect(page.locator("#reply")).to_have_value("")

    kb.press("Alt+Shift+KeyD")  # transfer panel
    page.wait_for_url(re.compile(r"tool=transfer"))
    ready(page)
    expect(page.locator("#transfer-to")).to_be_focused()
    kb.type("Bianki")
    option = page.locator("#transfer-listbox [role=option]").first
    expect(option).to_contain_text("Luca Bianchi")
    expect(page.locator("#transfer-to")).to_have_attribute("aria-expanded", "true")
    kb.press("ArrowDown")
    expect(page.locator("#transfer-to")).to_have_attribute(
        "aria-activedescendant", "transfer-listbox-opt-1"
    )
    kb.press("Enter")
    expect(page.locator("#transfer-to")).to_have_value(re.compile("^Luca Bianchi"))
    expect(page.locator("#transfer-to")).to_have_attribute("aria-expanded", "false")
    tab_to(page, "transfer-submit")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"focus=reply"))
    ready(page)
    expect(page.locator("#reply")).to_be_focused()
    expect(page.get_by_role("status").first).to_have_text("Interno assente: chiamata tua.")

    kb.press("Alt+Shift+KeyM")  # message pad
    page.wait_for_url(re.compile(r"tool=message"))
    expect(page.locator("#message-for")).to_be_focused()
    kb.type("Luca Bianchi")
    kb.press("Tab")
    kb.type("Mario Rossi")
    kb.press("Tab")
    kb.type("Ferramenta Rossi")
    kb.press("Tab")
    kb.type("0971 234567")
    kb.press("Tab")
    assert active_id(page) == "message-text"
    kb.type("Richiamare per l'ordine 4512")
    kb.press("Tab")
    assert active_id(page) == "message-text-dictate"  # «Detta», right after the field
    kb.press("Tab")
    assert active_id(page) == "message-submit"
    kb.press("Enter")
    page.wait_for_url(re.compile(r"focus=reply"))
    ready(page)
    expect(page.locator("#reply")).to_be_focused()
    expect(page.get_by_role("status").first).to_have_text("Messaggio registrato per Luca Bianchi.")

    kb.press("Alt+Shift+KeyV")  # call report
    page.wait_for_url(re.compile(r"tool=report"))
    expect(page.locator("#report-caller")).to_be_focused()
    kb.type("Mario Rossi")
    tab_to(page, "report-reason")
    kb.type("Cercava il signor Bianchi, assente")
    tab_to(page, "report-submit")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"focus=reply"))
    ready(page)
    expect(page.get_by_role("status").first).to_have_text("Rapporto di chiamata registrato.")

    kb.press("Alt+Shift+KeyC")  # hang up
    expect(page.get_by_role("status").first).to_have_text("Linea 1 chiusa.")
    expect(page.locator("#lines-heading")).to_be_focused()

    tab_to(page, "finish-button")
    kb.press("Enter")
    page.wait_for_url(re.compile(r"/result$"))
    expect(page.locator("h1")).to_have_text(re.compile("^Risultato"))
    expect(page.locator("h2#ra-1")).to_have_text(
        "superato: Filtrare e trasmettere telefonate e messaggi (ADA.24.01.08.RA1)"
    )
    expect(page.locator(".result")).to_contain_text("SUPERATO")


# Records, per log entry, when the page added it and when a state response first said it was
# due in ``due_ms``: performance.now() on both sides, so only the page's own clock is used.
WATCH_REPLIES = """
window.__added = {}; window.__due = {};
new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes)
    if (n.dataset && n.dataset.seq && !(n.dataset.seq in window.__added))
      window.__added[n.dataset.seq] = performance.now();
}).observe(document.getElementById("log-list"), { childList: true });
const original = window.fetch;
window.fetch = async (...args) => {
  const response = await original(...args);
  if (String(args[0]).includes("/state")) {
    const at = performance.now();
    response.clone().json().then((data) => {
      for (const e of data.entries || []) {
        const seq = (e.html.match(/data-seq="(\\d+)"/) || [])[1];
        if (seq && !(seq in window.__due)) window.__due[seq] = { at, due: e.due_ms };
      }
    });
  }
  return response;
};
"""


def _answered_and_watched(page: Page, live: LiveServer) -> None:
    """Luca answers the message call; the page then records when each reply is due and added."""
    log_in(page, live.url, "luca")
    page.goto(f"{live.url}/practice")
    page.locator("#start-web-messaggio").click()
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    ready(page)
    page.keyboard.press("Alt+Shift+KeyR")
    expect(page.locator("#reply")).to_be_focused()
    expect(page.get_by_role("log")).to_contain_text("Chiamante: Buongiorno, sono Mario Rossi")
    page.evaluate(WATCH_REPLIES)


def test_caller_replies_after_a_human_gap_not_at_once(page: Page, live: LiveServer) -> None:
    """The caller's reply joins the log (and is announced) a human gap after the trainee's words:
    never before the gap the server gives for it, however fast the response came back."""
    _answered_and_watched(page, live)
    page.keyboard.type("Buongiorno, Acme Test, sono Giulia. Vuole lasciare un messaggio?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("richiamarmi per l'ordine 4512")
    reply = page.locator("[role=log] [data-seq]", has_text="richiamarmi per l'ordine 4512")
    seq = reply.get_attribute("data-seq")
    timing = page.evaluate("(seq) => [window.__due[seq], window.__added[seq]]", seq)
    due, added = timing
    assert due is not None and added is not None
    # Recorded ahead of the clock, the page waits for it (``due`` is 0 only if the machine took
    # longer than the gap to ask). A timer never fires early; a busy machine only makes it later.
    assert added - due["at"] >= due["due"] - 5


def test_acting_before_the_gap_shows_the_reply_first(page: Page, live: LiveServer) -> None:
    """The trainee puts the caller on hold the instant after speaking: the caller's reply, still
    within its gap, joins the log before the hold is announced, never after it."""
    _answered_and_watched(page, live)
    page.evaluate(
        """new MutationObserver(() => {
          if (!window.__held && document.getElementById("status").textContent.includes("attesa"))
            window.__held = performance.now();
        }).observe(document.getElementById("status"), {childList: true, subtree: true,
                                                       characterData: true})"""
    )
    page.keyboard.type("Buongiorno, Acme Test, sono Giulia. Vuole lasciare un messaggio?")
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+Shift+KeyH")  # waits for the reply's update, then holds
    expect(page.locator("#status")).to_have_text("Linea 1 in attesa.")
    reply = page.locator("[role=log] [data-seq]", has_text="richiamarmi per l'ordine 4512")
    expect(reply).to_have_count(1)
    seq = reply.get_attribute("data-seq")
    added, held = page.evaluate("(seq) => [window.__added[seq], window.__held]", seq)
    assert added is not None and held is not None and added <= held


def test_shortcuts_can_be_switched_off(page: Page, live: LiveServer) -> None:
    """With shortcuts off in Settings, Alt+Shift+R does nothing; the button still works."""
    log_in(page, live.url, "rita")
    page.goto(f"{live.url}/settings")
    page.uncheck("#shortcuts")
    page.click("button[type=submit]:has-text('Salva')")
    expect(page.locator(".notice")).to_have_text("Impostazioni salvate.")
    page.goto(f"{live.url}/practice")
    page.click("#start-web-messaggio")
    ready(page)
    page.keyboard.press("Alt+Shift+KeyR")
    page.wait_for_timeout(600)
    expect(page.locator("#answer-l1")).to_be_visible()
    page.locator("#answer-l1").press("Enter")
    expect(page.locator("#reply")).to_be_focused()


def test_forced_colours_and_320px(narrow_page: Page, live: LiveServer) -> None:
    """At 320 px in forced colours: no horizontal scroll, every control visible and tabbable."""
    page = narrow_page
    log_in(page, live.url, "piero")
    page.click("#start-web-messaggio")
    ready(page)
    page.click("#answer-l1")
    expect(page.locator("#reply")).to_be_focused()
    for suffix in ("", "?tool=transfer", "?tool=message", "?tool=report"):
        page.goto(page.url.split("?")[0] + suffix)
        ready(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"horizontal scroll at 320 px ({width}) {suffix}"
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('main button, main a, main input,'
                     + ' main select, main textarea')]
                .filter((el) => el.type !== 'hidden')
                .map((el) => { const r = el.getBoundingClientRect();
                  return {id: el.id || el.textContent.trim().slice(0, 20), w: r.width,
                          h: r.height, right: r.right}; })"""
        )
        for box in boxes:
            assert box["w"] > 0 and box["h"] >= 24, f"too small: {box}"
            assert box["right"] <= 321, f"cut off at 320 px: {box}"
    page.goto(page.url.split("?")[0])
    ready(page)
    tab_to(page, "finish-button")
    assert page.evaluate("document.activeElement.getBoundingClientRect().height") >= 24


def test_call_without_javascript(nojs_page: Page, live: LiveServer) -> None:
    """Plain form posts complete a call: answer, reply, search, transfer, message, report."""
    page = nojs_page
    log_in(page, live.url, "olga")
    page.click("#start-web-messaggio")
    expect(page).to_have_title("Linea 1 squilla - Centralino")
    page.click("#answer-l1")
    expect(page).to_have_title("Linea 1 in conversazione - Centralino")
    expect(page.locator("#reply")).to_be_focused()  # autofocus, no script needed
    page.fill("#reply", "Buongiorno, Acme Test. Vuole lasciare un messaggio?")
    page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text("richiamarmi per l'ordine 4512")
    page.click("#tool-btn-transfer")
    page.fill("#transfer-to", "Bianki")
    page.click("#transfer-search")
    expect(page.locator("#transfer-hit-1")).to_be_focused()
    expect(page.locator("#transfer-results")).to_contain_text("Luca Bianchi")
    page.click("#transfer-submit")
    expect(page.locator("#status")).to_contain_text("Interno assente")
    page.click("#tool-btn-message")
    page.fill("#message-for", "Luca Bianchi")
    page.fill("#message-caller", "Mario Rossi")
    page.fill("#message-phone", "0971 234567")
    page.fill("#message-text", "Richiamare per l'ordine 4512")
    page.click("#message-submit")
    page.click("#refresh-link")
    expect(page.locator("#log")).to_contain_text("Grazie, arrivederci")
    page.click("#tool-btn-report")
    page.fill("#report-caller", "Mario Rossi")
    page.fill("#report-reason", "Cercava Bianchi")
    page.click("#report-submit")
    page.click("#hangup-l1")
    expect(page).to_have_title("Nessuna chiamata - Centralino")
    page.click("#finish-button")
    expect(page.locator("h2#ra-1")).to_have_text(
        "superato: Filtrare e trasmettere telefonate e messaggi (ADA.24.01.08.RA1)"
    )
