"""Attacks on the phone webhooks, replayed against the real app under gunicorn: forged
signatures, PIN guessing across calls, unknown CallSids, NUL bytes and huge answers, status
callbacks out of order, and a turn racing the hang-up."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from ivr import state
from simulator.practice import attempts
from simulator.store.phone import IvrCall
from tests.integration.ivr_support import PHONE, PIN, sign
from tests.security.support import Caller, Server, serve


def _calls(server: Server) -> int:
    with server.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(IvrCall)) or 0)


def _trainee_says(server: Server, call_sid: str) -> list[str]:
    row = state.current(server.db, call_sid)
    assert row is not None and row.attempt_id is not None
    snap = attempts.snapshot(server.db, row.attempt_id)
    return [
        str(e.data.get("text")) for _, e in snap.events if e.actor == "trainee" and e.kind == "say"
    ]


# --------------------------------------------------------------------------- signatures


@pytest.fixture(scope="module")
def public_server(backend: str, tmp_path_factory: pytest.TempPathFactory):
    """PUBLIC_BASE_URL set and one trusted proxy in front, as the README recommends."""
    folder: Path = tmp_path_factory.mktemp("public")
    with serve(
        folder, backend, workers=2, PUBLIC_BASE_URL="https://public.example",
        CENTRALINO_TRUSTED_PROXIES="1",
    ) as running:  # fmt: skip
        yield running


def test_foreign_signatures_are_refused_with_public_base_url(public_server: Server, http):
    """Signed for evil.example (forwarded headers) or another Host: 403, no call created."""
    caller = Caller(public_server, http)
    fields = caller.fields(CallStatus="ringing")
    forged = [
        (
            sign("https://evil.example/ivr/voice", fields),
            {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
        ),
        (sign("http://other-app.example/ivr/voice", fields), {"Host": "other-app.example"}),
        (sign(public_server.base_url + "/ivr/voice", fields), {}),
    ]
    for signature, headers in forged:
        response = http.post(
            public_server.base_url + "/ivr/voice",
            data=fields,
            headers={"X-Twilio-Signature": signature, **headers},
        )
        assert response.status_code == 403, headers
    assert _calls(public_server) == 0
    assert "Benvenuto" in caller.post("/ivr/voice", CallStatus="ringing")


def test_the_class_behind_a_proxy_is_not_locked_out_by_one_guesser(public_server: Server):
    """Behind the trusted proxy each trainee has their own address: a guesser's 40 wrong
    passwords lock out only the guesser and the account guessed at."""
    from tests.security.support import Browser

    public_server.reset_limits()
    codes = []
    for _ in range(40):
        guesser = Browser(public_server, headers={"X-Forwarded-For": "10.0.0.66"})
        codes.append(guesser.login("bersaglio", "sbagliata-davvero").status_code)
        guesser.close()
    assert codes.count(429) == 30, codes
    for n, name in enumerate(["marta", "luca", "ada"] * 4):
        trainee = Browser(public_server, headers={"X-Forwarded-For": f"10.0.1.{n + 1}"})
        assert trainee.login(name).status_code == 302, name
        trainee.close()
    victim = Browser(public_server, headers={"X-Forwarded-For": "10.0.1.99"})
    assert victim.login("bersaglio").status_code == 429  # the account being guessed at
    victim.close()


# --------------------------------------------------------------------------- PINs


def test_pin_guessing_across_calls_is_locked_out_aloud(server: Server, http):
    """Wrong PINs from one number over many calls: after 5 the caller hears the lock-out, and
    then even the right PIN opens nothing."""
    heard = []
    for _ in range(4):
        caller = Caller(server, http, from_number="+393339999999")
        caller.post("/ivr/voice", CallStatus="ringing")
        for wrong in ("000000", "111111", "222222"):
            if caller.hung_up():
                break
            caller.post(Digits=wrong)
        heard.append(caller.said())
    assert any("Troppi PIN sbagliati" in text for text in heard), heard
    caller = Caller(server, http, from_number="+393339999999")
    caller.post("/ivr/voice", CallStatus="ringing")
    if not caller.hung_up():
        caller.post(Digits=PIN)
    assert caller.hung_up() and "Troppi PIN sbagliati" in caller.said()
    assert "Luca" not in caller.said()


def test_pin_tries_count_per_trainee_too(server: Server, http):
    """From the trainee's own number, wrong PINs lock that trainee's phone access."""
    for _ in range(2):
        caller = Caller(server, http, from_number=PHONE)
        caller.post("/ivr/voice", CallStatus="ringing")
        for wrong in ("000000", "111111", "222222"):
            if caller.hung_up():
                break
            caller.post(Digits=wrong)
    caller = Caller(server, http, from_number=PHONE)
    caller.post("/ivr/voice", CallStatus="ringing")
    assert caller.hung_up() and "Troppi PIN sbagliati" in caller.said()


def test_a_known_number_still_confirms_with_the_pin(server: Server, http):
    caller = Caller(server, http, from_number=PHONE)
    caller.post("/ivr/voice", CallStatus="ringing")
    assert caller.field() == "pin" and "Luca" not in caller.said()
    caller.post(Digits=PIN)
    assert "Luca" in caller.said()


# --------------------------------------------------------------------------- call edges


def test_unknown_and_missing_callsid_get_spoken_twiml(server: Server, http):
    caller = Caller(server, http)
    for path, fields in [
        ("/ivr/turn?turn=3", caller.fields(CallSid="CA" + uuid.uuid4().hex)),
        ("/ivr/voice", {k: v for k, v in caller.fields().items() if k != "CallSid"}),
        ("/ivr/turn?turn=1", {k: v for k, v in caller.fields().items() if k != "CallSid"}),
        ("/ivr/outbound?c=nessuno", caller.fields()),
        ("/ivr/turn?turn=99999999999999999999", caller.fields()),
    ]:
        response = caller.raw(path, fields)
        assert response.status_code == 200, (path, response.text[:200])
        assert response.headers["content-type"].startswith("text/xml")
        assert "<Say" in response.text and "<Hangup" in response.text, response.text


def test_nul_and_huge_speech_are_refused_aloud_and_the_call_goes_on(server: Server, http):
    caller = Caller(server, http)
    caller.into_practice()
    before = _trainee_says(server, caller.call_sid)
    for bad in ("Buongiorno\x00 Acme", "parola " * 15_000):
        caller.t = (caller.t or 0) + 1
        body = caller.post(SpeechResult=bad)
        assert "Risposta non accettata" in caller.said(), body[:300]
        assert not caller.hung_up()
    assert _trainee_says(server, caller.call_sid) == before
    caller.t = (caller.t or 0) + 1
    caller.post(SpeechResult="Buongiorno, Acme, sono Luca")
    assert _trainee_says(server, caller.call_sid) == [*before, "Buongiorno, Acme, sono Luca"]


def test_nul_in_a_phone_form_field_is_refused_and_the_turn_answered(server: Server, http):
    caller = Caller(server, http)
    caller.into_practice()
    caller.t = (caller.t or 0) + 1
    caller.post(Digits="*4")  # take a message: the form's fields are asked one by one
    caller.t += 1
    body = caller.post(SpeechResult="Romano\x00")
    assert "Risposta non accettata" in caller.said(), body[:300]
    caller.t += 1
    assert caller.post(SpeechResult="Romano")


def test_twiml_stays_under_64_kb_with_a_long_directory_read_back(server: Server, http):
    """The longest answers Twilio accepts (the 202 kB read-back of a huge directory value)."""
    caller = Caller(server, http)
    caller.into_practice()
    for _ in range(2):
        caller.t = (caller.t or 0) + 1
        caller.post(Digits="#4")  # update the directory, then every field by voice
        for _ in range(3):
            caller.t += 1
            body = caller.post(SpeechResult="valore " * 140)
            assert len(body.encode()) < 64 * 1024
    caller.t += 1
    assert len(caller.post(SpeechResult="").encode()) < 64 * 1024


def test_status_callbacks_only_move_forward(server: Server, http):
    caller = Caller(server, http)
    caller.into_practice()
    assert caller.status("completed") == 204
    row = state.current(server.db, caller.call_sid)
    assert row is not None and row.outcome == "completed" and row.twilio_status == "completed"
    assert caller.status("failed") == 204
    assert caller.status("in-progress") == 204
    row = state.current(server.db, caller.call_sid)
    assert row is not None and row.outcome == "completed" and row.twilio_status == "completed"
    assert row.attempt_id is not None
    assert attempts.snapshot(server.db, row.attempt_id).status == "finished"


def test_late_in_progress_does_not_rewind_ringing_to_queued(server: Server, http):
    caller = Caller(server, http)
    caller.post("/ivr/voice", CallStatus="ringing")
    caller.status("in-progress")
    caller.status("ringing")
    row = state.current(server.db, caller.call_sid)
    assert row is not None and row.twilio_status == "in-progress"


def _race_last_sentence_with_hang_up(server: Server, sentence: str) -> str:
    """Post the trainee's last words and the 'completed' callback at the same moment."""
    with httpx.Client() as http_turn, httpx.Client() as http_status:
        caller = Caller(server, http_turn)
        caller.into_practice()
        caller.t = (caller.t or 0) + 1
        twin = Caller(server, http_status, caller.from_number)
        twin.call_sid = caller.call_sid
        gate = threading.Barrier(2)

        def speak() -> None:
            gate.wait()
            caller.post(SpeechResult=sentence)

        def hang_up() -> None:
            gate.wait()
            twin.status("completed")

        threads = [threading.Thread(target=speak), threading.Thread(target=hang_up)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return caller.call_sid


def test_the_last_sentence_racing_completed_is_kept(server: Server):
    """The trainee's last words and the 'completed' callback arrive together, many times:
    the sentence is always in the scored log."""
    for n in range(6):
        sentence = f"Ultima frase numero {n}"
        call_sid = _race_last_sentence_with_hang_up(server, sentence)
        assert sentence in _trainee_says(server, call_sid), n
        row = state.current(server.db, call_sid)
        assert row is not None and row.attempt_id is not None
        assert attempts.snapshot(server.db, row.attempt_id).status == "finished"


def test_long_fields_the_ivr_never_reads_do_not_refuse_the_answer(server: Server, http):
    """Twilio adds fields of its own (a STIR/SHAKEN token is several hundred characters):
    only the fields the IVR reads are judged."""
    caller = Caller(server, http)
    caller.into_practice()
    caller.t = (caller.t or 0) + 1
    caller.post(SpeechResult="Buongiorno, Acme, sono Luca", StirPassportToken="e" * 900)
    assert "Risposta non accettata" not in caller.said()
    assert _trainee_says(server, caller.call_sid)[-1] == "Buongiorno, Acme, sono Luca"


def test_nul_in_the_web_pages_under_ivr_is_a_message(server: Server):
    """/ivr/call-me and the phone page are web forms: a NUL there is a 400 with a message."""
    from tests.security.support import Browser

    browser = Browser(server)
    browser.login("luca")
    response = browser.form("/ivr/call-me", page="/practice", scenario_id="x\x00y")
    assert response.status_code == 400 and "NUL" in response.text
    browser.close()
