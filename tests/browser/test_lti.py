"""Launched from a test platform in a real Chromium: inside the platform's iframe, a trainee
takes a call with the keyboard only and the grade arrives at the platform; the LTI pages pass
axe."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Frame, Page, expect
from sqlalchemy import select

from simulator.practice import accounts, lti
from simulator.store.lti import LtiIdentity
from simulator.web.testing import PASSWORD, make_app, seed_users
from tests.browser.conftest import LiveServer
from tests.browser.test_axe import assert_axe_clean
from tests.integration.lti_platform import INSTRUCTOR, LEARNER, Launch, TestPlatform, new_sub

pytestmark = pytest.mark.browser
MAX_TABS = 80


@pytest.fixture(scope="module")
def lti_world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, TestPlatform]]:
    """The tool served on loopback and a platform that knows it (and it the platform)."""
    tmp = tmp_path_factory.mktemp("lti")
    app = make_app(f"sqlite:///{tmp / 'lti.db'}", tmp)
    seed_users(app, trainees=())
    with LiveServer(app) as tool, TestPlatform().running() as platform:
        platform.tool_launch_url = f"{tool.url}/lti/launch"
        with app.extensions["centralino_db"].write() as s:
            lti.register_platform(s, **platform.registration())
        yield tool, platform


def _frame(page: Page) -> Frame:
    frame = None
    for candidate in page.frames:
        if candidate is not page.main_frame:
            frame = candidate
    assert frame is not None, "no iframe"
    return frame


def _active_id(frame: Frame) -> str:
    return str(frame.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Page, frame: Frame, element_id: str) -> None:
    for _ in range(MAX_TABS):
        if _active_id(frame) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reachable with Tab")


def test_keyboard_only_call_inside_the_platform_iframe_sends_the_grade(
    page: Page, lti_world: tuple[LiveServer, TestPlatform]
) -> None:
    tool, platform = lti_world
    hint = new_sub()
    platform.launches[hint] = Launch(
        sub=hint,
        name="Giulia Verdi",
        roles=[LEARNER],
        custom={"scenario": "web-messaggio"},
        document_target="iframe",
    )
    kb = page.keyboard
    page.goto(f"{platform.url}/course-frame/{hint}")
    frame = _frame(page)
    frame.wait_for_url(re.compile(r"/lti/activity$"))
    inner = page.frame_locator("iframe[title=Centralino]")
    expect(inner.locator(".lti-origin")).to_contain_text("Aperto da Moodle di prova")
    expect(inner.locator(".lti-origin a")).to_have_attribute("target", "_top")
    # Generous timing for the account the launch created, so a slow machine never makes the
    # caller hang up mid-test.
    with tool.app.extensions["centralino_db"].write() as s:
        user_id = s.scalar(select(LtiIdentity.user_id).where(LtiIdentity.subject == hint))
        accounts.save_settings(s, user_id, accounts.Settings(time_multiplier=3.0))

    _tab_to(page, frame, "lti-start")
    kb.press("Enter")
    frame.wait_for_url(re.compile(r"/attempts/\d+"))
    frame.wait_for_selector("body[data-ready]")
    expect(inner.locator("#lines-heading")).to_be_focused()
    kb.press("Alt+Shift+KeyR")  # answer
    expect(inner.locator("#reply")).to_be_focused()
    expect(inner.get_by_role("log")).to_contain_text("Chiamante: Buongiorno, sono Mario Rossi")
    kb.type("Buongiorno, Acme Test, sono Giulia. Vuole lasciare un messaggio?")
    kb.press("Enter")
    expect(inner.get_by_role("log")).to_contain_text("richiamarmi per l'ordine 4512")
    kb.press("Alt+Shift+KeyM")  # message pad
    frame.wait_for_url(re.compile(r"tool=message"))
    expect(inner.locator("#message-for")).to_be_focused()
    kb.type("Luca Bianchi")
    kb.press("Tab")
    kb.type("Mario Rossi")
    kb.press("Tab")
    kb.type("Ferramenta Rossi")
    kb.press("Tab")
    kb.type("0971 234567")
    kb.press("Tab")
    kb.type("Richiamare per l'ordine 4512")
    kb.press("Tab")
    assert _active_id(frame) == "message-text-dictate"  # «Detta», right after the field
    kb.press("Tab")
    assert _active_id(frame) == "message-submit"
    kb.press("Enter")
    frame.wait_for_url(re.compile(r"focus=reply"))
    frame.wait_for_selector("body[data-ready]")
    expect(inner.get_by_role("status").first).to_have_text("Messaggio registrato per Luca Bianchi.")
    kb.press("Alt+Shift+KeyC")  # hang up
    expect(inner.get_by_role("status").first).to_have_text("Linea 1 chiusa.")
    _tab_to(page, frame, "finish-button")
    kb.press("Enter")
    frame.wait_for_url(re.compile(r"/result$"))
    expect(inner.locator("main")).to_contain_text("Punteggio inviato a Moodle di prova.")
    assert platform.score_arrived.wait(timeout=30), "no score reached the platform"
    (score,) = [s for s in platform.scores if s["userId"] == hint]
    assert score["scoreMaximum"] == 100 and score["scoreGiven"] > 0
    assert score["activityProgress"] == "Completed"


def test_lti_pages_pass_axe(page: Page, lti_world: tuple[LiveServer, TestPlatform]) -> None:
    """The learner's activity page, the deep-linking picker, registration and a refusal."""
    tool, platform = lti_world
    hint = new_sub()
    platform.launches[hint] = Launch(
        sub=hint, name="Paolo Neri", roles=[LEARNER], custom={"scenario": "web-messaggio"}
    )
    page.goto(f"{platform.url}/open/{hint}")
    page.wait_for_url(re.compile(r"/lti/activity$"))
    assert_axe_clean(page, "activity")

    teacher = new_sub()
    platform.launches[teacher] = Launch(
        sub=teacher, name="Ada Docente", roles=[INSTRUCTOR], message_type="LtiDeepLinkingRequest"
    )
    page.context.clear_cookies()
    page.goto(f"{platform.url}/open/{teacher}")
    page.wait_for_url(re.compile(r"/lti/deep-link$"))
    assert_axe_clean(page, "deep-link picker")
    page.click("button:has-text('Prepara il collegamento')")
    expect(page).to_have_title(re.compile("^Errore:"))
    assert_axe_clean(page, "deep-link picker with error")
    page.check("#dl-first")
    page.click("button:has-text('Prepara il collegamento')")
    expect(page.locator("#dl-send")).to_be_visible()
    assert_axe_clean(page, "deep-link answer")

    page.context.clear_cookies()
    page.goto(f"{tool.url}/login")
    page.fill("#f-username", "ada")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]:has-text('Accedi')")
    page.wait_for_url("**/instructor/")
    page.goto(f"{tool.url}/lti/platforms")
    assert_axe_clean(page, "platforms")
    page.click("button:has-text('Registra la piattaforma')")
    expect(page).to_have_title(re.compile("^Errore:"))
    expect(page.locator("#error-summary")).to_be_focused()
    assert_axe_clean(page, "platforms with errors")

    page.goto(f"{tool.url}/lti/login?iss=https://sconosciuta.example&login_hint=x")
    expect(page.locator("h1")).to_have_text("Accesso dalla piattaforma rifiutato")
    assert_axe_clean(page, "refused launch")
