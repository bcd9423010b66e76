"""The render cache on disk: reuse, and several processes rendering one line at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from audio.cache import RenderCache
from audio.tts import EspeakSynthesizer
from audio.wav import read_wav
from simulator.ports import VoiceSpec

LINE = "Buongiorno, vorrei parlare con la signora Bianchi dell'ufficio acquisti."
VOICE = VoiceSpec("it", "roa/it", "f3", 150, 60)


class CountingSynthesizer:
    """The real synthesiser, counting renders (a wrapper, not a mock: audio is real)."""

    def __init__(self) -> None:
        self.inner = EspeakSynthesizer()
        self.renders = 0

    @property
    def engine_version(self) -> str:
        return self.inner.engine_version

    def render(self, text: str, voice: VoiceSpec) -> bytes:
        self.renders += 1
        return self.inner.render(text, voice)


def test_same_key_is_rendered_once_and_reused(tmp_path: Path) -> None:
    """A second request for the same line reads the file; a new voice renders anew."""
    synth = CountingSynthesizer()
    cache = RenderCache(tmp_path, synth)
    first = cache.get(LINE, VOICE)
    assert cache.get(LINE, VOICE) == first
    assert RenderCache(tmp_path, synth).get(LINE, VOICE) == first
    assert synth.renders == 1
    cache.get(LINE, VoiceSpec("it", "roa/it", "m3"))
    assert synth.renders == 2
    read_wav(first)


def test_prerender_renders_only_missing_lines(tmp_path: Path) -> None:
    """Caller lines rendered before a call starts; a second pass renders nothing."""
    synth = CountingSynthesizer()
    cache = RenderCache(tmp_path, synth)
    lines = [(LINE, VOICE), ("Grazie, arrivederci.", VOICE), (LINE, VOICE)]
    assert cache.prerender(lines) == 2
    assert cache.prerender(lines) == 0
    assert synth.renders == 2


def _render_in_worker(root: str, barrier: multiprocessing.synchronize.Barrier) -> int:
    cache = RenderCache(Path(root), EspeakSynthesizer())
    barrier.wait()
    return len(cache.get(LINE, VOICE))


def test_concurrent_renders_from_processes_leave_one_valid_file(tmp_path: Path) -> None:
    """Six processes rendering the same line at the same moment leave exactly one whole WAV."""
    context = multiprocessing.get_context("spawn")
    workers = 6
    barrier = context.Barrier(workers)
    processes = [
        context.Process(target=_render_in_worker, args=(str(tmp_path), barrier))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1, files
    assert files[0].suffix == ".wav" and not files[0].name.startswith(".")
    samples, rate = read_wav(files[0].read_bytes())
    assert samples.size / rate > 2.0
    assert files[0].read_bytes() == EspeakSynthesizer().render(LINE, VOICE)
