"""Recognition off the request threads: a local process pool, or a Redis queue for more machines.

Whisper takes about 0.8 s of both cores a clip; run in a web thread it would stall every other
trainee's console in that worker. So a web or phone thread only submits the clip and waits (with
``timeout``) for the result:

- ``inline``: in this process (CLI ``transcribe``, tests, ``CENTRALINO_ASR_WORKERS=0``).
- ``pool`` (default): ``CENTRALINO_ASR_WORKERS`` processes (default 1), each loading one model
  once; ``spawn`` so no gunicorn thread state is forked.
- ``redis``: when ``CENTRALINO_REDIS_URL`` is set, clips go to a Redis list and any machine running
  ``simulator asr-worker`` answers; a school adds a machine by starting one more worker there.

Results come back as the port's ``Recognition``; a late one becomes ``RecognitionTimeoutError``.
"""

from __future__ import annotations

import base64
import concurrent.futures as futures
import json
import logging
import multiprocessing
import os
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from audio.tts import language_code
from simulator.errors import SpeechRecognitionError
from simulator.ports import Recognition

log = logging.getLogger(__name__)

JOBS_KEY = "centralino:asr:jobs"
RESULT_PREFIX = "centralino:asr:result:"
DEFAULT_TIMEOUT_S = 20.0


