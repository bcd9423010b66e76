"""The console as a screen reader hears it: focus events and live-region changes, recorded.

An init script logs every ``focusin``, every key press and every change inside a live region
(``role=status``, ``role=alert``, ``role=log``) from the page's first instant. An announcement is a
region's text becoming non-empty and different from what it said before (the clear-then-set of
``announce`` counts once). Tests wait for the event they expect, never for a clock; the only fixed
waits are the >= 10 s of polling the issue asks to listen to, and a short listen after an
announcement to prove nothing follows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from simulator.practice import accounts
from simulator.web.testing import make_app, seed_users
from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "listening"
TRAINEES = ("ugo", "vera", "walter", "zoe", "ada2")
QUIET_MS = 10_500
AFTERWARDS_MS = 2_500  # about two more polls, to hear that nothing repeats

RECORDER = """
(() => {
  const records = [];
  window.__heard = records;
  const regionOf = (node) => {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el && el.closest('[role=status],[role=alert],[role=log],[aria-live]');
  };
  document.addEventListener('focusin', (e) => {
    records.push({type: 'focus', id: e.target.id || e.target.tagName});
  }, true);
  document.addEventListener('keydown', () => records.push({type: 'key'}), true);
  const last = new Map();
  // What the parser puts in a region is on the page from load, not announced.
  let loaded = false;
  document.addEventListener('DOMContentLoaded', () => { loaded = true; });
  new MutationObserver((mutations) => {
    const touched = new Set();
    for (const m of mutations) {
      const region = regionOf(m.target);
      if (region) touched.add(region);
      const lines = m.target.nodeType === 1 ? m.target.closest('#lines')
        : (m.target.parentElement && m.target.parentElement.closest('#lines'));
      if (lines) records.push({type: 'lines', kind: m.type});
    }
    for (const region of touched) {
      const text = region.textContent.replace(/\\s+/g, ' ').trim();
      const key = region.id || region.getAttribute('role');
      if (loaded && text && text !== last.get(key)) {
        records.push({type: 'say', region: key, text, live: region.getAttribute('aria-live')});
      }
      last.set(key, text);
    }
  }).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
})();
"""


@pytest.fixture(scope="module")
def listening(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on its own scenarios, at real timing (multiplier 1)."""
    tmp = tmp_path_factory.mktemp("listening")
    app = make_app(f"sqlite:///{tmp / 'listen.db'}", tmp, scenario_root=FIXTURES)
    ids = seed_users(app, trainees=TRAINEES)
    with app.extensions["centralino_db"].write() as s:
        for name in TRAINEES:
            mode = "audio" if name == "zoe" else "screen_reader"
            accounts.save_settings(
                s, ids[name], accounts.Settings(time_multiplier=1.0, voice_mode=mode)
            )
    with LiveServer(app) as server:
        yield server


