"""Benchmark the audio adapters: synthesis speed, cache, recognition latency and accuracy.

Run: ``.venv/bin/python benchmarks/bench_audio.py [--items 200] [--seed 7]``. Prints plain figures
with the machine, for the README. The accuracy set is generated: espeak-ng English voices with
variants m1-m7 and f1-f4, rates 140-200, a telephone band (8 kHz, 300-3400 Hz) and white noise at
15-20 dB SNR, over five steps' expected phrases; each utterance is recognised against its step.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfilt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audio.asr import SphinxRecognizer
from audio.cache import RenderCache
from audio.tts import EspeakSynthesizer
from audio.wav import decode_wav, resample, to_wav
from simulator.ports import VoiceSpec

STEPS: dict[str, list[str]] = {
    "greeting": [
        "Good morning, Acme Limited, how can I help you?",
        "Who would you like to speak to?",
        "Thank you for calling.",
    ],
    "transfer": [
        "I'll put you through.",
        "Could you hold the line, please?",
        "May I ask who is calling?",
    ],
    "message": [
        "Can I take a message?",
        "Could you spell your name, please?",
        "What is your phone number?",
    ],
    "unavailable": [
        "I'm sorry, he is not available at the moment.",
        "Would you like to leave a message?",
        "I will ask him to call you back.",
    ],
    "closing": ["Yes.", "No.", "Thank you, goodbye.", "One moment, please."],
}
BASES = ("gmw/en-gb-x-rp", "gmw/en", "gmw/en-us")
VARIANTS = (None, "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, plain enough to state in the README."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(q / 100 * len(ordered))) - 1))]


def telephone(wav: bytes, snr_db: float, rng: np.random.Generator) -> bytes:
    """Through a phone line: down to 8 kHz, 300-3400 Hz band, white noise at ``snr_db``."""
    samples, rate = decode_wav(wav)
    narrow = resample(samples, rate, 8_000)
    band = sosfilt(butter(4, [300, 3400], btype="bandpass", fs=8_000, output="sos"), narrow)
    active = band[np.abs(band) > 0.02 * np.max(np.abs(band))]
    signal_rms = float(np.sqrt(np.mean(active**2)))
    noise = rng.normal(0.0, signal_rms / 10 ** (snr_db / 20), band.size)
    noisy = np.asarray(band + noise, dtype=np.float32)
    return to_wav(resample(noisy, 8_000, 16_000), 16_000)


def bench_synthesis(synth: EspeakSynthesizer) -> None:
    lines = [p for phrases in STEPS.values() for p in phrases]
    audio_s = wall_s = 0.0
    for line in lines:
        start = time.perf_counter()
        wav = synth.render(line, VoiceSpec("en", "gmw/en-gb-x-rp"))
        wall_s += time.perf_counter() - start
        samples, rate = decode_wav(wav)
        audio_s += samples.size / rate
    print(
        f"synthesis (espeak-ng, incl. loudness): {audio_s / wall_s:.0f}x real time "
        f"({wall_s / len(lines) * 1000:.1f} ms a line, {len(lines)} lines)"
    )
    with tempfile.TemporaryDirectory() as root:
        cache = RenderCache(Path(root), synth)
        cache.prerender((line, VoiceSpec("en", "gmw/en")) for line in lines)
        times = []
        for _ in range(10):
            for line in lines:
                start = time.perf_counter()
                cache.get(line, VoiceSpec("en", "gmw/en"))
                times.append(time.perf_counter() - start)
    print(
        f"cached fetch: p50 {percentile(times, 50) * 1e3:.2f} ms, "
        f"p95 {percentile(times, 95) * 1e3:.2f} ms"
    )


def bench_latency(synth: EspeakSynthesizer, recogniser: SphinxRecognizer) -> None:
    expected = STEPS["unavailable"]
    text = "I'm sorry, he is not available at the moment."
    rng = np.random.default_rng(1)
    wav = telephone(synth.render(text, VoiceSpec("en", "gmw/en-us", rate=130)), 20.0, rng)
    samples, rate = decode_wav(wav)
    seconds = samples.size / rate
    recogniser.recognise(wav, "en", expected)  # builds the grammar once, as a live worker would
    latencies = []
    for _ in range(20):
        start = time.perf_counter()
        result = recogniser.recognise(wav, "en", expected)
        latencies.append(time.perf_counter() - start)
    free = []
    for _ in range(1 if os.environ.get("CENTRALINO_BENCH_QUICK") == "1" else 5):
        start = time.perf_counter()
        recogniser.recognise(wav, "en")
        free.append(time.perf_counter() - start)
    print(
        f"end of speech to transcript, {seconds:.1f} s utterance, constrained, 20 runs: "
        f"p50 {percentile(latencies, 50) * 1e3:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1e3:.0f} ms"
        f" (result: {result.transcript!r} via {result.engine})"
    )
    print(
        f"recognition real-time factor: constrained {statistics.median(latencies) / seconds:.3f}, "
        f"free dictation {statistics.median(free) / seconds:.3f}"
    )


def bench_accuracy(
    synth: EspeakSynthesizer, recogniser: SphinxRecognizer, items: int, seed: int
) -> None:
    picker = random.Random(seed)
    rng = np.random.default_rng(seed)
    correct = dictated = false_accepts = checked = 0
    latencies = []
    misses: list[str] = []
    steps = list(STEPS)
    for index in range(items):
        step = steps[index % len(steps)]
        phrase = picker.choice(STEPS[step])
        voice = VoiceSpec(
            "en",
            picker.choice(BASES),
            picker.choice(VARIANTS),
            picker.randrange(140, 201, 5),
            picker.randrange(35, 66),
        )
        wav = telephone(synth.render(phrase, voice), picker.uniform(15.0, 20.0), rng)
        start = time.perf_counter()
        result = recogniser.recognise(wav, "en", STEPS[step])
        latencies.append(time.perf_counter() - start)
        dictated += result.engine.endswith("/lm")
        # The same utterance against the NEXT step's phrases: it should not be taken as one.
        if index % 2 == 0:
            other = STEPS[steps[(index + 1) % len(steps)]]
            false_accepts += recogniser.recognise(wav, "en", other).transcript in other
            checked += 1
        if result.transcript == phrase:
            correct += 1
        else:
            misses.append(f"{phrase!r} ({voice.engine_id}, {voice.rate}) -> {result.transcript!r}")
    print(
        f"intent accuracy, constrained, telephone band + 15-20 dB SNR noise, {items} utterances "
        f"over {len(steps)} steps: {correct / items:.1%} ({correct}/{items}); "
        f"answered by free dictation {dictated}; "
        f"latency p50 {percentile(latencies, 50) * 1e3:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1e3:.0f} ms"
    )
    print(
        f"out-of-set utterances taken as an expected phrase (another step's set): "
        f"{false_accepts / checked:.0%} ({false_accepts}/{checked})"
    )
    for miss in misses[:10]:
        print(f"  miss: {miss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=200, help="accuracy utterances")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    # CENTRALINO_BENCH_QUICK=1: the short mode the docs test runs (a smoke pass, no real figures).
    if os.environ.get("CENTRALINO_BENCH_QUICK") == "1":
        args.items = min(args.items, 5)
    print(
        f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), "
        f"{platform.machine()}, Python {platform.python_version()}, {platform.platform()}"
    )
    started = time.perf_counter()
    synth = EspeakSynthesizer()
    recogniser = SphinxRecognizer()
    print(f"engines: {synth.engine_version}, {recogniser.engine}")
    bench_synthesis(synth)
    bench_latency(synth, recogniser)
    bench_accuracy(synth, recogniser, args.items, args.seed)
    print(f"benchmark wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