class RecognitionTimeoutError(SpeechRecognitionError):
    """No result within the timeout: the recognisers are all busy or not running."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"Il riconoscimento vocale non ha risposto entro {seconds:.0f} s (troppe richieste o "
            "nessun servizio attivo): scrivi la risposta o riprova.",
            f"Speech recognition did not answer within {seconds:.0f} s (too busy, or no worker "
            "running): type your reply or try again.",
        )


@dataclass(frozen=True, slots=True)
class Job:
    """One clip to recognise, with what biases the recogniser."""

    wav: bytes
    lang: str
    expected: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


def run_job(job: Job, models_root: Path) -> Recognition:
    """Recognise ``job`` in this process with the engine for its language."""
    from audio.asr import recogniser_for

    recogniser = recogniser_for(job.lang, models_root)
    if recogniser is None:
        from audio.utterance import VoiceUnavailableError

        raise VoiceUnavailableError(job.lang)
    from audio.whisper import WhisperRecognizer

    if isinstance(recogniser, WhisperRecognizer):
        return recogniser.recognise(job.wav, job.lang, job.expected, job.names)
    return recogniser.recognise(job.wav, job.lang, job.expected)


class RecognitionService(Protocol):
    """Where recognition runs; callers only wait for the result."""

    kind: str

    def recognise(self, job: Job, timeout: float = DEFAULT_TIMEOUT_S) -> Recognition:
        """The recognition of ``job``, or ``RecognitionTimeoutError`` after ``timeout``."""
        ...


class InlineService:
    """Recognition in the calling thread (the recogniser's own lock serialises it)."""

    kind = "inline"

    def __init__(self, models_root: Path) -> None:
        self.models_root = models_root

    def recognise(self, job: Job, timeout: float = DEFAULT_TIMEOUT_S) -> Recognition:
        """Run it here; ``timeout`` does not apply."""
        return run_job(job, self.models_root)


_WORKER_ROOT: Path | None = None


def _pool_init(models_root: str, cpu_threads: int) -> None:
    global _WORKER_ROOT
    _WORKER_ROOT = Path(models_root)
    from audio.whisper import shared_whisper

    # Load once, before the first clip waits for it; the pool's processes share the cores.
    shared_whisper(_WORKER_ROOT, cpu_threads).model()


def failure_of(exc: SpeechRecognitionError) -> dict[str, str]:
    """An error as plain data (these errors do not pickle: their ``__init__`` takes two texts)."""
    from audio.errors import AudioInputError
    from audio.utterance import VoiceUnavailableError

    data = {"it": exc.message("it"), "en": exc.message("en"), "kind": "recognition"}
    if isinstance(exc, AudioInputError):
        data.update(kind="audio", code=exc.code)
    elif isinstance(exc, VoiceUnavailableError):
        data.update(kind="unavailable", language=exc.language)
    return data


def raise_failure(data: dict[str, str]) -> None:
    """Raise again, in the waiting process, the error ``failure_of`` described."""
    from audio.errors import AudioInputError
    from audio.utterance import VoiceUnavailableError

    if data["kind"] == "audio":
        raise AudioInputError(data["code"], data["it"], data["en"])  # type: ignore[arg-type]
    if data["kind"] == "unavailable":
        raise VoiceUnavailableError(data["language"])
    raise SpeechRecognitionError(data["it"], data["en"])


def _pool_run(job: Job) -> Recognition | dict[str, str]:
    assert _WORKER_ROOT is not None
    try:
        return run_job(job, _WORKER_ROOT)
    except SpeechRecognitionError as exc:
        return failure_of(exc)


class PoolService:
    """A process pool, each process holding one model; the caller's thread only waits."""

    kind = "pool"

    def __init__(self, models_root: Path, workers: int) -> None:
        self.models_root = models_root
        self.workers = workers
        context = multiprocessing.get_context("spawn")
        self._pool = futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_pool_init,
            initargs=(str(models_root), max(1, (os.cpu_count() or 2) // workers)),
        )

    def recognise(self, job: Job, timeout: float = DEFAULT_TIMEOUT_S) -> Recognition:
        """Submit to the pool and wait at most ``timeout`` seconds."""
        try:
            future = self._pool.submit(_pool_run, job)
            result = future.result(timeout=timeout)
        except futures.TimeoutError as exc:
            future.cancel()
            raise RecognitionTimeoutError(timeout) from exc
        except BrokenProcessPool as exc:
            # A recognition process died (out of memory, killed): the next clip gets a new pool.
            _forget(self)
            raise SpeechRecognitionError(
                "Il riconoscimento vocale si è interrotto: riprova.",
                "Speech recognition stopped: try again.",
            ) from exc
        if isinstance(result, dict):
            raise_failure(result)
        assert isinstance(result, Recognition)
        return result

    def close(self) -> None:
        """Stop the pool's processes."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def encode_job(job: Job, job_id: str) -> str:
    """A job as the JSON a Redis worker reads."""
    return json.dumps(
        {
            "id": job_id,
            "wav": base64.b64encode(job.wav).decode("ascii"),
            "lang": job.lang,
            "expected": list(job.expected),
            "names": list(job.names),
        }
    )


def decode_job(text: str | bytes) -> tuple[str, Job]:
    """The id and job of a queued JSON message."""
    data = json.loads(text)
    wav = base64.b64decode(data["wav"])
    job = Job(wav, data["lang"], tuple(data["expected"]), tuple(data["names"]))
    return str(data["id"]), job


class RedisService:
    """Clips on a Redis list; ``simulator asr-worker`` processes on any machine answer them."""

    kind = "redis"

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._redis: Any = redis.Redis.from_url(url)

    def recognise(self, job: Job, timeout: float = DEFAULT_TIMEOUT_S) -> Recognition:
        """Queue the clip and block on its own result key for at most ``timeout`` seconds."""
        job_id = uuid.uuid4().hex
        self._redis.lpush(JOBS_KEY, encode_job(job, job_id))
        answer = self._redis.brpop([RESULT_PREFIX + job_id], timeout=max(1, round(timeout)))
        if answer is None:
            raise RecognitionTimeoutError(timeout)
        data = json.loads(answer[1])
        if "error" in data:
            raise_failure(data["error"])
        return Recognition(
            data["transcript"], data["confidence"], tuple(data["alternatives"]), data["engine"]
        )


def serve_redis(url: str, models_root: Path, once: bool = False) -> int:
    """The ``asr-worker`` loop: take a clip, recognise it, push the result; returns clips served.

    Loads the model before taking the first clip, so a new worker never makes a trainee wait
    for its start-up.
    """
    import redis

    from audio.whisper import shared_whisper

    shared_whisper(models_root).model()
    client: Any = redis.Redis.from_url(url)
    served = 0
    while True:
        item = client.brpop([JOBS_KEY], timeout=5)
        if item is None:
            if once:
                return served
            continue
        job_id, job = decode_job(item[1])
        try:
            result: dict[str, Any] = asdict(run_job(job, models_root))
        except SpeechRecognitionError as exc:
            result = {"error": failure_of(exc)}
        key = RESULT_PREFIX + job_id
        client.lpush(key, json.dumps(result))
        client.expire(key, 120)
        served += 1
        log.info("asr-worker: %s %s", job.lang, result.get("engine", "error"))
        if once:
            return served


_SERVICES: dict[tuple[str, str], RecognitionService] = {}
_SERVICES_LOCK = threading.Lock()


def _forget(service: RecognitionService) -> None:
    with _SERVICES_LOCK:
        for key, known in list(_SERVICES.items()):
            if known is service:
                del _SERVICES[key]


def workers_from_env() -> int:
    """``CENTRALINO_ASR_WORKERS``: pool processes per web worker (default 1, 0 = inline)."""
    return int(os.environ.get("CENTRALINO_ASR_WORKERS", "1"))


def service_for(models_root: Path, lang: str = "it") -> RecognitionService:
    """The process's recognition service: Redis if configured, else the pool (or inline).

    English with no Whisper model installed stays inline: pocketsphinx takes 0.2 s.
    """
    url = os.environ.get("CENTRALINO_REDIS_URL", "")
    workers = workers_from_env()
    if url:
        key = ("redis", url)
    elif workers > 0 and _whisper_serves(lang):
        key = ("pool", f"{models_root.resolve()}:{workers}")
    else:
        key = ("inline", str(models_root.resolve()))
    with _SERVICES_LOCK:
        if key not in _SERVICES:
            if key[0] == "redis":
                _SERVICES[key] = RedisService(url)
            elif key[0] == "pool":
                _SERVICES[key] = PoolService(models_root, workers)
            else:
                _SERVICES[key] = InlineService(models_root)
        return _SERVICES[key]


def _whisper_serves(lang: str) -> bool:
    from audio.whisper import LANGUAGES
    from audio.whisper_model import wheels_installed

    return language_code(lang) in LANGUAGES and wheels_installed()


def recognise(
    models_root: Path,
    wav: bytes,
    lang: str,
    expected: Sequence[str] = (),
    names: Sequence[str] = (),
    timeout: float | None = None,
) -> tuple[Recognition, str]:
    """Recognise through the configured service; returns the result and the service kind."""
    service = service_for(models_root, lang)
    wait = (
        timeout
        if timeout is not None
        else float(os.environ.get("CENTRALINO_ASR_TIMEOUT", DEFAULT_TIMEOUT_S))
    )
    job = Job(wav, lang, tuple(expected), tuple(names))
    return service.recognise(job, wait), service.kind
