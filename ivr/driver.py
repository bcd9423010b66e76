"""A local call driver: plays Twilio's part (and the scripted trainee's) against a running server.

An instructor can try the phone flow of any scenario without a phone::

    python -m ivr.driver --base-url http://127.0.0.1:8000 --auth-token TOKEN \\
        --from +393331234567 --scenario smistamento-acquisti-assente \\
        --script scenarios/scripts/smistamento-acquisti-assente.good.yaml

``PhoneCall`` is the sans-I/O core: it turns each TwiML answer into the next request (signed by
the I/O layer exactly as Twilio signs, with ``RequestValidator.compute_signature``). Scripted
turns map onto the phone: ``say`` becomes a SpeechResult, ``do`` becomes keypad codes and form
fields are answered when the server asks for them (``field=`` in the Gather's action URL).
When the server runs its testing clock (``CENTRALINO_CLOCK=driver``) each request carries the
scripted session time, so a phone run gives the same event log as the text console.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit
from xml.etree import ElementTree

import httpx
from twilio.request_validator import RequestValidator

from ivr import twiml_schema
from ivr.commands import BY_COMMAND, FORMS
from simulator.harness import END_GRACE_S
from simulator.loader import load_library
from simulator.model import Company, Scenario
from simulator.script import Script, Turn, load_script

MAX_REQUESTS = 2000  # bounded: a call that loops is a failure, not a hang
CLOCK_FIELD = "CentralinoClock"


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the last TwiML asks: a Gather (field, timeout, keys) or the end of the call."""

    action: str | None
    field: str = ""
    timeout: float = 5.0
    hangup: bool = False


