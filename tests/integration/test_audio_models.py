"""Installing a Vosk model zip: digest check, safe unpacking, atomic placement.

No Vosk model can be downloaded here, so these tests use real zip archives laid out like a Vosk
model (the files Vosk looks for, not a working model): they test the installer, not Vosk.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from audio.asr import VoskRecognizer, recogniser_for
from audio.models import language_of, models_install
from audio.whisper import WhisperRecognizer
from simulator.errors import SpeechRecognitionError


def model_zip(path: Path, top: str = "vosk-model-small-it-0.22", extra: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr(f"{top}/am/final.mdl", b"acoustic model bytes")
        bundle.writestr(f"{top}/conf/model.conf", b"--sample-frequency=16000\n")
        bundle.writestr(f"{top}/README", b"test layout")
        if extra:
            bundle.writestr(extra, b"x")
    return path


def test_install_checks_digest_and_places_model(tmp_path: Path) -> None:
    """The model lands in models/vosk-it; Whisper still serves Italian (it transcribes freely,
    where Vosk's grammar would force a phrase), so Vosk only serves a language Whisper lacks."""
    archive = model_zip(tmp_path / "vosk-model-small-it-0.22.zip")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    root = tmp_path / "models"
    installed = models_install(archive, root, sha256=digest.upper())
    assert installed.path == root / "vosk-it"
    assert installed.lang == "it" and installed.sha256 == digest
    assert (root / "vosk-it" / "am" / "final.mdl").read_bytes() == b"acoustic model bytes"
    assert VoskRecognizer(root).has_model("it-IT")
    assert isinstance(recogniser_for("it-IT", root), WhisperRecognizer)
    nl = models_install(model_zip(tmp_path / "vosk-model-small-nl-0.22.zip"), root)
    assert isinstance(recogniser_for("nl-NL", root), VoskRecognizer) and nl.lang == "nl"
    (root / "vosk-nl").rename(tmp_path / "nl-aside")
    assert [p.name for p in root.iterdir()] == ["vosk-it"]


def test_install_without_digest_returns_it_and_replaces_previous(tmp_path: Path) -> None:
    """Without --sha256 the digest is printed for the user; a reinstall replaces the model."""
    root = tmp_path / "models"
    first = models_install(model_zip(tmp_path / "a.zip"), root, lang="it")
    second = models_install(model_zip(tmp_path / "b.zip", top="other"), root, lang="it")
    assert len(first.sha256) == 64 and first.sha256 != second.sha256
    assert (root / "vosk-it" / "README").exists()
    assert sorted(p.name for p in root.iterdir()) == ["vosk-it"]


@pytest.mark.parametrize(
    ("make", "kwargs", "fragment"),
    [
        (lambda p: model_zip(p / "vosk-model-small-it-0.22.zip"), {"sha256": "0" * 64}, "sha256"),
        (lambda p: p / "missing.zip", {"lang": "it"}, "missing.zip"),
        (lambda p: model_zip(p / "model.zip"), {}, "lang"),
        (
            lambda p: (
                (p / "vosk-model-it.zip").write_bytes(b"not a zip") and p / "vosk-model-it.zip"
            ),
            {},
            "zip",
        ),
        (
            lambda p: model_zip(p / "vosk-model-it.zip", extra="../../escape.txt"),
            {},
            "escape",
        ),
    ],
)
def test_install_refuses_bad_archives(
    tmp_path: Path, make: Callable[[Path], Path], kwargs: dict[str, str], fragment: str
) -> None:
    """Digest mismatch, missing file, unknown language, not a zip, path traversal."""
    root = tmp_path / "models"
    with pytest.raises(SpeechRecognitionError) as caught:
        models_install(make(tmp_path), root, **kwargs)
    assert fragment in caught.value.message("en")
    assert not (root / "vosk-it").exists()
    assert not (tmp_path.parent / "escape.txt").exists()


def test_zip_without_model_is_refused(tmp_path: Path) -> None:
    """An archive without am/final.mdl is not a Vosk model."""
    archive = tmp_path / "vosk-model-it.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("readme.txt", b"hello")
    with pytest.raises(SpeechRecognitionError, match=r"final\.mdl"):
        models_install(archive, tmp_path / "models")


def test_language_is_read_from_the_archive_name() -> None:
    """Official names carry the language."""
    assert language_of("vosk-model-small-it-0.22.zip") == "it"
    assert language_of("vosk-model-it-0.22.zip") == "it"
    assert language_of("vosk-model-en-us-0.22-lgraph.zip") == "en"
    assert language_of("model.zip") is None