def records(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.__heard.slice()"))


def clear(page: Page) -> None:
    page.evaluate("window.__heard.length = 0")


def said(page: Page, region: str | None = None) -> list[str]:
    """The announcements since the last clear, optionally in one region."""
    return [
        r["text"]
        for r in records(page)
        if r["type"] == "say" and (region is None or r["region"] == region)
    ]


def start(page: Page, base: str, user: str, scenario: str) -> None:
    page.add_init_script(RECORDER)
    log_in(page, base, user)
    page.click(f"#start-{scenario}")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    page.wait_for_selector("body[data-ready]")
    if page.get_attribute("body", "data-voice-available") == "off":
        # voice.js says once, after the page's own first announcements, why "Parla" is off.
        expect(page.locator("#status")).to_contain_text(re.compile(r"\S"))


def listen_quietly(page: Page, focused_id: str) -> None:
    """>= 10 s of polling with focus on one button: nothing moves, nothing is said."""
    polls: list[str] = []

    def count(request: Any) -> None:
        if "/state" in request.url:
            polls.append(request.url)

    expect(page.locator(f"#{focused_id}")).to_be_focused()
    page.evaluate("document.activeElement.__listened = true")
    page.on("request", count)
    clear(page)
    page.wait_for_timeout(QUIET_MS)
    page.remove_listener("request", count)
    heard = records(page)
    assert len(polls) >= 5, f"the page polled only {len(polls)} times"
    assert [r for r in heard if r["type"] == "focus"] == []
    assert [r for r in heard if r["type"] == "lines"] == [], "the line list was touched"
    assert [r["text"] for r in heard if r["type"] == "say"] == []
    assert page.evaluate("document.activeElement.__listened === true"), "focused node replaced"


def test_polling_is_quiet_on_a_ringing_and_a_held_line(page: Page, listening: LiveServer) -> None:
    """10 s on "Rispondi linea 1" while ringing, then 10 s on "Riprendi linea 1" while on hold:
    no focus event, no change to the line list, no announcement, the same focused node."""
    start(page, listening.url, "ugo", "ascolto-una-linea")
    expect(page.locator("#alert")).to_have_text("Squilla linea 1: 0971 234567.")
    page.keyboard.press("Alt+Shift+Digit1")  # the trainee goes to line 1's button
    listen_quietly(page, "answer-l1")

    page.keyboard.press("Enter")
    expect(page.locator("#reply")).to_be_focused()
    page.keyboard.press("Alt+Shift+KeyH")
    expect(page.locator("#resume-l1")).to_be_focused()
    expect(page.locator("#status")).to_have_text("Linea 1 in attesa.")
    listen_quietly(page, "resume-l1")


def test_each_state_change_is_announced_once(page: Page, listening: LiveServer) -> None:
    """Answer, error, hold, resume, caller hang-up: one announcement each, in its region; the
    stale ring alert is cleared once answered; the log holds only what is said."""
    start(page, listening.url, "vera", "ascolto-una-linea")
    expect(page.locator("#alert")).to_have_text("Squilla linea 1: 0971 234567.")
    assert said(page, "alert") == ["Squilla linea 1: 0971 234567."]

    clear(page)
    page.keyboard.press("Alt+Shift+KeyR")
    expect(page.locator("#status")).to_have_text("Linea 1 in conversazione.")
    expect(page.locator("#log")).to_contain_text("Chiamante: Buongiorno, sono Mario Rossi")
    expect(page.locator("#alert")).to_have_text("")  # the ring is over: its alert goes
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page, "status") == ["Linea 1 in conversazione."]
    assert said(page, "alert") == []
    assert len(said(page, "log")) == 1  # the caller's first sentence, once
    # Focus went to the reply field before the caller's line arrived (so it is not cut off).
    kinds = [r["type"] if r["type"] != "say" else r["region"] for r in records(page)]
    assert kinds.index("focus") < kinds.index("log")

    clear(page)
    page.keyboard.press("Enter")  # an empty reply
    expect(page.locator("#alert")).to_have_text("Errore: Scrivi il testo.")
    expect(page.locator("#reply")).to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page) == ["Errore: Scrivi il testo."]

    for key, text in (("Alt+Shift+KeyH", "Linea 1 in attesa."), ("Alt+Shift+KeyH", None)):
        clear(page)
        page.keyboard.press(key)
        expected = text or "Linea 1 ripresa."
        expect(page.locator("#status")).to_have_text(expected)
        page.wait_for_timeout(AFTERWARDS_MS)
        assert said(page) == [expected]

    clear(page)
    page.locator("#reply").fill("Arrivederci, buona giornata.")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Linea 1: il chiamante ha riattaccato.")
    expect(page.locator("#reply")).not_to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page, "status") == ["Linea 1: il chiamante ha riattaccato."]
    assert said(page, "alert") == []
    # The operator's line and the caller's goodbye, each once, and no "Sistema:" line.
    expect(page.locator("#log li")).to_have_count(3)
    assert len(said(page, "log")) in (1, 2)
    assert "Sistema" not in page.locator("#log").inner_text()


