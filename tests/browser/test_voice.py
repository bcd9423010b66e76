"""Voice in real headless Chromium: push-to-talk with a real WAV as the microphone, caller audio,
the controls' names and keyboard reach, axe, and the no-recogniser message of an Italian call.

Chromium's fake capture device plays a WAV synthesised by espeak-ng (an expected phrase of the
English scenario's first step) into getUserMedia; the page records it through the AudioWorklet,
encodes 16 kHz WAV and posts it; pocketsphinx recognises it on the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright, expect

from audio.wav import decode_wav
from simulator.practice import accounts
from simulator.web.testing import make_app, seed_users
from tests.browser.conftest import ARGS, CHROMIUM, LiveServer, log_in
from tests.voice_support import SCENARIOS, spoken

pytestmark = pytest.mark.browser
EN = "en-routing-export-manager"
IT = "smistamento-acquisti-assente"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHRASE = "Good morning, how can I help you?"
PAD_S = 0.8
# The grammar holds each expected phrase whole; the utterance contains two of them.
SAID = re.compile(r"Operatore: (good morning|how can i help you)", re.I)
HEARD = re.compile(r"good morning|how can i help you", re.I)


@pytest.fixture(scope="module")
def utterance(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("mic") / "trainee.wav"
    path.write_bytes(spoken(PHRASE, pad_s=PAD_S))
    samples, rate = decode_wav(path.read_bytes())
    return path, samples.size / rate


@pytest.fixture(scope="module")
def mic_browser(playwright_driver: Playwright, utterance: tuple[Path, float]) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian chromium is missing: sudo apt-get install chromium"
    args = [
        *ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={utterance[0]}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def voice_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("voice-live")
    app = make_app(
        f"sqlite:///{tmp / 'voice.db'}",
        tmp,
        scenario_root=SCENARIOS,
        AUDIO_CACHE=str(tmp / "cache"),
        MODELS_ROOT=str(tmp / "models"),
    )
    names = ("anna", "bruno", "carla", "dario")
    ids = seed_users(app, trainees=names, scenarios=[EN, IT])
    with app.extensions["centralino_db"].write() as s:
        accounts.save_settings(s, ids["anna"], accounts.Settings(3.0, voice_mode="both"))
        accounts.save_settings(
            s, ids["bruno"], accounts.Settings(3.0, voice_mode="audio", confirm_transcript=True)
        )
        accounts.save_settings(s, ids["carla"], accounts.Settings(3.0, voice_mode="both"))
        accounts.save_settings(s, ids["dario"], accounts.Settings(3.0))
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def mic_page(mic_browser: Browser) -> Iterator[Page]:
    context = mic_browser.new_context(locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _start_and_answer(page: Page, base: str, user: str, scenario: str = EN) -> None:
    log_in(page, base, user)
    page.click(f"#start-{scenario}")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    page.wait_for_selector("body[data-ready]")
    page.click("#answer-l1")
    expect(page.locator("#reply")).to_be_focused()


def _talk(page: Page, seconds: float) -> None:
    """Press Parla, let the fake microphone play the utterance, press Parla again."""
    page.click("#talk-button")
    expect(page.locator("#talk-button")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(int(seconds * 1000))
    page.click("#talk-button")
    expect(page.locator("#talk-button")).to_have_attribute("aria-pressed", "false")


def test_push_to_talk_counts_the_transcript(
    mic_page: Page, voice_live: LiveServer, utterance: tuple[Path, float]
) -> None:
    """Real WAV through the microphone: "Operatore: ..." in the log, the caller reacts, and the
    caller's reply is fetched as audio (voice mode "both")."""
    page = mic_page
    _start_and_answer(page, voice_live.url, "anna")
    with page.expect_request(re.compile(r"/attempts/\d+/audio/\d+\.wav")):
        _talk(page, utterance[1] - PAD_S / 2)
        expect(page.get_by_role("status").first).to_have_text(re.compile(r"^Riconosciuto: "))
        log = page.get_by_role("log")
        expect(log).to_contain_text(SAID)
        expect(log).to_contain_text("Could I speak to your export manager")
    expect(page.locator("#reply")).to_be_focused()


def test_confirm_transcript_lands_in_the_reply_field(
    mic_page: Page, voice_live: LiveServer, utterance: tuple[Path, float]
) -> None:
    """With confirmation on, the transcript waits in the reply field; Enter sends it."""
    page = mic_page
    _start_and_answer(page, voice_live.url, "bruno")
    page.keyboard.press("Alt+Shift+KeyK")  # the documented shortcut starts recording
    expect(page.locator("#talk-button")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(int((utterance[1] - PAD_S / 2) * 1000))
    page.keyboard.press("Alt+Shift+KeyK")  # and sends it
    expect(page.locator("#reply")).to_have_value(HEARD)
    expect(page.locator("#reply-source")).to_have_value("voice")
    expect(page.get_by_role("log")).not_to_contain_text("Operatore:")
    expect(page.locator("#reply")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text(SAID)
    expect(page.get_by_role("log")).to_contain_text("Could I speak to your export manager")
    expect(page.locator("#reply-source")).to_have_value("typed")


def test_voice_controls_are_labelled_reachable_and_axe_clean(
    mic_page: Page, voice_live: LiveServer
) -> None:
    """Parla, replay, volume and speed: named, reachable with Tab, and axe finds nothing."""
    page = mic_page
    _start_and_answer(page, voice_live.url, "carla")
    expect(page.get_by_role("button", name="Parla")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("button", name="Ripeti l'ultima frase")).to_be_visible()
    expect(page.get_by_role("slider", name="Volume della voce")).to_be_visible()
    expect(page.get_by_role("combobox", name="Velocità della voce")).to_be_visible()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()
    reached: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.append(str(page.evaluate("document.activeElement.id")))
        if "caller-speed" in reached:
            break
    for control in ("talk-button", "replay-button", "caller-volume", "caller-speed"):
        assert control in reached, f"#{control} not reachable with Tab: {reached}"
    page.focus("#caller-speed")
    page.select_option("#caller-speed", "1.25")
    page.fill("#caller-volume", "40")
    page.reload()
    page.wait_for_selector("body[data-ready]")
    expect(page.locator("#caller-speed")).to_have_value("1.25")
    expect(page.locator("#caller-volume")).to_have_value("40")


def test_italian_call_without_recogniser_says_so_once(
    mic_page: Page, voice_live: LiveServer
) -> None:
    """Italian call, no Vosk model: the reason is said in the status region and shown in text;
    the Parla button is disabled and the keyboard path carries on."""
    page = mic_page
    _start_and_answer(page, voice_live.url, "dario", IT)
    reason = "Riconoscimento vocale non disponibile per questa lingua (it-IT)"
    expect(page.locator("#talk-hint")).to_contain_text(reason)
    expect(page.locator("#talk-button")).to_be_disabled()
    expect(page.get_by_role("status").first).to_contain_text(reason)
    page.keyboard.type("Buongiorno, ufficio acquisti")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("Operatore: Buongiorno, ufficio acquisti")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()
