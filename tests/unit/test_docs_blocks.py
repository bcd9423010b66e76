"""The docs test's reading of Markdown: which blocks run, which are skipped and why, and that an
unlabelled block is refused instead of silently not run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs_blocks import DocsFormatError, blocks, documents

ROOT = Path(__file__).resolve().parents[2]


def _doc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "guide.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_shell_blocks_are_commands_and_markers_apply_to_the_next_block(tmp_path: Path) -> None:
    path = _doc(
        tmp_path,
        "# Guida\n\n```bash\necho uno\n```\n\n<!-- docs-test: skip serve un numero Twilio -->\n\n"
        "```bash\ncompra-numero\n```\n<!-- docs-test: serve http://127.0.0.1:8000/ -->\n"
        "```sh\nserver\n```\n```yaml\nid: x\n```\n",
    )
    found = blocks(path)
    assert [(b.line, b.language, b.is_command) for b in found] == [
        (3, "bash", True),
        (9, "bash", True),
        (13, "sh", True),
        (16, "yaml", False),
    ]
    assert [b.text for b in found[:3]] == ["echo uno", "compra-numero", "server"]
    assert (found[0].marker, found[1].marker, found[2].marker) == ("", "skip", "serve")
    assert found[1].marker_arg == "serve un numero Twilio"
    assert found[2].marker_arg == "http://127.0.0.1:8000/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```\nflask --app app run\n```\n", "```bash"),
        ("```bash\necho\n", "unclosed"),
        ("```perl\nprint\n```\n", "unknown block language"),
        ("<!-- docs-test: skip -->\n```bash\necho\n```\n", "reason"),
        ("<!-- docs-test: skip why -->\n```yaml\na: 1\n```\n", "not a command"),
    ],
)
def test_unreadable_documents_are_refused_with_the_fix(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(DocsFormatError, match=r"guide\.md:") as caught:
        blocks(_doc(tmp_path, text))
    assert message in str(caught.value)


def test_the_project_documents_are_all_readable() -> None:
    """Every document the docs test runs can be read, and the README has commands in it."""
    docs = documents(ROOT)
    assert ROOT / "README.md" in docs and ROOT / "docs" / "phone.md" in docs
    readme_commands = [b for b in blocks(ROOT / "README.md") if b.is_command]
    assert readme_commands
    for doc in docs[1:]:
        blocks(doc)