def test_auto_hold_transfer_and_reload(page: Page, listening: LiveServer) -> None:
    """Line 2 rings once; a panel opened and closed while it rings (two page loads) says nothing
    again; answering it says the automatic hold of line 1 in the same message; the transfer
    result is said once."""
    start(page, listening.url, "walter", "ascolto-due-linee")
    page.keyboard.press("Alt+Shift+KeyR")
    expect(page.locator("#status")).to_have_text("Linea 1 in conversazione.")
    expect(page.locator("#alert")).to_have_text(re.compile("Squilla linea 2"))
    # The caller's opening joins the log a human gap after the answer: heard, then quiet.
    expect(page.locator("#log")).to_contain_text("vorrei parlare con l'ufficio acquisti")
    clear(page)
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page) == [], "the ring of line 2 was said again"

    page.keyboard.press("Alt+Shift+KeyD")  # the transfer panel is a new page load
    page.wait_for_url(re.compile(r"tool=transfer"))
    page.wait_for_selector("body[data-ready]")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page) == [], "the reload announced the ring again"
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"focus=tool-btn-transfer"))
    page.wait_for_selector("body[data-ready]")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page) == [], "closing the panel announced the ring again"

    page.keyboard.press("Alt+Shift+KeyR")
    expect(page.locator("#status")).to_have_text("Linea 2 in conversazione, 1 in attesa.")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page, "status") == ["Linea 2 in conversazione, 1 in attesa."]
    assert said(page, "alert") == []
    # The English caller's line is marked as English in an Italian page.
    expect(page.locator("#log [lang=en-GB]")).to_contain_text("Good morning")

    # Status on demand: every line with its time, the last operation, the last announcement.
    clear(page)
    page.keyboard.press("Alt+Shift+KeyJ")
    summary = re.compile(
        r"^Linea 1 in attesa da \d+ second[oi], 06 5551234\. "
        r"Linea 2 in conversazione da \d+ second[oi], \+44 20 7946 0958\.$"
    )
    expect(page.locator("#status")).to_have_text(summary)
    page.keyboard.press("Alt+Shift+KeyQ")
    expect(page.locator("#status")).to_have_text(
        re.compile(r"^Ultima operazione: risposta alla linea 2, \d+ second[oi] fa\.$")
    )
    last = page.locator("#status").inner_text()
    page.keyboard.press("Alt+Shift+KeyW")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page, "status")[-1] == last
    assert len(said(page, "status")) == 3
    assert [r for r in records(page) if r["type"] == "focus"] == []
    # The time to the next pause is said on request only (never unasked during a call).
    page.keyboard.press("Alt+Shift+KeyN")
    expect(page.locator("#status")).to_have_text(
        re.compile(r"^Pausa tra (\d+ h \d{2}|\d+) min \(\d+ min di pratica continua\)\.$")
    )

    page.keyboard.press("Alt+Shift+KeyD")
    page.wait_for_url(re.compile(r"tool=transfer"))
    page.wait_for_selector("body[data-ready]")
    page.locator("#transfer-to").fill("Anna Verdi")
    page.locator("#transfer-submit").click()
    page.wait_for_url(re.compile(r"focus=reply"))
    page.wait_for_selector("body[data-ready]")
    expect(page.locator("#status")).to_have_text("Trasferimento riuscito.")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page, "status") == ["Trasferimento riuscito."]
    assert said(page, "alert") == []


def test_missed_call_spoken_in_audio_mode(page: Page, listening: LiveServer) -> None:
    """With the simulator's audio for the caller (the log is aria-live=off), a missed call is
    still said, once, in the status region."""
    start(page, listening.url, "zoe", "ascolto-persa")
    clear(page)
    expect(page.locator("#log")).to_have_attribute("aria-live", "off")
    expect(page.locator("#status")).to_have_text("Linea 1: chiamata persa.", timeout=20_000)
    expect(page.locator("#alert")).to_have_text("")
    page.wait_for_timeout(AFTERWARDS_MS)
    assert said(page, "status") == ["Linea 1: chiamata persa."]


