"""Every broken file in ``loader_corpus/`` is reported exactly where and how it says.

Each corpus file ends with ``# expect: LINE:COLUMN | Italian fragment | English fragment``
comments (at the end, so they do not shift the positions they describe), one per problem, in
the order the loader sorts them. Files named ``company-*`` are company files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.loader import load_company, load_scenario
from simulator.model import Company

CORPUS = Path(__file__).parent / "loader_corpus"
COMPANY_FILE = Path(__file__).parent / "fixtures" / "library" / "companies" / "acme.yaml"


def _expectations(path: Path) -> list[tuple[int, int, str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            where, italian, english = (part.strip() for part in line[9:].split(" | "))
            row, column = where.split(":")
            found.append((int(row), int(column), italian, english))
    return found


@pytest.fixture(scope="module")
def companies() -> dict[str, Company]:
    return {"acme-potenza": load_company(COMPANY_FILE)}


def test_corpus_is_large_enough() -> None:
    """The corpus covers at least the fifteen kinds of mistake instructors make most."""
    assert len(list(CORPUS.glob("*.yaml"))) >= 15


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_file_is_reported_precisely(path: Path, companies: dict[str, Company]) -> None:
    """Each problem is at the expected line:column with the Italian and English fix."""
    expected = _expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    with pytest.raises(ScenarioError) as caught:
        if path.name.startswith("company-"):
            load_company(path)
        else:
            load_scenario(path, companies, company_paths={"acme-potenza": COMPANY_FILE})
    problems = caught.value.problems
    rendered = "\n".join(problem.render("en") for problem in problems)
    assert len(problems) == len(expected), rendered
    for problem, (line, column, italian, english) in zip(problems, expected, strict=True):
        assert (problem.line, problem.column) == (line, column), rendered
        assert italian in problem.it, problem.it
        assert english in problem.en, problem.en
        assert problem.file == str(path)
