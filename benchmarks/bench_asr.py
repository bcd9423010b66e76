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
from simulator.language.lexicon import BUILTIN_INTENTS
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


def _intents(whisper, clip, candidates, expected, lang) -> list[str]:
    """Intents found in a clip: from the free transcript alone, and with the rescored rewrites."""
    heard = whisper.recognise(clip.wav, lang, expected)
    free = match_intent(heard.transcript, candidates, lang)
    rescored = match_intent(heard.transcript, candidates, lang, alternatives=heard.alternatives)
    return [free.intent if free else "", rescored.intent if rescored else "", heard.transcript]


def accuracy(models: Path, sets: list[tuple[str, str]], voices: int | None) -> None:
    """Intent accuracy on each set (the set's intents expected, as a step expects a few), free
    transcript alone and with the rescored rewrites; then false acceptance of never-expected
    sentences against every builtin phrase of the language (the widest a call can expect)."""
    whisper = shared_whisper(models)
    for lang, voice_set in sets:
        clips = speech_sets.clips(lang, voices, voice_set)
        candidates = intent_candidates(sorted({c.intent for c in clips}), lang)
        expected = [p for phrases in candidates.values() for p in phrases]
        free = rescored = wrong = 0
        pairs = []
        for clip in clips:
            by_free, by_rescoring, heard = _intents(whisper, clip, candidates, expected, lang)
            pairs.append((clip.text, heard))
            free += by_free == clip.intent
            rescored += by_rescoring == clip.intent
            wrong += by_rescoring not in ("", clip.intent)
        print(
            f"{voice_set}: intent accuracy {rescored}/{len(clips)} = {rescored / len(clips):.1%} "
            f"with rescoring, {free}/{len(clips)} = {free / len(clips):.1%} from the transcript "
            f"alone; a wrong intent {wrong}/{len(clips)}; "
            f"WER {corpus_word_error_rate(pairs, lang):.3f} ({len(clips)} clips)"
        )
    never = speech_sets.never_expected_clips("it")
    if QUICK:
        never = never[:2]
    builtin = sorted(i for i, by_lang in BUILTIN_INTENTS.items() if by_lang.get("it"))
    candidates = intent_candidates(builtin, "it")
    expected = [p for phrases in candidates.values() for p in phrases]
    accepted_free = accepted = 0
    for clip in never:
        by_free, by_rescoring, _heard = _intents(whisper, clip, candidates, expected, "it")
        accepted_free += by_free != ""
        accepted += by_rescoring != ""
    print(
        f"it: false acceptance of never-expected sentences {accepted}/{len(never)} = "
        f"{accepted / len(never):.1%} with rescoring ({accepted_free} from the transcript "
        f"alone), against all {len(expected)} builtin Italian phrases of {len(builtin)} intents"
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