def test_typing_keeps_the_caller_waiting_and_esc_keeps_drafts(
    page: Page, listening: LiveServer
) -> None:
    """A caller who prompts after 8 s of silence stays quiet while the trainee types for 12 s;
    a half-written reply and message survive opening a panel and closing it with Esc."""
    start(page, listening.url, "ada2", "ascolto-silenzio")
    page.keyboard.press("Alt+Shift+KeyR")
    expect(page.locator("#log")).to_contain_text("vorrei lasciare un messaggio")
    page.locator("#reply").press_sequentially(
        "Un attimo, prendo la penna", delay=480, timeout=60_000
    )
    assert "Pronto? Mi sente?" not in page.locator("#log").inner_text()

    page.keyboard.press("Alt+Shift+KeyM")
    page.wait_for_url(re.compile(r"tool=message"))
    page.wait_for_selector("body[data-ready]")
    expect(page.locator("#reply")).to_have_value("Un attimo, prendo la penna")
    page.locator("#message-for").fill("Luca Bianchi")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"focus=tool-btn-message"))
    page.wait_for_selector("body[data-ready]")
    page.keyboard.press("Alt+Shift+KeyM")
    page.wait_for_url(re.compile(r"tool=message"))
    page.wait_for_selector("body[data-ready]")
    expect(page.locator("#message-for")).to_have_value("Luca Bianchi")


def test_reply_field_stays_in_view_when_line_2_rings(
    browser: Any, listening: LiveServer, request: pytest.FixtureRequest
) -> None:
    """At 1280x900 the focused reply field is still inside the view after line 2 appears."""
    context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        start(page, listening.url, "ada2", "ascolto-tardiva")
        page.keyboard.press("Alt+Shift+KeyR")
        expect(page.locator("#status")).to_have_text("Linea 1 in conversazione.")
        expect(page.locator("#reply")).to_be_in_viewport()
        expect(page.locator("#answer-l2")).to_be_visible(timeout=30_000)
        expect(page.locator("#alert")).to_have_text(re.compile("Squilla linea 2"))
        expect(page.locator("#reply")).to_be_focused()
        expect(page.locator("#reply")).to_be_in_viewport(ratio=1)
    finally:
        context.close()


def test_error_title_survives_polling(page: Page, listening: LiveServer) -> None:
    """A panel sent with missing fields: "Errore:" stays in the title while the page polls.
    (And where "Parla" is off, its shortcut says why instead of doing nothing.)"""
    start(page, listening.url, "ugo", "ascolto-una-linea")
    page.keyboard.press("Alt+Shift+KeyR")
    expect(page.locator("#status")).to_have_text("Linea 1 in conversazione.")
    if page.locator("#talk-button").is_disabled():
        # No speech recognition for Italian on this machine: Alt+Shift+K says why, once.
        clear(page)
        page.keyboard.press("Alt+Shift+KeyK")
        expect(page.locator("#status")).to_have_text(re.compile(r"^Parla: \S"))
        assert len(said(page, "status")) == 1
    page.keyboard.press("Alt+Shift+KeyM")
    page.wait_for_url(re.compile(r"tool=message"))
    page.wait_for_selector("body[data-ready]")
    page.locator("#message-submit").click()
    page.wait_for_selector("body[data-ready]")
    expect(page).to_have_title(re.compile(r"^Errore: Linea 1 in conversazione"))
    expect(page.locator("#error-summary")).to_be_focused()
    for _ in range(2):
        with page.expect_response(lambda r: "/state" in r.url):
            pass
    page.wait_for_timeout(200)  # the poll's answer is applied right after it arrives
    expect(page).to_have_title(re.compile(r"^Errore: Linea 1 in conversazione"))
