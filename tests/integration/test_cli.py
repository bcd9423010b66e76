"""The ``simulator`` command as an instructor and a trainee use it: a real process each time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.library import ROOT, SCENARIOS, SCRIPTS

SIMULATOR = [sys.executable, "-m", "simulator.cli"]
EXAMPLE = "smistamento-acquisti-assente"


def run(*args: str, stdin: str | None = None, lang: str = "it") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LANG="it_IT.UTF-8" if lang == "it" else "en_GB.UTF-8")
    return subprocess.run(
        [*SIMULATOR, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("validate", "list", "coverage", "play", "run", "score"):
        assert command in result.stdout


def test_bundled_library_is_valid() -> None:
    result = run("validate", "scenarios/")
    assert result.returncode == 0, result.stdout
    assert "Tutto valido" in result.stdout


def test_mutated_scenario_gives_file_line_column_and_the_fix(tmp_path: Path) -> None:
    library = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS / "companies", library / "companies")
    source = (SCENARIOS / f"{EXAMPLE}.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("transfer:"))
    lines[number] = lines[number].replace("transfer:", "tranfer:")
    broken = library / f"{EXAMPLE}.yaml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", str(broken))
    assert result.returncode == 1
    column = lines[number].index("tranfer") + 1
    assert f"{broken}:{number + 1}:{column}:" in result.stdout
    assert "chiave sconosciuta 'tranfer': forse 'transfer'?" in result.stdout
    english = run("--lang", "en", "validate", str(broken))
    assert "unknown key 'tranfer': did you mean 'transfer'?" in english.stdout


def test_run_json_has_the_documented_shape_and_exit_zero_even_when_failing() -> None:
    result = run("run", EXAMPLE, "--script", str(SCRIPTS / f"{EXAMPLE}.poor.yaml"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["scenario"] == EXAMPLE
    assert set(report["ra"]) >= {"ADA.24.01.08.RA1", "ADA.24.04.11.RA1"}
    assert report["ra"]["ADA.24.01.08.RA1"]["passed"] is False
    assert 0 <= report["ra"]["ADA.24.01.08.RA1"]["score"] <= 1
    first = report["criteria"][0]
    assert set(first) >= {"id", "ra", "score", "passed", "evidence", "advice"}
    for criterion in report["criteria"]:
        assert criterion["title"] and criterion["title_en"], criterion["id"]
        assert criterion["status"] in ("passed", "failed", "not_judged")
    ra = report["ra"]["ADA.24.01.08.RA1"]
    assert ra["title"] == "Filtrare e trasmettere telefonate e messaggi"
    assert ra["title_en"] == "Filter and transmit calls and messages"
    assert ra["judged"] <= ra["total"]


def test_text_report_names_criteria_and_ra_by_title_with_evidence_as_sentences() -> None:
    poor = str(SCRIPTS / f"{EXAMPLE}.poor.yaml")
    italian = run("run", EXAMPLE, "--script", poor).stdout
    heading = "Filtrare e trasmettere telefonate e messaggi (ADA.24.01.08.RA1): NON SUPERATO"
    assert heading in italian
    assert "- NON SUPERATO: Risponde entro tre squilli" in italian
    assert "oltre il limite di 12 s" in italian and "risposta-rapida" not in italian
    english = run("--lang", "en", "run", EXAMPLE, "--script", poor).stdout
    assert "Filter and transmit calls and messages (ADA.24.01.08.RA1): FAIL" in english
    assert "- FAIL: Answers within three rings" in english and "over the limit of 12 s" in english


def test_saved_event_log_rescores_to_the_same_result(tmp_path: Path) -> None:
    saved = tmp_path / "log.json"
    good = str(SCRIPTS / f"{EXAMPLE}.good.yaml")
    first = run("run", EXAMPLE, "--script", good, "--json", "--save-events", str(saved))
    again = run("score", str(saved), "--json")
    assert again.returncode == 0, again.stdout
    assert json.loads(again.stdout)["ra"] == json.loads(first.stdout)["ra"]


def test_score_of_a_broken_log_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run("score", str(bad))
    assert result.returncode == 2
    assert "registro eventi non valido" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_list_shows_family_language_level_and_ra() -> None:
    result = run("list")
    assert result.returncode == 0
    row = next(line for line in result.stdout.splitlines() if line.startswith(EXAMPLE))
    assert "| Smistamento delle chiamate | italiano | Livello 2, intermedio | ADA.24.01.08" in row
    english = run("--lang", "en", "list")
    row = next(line for line in english.stdout.splitlines() if line.startswith(EXAMPLE))
    assert "| Call routing | Italian | Level 2, intermediate |" in row
    families = [line.split(" | ")[1] for line in result.stdout.splitlines()[1:]]
    assert families[0] == "Smistamento delle chiamate"  # the library's order, not the ids'


def test_coverage_covers_every_ra_and_activity() -> None:
    result = run("coverage")
    assert result.returncode == 0, result.stdout
    for ra in ("ADA.24.01.08.RA1", "ADA.24.01.08.RA2", "ADA.24.04.11.RA1", "ADA.24.04.11.RA2"):
        assert ra in result.stdout
    assert "NESSUNO" not in result.stdout


def test_play_in_a_terminal_with_typed_replies_and_commands() -> None:
    typed = "\n".join(
        [
            "/rispondi",
            "Lucania Forniture, buongiorno, sono Giulia",
            "/rubrica romano",
            "chi parla?",
            "La dottoressa Romano non è disponibile, vuole lasciare un messaggio?",
            "/messaggio",
            "Chiara Romano",
            "Mario Rossi",
            "Ferramenta Rossi",
            "0971 234567",
            "Ordine 4512 in ritardo",
            "/fine",
        ]
    )
    result = run("play", EXAMPLE, stdin=typed + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Chiamata in arrivo, Linea l1, Mario Rossi" in out
    assert "Chiamante: Buongiorno, sono Mario Rossi" in out
    assert "Chiara Romano, interno 221" in out
    assert "Sono Mario Rossi" in out or "Mario Rossi." in out
    assert "Esito:" in out and "ADA.24.01.08.RA1" in out


def test_unknown_scenario_is_a_message_not_a_traceback() -> None:
    result = run("play", "non-esiste")
    assert result.returncode == 2
    assert "non trovato" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("lang", ["it", "en"])
def test_messages_follow_the_language(lang: str) -> None:
    result = run("validate", "scenarios/", lang=lang)
    assert ("All valid" if lang == "en" else "Tutto valido") in result.stdout


def test_play_log_is_written_as_the_call_goes_and_rescored(tmp_path: Path) -> None:
    log = tmp_path / "session.jsonl"
    typed = "/rispondi\nLucania Forniture, buongiorno\n/fine\n"
    result = run("play", EXAMPLE, "--log", str(log), stdin=typed)
    assert result.returncode == 0
    rescored = run("score", str(log))
    assert rescored.returncode == 0 and "Esito:" in rescored.stdout


def test_a_crash_mid_call_keeps_every_event_already_recorded(tmp_path: Path) -> None:
    import signal
    import time

    log = tmp_path / "session.jsonl"
    env = dict(os.environ, LANG="it_IT.UTF-8")
    process = subprocess.Popen(
        [*SIMULATOR, "play", EXAMPLE, "--log", str(log)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert process.stdin is not None
    process.stdin.write("/rispondi\nLucania Forniture, buongiorno, chi parla?\n")
    process.stdin.flush()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # The caller replies a human gap after the opening: wait for that line to be written.
        if log.exists() and '"caller_said"' in log.read_text(encoding="utf-8"):
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)  # reaps the process and closes its pipes
    kinds = [json.loads(line)["kind"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert kinds[:2] == ["session_started", "ring"]
    assert "answer" in kinds and "say" in kinds and "caller_said" in kinds


def test_render_audio_reports_progress_in_plain_lines_when_not_on_a_terminal(
    tmp_path: Path,
) -> None:
    # One Italian scenario (Festival, about 0.4 s a line) and one English (espeak-ng): the whole
    # library takes minutes with Festival, and progress reporting is what is tested here.
    library = tmp_path / "library"
    (library / "companies").mkdir(parents=True)
    for name in ("smistamento-acquisti-assente.yaml", "en-routing-export-manager.yaml"):
        shutil.copy(ROOT / "scenarios" / name, library / name)
    for company in (ROOT / "scenarios" / "companies").glob("*.yaml"):
        shutil.copy(company, library / "companies" / company.name)
    result = run("render-audio", str(library), "--cache", str(tmp_path / "cache"))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("%") and "100%" in lines
    assert "\r" not in result.stdout  # no bar redrawn in place for a screen reader's log
    assert lines[-1].startswith("Audio pronto:")
    assert any((tmp_path / "cache").rglob("*.wav"))


def test_calibrate_prints_kappa_per_kind_and_every_disagreement(tmp_path: Path) -> None:
    corpus = Path(__file__).parents[1] / "near_miss"
    result = run("calibrate", str(corpus / "labels.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kind | n | accordo | kappa" in result.stdout
    assert "register | " in result.stdout and "0 disaccordi" in result.stdout
    # A label the scorer does not share is printed with the scorer's evidence.
    wrong = tmp_path / "labels.yaml"
    wrong.write_text(
        "calls:\n"
        "  - scenario: smistamento-acquisti-assente\n"
        f"    script: {corpus / 'scripts' / 'wrong-digit.yaml'}\n"
        "    marks: {messaggio-completo: P, risposta-rapida: P}\n",
        encoding="utf-8",
    )
    english = run("--lang", "en", "calibrate", str(wrong))
    assert "1 disagreements:" in english.stdout
    assert "messaggio-completo (form): assessor P, scorer F" in english.stdout
    assert "number: 0971 234576, expected 0971 234567" in english.stdout


def test_coverage_shows_the_safety_competence_and_what_covers_it() -> None:
    result = run("coverage")
    assert result.returncode == 0, result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith("Competenza sicurezza"))
    assert "Cura degli aspetti relativi alla sicurezza sul lavoro" in line
    for scenario in (
        "emergenza-minaccia-bomba",
        "emergenza-incendio-evacuazione",
        "emergenza-infortunio-magazzino",
        "en-emergency-gas-smell",
    ):
        assert scenario in line
    assert "  emergenza-minaccia-bomba/domande-scheda" in result.stdout
    english = run("--lang", "en", "coverage")
    assert "Competence sicurezza | Workplace health and safety |" in english.stdout


def test_procedure_command_reads_the_company_documents() -> None:
    result = run("play", "emergenza-minaccia-bomba", stdin="/procedure\n/fine\n")
    assert result.returncode == 0, result.stderr
    assert "Numeri di emergenza:" in result.stdout
    assert "  primo soccorso: Pietro Caruso, interno 272, Tutta la sede" in result.stdout
    assert "  Quando esploderà?" in result.stdout
