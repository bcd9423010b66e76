"""The loader: valid files load, broken ones raise ScenarioError with every problem placed."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest

from simulator.errors import Problem, ScenarioError
from simulator.loader import (
    Library,
    LoadedScenario,
    load_company,
    load_library,
    load_scenario,
    load_scenario_text,
    validate_paths,
)
from simulator.model import Company

LIBRARY = Path(__file__).parent / "fixtures" / "library"
COMPANY_FILE = LIBRARY / "companies" / "acme.yaml"
SCENARIO_FILE = LIBRARY / "smistamento" / "assente.yaml"
BUNDLED = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def companies() -> dict[str, Company]:
    return {"acme-potenza": load_company(COMPANY_FILE)}


@pytest.fixture
def scenario_text() -> str:
    return SCENARIO_FILE.read_text(encoding="utf-8")


def _problems(text: str | bytes, companies: dict[str, Company]) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "upload.yaml", companies)
    return caught.value.problems


# --------------------------------------------------------------------------- valid files


def test_valid_scenario_loads_with_its_hash(companies: dict[str, Company]) -> None:
    """A valid scenario loads, with the sha256 of its raw bytes and its source text."""
    loaded = load_scenario(SCENARIO_FILE, companies)
    assert isinstance(loaded, LoadedScenario)
    assert loaded.scenario.id == "smistamento-acquisti-assente"
    assert loaded.sha256 == hashlib.sha256(SCENARIO_FILE.read_bytes()).hexdigest()
    assert loaded.source == SCENARIO_FILE.read_text(encoding="utf-8")
    assert loaded.path == SCENARIO_FILE


def test_yaml_11_words_stay_text(companies: dict[str, Company], scenario_text: str) -> None:
    """'on:' is the step field (not True) and 'reply: no' is what the caller says."""
    text = scenario_text.replace('reply: "Grazie."', "reply: no")
    loaded = load_scenario_text(text, "upload.yaml", companies)
    rules = loaded.scenario.calls[0].steps["richiesta"].rules("say")
    assert rules[1].reply == "no"
    assert "answer" in loaded.scenario.calls[0].steps["squillo"].on


def test_upload_as_bytes_matches_text(companies: dict[str, Company], scenario_text: str) -> None:
    """An upload may arrive as bytes (with a BOM even) and hashes the same bytes."""
    raw = b"\xef\xbb\xbf" + scenario_text.encode()
    loaded = load_scenario_text(raw, "upload.yaml", companies)
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()
    assert loaded.path == Path("upload.yaml")


def test_library_loads_companies_and_scenarios(tmp_path: Path) -> None:
    """load_library finds companies/ and scenarios in subfolders, skipping scripts/."""
    root = tmp_path / "scenarios"
    shutil.copytree(LIBRARY, root)
    (root / "scripts").mkdir()
    (root / "scripts" / "trainee.yaml").write_text("not: [a scenario\n")
    library = load_library(root)
    assert isinstance(library, Library)
    assert set(library.scenarios) == {"smistamento-acquisti-assente"}
    assert set(library.companies) == {"acme-potenza"}
    assert library.company_paths["acme-potenza"] == root / "companies" / "acme.yaml"


def test_library_reports_every_file_at_once(tmp_path: Path) -> None:
    """Problems from several files come in one ScenarioError, paths relative as given."""
    root = tmp_path / "scenarios"
    shutil.copytree(LIBRARY, root)
    (root / "uno.yaml").write_text("id: uno\n")
    (root / "due.yaml").write_text("- a list\n")
    with pytest.raises(ScenarioError) as caught:
        load_library(root)
    files = {problem.file for problem in caught.value.problems}
    assert files == {str(root / "uno.yaml"), str(root / "due.yaml")}


def test_duplicate_scenario_id_across_files(tmp_path: Path) -> None:
    """Two files with one id: the second is reported, naming the first."""
    root = tmp_path / "scenarios"
    shutil.copytree(LIBRARY, root)
    shutil.copy(SCENARIO_FILE, root / "smistamento" / "copia.yaml")
    with pytest.raises(ScenarioError) as caught:
        load_library(root)
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (2, 5, "id")
    assert "già definito in" in problem.it
    assert "assente.yaml" in problem.en


def test_broken_company_is_not_blamed_twice(tmp_path: Path) -> None:
    """When a company file is broken, its scenarios do not also say 'unknown company'."""
    root = tmp_path / "scenarios"
    shutil.copytree(LIBRARY, root)
    company = root / "companies" / "acme.yaml"
    company.write_text(company.read_text().replace("name: Anna Rossi", "nome: Anna Rossi"))
    with pytest.raises(ScenarioError) as caught:
        load_library(root)
    assert {problem.file for problem in caught.value.problems} == {str(company)}


def test_library_of_25_files_validates_fast(tmp_path: Path, scenario_text: str) -> None:
    """A library of 25 scenarios validates well under a second."""
    root = tmp_path / "scenarios"
    shutil.copytree(LIBRARY, root)
    for index in range(24):
        text = scenario_text.replace("id: smistamento-acquisti-assente", f"id: copia-{index}")
        (root / "smistamento" / f"copia-{index}.yaml").write_text(text)
    started = time.perf_counter()
    library = load_library(root)
    elapsed = time.perf_counter() - started
    assert len(library.scenarios) == 25
    assert elapsed < 0.5, f"{elapsed:.3f} s"


# --------------------------------------------------------------------------- validate_paths


def test_validate_paths_finds_the_companies_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario validated alone is checked against the companies/ folder above it."""
    shutil.copytree(LIBRARY, tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    assert validate_paths(["scenarios/smistamento/assente.yaml"]) == []
    assert validate_paths([Path("scenarios")]) == []


def test_validate_paths_recognises_company_files(tmp_path: Path) -> None:
    """A company file outside companies/ is recognised by its 'departments' key."""
    company = tmp_path / "acme.yaml"
    shutil.copy(COMPANY_FILE, company)
    scenario = tmp_path / "scenario.yaml"
    shutil.copy(SCENARIO_FILE, scenario)
    assert validate_paths([company, scenario]) == []


def test_validate_paths_keeps_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Problems name files as the user wrote them, relative stays relative."""
    monkeypatch.chdir(tmp_path)
    Path("rotto.yaml").write_text("id: [\n")
    Path("assente.yaml").write_text("")
    problems = validate_paths(["rotto.yaml", "manca.yaml", "assente.yaml"])
    assert [problem.file for problem in problems] == ["assente.yaml", "manca.yaml", "rotto.yaml"]
    assert "impossibile leggere il file" in problems[1].it


def test_extension_error_names_the_company_file(
    companies: dict[str, Company], scenario_text: str
) -> None:
    """An extension missing from the directory names the company file to look in."""
    text = scenario_text.replace('to: [acquisti, "214"]', 'to: ["299"]')
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "up.yaml", companies, company_paths={"acme-potenza": COMPANY_FILE})
    [problem] = caught.value.problems
    assert str(COMPANY_FILE) in problem.it
    assert problem.path == "calls[0].steps.richiesta.on.transfer.to[0]"


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, 1),
        (b"id: prova\ntitle: Citt\xe0\n", 2, 12),
        (b"\x00\x01\x02", 1, 1),
        (b"", 1, 1),
        (b"   \n\n# solo commenti\n", 1, 1),
        (b"- 1\n- 2\n", 1, 1),
        (b"42\n", 1, 1),
        (b"&a [*a]\n", 1, 1),
    ],
)
def test_garbage_gives_one_placed_problem(
    raw: bytes, line: int, column: int, companies: dict[str, Company]
) -> None:
    """Binary, non-UTF-8, empty or non-mapping input: one problem, no traceback."""
    [problem] = _problems(raw, companies)
    assert (problem.line, problem.column) == (line, column)
    assert problem.it and problem.en


def test_huge_numbers_are_problems(companies: dict[str, Company], scenario_text: str) -> None:
    """Numbers beyond any sense (or Python's int limit) are reported, not crashed on."""
    text = scenario_text.replace("level: 2", "level: " + "9" * 5000)
    [problem] = _problems(text, companies)
    assert problem.line == 6
    text = scenario_text.replace("after_s: 20", "after_s: 1e999999")
    [problem] = _problems(text, companies)
    assert "after_s" in problem.path


def test_alias_bomb_is_refused(companies: dict[str, Company]) -> None:
    """A billion-laughs document is refused quickly instead of expanding."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    [problem] = _problems("\n".join(lines) + "\n", companies)
    assert "troppo grande" in problem.it


def test_deep_nesting_is_refused(companies: dict[str, Company]) -> None:
    """Absurdly nested input is a problem, not a RecursionError."""
    _problems("a: " + "[" * 5000 + "]" * 5000 + "\n", companies)


def test_custom_tag_is_refused(companies: dict[str, Company], scenario_text: str) -> None:
    """Application tags like '!custom' are refused with their position."""
    text = scenario_text.replace("level: 2", "level: !custom 2")
    [problem] = _problems(text, companies)
    assert (problem.line, problem.column) == (6, 8)
    assert "tag YAML non ammesso '!custom'" in problem.it


def test_schema_comment_on_line_one_is_allowed(
    companies: dict[str, Company], scenario_text: str
) -> None:
    """The yaml-language-server comment every bundled file starts with is fine."""
    assert scenario_text.startswith("# yaml-language-server: $schema=")
    load_scenario_text(scenario_text, "x.yaml", companies)


# --------------------------------------------------------------------------- messages


def test_union_errors_become_one_message(companies: dict[str, Company], scenario_text: str) -> None:
    """'say' takes a text or a list: a number gets one message naming both."""
    text = scenario_text.replace('say: "Grazie, arrivederci."', "say: {testo: ciao}")
    [problem] = _problems(text, companies)
    assert problem.path == "calls[0].steps.fine.say"
    assert problem.it == "atteso un testo o un elenco, trovato una mappa 'chiave: valore'"


def test_union_picks_the_branch_meant(companies: dict[str, Company], scenario_text: str) -> None:
    """A rule written as a mapping is judged as a Rule, not as a list of rules."""
    text = scenario_text.replace(
        "take_message: {goto: fine}", "take_message: {goto: fine, dopo: 3}"
    )
    [problem] = _problems(text, companies)
    assert problem.path == "calls[0].steps.richiesta.on.take_message.dopo"
    assert "chiave sconosciuta 'dopo'" in problem.it


def test_unknown_key_in_criterion_uses_its_kind(
    companies: dict[str, Company], scenario_text: str
) -> None:
    """Suggestions for a criterion come from the fields of its own kind."""
    text = scenario_text.replace("expect: take_message", "expect: take_message\n    abesnt: true")
    [problem] = _problems(text, companies)
    assert problem.en == "unknown key 'abesnt': did you mean 'absent'?"


def test_placeholders_and_disclose_are_checked(
    companies: dict[str, Company], scenario_text: str
) -> None:
    """Unknown staff in placeholders and in 'disclose' entries are reported."""
    text = scenario_text.replace("{staff.rossi-anna.name}", "{staff.rosi-anna.name}")
    text = text.replace("staff.rossi-anna.mobile,", "staff.rossi-anna.cellulare,")
    problems = _problems(text, companies)
    assert [problem.path for problem in problems] == [
        "calls[0].steps.richiesta.say",
        "criteria[2].disclose[0]",
    ]
    assert "forse 'staff.rossi-anna.name'?" in problems[0].it
    assert "unknown field 'cellulare'" in problems[1].en


def test_company_file_problems(tmp_path: Path) -> None:
    """Companies: duplicate ids, unknown department and authorised staff, all at once."""
    company = tmp_path / "acme.yaml"
    text = COMPANY_FILE.read_text().replace("id: bianchi-luca", "id: rossi-anna")
    company.write_text(text.replace("department: amministrazione", "department: amministrazion"))
    with pytest.raises(ScenarioError) as caught:
        load_company(company)
    messages = [problem.en for problem in caught.value.problems]
    assert messages == [
        "id 'rossi-anna' already used by staff[0]: ids must be unique",
        "unknown department 'amministrazion': did you mean 'amministrazione'?",
        "unknown staff member 'bianchi-luca': allowed rossi-anna",
    ]


def test_rendered_problem_reads_well(companies: dict[str, Company], scenario_text: str) -> None:
    """The rendered line is file:line:column: [path] message."""
    text = scenario_text.replace("goto: richiesta", "goto: richiesa")
    problem = _problems(text, companies)[0]
    assert problem.render("it") == (
        "upload.yaml:19:26: [calls[0].steps.squillo.on.answer.goto]"
        " passo sconosciuto 'richiesa': forse 'richiesta'?"
    )


def test_cross_references_all_reported(companies: dict[str, Company], scenario_text: str) -> None:
    """Lines, criteria ids, fonogramma steps, directory staff and rule fields, all at once."""
    text = scenario_text.replace(
        "take_message: {goto: fine}", "take_message: {goto: fine, to: [x]}"
    )
    text = text.replace("answer: {goto: richiesta}", "answer: {goto: richiesta, intent: yes}")
    text += """  - id: apertura
    ra: ADA.24.01.08.RA1
    kind: fonogramma
    step: fine
    line: l2
    title: Criterio di prova
    title_en: Test criterion
    advice: "Trascrivi."
  - id: rubrica
    ra: ADA.24.01.08.RA2
    kind: directory
    expect: [{staff: rossi-ana, field: extension, value: "215"}]
    title: Criterio di prova
    title_en: Test criterion
    advice: "Aggiorna la rubrica."
"""
    problems = _problems(text, companies)
    assert [(problem.path, problem.en.split(":")[0]) for problem in problems] == [
        ("calls[0].steps.squillo.on.answer.intent", "'intent' only applies to 'say'"),
        (
            "calls[0].steps.richiesta.on.take_message.to",
            "'to' only applies to outgoing_call, transfer",
        ),
        ("criteria[3].id", "criterion 'apertura' repeated"),
        ("criteria[3].step", "unknown step (or step without 'dictate') 'fine'"),
        ("criteria[3].line", "unknown line 'l2'"),
        ("criteria[4].expect[0].staff", "unknown staff member 'rossi-ana'"),
    ]


def test_procedure_wardens_are_real_staff_and_the_public_address_is_free(tmp_path: Path) -> None:
    """A company's safety procedure: a warden not in the staff, a paging extension already
    taken, each placed on its line with the fix."""
    company = tmp_path / "lucania.yaml"
    text = (BUNDLED / "companies" / "lucania-forniture.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "{staff: caruso-pietro, duty: first_aid", "{staff: caruso-pietr, duty: first_aid"
    )
    company.write_text(
        text.replace('announcement_extension: "299"', 'announcement_extension: "272"')
    )
    with pytest.raises(ScenarioError) as caught:
        load_company(company)
    found = {problem.path: problem for problem in caught.value.problems}
    assert "forse 'caruso-pietro'?" in found["procedure.wardens[0].staff"].it
    line = text.splitlines().index('  announcement_extension: "299"') + 1
    assert found["procedure.announcement_extension"].line == line
    assert "already belongs to a colleague" in found["procedure.announcement_extension"].en
