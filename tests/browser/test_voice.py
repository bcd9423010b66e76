"""Voice in real headless Chromium: push-to-talk and hands-free with a real WAV as the microphone,
barge-in, caller audio, the controls' names and keyboard reach, axe, and an Italian call served.

Chromium's fake capture device plays (in a loop) a WAV synthesised by espeak-ng (an expected
phrase of the English scenario's first step) into getUserMedia; the page records it through the
AudioWorklet, finds the end of speech with its energy gate, and posts it (streamed in chunks when
hands-free); Whisper recognises it on the server through the recognition pool. No test waits a
fixed time: each waits for the page's end-of-speech mark or for the server's answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright, Response, expect

from audio.wav import decode_wav
from simulator.practice import accounts
from simulator.web.testing import make_app, seed_users
from tests.browser.conftest import ARGS, CHROMIUM, LiveServer, log_in
from tests.voice_support import SCENARIOS, shared_models_root, spoken

pytestmark = pytest.mark.browser
EN = "en-routing-export-manager"
IT = "smistamento-acquisti-assente"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHRASE = "Good morning, how can I help you?"
PAD_S = 0.8
# The fake microphone loops, so a push-to-talk recording may begin inside the phrase.
SAID = re.compile(r"Operatore: .*(good morning|how can i help you)", re.I)
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
        MODELS_ROOT=str(shared_models_root()),
    )
    names = ("anna", "bruno", "carla", "dario", "elena", "fabio")
    ids = seed_users(app, trainees=names, scenarios=[EN, IT])
    with app.extensions["centralino_db"].write() as s:
        accounts.save_settings(s, ids["anna"], accounts.Settings(3.0, voice_mode="both"))
        accounts.save_settings(
            s, ids["bruno"], accounts.Settings(3.0, voice_mode="audio", confirm_transcript=True)
        )
        accounts.save_settings(s, ids["carla"], accounts.Settings(3.0, voice_mode="both"))
        accounts.save_settings(s, ids["dario"], accounts.Settings(3.0))
        accounts.save_settings(s, ids["elena"], accounts.Settings(3.0, voice_mode="both"))
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
    # Focus moves when the server has answered (it may be rendering the caller's first lines).
    expect(page.locator("#reply")).to_be_focused(timeout=SERVER_MS)


# Whisper on a busy 2-core machine: generous bounds on events, never a fixed wait.
SERVER_MS = 120_000


def _is_speech_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/speech")


def _utterance_heard(page: Page, press: Callable[[], None]) -> None:
    """Start with ``press``, wait until the page marks one whole utterance's end of speech
    (its energy gate arms only after a pause, so it is never half a phrase), press again."""
    press()
    expect(page.locator("#talk-button")).to_have_attribute("aria-pressed", "true")
    ended = re.compile(r"^[1-9]")
    expect(page.locator("#voice")).to_have_attribute("data-speech-ends", ended, timeout=SERVER_MS)
    with page.expect_response(_is_speech_post, timeout=SERVER_MS):
        press()
    expect(page.locator("#talk-button")).to_have_attribute("aria-pressed", "false")


def test_push_to_talk_counts_the_transcript(
    mic_page: Page, voice_live: LiveServer, utterance: tuple[Path, float]
) -> None:
    """Real WAV through the microphone: "Operatore: ..." in the log, the caller reacts, and the
    caller's reply is fetched as audio (voice mode "both")."""
    page = mic_page
    _start_and_answer(page, voice_live.url, "anna")
    with page.expect_request(re.compile(r"/attempts/\d+/audio/\d+\.wav"), timeout=SERVER_MS):
        _utterance_heard(page, lambda: page.click("#talk-button"))
        expect(page.get_by_role("status").first).to_have_text(re.compile(r"^Riconosciuto"))
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
    # The documented shortcut starts recording, and sends it.
    _utterance_heard(page, lambda: page.keyboard.press("Alt+Shift+KeyK"))
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


