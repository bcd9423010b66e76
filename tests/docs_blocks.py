"""The fenced blocks of the README and ``docs/*.md``, as the docs test runs them.

A block's info string says what it is: ``bash``/``sh``/``shell``/``console`` blocks are commands
and are run; every other language (``yaml``, ``text``, ...) is shown only. A block with no
language is an error, so a command added later cannot slip past the test unlabelled. An HTML
comment on the line before a block changes how it runs:

``<!-- docs-test: skip REASON -->``
    not run here (for example: it needs a Twilio account); the reason is printed.
``<!-- docs-test: serve URL -->``
    the block starts a server that stays in the foreground: it runs in the background until the
    document's last block has run, and the next block starts once URL answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SHELL = frozenset({"bash", "sh", "shell", "console"})
SHOWN = frozenset({"yaml", "yml", "json", "text", "python", "jsonl", "xml", "html", "ini", "toml"})
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<kind>skip|serve)\s*(?P<arg>.*?)\s*-->\s*$")


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced block: where it starts, its language, its text and its marker."""

    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    text: str
    marker: str = ""  # "", "skip" or "serve"
    marker_arg: str = ""

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def is_command(self) -> bool:
        return self.language in SHELL


class DocsFormatError(ValueError):
    """A document the test cannot read safely (an unlabelled or unclosed block, a bad marker)."""


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, in order, with the marker written before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence = opening["fence"]
        language = opening["info"].strip().split(" ")[0].lower()
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index])
            index += 1
        if index >= len(lines):
            raise DocsFormatError(f"{path.name}:{start + 1}: blocco non chiuso / unclosed block")
        index += 1
        marker, argument = _marker_before(lines, start)
        if not language:
            raise DocsFormatError(
                f"{path.name}:{start + 1}: blocco senza linguaggio: scrivi ```bash per un comando "
                "(la prova lo esegue) o ```text / unlabelled block: write ```bash for a command "
                "(the docs test runs it) or ```text"
            )
        if language not in SHELL | SHOWN:
            raise DocsFormatError(
                f"{path.name}:{start + 1}: linguaggio {language!r} sconosciuto alla prova dei "
                f"documenti / unknown block language {language!r}: use one of "
                f"{sorted(SHELL | SHOWN)}"
            )
        if marker and language not in SHELL:
            raise DocsFormatError(
                f"{path.name}:{start + 1}: docs-test marker on a block that is not a command"
            )
        if marker and not argument:
            what = "il motivo / the reason" if marker == "skip" else "l'URL / the URL"
            raise DocsFormatError(f"{path.name}:{start + 1}: docs-test {marker} needs {what}")
        found.append(Block(path, start + 1, language, "\n".join(body), marker, argument))
    return found


def _marker_before(lines: list[str], fence_index: int) -> tuple[str, str]:
    previous = fence_index - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    if previous < 0:
        return "", ""
    match = _MARKER.match(lines[previous])
    return (match["kind"], match["arg"]) if match else ("", "")


def documents(root: Path) -> list[Path]:
    """The README and every Markdown file under ``docs/``, read at run time."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]
