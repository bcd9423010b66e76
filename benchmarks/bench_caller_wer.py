"""Can a person follow the callers? Every caller line of the library, rendered as the trainee
hears it, transcribed by an independent offline recogniser, word error rate per engine and voice.

    .venv/bin/python benchmarks/bench_caller_wer.py [--library scenarios] [--per-voice 0]
        [--espeak-too] [--language it] [--decoding standard|console]

The listener is Whisper base (faster-whisper, the model ``simulator models`` installs): it is
not the engine that made the audio, and it does not know the line it is about to hear (no
hotwords, no expected phrases). By default it decodes as faster-whisper does out of the box
(beam 5, temperature fallback when a decode repeats itself), as an independent listener would;
``--decoding console`` uses the console's own fast greedy decode instead, which on a line of
digits can loop ("1, 1, 1, ...") and so counts a recogniser's failure against the voice.
Lines are rendered by the callers' own synthesiser, voice and
telephone line as a call renders them (``audio.commands.caller_lines``); ``--espeak-too`` also
renders the Italian lines with espeak-ng's Italian voice for comparison. The word error rate of a
group is the sum of edits over the sum of reference words (numbers written as digits and as words
count alike). Target: at most 0.35 for the default Italian voices.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audio.asr import models_root_default  # noqa: E402
from audio.commands import caller_lines  # noqa: E402
from audio.tts import caller_synthesizer  # noqa: E402
from audio.wav import for_recognition, read_wav  # noqa: E402
from audio.wer import edit_distance, wer_words  # noqa: E402
from audio.whisper import shared_whisper  # noqa: E402
from simulator.loader import load_library  # noqa: E402

TARGET = 0.35


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, default=ROOT / "scenarios")
    parser.add_argument("--instance", type=Path, default=ROOT / "instance")
    parser.add_argument(
        "--per-voice", type=int, default=0, help="at most N lines per voice (0: every line)"
    )
    parser.add_argument("--espeak-too", action="store_true", help="Italian lines in espeak-ng too")
    parser.add_argument("--language", default="", help="only the callers of this language (it)")
    parser.add_argument(
        "--decoding",
        choices=("standard", "console"),
        default="standard",
        help="faster-whisper's own defaults (beam 5, fallback), or the console's greedy decode",
    )
    args = parser.parse_args()
    if os.environ.get("CENTRALINO_BENCH_QUICK") == "1":  # the docs test's smoke pass
        args.per_voice = 1
    library = load_library(args.library)
    synthesizer = caller_synthesizer()
    listener = shared_whisper(models_root_default(args.instance))
    work: dict[tuple[str, str], list[tuple[str, object]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for _, loaded in sorted(library.scenarios.items()):
        scenario = loaded.scenario
        for text, spec in caller_lines(scenario, library.companies[scenario.company]):
            if args.language and not spec.language.startswith(args.language):
                continue
            specs = [spec]
            if args.espeak_too and spec.language.startswith("it") and spec.engine == "festival":
                specs.append(replace(spec, engine="espeak", voice="roa/it", variant=None))
            for one in specs:
                key = (one.language.split("-")[0], synthesizer.voice_used(one))
                if (key[1], text) in seen:
                    continue
                seen.add((key[1], text))
                work[key].append((text, one))
    print(
        f"machine: {os.cpu_count()} cores; listener: {listener.engine}, no hotwords, "
        f"{args.decoding} decoding"
    )

    def listen(wav: bytes, lang: str) -> str:
        if args.decoding == "console":
            return listener.recognise(wav, lang).transcript
        samples, rate = read_wav(wav)
        segments, _ = listener.model().transcribe(for_recognition(samples, rate), language=lang)
        return " ".join(segment.text.strip() for segment in segments).strip()

    started = time.perf_counter()
    failures = 0
    for (lang, voice), lines in sorted(work.items()):
        if args.per_voice:
            step = max(1, len(lines) // args.per_voice)
            lines = lines[::step][: args.per_voice]
        edits = words = 0
        for text, spec in lines:
            heard = listen(synthesizer.render(text, spec), lang)
            reference = wer_words(text, lang)
            edits += edit_distance(reference, wer_words(heard, lang))
            words += len(reference)
        rate = edits / words if words else 0.0
        verdict = ""
        if lang == "it" and voice.startswith("festival"):
            verdict = " (target met)" if rate <= TARGET else f" (ABOVE the {TARGET} target)"
            failures += rate > TARGET
        print(f"{lang} {voice}: WER {rate:.2f} over {len(lines)} lines, {words} words{verdict}")
    print(f"elapsed: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
