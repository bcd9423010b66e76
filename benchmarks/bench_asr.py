"""Whisper recognition figures for the README: latency, intent accuracy, false acceptance,
memory per worker, and how many trainees talking at once two cores serve.

    .venv/bin/python benchmarks/bench_asr.py            (full: about 5 minutes on 2 cores)
    CENTRALINO_BENCH_QUICK=1 .venv/bin/python benchmarks/bench_asr.py   (a smoke pass)

Clips: tests/speech_sets.py (trainee sentences, voices that are not the callers', telephone band
with noise at 20 dB SNR). Latency is "end of speech to transcript" with streaming: the audio is
already on the server when speech ends, so what is left is handing the clip to the recognition
pool and Whisper's run; it is measured through the real ``PoolService`` (a spawned process with
its own model), not in the calling thread.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audio import asr_service
from audio.wav import decode_wav
from audio.wer import corpus_word_error_rate
from audio.whisper import shared_whisper
from simulator.language.intents import intent_candidates, match_intent
from tests import speech_sets

QUICK = os.environ.get("CENTRALINO_BENCH_QUICK") == "1"
TARGET_P95_S = 1.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def accuracy(models: Path, sets: list[tuple[str, str]], voices: int | None) -> None:
    whisper = shared_whisper(models)
    for lang, voice_set in sets:
        clips = speech_sets.clips(lang, voices, voice_set)
        intents = sorted({c.intent for c in clips})
        candidates = intent_candidates(intents, lang)
        right, pairs = 0, []
        for clip in clips:
            heard = whisper.recognise(clip.wav, lang).transcript
            pairs.append((clip.text, heard))
            found = match_intent(heard, candidates, lang)
            right += found is not None and found.intent == clip.intent
        print(
            f"{voice_set}: intent accuracy {right}/{len(clips)} = {right / len(clips):.1%}, "
            f"WER {corpus_word_error_rate(pairs, lang):.3f} ({len(clips)} clips)"
        )
    never = speech_sets.never_expected_clips("it")
    if QUICK:
        never = never[:2]
    it_intents = sorted({s.intent for s in speech_sets.SENTENCES["it"]})
    candidates = intent_candidates(it_intents, "it")
    accepted = 0
    for clip in never:
        heard = whisper.recognise(clip.wav, "it").transcript
        accepted += match_intent(heard, candidates, "it") is not None
    print(
        f"it: false acceptance of never-expected sentences {accepted}/{len(never)} = "
        f"{accepted / len(never):.1%} (intents of the set: {', '.join(it_intents)})"
    )


def hotwords(models: Path) -> None:
    """WER on the Italian set without hints, with names, and with the expected sentence."""
    whisper = shared_whisper(models)
    clips = speech_sets.clips("it", 2)
    names = ("Rossi Trasporti", "Giulia Bianchi", "ufficio acquisti", "amministrazione")
    for label in ("none", "names", "expected phrase"):
        pairs = []
        for clip in clips:
            hints = {"none": (), "names": names, "expected phrase": (clip.text,)}[label]
            pairs.append((clip.text, whisper.transcribe(clip.wav, "it", hints)[0]))
        print(f"it hotwords={label}: WER {corpus_word_error_rate(pairs, 'it'):.3f}")


def latency(models: Path, clips: list[speech_sets.Clip], rounds: int) -> list[float]:
    pool = asr_service.PoolService(models, workers=1)
    try:
        pool.recognise(asr_service.Job(clips[0].wav, "it"), timeout=300)  # model loaded
        pids = list(pool._pool._processes)
        print(f"memory per pool worker (RSS after load): {rss_mb(pids[0]):.0f} MB")
        times = []
        for _ in range(rounds):
            for clip in clips:
                start = time.perf_counter()
                pool.recognise(asr_service.Job(clip.wav, clip.lang), timeout=300)
                times.append(time.perf_counter() - start)
        return times
    finally:
        pool.close()


def concurrency(models: Path, clips: list[speech_sets.Clip], workers: int, trainees: int) -> float:
    """p95 end-of-speech latency with ``trainees`` each speaking every 6-10 s (random)."""
    pool = asr_service.PoolService(models, workers=workers)
    try:
        for _ in range(workers):
            pool.recognise(asr_service.Job(clips[0].wav, "it"), timeout=300)
        times: list[float] = []
        lock = threading.Lock()
        per_trainee = 2 if QUICK else 5

        def trainee(seed: int) -> None:
            rng = random.Random(seed)
            time.sleep(rng.uniform(0, 0.1 if QUICK else 4))
            for _ in range(per_trainee):
                clip = rng.choice(clips)
                start = time.perf_counter()
                pool.recognise(asr_service.Job(clip.wav, clip.lang), timeout=300)
                with lock:
                    times.append(time.perf_counter() - start)
                time.sleep(rng.uniform(0.1, 0.3) if QUICK else rng.uniform(6, 10))

        threads = [threading.Thread(target=trainee, args=(i,)) for i in range(trainees)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return pct(times, 0.95)
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", default=str(Path(tempfile.gettempdir()) / "centralino-bench-models")
    )
    args = parser.parse_args()
    models = Path(args.models)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"mode: {'quick (smoke pass, not figures)' if QUICK else 'full'}")
    sets = (
        [("it", "it")] if QUICK else [("it", "it"), ("it", "it-espeak"), ("de", "de"), ("es", "es")]
    )
    accuracy(models, sets, 1 if QUICK else None)
    if not QUICK:
        hotwords(models)
    clips = speech_sets.clips("it", 1 if QUICK else None)
    clips = [c for c in clips if 2.0 <= _seconds(c.wav) <= 6.5] or clips
    times = latency(models, clips[:2] if QUICK else clips, 1 if QUICK else 2)
    print(
        f"end of speech to transcript (streamed, pool of 1, {len(times)} utterances "
        f"of 2-6 s): p50 {statistics.median(times):.2f} s, p95 {pct(times, 0.95):.2f} s"
    )
    for workers, trainees in [(1, 2)] if QUICK else [(1, 2), (1, 4), (1, 6), (2, 4), (2, 6)]:
        p95 = concurrency(models, clips, workers, trainees)
        pace = "0.1-0.3 s apart (quick)" if QUICK else "every 6-10 s"
        verdict = "within" if p95 <= TARGET_P95_S else "over"
        print(
            f"{trainees} trainees (one utterance each {pace}), pool of {workers}: "
            f"p95 {p95:.2f} s ({verdict} {TARGET_P95_S} s)"
        )


def _seconds(wav: bytes) -> float:
    samples, rate = decode_wav(wav)
    return samples.size / rate


if __name__ == "__main__":
    main()
