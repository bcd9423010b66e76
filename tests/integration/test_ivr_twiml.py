"""TwiML we send stays inside what Twilio documents (the SDK writes any misspelt keyword), every
persona gets a voice of its own language, hints respect Twilio's limits, and the keypad card
(page and Markdown) lists every code the IVR understands."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr import hints, media, twiml_schema, voices
from ivr.commands import CODES, spoken_command
from simulator import engine
from tests.integration.ivr_support import ROOT, Phone, make_app
from tests.library import library, scenario_ids


@pytest.fixture
def ivr_app(tmp_path: Path) -> Iterator[Flask]:
    yield from make_app(tmp_path)


def test_allow_list_catches_what_the_sdk_lets_through():
    response = VoiceResponse()
    response.say("Ciao", voice="Polly.Giorgio", langauge="it-IT")  # misspelt keyword
    response.say("Hello", voice="Polly.Giorgio", language="en-GB")  # voice of another language
    response.say("Hola", voice="Polly.Nobody", language="es-ES")
    gather = Gather(input="speech", speech_model="googlev2_telephony", speech_timeout="auto")
    response.append(gather)
    response.append(Gather(input="speech dtmf", language="it-IT", hints=", ".join(["x"] * 501)))
    found = twiml_schema.problems(str(response.to_xml()))
    assert any("langauge" in p for p in found)
    assert any("speaks it-IT, not en-GB" in p for p in found)
    assert any("Polly.Nobody" in p for p in found)
    assert any("without language" in p for p in found)
    assert any("auto" in p for p in found)
    assert any("501 hints" in p for p in found)
    assert twiml_schema.problems("<Response><Say>unclosed</Response>")[0].startswith("not well")


def test_every_answer_of_a_whole_call_is_documented_twiml(ivr_app: Flask):
    phone = Phone(ivr_app.test_client())  # Phone.post asserts the allow-list on each answer
    phone.into_call()
    for t, fields in [
        (4.0, {"Digits": "*7"}), (6.0, {"SpeechResult": "Lucania Forniture, buongiorno"}),
        (8.0, {"Digits": "*9"}), (9.0, {"Digits": "*8"}), (9.0, {"SpeechResult": "Romano"}),
        (10.0, {"Digits": "*2"}), (10.0, {"Digits": "222"}), (12.0, {"Digits": "##"}),
    ]:  # fmt: skip
        phone.t = t
        phone.post(**fields)
    assert phone.hung_up()


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_persona_gets_a_voice_of_its_language(scenario_id: str):
    scenario = library().scenarios[scenario_id].scenario
    for call in scenario.calls:
        language = call.caller.language or scenario.language
        voice = voices.persona_voice(call.caller, language)
        assert twiml_schema.VOICE_LANGUAGE[voice] == language


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_hints_respect_twilio_limits(scenario_id: str):
    loaded = library().scenarios[scenario_id].scenario
    state, _ = engine.start(loaded, library().companies[loaded.company])
    found = hints.for_state(state, loaded.language)
    assert 0 < len(found) <= 500
    assert all(len(h) <= 100 and "," not in h for h in found)


def test_hints_are_truncated_to_limits():
    many = [f"frase numero {n} " + "x" * 150 for n in range(700)]
    limited = hints.limit(many)
    assert len(limited) == 500 and all(len(h) <= 100 for h in limited)


def test_voice_commands_are_whole_utterances_only():
    assert spoken_command("Metti in attesa", "it-IT").command == "hold_toggle"
    assert spoken_command("trasferisci al duecentoventidue", "it-IT").argument == "222"
    assert spoken_command("la metto in attesa, resti in linea", "it-IT") is None
    assert spoken_command("hang up", "en-GB").command == "hangup"


def test_play_mode_plays_the_simulators_own_audio_at_a_signed_url(tmp_path: Path):
    app = next(make_app(tmp_path, IVR_AUDIO="play", IVR_AUDIO_DIR=str(tmp_path / "cache")))
    client = app.test_client()
    phone = Phone(client)
    phone.into_call()
    phone.t = 2.0
    phone.post(Digits="*7")
    body = phone.post(SpeechResult="Lucania Forniture, buongiorno", Confidence="0.9")
    plays = [e.text or "" for e in ElementTree.fromstring(body).iter("Play")]
    audio = [url for url in plays if "/ivr/audio/" in url]
    assert audio, body  # the caller's line, rendered by the callers' synthesiser
    assert "Mario Rossi" not in " ".join(
        e.text or "" for e in ElementTree.fromstring(body).iter("Say")
    )
    wav = client.get(audio[0])
    assert wav.status_code == 200 and wav.data[:4] == b"RIFF"
    unsigned = audio[0].split("?")[0]
    assert client.get(unsigned).status_code == 404


def test_audio_url_needs_its_signature(ivr_app: Flask, tmp_path: Path):
    store = tmp_path / "audio"
    wav = media.tone("beep")
    sha = hashlib.sha256(wav).hexdigest()
    (store / sha[:2]).mkdir(parents=True)
    (store / sha[:2] / f"{sha}.wav").write_bytes(wav)
    ivr_app.config["IVR_AUDIO_DIR"] = str(store)
    client = ivr_app.test_client()
    good = media.sign(ivr_app.config["SECRET_KEY"], sha)
    assert client.get(f"/ivr/audio/{sha}.wav?sig={good}").data == wav
    assert client.get(f"/ivr/audio/{sha}.wav?sig=0000").status_code == 404
    assert client.get(f"/ivr/audio/{sha}.wav").status_code == 404


def test_keypad_card_page_is_accessible_html(ivr_app: Flask):
    page = ivr_app.test_client().get("/ivr/card").get_data(as_text=True)
    assert '<div lang="en">' in page and "<caption>" in page and 'scope="col"' in page
    for code in CODES:
        assert f"<kbd>{code.keys}</kbd>" in page
        assert code.it in page.replace("&#39;", "'") and code.en in page


def test_keypad_card_markdown_lists_every_code():
    card = (ROOT / "docs/keypad-card.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code.keys}`" in card, code.keys


def test_the_phone_says_each_caller_in_the_voice_the_browser_uses(tmp_path: Path):
    """Two callers of one scenario whose personas name the same voice are told apart on the
    phone as in the browser: the line's audio is the browser's render of it, not a shared voice."""
    from audio.cache import RenderCache
    from audio.tts import caller_synthesizer, scenario_voices, voice_for
    from ivr.twiml import from_events
    from simulator.events import Event

    loaded = library().scenarios["emergenza-incendio-evacuazione"]
    scenario, company = loaded.scenario, library().companies[loaded.scenario.company]
    call = next(c for c in scenario.calls if c.line == "l4")
    language = call.caller.language or scenario.language
    same = voice_for(language, call.caller.voice)
    distinct = scenario_voices(scenario)["l4"]
    assert same != distinct  # the persona's own voice is another caller's too

    state, _ = engine.start(scenario, company)
    said = Event(0.0, "caller_said", "caller", "l4", {"text": "Sono al secondo piano."})
    state.lines["l4"].status = "talking"
    [heard] = from_events(state, [said], "it")
    assert heard.scenario is scenario and heard.line == "l4"

    store = tmp_path / "cache"
    sha = media.render(
        store,
        heard.text,
        heard.language,
        heard.engine_voice,
        scenario=heard.scenario,
        line=heard.line,
    )
    cache = RenderCache(store, caller_synthesizer())
    assert sha == cache.path_for(heard.text, distinct).stem
    assert sha != cache.path_for(heard.text, same).stem
