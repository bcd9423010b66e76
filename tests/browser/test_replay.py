"""The replay page in real Chromium: axe on every state, keyboard only (jump between verdicts,
play a turn, review a verdict), and the same call without JavaScript (a link to each clip)."""

from __future__ import annotations

import io
import re
import wave

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from simulator.events import Action
from simulator.practice import attempts, recordings
from simulator.store.models import AttemptEvent
from tests.browser.conftest import LiveServer, log_in
from tests.browser.test_axe import assert_axe_clean

pytestmark = pytest.mark.browser


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16_000)
        handle.writeframes(b"\x00\x08" * 3200)
    return out.getvalue()


def _finished_call(live: LiveServer, trainee: str) -> tuple[int, int]:
    """A finished call with a recorded greeting: (attempt id, seq of the greeting)."""
    database = live.app.extensions["centralino_db"]
    trainee_id = live.app.config["SEEDED_IDS"][trainee]
    attempt_id = attempts.start_attempt(database, trainee_id, "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    attempts.act(database, attempt_id, Action("say", "l1", {"text": "Buongiorno, Acme Test"}))
    with database.read() as s:
        said = int(
            s.scalar(
                select(AttemptEvent.seq).where(
                    AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "say"
                )
            )
        )
    with database.write() as s:
        recordings.keep(s, attempt_id, said, _wav())
    attempts.finish(database, attempt_id)
    return attempt_id, said


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id"))


def test_replay_pages_pass_axe(page: Page, live: LiveServer) -> None:
    """Home with the recording notice, replay, score page with a review, calibration."""
    attempt_id, _said = _finished_call(live, "nina")
    log_in(page, live.url, "nina")
    expect(page.locator("#recording-notice-heading")).to_be_visible()
    assert_axe_clean(page, "home with the recording notice")
    page.goto(f"{live.url}/attempts/{attempt_id}/replay")
    expect(page.locator("#play-all")).to_be_visible()
    assert_axe_clean(page, "replay (trainee)")
    page.goto(f"{live.url}/login")
    log_in_instructor(page, live)
    page.goto(f"{live.url}/attempts/{attempt_id}/replay")
    assert_axe_clean(page, "replay (instructor, with the review forms)")
    page.click("#override-form button[type=submit]")  # no verdict chosen: errors
    expect(page).to_have_title(re.compile("^Errore:"))
    assert_axe_clean(page, "replay with a review error")
    page.check("#f-verdict-failed")
    page.fill("#f-override-reason", "Manca il nome dell'operatore.")
    page.click("#override-form button[type=submit]")
    expect(page.locator("h3#verdict-1")).to_contain_text("non superato")
    assert_axe_clean(page, "replay after an override")
    page.goto(f"{live.url}/instructor/attempts/{attempt_id}")
    assert_axe_clean(page, "attempt detail with an override")
    page.goto(f"{live.url}/instructor/calibration")
    expect(page.locator("table caption")).to_be_visible()
    assert_axe_clean(page, "calibration")


def log_in_instructor(page: Page, live: LiveServer) -> None:
    from simulator.web.testing import PASSWORD

    page.goto(f"{live.url}/login")
    page.fill("#f-username", "ada")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]:has-text('Accedi')")
    page.wait_for_url("**/instructor/")