@dataclass(frozen=True, slots=True)
class Input:
    """What the trainee gives a Gather: keys, words, or nothing (silence)."""

    digits: str | None = None
    speech: str | None = None
    clock: float | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request Twilio would make."""

    url: str
    params: dict[str, str]


class DriverError(RuntimeError):
    """The server answered something a real Twilio call could not go on with."""


@dataclass
class PhoneCall:
    """One simulated phone call, scripted, with no I/O of its own."""

    scenario: Scenario
    company: Company
    script: Script
    title: str
    from_number: str
    to_number: str = "+390971000000"
    account_sid: str = "AC" + "0" * 32
    call_sid: str = field(default_factory=lambda: "CA" + uuid.uuid4().hex)
    pin: str | None = None
    use_clock: bool = True
    strict: bool = True
    transcript: list[str] = field(default_factory=list)
    sent: list[Input] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _plan: Generator[Input, Prompt, None] | None = None
    _last_clock: float = 0.0
    done: bool = False

    # ------------------------------------------------------------------ protocol

    def base_params(self) -> dict[str, str]:
        """Fields Twilio sends on every voice webhook."""
        return {
            "CallSid": self.call_sid,
            "AccountSid": self.account_sid,
            "From": self.from_number,
            "To": self.to_number,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }

    def first(self) -> Request:
        """The request Twilio makes when the call connects."""
        params = self.base_params()
        params["CallStatus"] = "ringing"
        return Request("/ivr/voice", params)

    def next(self, current_url: str, twiml: str) -> Request | None:
        """The next request after the server answered ``twiml`` to ``current_url``."""
        if self.strict:
            found = twiml_schema.problems(twiml)
            if found:
                raise DriverError(f"TwiML outside Twilio's documentation: {found}\n{twiml}")
        prompt = self._read(twiml, current_url)
        if prompt.hangup or prompt.action is None:
            self.done = True
            return None
        if self._plan is None:
            self._plan = self._conversation()
            next(self._plan)
        try:
            given = self._plan.send(prompt)
        except StopIteration:
            raise DriverError("the script ended but the call did not") from None
        self.sent.append(given)
        self._log_input(given)
        params = self.base_params()
        if given.digits is not None:
            params["Digits"] = given.digits
        elif given.speech is not None:
            params["SpeechResult"] = given.speech
            params["Confidence"] = "0.92"
        else:
            params["Digits"] = ""  # Twilio posts an empty result (actionOnEmptyResult)
        self._add_clock(params, given.clock)
        return Request(urljoin(current_url, prompt.action), params)

    def status_callback(self) -> Request:
        """The final status callback Twilio sends when the call ends."""
        params = self.base_params()
        params.update(CallStatus="completed", CallDuration="90")
        self._add_clock(params, self._last_clock)
        return Request("/ivr/status", params)

    def _add_clock(self, params: dict[str, str], clock: float | None) -> None:
        if clock is not None:
            self._last_clock = clock
        if self.use_clock and self._plan is not None:
            params[CLOCK_FIELD] = f"{self._last_clock:.3f}"

    # ------------------------------------------------------------------ TwiML

    def _read(self, twiml: str, url: str) -> Prompt:
        root = ElementTree.fromstring(twiml)
        for element in root:
            if element.tag == "Gather":
                for child in element:
                    self._hear(child)
                action = element.get("action") or url
                query = parse_qs(urlsplit(action).query)
                return Prompt(
                    action=action,
                    field=query.get("field", [""])[0],
                    timeout=float(element.get("timeout", "5")),
                )
            if element.tag in ("Hangup", "Reject"):
                return Prompt(None, hangup=True)
            if element.tag == "Redirect":
                return Prompt(element.text or url)
            self._hear(element)
        return Prompt(None, hangup=True)  # a document that just ends hangs up

    def _hear(self, element: ElementTree.Element) -> None:
        if element.tag == "Say":
            who = element.get("voice", "")
            self.transcript.append(f"[{who} {element.get('language', '')}] {element.text or ''}")
        elif element.tag == "Play":
            url = element.text or ""
            if "/ivr/audio/" in url:
                self.transcript.append("[voce registrata del chiamante / rendered caller voice]")
            else:
                self.transcript.append(f"[suono / sound] {url.rsplit('/', 1)[-1]}")
        elif element.tag == "Pause":
            self.transcript.append(f"[pausa / pause] {element.get('length', '1')} s")

    def _log_input(self, given: Input) -> None:
        when = "" if given.clock is None else f"{given.clock:6.1f}s "
        if given.digits:
            self.transcript.append(f"  > {when}tasti / keys {given.digits}")
        elif given.speech:
            self.transcript.append(f"  > {when}Operatore: {given.speech}")
        else:
            self.transcript.append(f"  > {when}(silenzio / silence)")

    # ------------------------------------------------------------------ the trainee

    def _conversation(self) -> Generator[Input, Prompt, None]:
        prompt = yield Input()
        if prompt.field == "pin":
            prompt = yield Input(digits=self.pin or "")
        if prompt.field == "menu":
            prompt = yield Input(speech=self.title)
        if prompt.field == "confirm":
            prompt = yield Input(digits="1", clock=0.0)
        t = 0.0
        for turn in self.script.turns:
            while prompt.field == "" and t + prompt.timeout < turn.at:
                t += prompt.timeout
                prompt = yield Input(clock=t)
            t = max(t, turn.at)
            for wanted in self._inputs(turn):
                if isinstance(wanted, Input):
                    prompt = yield Input(wanted.digits, wanted.speech, t)
                    continue
                while prompt.field and prompt.field in wanted:
                    prompt = yield Input(**self._answer(wanted[prompt.field]), clock=t)
        end = t + END_GRACE_S  # as the text console's harness: the caller's last reply is heard
        prompt = yield Input(digits="##", clock=end)
        while True:  # the server should hang up; keep answering silence meanwhile
            prompt = yield Input(clock=end)

    @staticmethod
    def _answer(value: str) -> dict[str, Any]:
        if value == "*" or value.isdigit():
            return {"digits": value}
        return {"speech": value}

    def _inputs(self, turn: Turn) -> Iterator[Input | dict[str, str]]:
        """Keys and form answers for one scripted turn (a dict answers fields by name)."""
        if turn.say is not None:
            yield Input(speech=turn.say)
            return
        kind, data = turn.do or "", turn.data
        if kind in ("answer", "hangup", "finish"):
            yield Input(digits=BY_COMMAND[kind].keys)
        elif kind == "hold":
            yield Input(digits="*1")
        elif kind == "resume":
            yield Input(digits="*6")
            yield {"line": self._line_number(turn.line)}
        elif kind in ("pause", "unpause"):
            yield Input(digits="#7")
        elif kind == "transfer":
            announced = data.get("mode") == "announced"
            yield Input(digits="*3" if announced else "*2")
            yield {"extension": self._extension(str(data.get("to", "")))}
        elif kind in FORMS:
            yield Input(digits=BY_COMMAND[kind].keys)
            answers = {f.name: self._field(kind, f.name, data) for f in FORMS[kind]}
            yield answers
        else:
            raise DriverError(f"no phone mapping for action {kind!r}")

    def _field(self, form: str, name: str, data: dict[str, Any]) -> str:
        value = data.get(name)
        if value is None or value == "":
            return "*"
        if form == "voicemail_listen":
            ids = [message.id for message in self.scenario.voicemail]
            return str(ids.index(str(value)) + 1) if value in ids else "*"
        return str(value)

    def _line_number(self, line: str | None) -> str:
        ids = [call.line for call in self.scenario.calls]
        return str(ids.index(line) + 1) if line in ids else "1"

    def _extension(self, target: str) -> str:
        if target.isdigit():
            return target
        for member in self.company.staff:
            if member.id == target:
                return member.extension
        for department in self.company.departments:
            if department.id == target and department.extension:
                return department.extension
        return target


# ---------------------------------------------------------------------- I/O


def signed(request: Request, base_url: str, auth_token: str) -> tuple[str, dict[str, str]]:
    """(absolute URL, headers) for a request, signed exactly as Twilio signs it."""
    url = (
        urljoin(base_url.rstrip("/") + "/", request.url.lstrip("/"))
        if request.url.startswith("/")
        else request.url
    )
    signature = RequestValidator(auth_token).compute_signature(url, request.params)
    return url, {"X-Twilio-Signature": signature}


def drive(call: PhoneCall, client: httpx.Client, base_url: str, auth_token: str) -> PhoneCall:
    """Play a whole call over HTTP, then send the final status callback."""
    request: Request | None = call.first()
    for _ in range(MAX_REQUESTS):
        if request is None:
            break
        url, headers = signed(request, base_url, auth_token)
        response = client.post(url, data=request.params, headers=headers)
        if response.status_code != 200:
            raise DriverError(f"{url} answered {response.status_code}: {response.text[:300]}")
        request = call.next(url, response.text)
    else:
        raise DriverError(f"the call did not end within {MAX_REQUESTS} requests")
    url, headers = signed(call.status_callback(), base_url, auth_token)
    final = client.post(url, data=call.status_callback().params, headers=headers)
    if final.status_code >= 400:
        raise DriverError(f"status callback answered {final.status_code}")
    return call


def make_call(
    scenario_id: str,
    script_path: Path,
    from_number: str,
    *,
    library_root: Path,
    pin: str | None = None,
    use_clock: bool = True,
) -> PhoneCall:
    """A PhoneCall for a bundled scenario and one of its scripts."""
    library = load_library(library_root)
    loaded = library.scenarios[scenario_id]
    scenario = loaded.scenario
    return PhoneCall(
        scenario=scenario,
        company=library.companies[scenario.company],
        script=load_script(script_path),
        title=scenario.title,
        from_number=from_number,
        pin=pin,
        use_clock=use_clock,
    )


def wait_for_server(client: httpx.Client, base_url: str, seconds: float) -> bool:
    """True once the server answers ``/ivr/healthz`` (any status), False after ``seconds``.

    So ``gunicorn ... &`` followed at once by the driver works as the phone guide writes it.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            client.get(urljoin(base_url.rstrip("/") + "/", "ivr/healthz"))
            return True
        except httpx.TransportError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    """Command line: drive one call and print it as text."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--from", dest="from_number", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--script", required=True, type=Path)
    parser.add_argument("--pin", default=None)
    parser.add_argument("--library", type=Path, default=Path("scenarios"))
    parser.add_argument(
        "--real-time",
        action="store_true",
        help="non inviare l'orario del copione / do not send the scripted clock",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=60.0,
        metavar="S",
        help="secondi di attesa del server che si avvia / seconds to wait for a starting server",
    )
    args = parser.parse_args(argv)
    call = make_call(
        args.scenario,
        args.script,
        args.from_number,
        library_root=args.library,
        pin=args.pin,
        use_clock=not args.real_time,
    )
    with httpx.Client(timeout=30.0) as client:
        if not wait_for_server(client, args.base_url, args.wait):
            print(
                f"ERRORE / ERROR: nessuna risposta da / no answer from {args.base_url} "
                f"in {args.wait:.0f} s",
                file=sys.stderr,
            )
            return 1
        try:
            drive(call, client, args.base_url, args.auth_token)
        except (DriverError, httpx.HTTPError) as exc:
            print("\n".join(call.transcript))
            print(f"ERRORE / ERROR: {exc}", file=sys.stderr)
            return 1
    print("\n".join(call.transcript))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