def test_italian_call_has_voice(mic_page: Page, voice_live: LiveServer) -> None:
    """Italian call: Whisper serves it, so Parla and hands-free are enabled and nothing says
    that recognition is unavailable; the keyboard path carries on as well; axe clean."""
    page = mic_page
    _start_and_answer(page, voice_live.url, "dario", IT)
    expect(page.locator("#talk-button")).to_be_enabled()
    expect(page.locator("#hands-free")).to_be_enabled()
    expect(page.locator("#talk-hint")).not_to_contain_text("non disponibile")
    page.keyboard.type("Buongiorno, ufficio acquisti")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text("Operatore: Buongiorno, ufficio acquisti")
    expect(page.get_by_role("status").first).not_to_contain_text("non disponibile")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()


def test_hands_free_streams_sends_at_end_of_speech_and_barges_in(
    mic_page: Page, voice_live: LiveServer
) -> None:
    """Hands-free, keyboard only: Space on the checkbox opens the microphone; the trainee just
    speaks; chunks stream while speaking, the end of speech sends the utterance, and the caller
    answers. The start of speech dispatches centralino:trainee-speaking and the caller's player
    stops on it (barge-in)."""
    page = mic_page
    page.add_init_script(
        "window.__pauses = 0; const p = HTMLMediaElement.prototype.pause;"
        "HTMLMediaElement.prototype.pause = function () {"
        "  window.__pauses += 1; return p.call(this); };"
        "window.__speaking = 0;"
        "document.addEventListener('centralino:trainee-speaking',"
        "  () => { window.__speaking += 1; });"
    )
    _start_and_answer(page, voice_live.url, "elena")
    page.focus("#hands-free")
    with (
        page.expect_request(re.compile(r"/speech/stream$"), timeout=SERVER_MS),
        page.expect_response(_is_speech_post, timeout=SERVER_MS) as answer,
    ):
        page.keyboard.press("Space")
    assert answer.value.ok, answer.value.text()
    expect(page.get_by_role("log")).to_contain_text(SAID, timeout=SERVER_MS)
    expect(page.get_by_role("log")).to_contain_text("Could I speak to your export manager")
    page.wait_for_function("window.__speaking >= 1")
    page.wait_for_function("window.__pauses >= 1")  # the player was told to stop
    expect(page.locator("#talk-button")).to_be_disabled()  # one way of speaking at a time
    page.focus("#hands-free")
    page.keyboard.press("Space")
    expect(page.locator("#talk-button")).to_be_enabled()


def test_dictation_fills_the_message_field_and_says_nothing_on_the_line(
    mic_page: Page, voice_live: LiveServer
) -> None:
    """In the message form, Detta records, the words land in the field with the focus and the
    status says so; nothing is said to the caller; axe clean with the button shown."""
    page = mic_page
    _start_and_answer(page, voice_live.url, "fabio")
    page.goto(page.url.split("?")[0] + "?tool=message")
    page.wait_for_selector("body[data-ready]")
    dictate = page.get_by_role("button", name="Detta Messaggio")
    expect(dictate).to_be_visible()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()
    page.fill("#message-text", "Richiamare:")
    dictate.focus()
    page.keyboard.press("Enter")
    expect(dictate).to_have_attribute("aria-pressed", "true")
    ended = re.compile(r"^[1-9]")
    expect(page.locator("#voice")).to_have_attribute("data-speech-ends", ended, timeout=SERVER_MS)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/dictation"), timeout=SERVER_MS
    ):
        page.keyboard.press("Enter")
    field = page.locator("#message-text")
    expect(field).to_have_value(
        re.compile(r"^Richiamare: .*(good morning|how can i help you)", re.I)
    )
    expect(field).to_be_focused()
    expect(page.get_by_role("status").first).to_have_text(re.compile(r"^Dettato"))
    expect(page.get_by_role("log")).not_to_contain_text("Operatore:")