def test_keyboard_jumps_between_verdicts_and_plays_the_turn(page: Page, live: LiveServer) -> None:
    attempt_id, said = _finished_call(live, "olga")
    log_in(page, live.url, "olga")
    page.goto(f"{live.url}/attempts/{attempt_id}/replay")
    expect(page.locator("#play-all")).to_be_visible()
    verdicts = page.locator("[data-verdict]")
    count = verdicts.count()
    assert count >= 2
    page.keyboard.press("Alt+Shift+.")
    assert _focused(page) == "verdict-1"
    expect(page.locator("#verdict-1")).to_be_focused()
    expect(page.locator("#verdict-1")).to_contain_text("Apre con saluto e azienda: superato, 00:0")
    page.keyboard.press("Alt+Shift+.")
    assert _focused(page) == "verdict-2"
    page.keyboard.press("Alt+Shift+,")
    assert _focused(page) == "verdict-1"
    # The verdict's turn is the trainee's greeting: its recording is what plays.
    with page.expect_request(re.compile(rf"/replay/reply/{said}\.wav$")):
        page.keyboard.press("Alt+Shift+Y")
    # Tab reaches the native play buttons; Enter on a caller turn plays the caller's line.
    page.focus("#play-all")
    for _ in range(5):  # past the help link in the hint
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('play-turn')"):
            break
    expect(page.locator(".play-turn").first).to_be_focused()
    with page.expect_request(re.compile(r"/replay/caller/\d+\.wav$")) as caller:
        page.keyboard.press("Enter")
    assert caller.value.response().status == 200
    # No clip started on its own before the trainee asked.
    assert page.evaluate("document.querySelectorAll('audio[autoplay]').length") == 0
    # "Play all" starts with the first turn that has audio, and the same button stops it.
    play_all = page.locator("#play-all")
    first_clip = page.locator(".play-turn").first.get_attribute("data-clip") or ""
    with page.expect_request(re.compile(re.escape(first_clip) + "$")):
        play_all.focus()
        page.keyboard.press("Enter")
    expect(play_all).to_have_text("Ferma l'ascolto")
    page.keyboard.press("Enter")
    expect(play_all).to_have_text("Ascolta tutto in ordine")


def test_instructor_reviews_a_verdict_by_keyboard(page: Page, live: LiveServer) -> None:
    attempt_id, _said = _finished_call(live, "piero")
    log_in_instructor(page, live)
    page.goto(f"{live.url}/attempts/{attempt_id}/replay")
    link = page.get_by_role("link", name=re.compile("^Correggi o conferma: Apre con saluto"))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"criterion=apertura#override-form$"))
    expect(page.locator("#f-override-criterion")).to_have_value("apertura")
    page.focus("#f-override-criterion")
    page.keyboard.press("Tab")
    expect(page.locator("#f-verdict-passed")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#f-verdict-failed")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#f-override-reason")).to_be_focused()
    page.keyboard.type("Non ha detto il suo nome.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h3#verdict-1")).to_contain_text("(verdetto corretto dall'istruttore)")
    expect(page.locator("#page-status")).to_contain_text("Verdetto salvato")


def test_replay_without_javascript(nojs_page: Page, live: LiveServer) -> None:
    """Every clip is a link that plays in the browser; the script-only controls stay hidden."""
    page = nojs_page
    attempt_id, said = _finished_call(live, "rita")
    log_in(page, live.url, "rita")
    page.goto(f"{live.url}/attempts/{attempt_id}/replay")
    expect(page.locator("#replay-controls")).to_be_hidden()
    expect(page.locator(".play-turn").first).to_be_hidden()
    links = page.locator("a.clip-link")
    assert links.count() >= 2
    reply = page.get_by_role("link", name=re.compile("^File audio: Operatore"))
    href = reply.get_attribute("href")
    assert href == f"/attempts/{attempt_id}/replay/reply/{said}.wav"
    answer = page.request.get(f"{live.url}{href}")
    assert answer.status == 200 and answer.headers["content-type"] == "audio/wav"
    caller = page.request.get(f"{live.url}{links.first.get_attribute('href')}")
    assert caller.status == 200 and caller.body()[:4] == b"RIFF"
    expect(page.locator("h3#verdict-1")).to_be_visible()


def test_replay_at_320px_in_forced_colours(narrow_page: Page, live: LiveServer) -> None:
    """No horizontal scroll; every control at least 24 px high and inside the viewport."""
    page = narrow_page
    attempt_id, _said = _finished_call(live, "marta")
    log_in_instructor(page, live)
    page.goto(f"{live.url}/attempts/{attempt_id}/replay")
    expect(page.locator("#play-all")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"horizontal scroll at 320 px ({width})"
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('main button, main select, main textarea,'
                 + ' main input')]
            .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
            .map((el) => { const r = el.getBoundingClientRect();
              return {id: el.id || el.textContent.trim().slice(0, 20), h: r.height,
                      right: r.right}; })"""
    )
    for box in boxes:
        assert box["h"] >= 24 and box["right"] <= 321, f"control too small or cut off: {box}"
