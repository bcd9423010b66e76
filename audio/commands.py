"""Audio tools for the ``simulator`` CLI: say, transcribe, voices, models install, render-audio.

Each tool is a plain function (used by tests and the web layer too); ``register`` adds them as
subcommands to the CLI's parser. Messages are Italian first, English second, like the rest of it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from audio.asr import recogniser_for
from audio.asr_service import Job, run_job
from audio.cache import RenderCache, cache_dir
from audio.models import InstalledModel
from audio.models import models_install as _install
from audio.tts import caller_synthesizer, default_synthesizer, scenario_voices, voice_for
from audio.whisper_model import ModelInfo, installed_models
from simulator.errors import SpeechRecognitionError
from simulator.model import Company, Scenario, Voice
from simulator.ports import Recognition, VoiceSpec

INSTANCE = Path("instance")
DEFAULT_CACHE = INSTANCE / "audio-cache"
DEFAULT_MODELS = INSTANCE / "models"


def say(text: str, lang: str, voice: Voice | None, out_path: Path) -> Path:
    """Render one line with the persona voice rules and write the WAV to ``out_path``."""
    wav = caller_synthesizer().render(text, voice_for(lang, voice))
    out_path.write_bytes(wav)
    return out_path


def transcribe(
    path: Path,
    lang: str,
    expect: Sequence[str] = (),
    models_root: Path = DEFAULT_MODELS,
    names: Sequence[str] = (),
) -> Recognition:
    """Recognise a WAV file in ``lang`` (Whisper for it/en/fr/de/es; ``expect`` guides only
    the pocketsphinx fallback; ``names`` are Whisper's hotwords).

    Raises:
        SpeechRecognitionError: No recogniser for the language (message says how to add one).
        AudioInputError: The file is not usable audio.
    """
    recogniser = recogniser_for(lang, models_root)
    if recogniser is None:
        raise SpeechRecognitionError(
            f"Riconoscimento vocale non disponibile per '{lang}' (servite: it, en, fr, de, es): "
            "installa un modello Vosk con 'simulator models install FILE', oppure usa la tastiera.",
            f"Voice input is not available for '{lang}' (served: it, en, fr, de, es): install "
            "a Vosk model with 'simulator models install FILE', or use the keyboard.",
        )
    return run_job(Job(path.read_bytes(), lang, tuple(expect), tuple(names)), models_root)


def list_models(models_root: Path = DEFAULT_MODELS) -> list[ModelInfo]:
    """Installed recognition models and the wheels they come from, with sizes."""
    return installed_models(models_root)


def models_install(
    source: str,
    sha256: str | None = None,
    lang: str | None = None,
    models_root: Path = DEFAULT_MODELS,
) -> InstalledModel:
    """Install a Vosk model zip (file, or URL only when given) into ``models_root/vosk-<lang>``."""
    return _install(source, models_root, sha256=sha256, lang=lang)


def caller_lines(scenario: Scenario, company: Company) -> Iterator[tuple[str, VoiceSpec]]:
    """Every line a scenario's callers may say, with the voice that says it.

    The engine's own list (``simulator.caller.possible_lines``): step lines and replies,
    dictations in the engine's chunks, answers to persona questions and the generic lines,
    placeholders filled from the company, so no call waits on synthesis.
    """
    from simulator.caller import possible_lines

    voices = scenario_voices(scenario)
    for line, text in possible_lines(scenario, company):
        yield text, voices[line]


def render_library(
    library_root: Path, progress_stream: TextIO, cache_root: Path | None = None
) -> int:
    """Pre-render every fixed caller line of the library into the cache; returns lines rendered.

    Progress a screen reader can follow: on a terminal one bar redrawn in place; otherwise (a
    pipe, a log, a Braille line reading a transcript) a plain line at every tenth.
    """
    from simulator.loader import load_library

    cache = RenderCache(cache_dir(cache_root or DEFAULT_CACHE), caller_synthesizer())
    library = load_library(library_root)
    lines = [
        line
        for _, loaded in sorted(library.scenarios.items())
        for line in caller_lines(loaded.scenario, library.companies[loaded.scenario.company])
    ]
    progress = _Progress(progress_stream, len(lines))
    rendered = 0
    for done, line in enumerate(lines, start=1):
        rendered += cache.prerender([line])
        progress.show(done)
    progress.close(rendered)
    return rendered


class _Progress:
    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total = stream, max(1, total)
        self.bar = bool(getattr(stream, "isatty", lambda: False)())
        self.last_tenth = -1

    def show(self, done: int) -> None:
        percent = done * 100 // self.total
        if self.bar:
            filled = percent // 5
            self.stream.write(f"\r[{'#' * filled}{'-' * (20 - filled)}] {percent:3d}%")
            self.stream.flush()
        elif percent // 10 > self.last_tenth:
            self.last_tenth = percent // 10
            print(f"{percent}%", file=self.stream, flush=True)

    def close(self, rendered: int) -> None:
        if self.bar:
            self.stream.write("\n")
        print(
            f"Audio pronto: {self.total} battute, {rendered} nuove / "
            f"audio ready: {self.total} lines, {rendered} new",
            file=self.stream,
        )


# --------------------------------------------------------------------------- CLI


def _cmd_say(args: argparse.Namespace, out: TextIO) -> int:
    voice = Voice(voice=args.voice, variant=args.variant, rate=args.rate, pitch=args.pitch)
    path = say(args.text, args.speech_lang, voice, Path(args.output))
    print(f"{path}", file=out)
    return 0


def _cmd_transcribe(args: argparse.Namespace, out: TextIO) -> int:
    result = transcribe(Path(args.wav), args.speech_lang, args.expect or (), Path(args.models))
    print(f"{result.transcript}\t{result.confidence:.2f}\t{result.engine}", file=out)
    for alternative in result.alternatives:
        print(f"  {alternative}", file=out)
    return 0


def _cmd_models_list(args: argparse.Namespace, out: TextIO) -> int:
    models = list_models(Path(args.models))
    if not models:
        print("Nessun modello installato / no model installed", file=out)
    for info in models:
        print(f"{info.name}\t{info.size_bytes / 1e6:.1f} MB\t{info.detail}\t{info.path}", file=out)
    return 0


def _cmd_models_prepare(args: argparse.Namespace, out: TextIO) -> int:
    from audio.whisper_model import assemble

    folder = assemble(Path(args.models))
    print(f"{folder}: Whisper base pronto / ready (sha256 ok)", file=out)
    return 0


def _cmd_asr_worker(args: argparse.Namespace, out: TextIO) -> int:
    import os

    from audio.asr_service import serve_redis

    url = args.redis or os.environ.get("CENTRALINO_REDIS_URL", "")
    if not url:
        raise SpeechRecognitionError(
            "Indica Redis con --redis URL o CENTRALINO_REDIS_URL.",
            "Give Redis with --redis URL or CENTRALINO_REDIS_URL.",
        )
    print(f"asr-worker: {url} ({args.models})", file=out, flush=True)
    served = serve_redis(url, Path(args.models), once=args.once)
    print(f"asr-worker: {served} clip", file=out)
    return 0


def _cmd_voices(args: argparse.Namespace, out: TextIO) -> int:
    synthesizer = default_synthesizer()
    for info in synthesizer.available_voices():
        print(f"{info.id}\t{info.language}\t{info.name}", file=out)
    print("varianti/variants: " + " ".join(synthesizer.available_variants()), file=out)
    return 0


def _cmd_models_install(args: argparse.Namespace, out: TextIO) -> int:
    installed = models_install(args.source, args.sha256, args.model_lang, Path(args.models))
    print(f"{installed.path} ({installed.lang})", file=out)
    print(f"sha256 {installed.sha256}", file=out)
    return 0


def _cmd_render_library(args: argparse.Namespace, out: TextIO) -> int:
    # The library every command reads: --library, else CENTRALINO_LIBRARY, else ./scenarios.
    root = Path(args.path or args.library or os.environ.get("CENTRALINO_LIBRARY") or "scenarios")
    render_library(root, out, Path(args.cache) if args.cache else None)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the audio subcommands to the ``simulator`` parser."""
    p = sub.add_parser("say", help="sintetizza una frase in WAV / render a line to WAV")
    p.add_argument("text")
    p.add_argument(
        "--speech-lang",
        "--lang",
        dest="speech_lang",
        default="it-IT",
        help="lingua della voce / voice language",
    )
    p.add_argument("--voice", help="voce espeak-ng / espeak-ng voice id")
    p.add_argument("--variant", help="variante, es. f3 / variant, e.g. f3")
    p.add_argument("--rate", type=int, default=165)
    p.add_argument("--pitch", type=int, default=50)
    p.add_argument("-o", "--output", required=True, help="file WAV / WAV file")
    p.set_defaults(func=_cmd_say)

    p = sub.add_parser("transcribe", help="riconosce un WAV / recognise a WAV file")
    p.add_argument("wav")
    p.add_argument(
        "--speech-lang",
        "--lang",
        dest="speech_lang",
        default="it-IT",
        help="lingua: it, en, fr, de, es / language",
    )
    p.add_argument("--expect", action="append", help="frase attesa (ripetibile) / expected")
    p.add_argument("--models", default=str(DEFAULT_MODELS))
    p.set_defaults(func=_cmd_transcribe)

    p = sub.add_parser(
        "asr-worker",
        help="riconoscimento vocale da una coda Redis / speech recognition from a Redis queue",
    )
    p.add_argument("--redis", help="URL redis:// (default: $CENTRALINO_REDIS_URL)")
    p.add_argument("--models", default=str(DEFAULT_MODELS))
    p.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_asr_worker)

    p = sub.add_parser("voices", help="voci disponibili / available voices")
    p.set_defaults(func=_cmd_voices)

    p = sub.add_parser(
        "render-audio",
        aliases=["render-library"],
        help="pre-sintetizza le battute dei chiamanti / pre-render caller lines",
    )
    p.add_argument("path", nargs="?", help="cartella degli scenari / scenario folder")
    p.add_argument("--cache", help="cartella cache / cache folder")
    p.set_defaults(func=_cmd_render_library)

    models = sub.add_parser("models", help="modelli di riconoscimento / recognition models")
    models.add_argument("--models", default=str(DEFAULT_MODELS))
    models.set_defaults(func=_cmd_models_list)
    models_sub = models.add_subparsers(dest="models_command")
    p = models_sub.add_parser("list", help="modelli installati e dimensioni / installed models")
    p.add_argument("--models", default=str(DEFAULT_MODELS))
    p.set_defaults(func=_cmd_models_list)
    p = models_sub.add_parser(
        "prepare", help="ricompone e controlla Whisper / assemble and check Whisper"
    )
    p.add_argument("--models", default=str(DEFAULT_MODELS))
    p.set_defaults(func=_cmd_models_prepare)
    p = models_sub.add_parser("install", help="installa un modello Vosk / install a Vosk model")
    p.add_argument("source", metavar="FILE", help="zip del modello (o URL) / model zip (or URL)")
    p.add_argument("--sha256", help="impronta attesa / expected digest")
    p.add_argument("--lang", dest="model_lang", help="lingua, es. it / language, e.g. it")
    p.add_argument("--models", default=str(DEFAULT_MODELS))
    p.set_defaults(func=_cmd_models_install)
