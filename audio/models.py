"""Installing a Vosk model the user downloaded (nothing is fetched unless a URL is given).

A model zip (e.g. ``vosk-model-small-it-0.22.zip``) is checked against a sha256, unpacked safely
(no member may leave the target directory) into a temporary directory beside the destination and
moved into ``<models_root>/vosk-<lang>`` with a rename, so a half-unpacked model is never seen.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import SpeechRecognitionError

_LANG_IN_NAME = re.compile(r"vosk-model-(?:small-)?([a-z]{2})(?:[-_.]|$)")


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """Where a model went and the sha256 of the archive, for the user to record."""

    path: Path
    sha256: str
    lang: str


def _fail(it: str, en: str) -> SpeechRecognitionError:
    return SpeechRecognitionError(it, en)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def language_of(archive_name: str) -> str | None:
    """``vosk-model-small-it-0.22.zip`` -> ``it``; ``None`` when the name does not say."""
    found = _LANG_IN_NAME.search(archive_name.lower())
    return found.group(1) if found else None


def _model_root(unpacked: Path) -> Path:
    """The directory holding ``am/final.mdl``: the archive's top folder, or itself."""
    for candidate in (unpacked, *sorted(p for p in unpacked.iterdir() if p.is_dir())):
        if (candidate / "am" / "final.mdl").is_file():
            return candidate
    raise _fail(
        "L'archivio non contiene un modello Vosk (manca am/final.mdl).",
        "The archive holds no Vosk model (am/final.mdl is missing).",
    )


def _unpack(archive: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                target = (into / member.filename).resolve()
                if not target.is_relative_to(into.resolve()):
                    raise _fail(
                        f"Archivio rifiutato: il file '{member.filename}' esce dalla cartella.",
                        f"Archive refused: member '{member.filename}' escapes the folder.",
                    )
            bundle.extractall(into)
    except zipfile.BadZipFile as exc:
        raise _fail(
            f"'{archive.name}' non è un archivio zip valido.",
            f"'{archive.name}' is not a valid zip archive.",
        ) from exc


def _download(url: str, into: Path) -> Path:
    target = into / (url.rstrip("/").rsplit("/", 1)[-1] or "model.zip")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as exc:
        raise _fail(
            f"Download non riuscito da {url}: {exc}. Scarica il file e passalo come FILE.",
            f"Download from {url} failed: {exc}. Download the file and pass it as FILE.",
        ) from exc
    return target


def models_install(
    source: str | Path,
    models_root: Path,
    *,
    sha256: str | None = None,
    lang: str | None = None,
) -> InstalledModel:
    """Install a Vosk model zip from a file, or from a URL when one is given explicitly.

    Args:
        source: Path of the zip, or an ``http(s)://`` URL.
        models_root: ``instance/models``; the model lands in ``vosk-<lang>`` inside it.
        sha256: Expected hex digest; when ``None`` the digest is returned for the user to check.
        lang: Two-letter language; guessed from the archive name when ``None``.

    Raises:
        SpeechRecognitionError: Missing file, digest mismatch, unknown language, not a model.
    """
    models_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_root, prefix=".install-") as work:
        workdir = Path(work)
        text = str(source)
        archive = _download(text, workdir) if re.match(r"https?://", text) else Path(source)
        if not archive.is_file():
            raise _fail(f"File non trovato: {archive}", f"File not found: {archive}")
        digest = sha256_of(archive)
        if sha256 is not None and digest != sha256.strip().lower():
            raise _fail(
                f"sha256 diverso: atteso {sha256}, trovato {digest}. Il file è corrotto o diverso.",
                f"sha256 mismatch: expected {sha256}, got {digest}. The file is damaged or other.",
            )
        code = (lang or language_of(archive.name) or "").lower()
        if not re.fullmatch(r"[a-z]{2}", code):
            raise _fail(
                "Lingua del modello sconosciuta: indicala (es. --lang it).",
                "Unknown model language: give it (e.g. --lang it).",
            )
        unpacked = workdir / "unpacked"
        unpacked.mkdir()
        _unpack(archive, unpacked)
        model = _model_root(unpacked)
        destination = models_root / f"vosk-{code}"
        if destination.exists():
            shutil.move(str(destination), str(workdir / "previous"))
        model.replace(destination)
    return InstalledModel(destination, digest, code)
