"""An instructor's broken scenarios and scripts: every mistake in a file reported in one run.

Each file in ``authoring_corpus/`` holds several mistakes of different stages (the file's
shape, its references to steps, lines, staff and criteria, the script's scenario), and ends with
``# expect: LINE:COLUMN | Italian fragment | English fragment`` lines, in the order reported.
The files are validated as ``simulator validate`` does, by their content and with the test
library (``fixtures/library``) as ``--library``: none of them lives in a ``companies/`` or
``scripts/`` folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.loader import validate_paths

CORPUS = Path(__file__).parent / "authoring_corpus"
LIBRARY = Path(__file__).parent / "fixtures" / "library"


def _expectations(path: Path) -> list[tuple[int, int, str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            where, italian, english = (part.strip() for part in line[9:].split(" | "))
            row, column = where.split(":")
            found.append((int(row), int(column), italian, english))
    return found


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_mistake_of_a_file_is_reported_in_one_run(path: Path) -> None:
    expected = _expectations(path)
    assert len(expected) >= 2, f"{path.name}: a corpus file holds several mistakes"
    problems = validate_paths([path], library=LIBRARY)
    rendered = "\n".join(problem.render("en") for problem in problems)
    assert len(problems) == len(expected), rendered
    for problem, (line, column, italian, english) in zip(problems, expected, strict=True):
        assert (problem.line, problem.column) == (line, column), rendered
        assert italian in problem.it, problem.it
        assert english in problem.en, problem.en
        assert problem.file == str(path)
