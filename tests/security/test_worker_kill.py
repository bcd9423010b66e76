"""A gunicorn worker killed with SIGKILL in the middle of a phone turn drops no call and loses
or doubles no event: phone calls and web sessions run at once while, each time a turn is
claimed and not yet answered, the worker holding the claim (named in it) is SIGKILLed, so it
surely dies mid-request; each phone request whose connection breaks is retried once, as
Twilio's caller does, and must be answered (not with an apology) within Twilio's 15 s."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select

from ivr import state
from simulator.practice import attempts
from simulator.store.phone import IvrTurn
from tests.security.support import Browser, Caller, Server, serve

PHONE_CALLS = 6
WEB_SESSIONS = 3
SENTENCES = 8
MAX_CALLS = 30
WEB_MAX_REPLIES = 300
KILLS = 3
WORKERS = 3
APOLOGY = "errore tecnico"
_TOKENS = itertools.count()


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("kill"), backend, workers=WORKERS) as running:
        yield running


@dataclass
class Traffic:
    """What the clients did, shared with the killer."""

    lock: threading.Condition = field(default_factory=threading.Condition)
    in_flight: int = 0
    finished: int = 0
    failures: list[str] = field(default_factory=list)
    retries: int = 0
    # Phone requests under way, retry included (one token per Caller.post).
    active: set[int] = field(default_factory=set)
    # Set by the killer when its kills are done: clients then finish their current call.
    done: threading.Event = field(default_factory=threading.Event)

    def begin(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.lock.notify_all()

    def end(self) -> None:
        with self.lock:
            self.in_flight -= 1


class CountingCaller(Caller):
    """A caller whose requests the killer can see in flight."""

    def __init__(self, server: Server, http: httpx.Client, traffic: Traffic) -> None:
        super().__init__(server, http)
        self.traffic = traffic

    def raw(self, path, data, headers=None):  # type: ignore[no-untyped-def]
        self.traffic.begin()
        try:
            return super().raw(path, data, headers)
        finally:
            self.traffic.end()

    def post(self, path=None, **extra):  # type: ignore[no-untyped-def]
        token = next(_TOKENS)
        with self.traffic.lock:
            self.traffic.active.add(token)
        try:
            return super().post(path, **extra)
        finally:
            with self.traffic.lock:
                self.traffic.active.discard(token)
                self.traffic.lock.notify_all()


@dataclass
class PhoneRun:
    call_sid: str = ""
    sent: list[str] = field(default_factory=list)


@dataclass
class WebRun:
    attempt_id: int = 0
    acknowledged: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _phone_call(server: Server, traffic: Traffic, n: int, runs: list[PhoneRun]) -> None:
    """Calls one after another until the killer is done (at most MAX_CALLS)."""
    with httpx.Client() as http:
        for c in range(MAX_CALLS):
            if traffic.done.is_set():
                break
            caller = CountingCaller(server, http, traffic)
            run = PhoneRun(call_sid=caller.call_sid)
            runs.append(run)
            try:
                caller.into_practice()
                for k in range(SENTENCES):
                    if caller.hung_up():
                        break
                    caller.t = (caller.t or 0) + 1
                    sentence = f"Telefono {n}.{c} frase {k}"
                    caller.post(SpeechResult=sentence)
                    if APOLOGY in caller.said():
                        raise AssertionError(f"call {n}.{c} apologised: {caller.said()}")
                    run.sent.append(sentence)
            except Exception as error:  # any failure is a dropped call
                with traffic.lock:
                    traffic.failures.append(f"phone {n}.{c}: {error!r}")
            finally:
                with traffic.lock:
                    traffic.retries += caller.retries
    with traffic.lock:
        traffic.finished += 1
        traffic.lock.notify_all()


def _retrying(step, tries: int = 5):  # type: ignore[no-untyped-def]
    """A web step the user would simply redo after a broken page (GETs and logins)."""
    for attempt in range(tries):
        try:
            return step()
        except (httpx.TransportError, ValueError, AssertionError):
            if attempt == tries - 1:
                raise
    return None


def _web_session(server: Server, traffic: Traffic, n: int, run: WebRun) -> None:
    """A browser does not resend a POST whose connection broke: such a reply may or may not be
    in the log (at most once); every acknowledged reply must be there exactly once."""
    browser = Browser(server)
    try:
        _retrying(lambda: browser.login("marta"))
        run.attempt_id = _retrying(browser.start)
        _retrying(lambda: browser.act(run.attempt_id, kind="answer"))
        for k in range(WEB_MAX_REPLIES):  # until the killer is done
            if traffic.done.is_set() and k >= SENTENCES:
                break
            sentence = f"Web {n} frase {k}"
            traffic.begin()
            try:
                response = browser.act(run.attempt_id, kind="say", text=sentence)
            except httpx.TransportError:
                run.unknown.append(sentence)
                continue
            finally:
                traffic.end()
            if response.status_code == 200 and response.json().get("ok"):
                run.acknowledged.append(sentence)
    except Exception as error:
        with traffic.lock:
            traffic.failures.append(f"web {n}: {error!r}")
    finally:
        browser.close()
        with traffic.lock:
            traffic.finished += 1
            traffic.lock.notify_all()


def _open_claims(server: Server) -> dict[int, str]:
    """Phone turns claimed and not answered yet, with the worker ("host:pid") inside each."""
    with server.db.read() as session:
        rows = session.execute(
            select(IvrTurn.id, IvrTurn.claimed_by).where(IvrTurn.response.is_(None))
        ).all()
    return {int(row[0]): str(row[1] or "") for row in rows}


def _kill_workers(server: Server, traffic: Traffic, clients: int) -> int:
    """Whenever a worker is inside a new phone turn (its claim stored, its answer not),
    SIGKILL that worker: it dies mid-request, holding the claim. Then wait until the cut turn
    is answered by its retry before the next kill (bounded loops, no fixed sleeps)."""
    kills = 0
    seen: set[int] = set()
    while kills < KILLS:
        victim = None
        cut: set[int] = set()
        # Kill only while every worker serves: killing workers faster than they start would
        # starve Twilio's requests whatever the app does.
        for _ in range(1200):
            if traffic.finished == clients or len(server.serving_workers()) == WORKERS:
                break
            time.sleep(0.05)
        for _ in range(50_000):
            if traffic.finished == clients:
                break
            workers = set(server.serving_workers())
            fresh = {i: who for i, who in _open_claims(server).items() if i not in seen}
            for turn_id, who in fresh.items():
                pid = int(who.rsplit(":", 1)[1]) if ":" in who else 0
                if pid in workers:
                    victim, cut = pid, {turn_id}
                    break
            if victim is not None:
                break
        if victim is None:
            break
        with traffic.lock:
            under_way = set(traffic.active)
        os.kill(victim, signal.SIGKILL)
        kills += 1
        seen |= set(_open_claims(server))
        # Before the next kill, every phone request cut by this one (the claim's holder and
        # any other the dead worker had accepted) is answered by its retry: a request cut twice
        # is more than one retry survives.
        with traffic.lock:
            traffic.lock.wait_for(
                lambda cut_now=under_way: not cut_now & traffic.active, timeout=60
            )
        for _ in range(1200):
            if traffic.finished == clients or not cut & set(_open_claims(server)):
                break
            time.sleep(0.05)
    return kills


@pytest.mark.slow
def test_killed_workers_drop_no_call_and_lose_or_double_no_event(server: Server):
    traffic = Traffic()
    phones: list[list[PhoneRun]] = [[] for _ in range(PHONE_CALLS)]
    webs = [WebRun() for _ in range(WEB_SESSIONS)]
    threads = [
        threading.Thread(target=_phone_call, args=(server, traffic, n, runs))
        for n, runs in enumerate(phones)
    ] + [
        threading.Thread(target=_web_session, args=(server, traffic, n, run))
        for n, run in enumerate(webs)
    ]
    for thread in threads:
        thread.start()
    kills = _kill_workers(server, traffic, len(threads))
    traffic.done.set()
    for thread in threads:
        thread.join()

    print(f"kills={kills} phone retries={traffic.retries} failures={traffic.failures}")
    assert traffic.failures == [], server.tail()
    assert kills == KILLS
    assert traffic.retries >= 1, "no request was cut by a kill: the test proved nothing"
    assert _taken_over(server) >= 1, "no dead worker's claim was taken over"
    for run in [run for runs in phones for run in runs]:
        row = state.current(server.db, run.call_sid)
        assert row is not None and row.attempt_id is not None, run.call_sid
        said = _trainee_says(server, row.attempt_id)
        # Every sentence sent is in the log once, in order, up to the caller hanging up: a
        # caller who lost patience with the nonsense (as a person would) ends the line, and
        # what is said after that reaches nobody.
        assert said == run.sent[: len(said)], (run.call_sid, said, run.sent)
        if len(said) < len(run.sent):
            assert _caller_hung_up_after_last_say(server, row.attempt_id), (
                run.call_sid,
                said,
                run.sent,
            )
    for run in webs:
        said = _trainee_says(server, run.attempt_id)
        for sentence in run.acknowledged:
            assert said.count(sentence) == 1, (sentence, said)
        for sentence in run.unknown:
            assert said.count(sentence) <= 1, (sentence, said)
        assert set(said) <= set(run.acknowledged) | set(run.unknown)


def _taken_over(server: Server) -> int:
    """Turns answered by a worker other than the one that first claimed them: their claim was
    renewed (claimed_at moved) by a takeover. Counted from the log of gunicorn."""
    return server.tail(200_000).count("took over a stale claim")


def _caller_hung_up_after_last_say(server: Server, attempt_id: int) -> bool:
    snap = attempts.snapshot(server.db, attempt_id)
    says = [seq for seq, e in snap.events if e.actor == "trainee" and e.kind == "say"]
    hangups = [seq for seq, e in snap.events if e.kind == "caller_hangup"]
    return bool(hangups) and (not says or max(hangups) > max(says))


def _trainee_says(server: Server, attempt_id: int) -> list[str]:
    snap = attempts.snapshot(server.db, attempt_id)
    return [
        str(e.data.get("text")) for _, e in snap.events if e.actor == "trainee" and e.kind == "say"
    ]
