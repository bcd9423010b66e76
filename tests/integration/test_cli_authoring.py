"""An instructor writing a scenario of their own with the ``simulator`` command, as a process.

A scenario in a folder of its own finds its company; ``--library`` is honoured by every command;
``validate`` tells companies, scenarios and scripts apart by their content; ``run`` enforces a
script's ``expect``; a closed pipe ends the command quietly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.library import ROOT, SCENARIOS, SCRIPTS

SIMULATOR = [sys.executable, "-m", "simulator.cli"]
EXAMPLE = "smistamento-acquisti-assente"
FIXTURES = Path(__file__).parents[1] / "unit" / "fixtures" / "library"


def run(
    *args: str, cwd: Path = ROOT, stdin: str | None = None, lang: str = "it"
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LANG="it_IT.UTF-8" if lang == "it" else "en_GB.UTF-8")
    env.pop("CENTRALINO_LIBRARY", None)
    env.pop("CENTRALINO_SESSIONS", None)
    return subprocess.run(
        [*SIMULATOR, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_scenario_in_a_folder_of_its_own_finds_the_bundled_company(tmp_path: Path) -> None:
    """Copied from an example into a folder of its own, it validates and runs as it is."""
    mine = tmp_path / "miei-scenari" / "banca.yaml"
    mine.parent.mkdir()
    shutil.copy(SCENARIOS / f"{EXAMPLE}.yaml", mine)
    result = run("validate", str(mine), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "Tutto valido" in result.stdout
    played = run("run", str(mine), "--script", str(SCRIPTS / f"{EXAMPLE}.good.yaml"), cwd=tmp_path)
    assert played.returncode == 0, played.stdout + played.stderr
    assert "Esito:" in played.stdout


def test_library_option_is_honoured_by_validate_and_named_when_a_company_is_missing(
    tmp_path: Path,
) -> None:
    library = tmp_path / "scuola"
    shutil.copytree(FIXTURES / "companies", library / "companies")
    scenario = tmp_path / "bozze" / "assente.yaml"
    scenario.parent.mkdir()
    shutil.copy(FIXTURES / "smistamento" / "assente.yaml", scenario)
    missing = run("validate", str(scenario), cwd=tmp_path)
    assert missing.returncode == 1
    assert "azienda sconosciuta 'acme-potenza' (cercata in:" in missing.stdout
    assert "--library" in missing.stdout
    assert f"{scenario}:7:10:" in missing.stdout
    found = run("--library", str(library), "validate", str(scenario), cwd=tmp_path)
    assert found.returncode == 0, found.stdout
    english = run("--lang", "en", "validate", str(scenario), cwd=tmp_path)
    assert "unknown company 'acme-potenza' (looked in:" in english.stdout


def test_run_of_an_unknown_id_names_the_library_option() -> None:
    result = run("run", "smistamento-acquisti-asente", "--script", "x.yaml")
    assert result.returncode == 2
    assert "forse 'smistamento-acquisti-assente'?" in result.stdout
    assert "--library" in result.stdout


def test_validate_tells_files_apart_by_content_not_by_folder(tmp_path: Path) -> None:
    """A company, a scenario and a script side by side in one folder, none in its usual place."""
    folder = tmp_path / "lavoro"
    folder.mkdir()
    shutil.copy(SCENARIOS / "companies" / "lucania-forniture.yaml", folder / "azienda.yaml")
    shutil.copy(SCENARIOS / f"{EXAMPLE}.yaml", folder / "scenario.yaml")
    shutil.copy(SCRIPTS / f"{EXAMPLE}.poor.yaml", folder / "allievo-debole.yaml")
    result = run("validate", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    script = folder / "allievo-debole.yaml"
    text = script.read_text(encoding="utf-8").replace("do: answer", "do: answr", 1)
    script.write_text(text, encoding="utf-8")
    broken = run("validate", str(folder), cwd=tmp_path)
    assert broken.returncode == 1
    number = next(i for i, line in enumerate(text.splitlines(), 1) if "answr" in line)
    assert f"{script}:{number}:" in broken.stdout
    assert "azione sconosciuta 'answr': forse 'answer'?" in broken.stdout
    assert "manca il campo obbligatorio 'id'" not in broken.stdout  # not read as a scenario


def test_run_enforces_expect_unless_told_to_ignore_it(tmp_path: Path) -> None:
    """A poor trainee said to pass everything: the difference is shown and the exit is 1."""
    script = tmp_path / "sbagliato.yaml"
    text = (SCRIPTS / f"{EXAMPLE}.poor.yaml").read_text(encoding="utf-8")
    _, _, turns = text.partition("turns:")
    script.write_text(f"scenario: {EXAMPLE}\nexpect:\n  passes: all\nturns:{turns}", "utf-8")
    result = run("run", EXAMPLE, "--script", str(script))
    assert result.returncode == 1, result.stdout
    assert "L'esito differisce da 'expect'" in result.stdout
    assert "atteso ADA.24.01.08.RA1 superato, invece non superato" in result.stdout
    ignored = run("run", EXAMPLE, "--script", str(script), "--ignore-expect")
    assert ignored.returncode == 0, ignored.stdout
    assert "differisce" not in ignored.stdout
    honest = run("run", EXAMPLE, "--script", str(SCRIPTS / f"{EXAMPLE}.poor.yaml"))
    assert honest.returncode == 0, honest.stdout


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    """``simulator run ... | head -2``: two lines, and no traceback from the cut-off writer."""
    command = " ".join(
        [*SIMULATOR, "run", EXAMPLE, "--script", str(SCRIPTS / f"{EXAMPLE}.poor.yaml")]
    )
    result = subprocess.run(
        f"{command} | head -2",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env=dict(os.environ, LANG="it_IT.UTF-8"),
    )
    assert len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr


def test_play_writes_its_log_in_the_instance_folder_of_the_library(tmp_path: Path) -> None:
    library = tmp_path / "scuola" / "scenari"
    shutil.copytree(FIXTURES, library)
    elsewhere = tmp_path / "altrove"
    elsewhere.mkdir()
    result = run("--library", str(library), "play", EXAMPLE, cwd=elsewhere, stdin="/fine\n")
    assert result.returncode == 0, result.stdout + result.stderr
    logs = list((tmp_path / "scuola" / "instance" / "sessions").glob(f"{EXAMPLE}-*.jsonl"))
    assert len(logs) == 1
    assert not (elsewhere / "instance").exists()


def test_terminal_directory_speaks_the_session_language_with_until_when() -> None:
    typed = "/rispondi\n/rubrica romano\n/conoscenza orari\n/fine\n"
    italian = run("play", EXAMPLE, stdin=typed, lang="it")
    assert "Chiara Romano, interno 221, assente fino a giovedì" in italian.stdout
    assert "[orari] Orari di apertura: Uffici aperti dal lunedì al venerdì" in italian.stdout
    english = run("play", EXAMPLE, stdin=typed.replace("/rubrica", "/directory"), lang="en")
    assert "Chiara Romano, extension 221, absent until giovedì" in english.stdout
