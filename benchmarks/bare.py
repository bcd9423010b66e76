"""The ceiling the benchmarks measure against: bare Flask endpoints of the same shape as the
project's hot requests, served by the same gunicorn settings in the same run.

- ``POST /ivr/turn``: checks the Twilio signature with the SDK's RequestValidator over the
  public URL and every posted field, as the project's webhooks do, and answers a TwiML
  ``<Gather>`` with a ``<Say>`` and the hints built by Twilio's own ``VoiceResponse``.
- ``POST /attempts/<id>/action`` and ``GET /attempts/<id>/state``: a small form read and a
  JSON answer of the console's shape.

No database, no engine: what is left is Flask, gunicorn and the client on the same two cores.
``start()`` serves it; ``saturate_ivr()`` and the console benchmark's bare mode drive it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
from flask import Flask, Response, abort, jsonify, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-auth-token-0123456789abcdef"
HINTS = ", ".join(f"Collega {n}, {200 + n}" for n in range(40))
CALLER_LINE = "Buongiorno, sono Mario Rossi della Ferramenta Rossi: mi passa l'ufficio acquisti?"


def create_app() -> Flask:
    """The bare app (gunicorn ``benchmarks.bare:create_app()``)."""
    app = Flask(__name__)
    validator = RequestValidator(TOKEN)

    @app.post("/ivr/turn")
    def turn() -> Response:
        started = time.perf_counter()
        params = request.form.to_dict()
        if not validator.validate(request.url, params, request.headers.get("X-Twilio-Signature")):
            abort(403)
        reply = VoiceResponse()
        gather = reply.gather(
            input="speech dtmf", action=f"/ivr/turn?turn={int(request.args.get('turn', 0)) + 1}",
            language="it-IT", hints=HINTS, speech_model="phone_call", timeout=5,
            action_on_empty_result=True, finish_on_key="",
        )  # fmt: skip
        gather.say(CALLER_LINE, language="it-IT", voice="Polly.Bianca")
        response = Response(str(reply), mimetype="text/xml")
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    @app.post("/attempts/<int:attempt_id>/action")
    def action(attempt_id: int) -> Response:
        form = request.form.to_dict()
        return jsonify(ok=bool(form.get("kind")), message=f"Linea 1: {attempt_id}", focus="reply")

    @app.get("/attempts/<int:attempt_id>/state")
    def state(attempt_id: int) -> Response:
        after = request.args.get("after", default=0, type=int)
        return jsonify(
            seq=after + 1, title="Linea 1 in conversazione", finished=False, paused=False,
            entries=[{"seq": after + 1, "html": f"<li>Chiamante: {CALLER_LINE}</li>"}],
            alerts=[], active_line="l1", ringing=False, audio=[], earcons=[],
            lines_html="<ul><li>Linea 1: in conversazione</li></ul>", attempt=attempt_id,
        )  # fmt: skip

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(workers: int, threads: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Serve the bare app under gunicorn with the given settings; (process, base URL)."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
        "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning",
        "benchmarks.bare:create_app()",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=dict(os.environ), stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(base + "/attempts/1/state", timeout=1.0).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(log.read_text(errors="replace")[-3000:])


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


async def saturate_ivr(base: str, concurrency: int, requests: int) -> dict[str, float]:
    """``requests`` signed turns, ``concurrency`` calls back to back; figures like bench_ivr's."""
    validator = RequestValidator(TOKEN)
    latencies: list[float] = []
    per_call = max(1, requests // concurrency)

    async def one_call(n: int, client: httpx.AsyncClient) -> None:
        action = "/ivr/turn?turn=1"
        for turn in range(per_call):
            params = {
                "CallSid": f"CA{n:032d}", "AccountSid": "AC" + "1" * 32, "From": "+393331234567",
                "To": "+390971000000", "CallStatus": "in-progress", "SpeechResult": "Un attimo",
                "Confidence": "0.9", "Digits": "", "CentralinoClock": f"{turn * 2.0}",
            }  # fmt: skip
            url = base + action
            headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
            started = time.perf_counter()
            response = await client.post(url, data=params, headers=headers)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            gather = ElementTree.fromstring(response.text).find("Gather")
            action = gather.get("action", action) if gather is not None else action

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:
        await asyncio.gather(*(one_call(n, client) for n in range(concurrency)))  # warm
        latencies.clear()
        started = time.perf_counter()
        await asyncio.gather(*(one_call(n, client) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": float(len(ordered)),
        "throughput": len(ordered) / elapsed,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }
