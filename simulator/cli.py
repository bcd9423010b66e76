"""The ``simulator`` command: validate, list, coverage, play, run, score, calibrate, audio tools.

An edge of the domain (it reads files, the clock and the terminal). Messages are Italian by
default and English with ``--lang en`` or an English ``LANG``. Audio commands import ``audio``
lazily so the text tools work without any speech engine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from simulator import names
from simulator.errors import CentralinoError, ScenarioError, ScriptError
from simulator.model import Company, Scenario

DEFAULT_LIBRARY = Path(__file__).resolve().parent.parent / "scenarios"


def ui_lang(args: argparse.Namespace) -> str:
    if getattr(args, "lang", None):
        return str(args.lang)
    env = os.environ.get("LANG", "")
    return "en" if env.startswith("en") else "it"


def tr(lang: str, it: str, en: str) -> str:
    return en if lang == "en" else it


def library_root(args: argparse.Namespace) -> Path:
    """The library every command reads: --library, else CENTRALINO_LIBRARY, else the bundled."""
    return Path(
        getattr(args, "library", None) or os.environ.get("CENTRALINO_LIBRARY") or DEFAULT_LIBRARY
    )


def sessions_dir(root: Path) -> Path:
    """Where ``play`` writes its logs: the instance folder beside the library, not the cwd."""
    configured = os.environ.get("CENTRALINO_SESSIONS")
    return Path(configured) if configured else root.resolve().parent / "instance" / "sessions"


def _resolve_scenario(name: str, root: Path) -> tuple[Scenario, Company, Path]:
    """A scenario by id in the library, or a scenario file anywhere, with its company."""
    from simulator.loader import load_library, load_scenario_file

    path = Path(name)
    if path.is_file():  # a file of its own: its company is looked for beside it, then in root
        loaded, company = load_scenario_file(path, root)
        return loaded.scenario, company, loaded.path
    library = load_library(root)
    for loaded in library.scenarios.values():
        if loaded.scenario.id == name:
            return loaded.scenario, library.companies[loaded.scenario.company], loaded.path
    from simulator.validation import did_you_mean

    fix_it, fix_en = did_you_mean(name, set(library.scenarios))
    raise CentralinoError(
        f"Scenario '{name}' non trovato nella libreria {root}{fix_it} 'simulator list' mostra"
        " quelli disponibili; indica il percorso di un file .yaml oppure un'altra libreria con"
        " --library CARTELLA (o CENTRALINO_LIBRARY).",
        f"Scenario '{name}' not found in the library {root}{fix_en} 'simulator list' shows the"
        " available ones; give the path of a .yaml file or another library with --library"
        " FOLDER (or CENTRALINO_LIBRARY).",
    )


# --------------------------------------------------------------------------- commands


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from simulator.loader import validate_paths

    lang = ui_lang(args)
    problems = validate_paths([Path(p) for p in args.paths], library=library_root(args))
    for problem in problems:
        print(problem.render(lang), file=out)
    total = len(problems)
    if total:
        print(tr(lang, f"{total} errori trovati.", f"{total} problems found."), file=out)
        return 1
    print(tr(lang, "Tutto valido.", "All valid."), file=out)
    return 0


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    from simulator.loader import load_library

    lang = ui_lang(args)
    library = load_library(library_root(args))
    print(
        tr(lang, "id | famiglia | lingua | livello | RA", "id | family | language | level | RA"),
        file=out,
    )
    # The library's order for a trainee: family (course order), level 1 first, then id.
    ordered = sorted(
        (loaded.scenario for loaded in library.scenarios.values()),
        key=lambda sc: (names.family_order(sc.family), sc.family, sc.level, sc.id),
    )
    for sc in ordered:
        ras = ", ".join(sorted({c.ra for c in sc.criteria}))
        family = names.family_name(sc.family, lang)
        language = names.language_name(sc.language, lang)
        level = names.level_name(sc.level, lang)
        print(f"{sc.id} | {family} | {language} | {level} | {ras}", file=out)
    return 0


def cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    from simulator.coverage import competence_rows, coverage_rows
    from simulator.loader import load_library

    lang = ui_lang(args)
    library = load_library(library_root(args))
    scenarios = [s.scenario for s in library.scenarios.values()]
    rows = coverage_rows(scenarios)
    missing = 0
    for row in rows:
        names = ", ".join(row.scenarios) if row.scenarios else tr(lang, "NESSUNO", "NONE")
        if not row.scenarios:
            missing += 1
        print(f"{row.ra} | {row.activity(lang)} | {len(row.scenarios)} | {names}", file=out)
    # Competences beyond the RA: the competence, then each scenario/criterion tagged with it.
    for competence in competence_rows(scenarios):
        covering = ", ".join(competence.scenarios) or tr(lang, "NESSUNO", "NONE")
        label = tr(lang, "Competenza", "Competence")
        print(
            f"{label} {competence.competence} | {competence.title(lang)} | "
            f"{len(competence.scenarios)} | {covering}",
            file=out,
        )
        for entry in competence.criteria:
            print(f"  {entry}", file=out)
        if not competence.criteria:
            missing += 1
    if missing:
        print(
            tr(lang, f"{missing} attività non coperte.", f"{missing} activities uncovered."),
            file=out,
        )
        return 1
    print(tr(lang, "Ogni RA e attività è coperto.", "Every RA and activity is covered."), file=out)
    return 0


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from simulator.harness import run_call
    from simulator.report_text import render_report
    from simulator.script import expectation_differences, parse_script
    from simulator.yaml_source import decode

    lang = ui_lang(args)
    scenario, company, _ = _resolve_scenario(args.scenario, library_root(args))
    script_path = Path(args.script)
    try:
        text = decode(script_path.read_bytes(), str(script_path))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CentralinoError(
            f"{script_path}: file non leggibile: {reason}", f"{script_path}: unreadable: {reason}"
        ) from exc
    # The scenario run is the one named on the command line, whatever id the script gives.
    script, _ = parse_script(text, str(script_path), playing=scenario)
    result = run_call(scenario, company, script, multiplier=args.multiplier)
    differences = (
        [] if args.ignore_expect else expectation_differences(script.expect, result.report)
    )
    if args.json:
        payload = result.report.to_json()
        payload["rejected"] = [dataclasses.asdict(r) for r in result.rejected]
        payload["expect_differences"] = [tr(lang, it, en) for it, en in differences]
        if args.events:
            payload["events"] = [e.to_json() for e in result.events]
        print(json.dumps(payload, ensure_ascii=False, indent=2), file=out)
    else:
        for rejection in result.rejected:
            print(
                tr(lang, "Azione rifiutata", "Action refused")
                + f" ({rejection.at:.0f} s, {rejection.action}): "
                + tr(lang, rejection.it, rejection.en),
                file=out,
            )
        print(render_report(result.report, lang), file=out)
        if differences:
            print(
                tr(
                    lang,
                    f"L'esito differisce da 'expect' in {script_path}:",
                    f"The outcome differs from 'expect' in {script_path}:",
                ),
                file=out,
            )
            for it, en in differences:
                print("- " + tr(lang, it, en), file=out)
    if args.save_events:
        Path(args.save_events).write_text(
            json.dumps(
                {"scenario": scenario.id, "events": [e.to_json() for e in result.events]},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 1 if differences else 0


def _calibrate_reviews(database_url: str, as_json: bool, lang: str, out: TextIO) -> int:
    """Agreement of the scorer with the school's instructors, from their reviewed verdicts."""
    from simulator.calibration import agreement_by_scenario_kind, render_reviews
    from simulator.practice.review import calibration_pairs
    from simulator.store.db import Database

    database = Database(database_url)
    try:
        with database.read() as session:
            table = agreement_by_scenario_kind(calibration_pairs(session))
    finally:
        database.dispose()
    if as_json:
        payload: dict[str, dict[str, dict[str, float]]] = {}
        for (scenario, kind), agreement in table.items():
            payload.setdefault(scenario, {})[kind] = {
                "n": agreement.n,
                "agreement": round(agreement.raw, 3),
                "kappa": round(agreement.kappa, 3),
            }
        print(json.dumps({"reviews": payload}, ensure_ascii=False, indent=2), file=out)
    else:
        print(render_reviews(table, lang), file=out)
    return 0


def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    """Agreement of the scorer with a school's assessors, per criterion kind."""
    from simulator.calibration import calibrate, load_labels, render
    from simulator.loader import load_library

    lang = ui_lang(args)
    database_url = args.database or os.environ.get("CENTRALINO_DATABASE_URL")
    if args.labels is None:
        if not database_url:
            raise CentralinoError(
                "Indica un file LABELS oppure --database URL (o CENTRALINO_DATABASE_URL).",
                "Give a LABELS file or --database URL (or CENTRALINO_DATABASE_URL).",
            )
        return _calibrate_reviews(database_url, args.json, lang, out)
    path = Path(args.labels)
    report = calibrate(load_labels(path), path.parent, load_library(library_root(args)))
    if args.json:
        payload = {
            "kinds": {
                kind: {"n": a.n, "agreement": round(a.raw, 3), "kappa": round(a.kappa, 3)}
                for kind, a in report.by_kind.items()
            },
            "overall": {
                "n": report.overall.n,
                "agreement": round(report.overall.raw, 3),
                "kappa": round(report.overall.kappa, 3),
            },
            "ra": {"n": report.ra.n, "agreement": round(report.ra.raw, 3)},
            "disagreements": [dataclasses.asdict(d) for d in report.disagreements],
            "unknown": report.unknown,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2), file=out)
    else:
        print(render(report, lang), file=out)
    return 0


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    from simulator.events import Event
    from simulator.report_text import render_report
    from simulator.scoring import score

    lang = ui_lang(args)
    try:
        text = Path(args.eventlog).read_text(encoding="utf-8")
        if text.lstrip().startswith('{"t"'):  # one event per line, as play writes it
            events = [Event.from_json(json.loads(line)) for line in text.splitlines() if line]
            scenario_id = str(events[0].data["scenario"])
        else:
            raw = json.loads(text)
            events = [Event.from_json(e) for e in raw["events"]]
            scenario_id = str(raw["scenario"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CentralinoError(
            f"{args.eventlog}: registro eventi non valido ({exc}). Atteso JSON "
            '{{"scenario": ID, "events": [...]}}.',
            f"{args.eventlog}: invalid event log ({exc}). Expected JSON "
            '{{"scenario": ID, "events": [...]}}.',
        ) from exc
    scenario, company, _ = _resolve_scenario(scenario_id, library_root(args))
    report = score(scenario, company, events)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2), file=out)
    else:
        print(render_report(report, lang), file=out)
    return 0


def cmd_docs(args: argparse.Namespace, out: TextIO) -> int:
    """Print the generated reference, bring a guide up to date, or check that it is."""
    from simulator.reference import reference, replace_blocks

    lang = ui_lang(args)
    target = args.write or args.check
    if target is None:
        print(reference(lang), file=out, end="")
        return 0
    path = Path(target)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = replace_blocks(current)
    if args.check:
        if updated != current:
            print(
                tr(
                    lang,
                    f"{path}: il riferimento generato non è aggiornato: esegui"
                    f" 'simulator docs --write {path}'.",
                    f"{path}: the generated reference is out of date: run"
                    f" 'simulator docs --write {path}'.",
                ),
                file=out,
            )
            return 1
        print(tr(lang, f"{path}: aggiornato.", f"{path}: up to date."), file=out)
        return 0
    path.write_text(updated, encoding="utf-8")
    print(tr(lang, f"{path}: riferimento scritto.", f"{path}: reference written."), file=out)
    return 0


def cmd_play(args: argparse.Namespace, out: TextIO) -> int:
    from simulator.terminal import play, purge_recordings, retention_days

    root = library_root(args)
    purge_recordings(sessions_dir(root), retention_days())
    scenario, company, _ = _resolve_scenario(args.scenario, root)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log_path = Path(args.log) if args.log else sessions_dir(root) / f"{scenario.id}-{stamp}.jsonl"
    return play(
        scenario,
        company,
        lang=ui_lang(args),
        multiplier=args.multiplier,
        out=out,
        audio=getattr(args, "audio", False),
        log_path=log_path,
    )


def cmd_purge_recordings(args: argparse.Namespace, out: TextIO) -> int:
    """Delete terminal sessions' spoken replies older than the retention period."""
    from simulator.terminal import purge_recordings, retention_days

    days = args.days if args.days is not None else retention_days()
    folder = Path(args.sessions) if args.sessions else sessions_dir(library_root(args))
    removed = purge_recordings(folder, days)
    print(
        tr(
            ui_lang(args),
            f"Registrazioni cancellate (oltre {days} giorni): {removed}",
            f"Recordings deleted (older than {days} days): {removed}",
        ),
        file=out,
    )
    return 0


def cmd_practice(args: argparse.Namespace, out: TextIO) -> int:
    args.audio = True
    return cmd_play(args, out)


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simulator",
        description="Centralino: simulatore di centralino accessibile / accessible switchboard "
        "training simulator",
    )
    parser.add_argument(
        "--lang", choices=["it", "en"], help="lingua dei messaggi / message language"
    )
    parser.add_argument("--library", help="cartella degli scenari / scenario folder")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMANDO/COMMAND")

    p = sub.add_parser("validate", help="valida scenari e aziende / validate scenario files")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("list", help="elenca gli scenari / list scenarios")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("coverage", help="copertura RA e attività / RA and activity coverage")
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("play", help="esercitazione in testo / text practice")
    p.add_argument("scenario", help="id o percorso / id or path")
    p.add_argument(
        "--multiplier", type=float, default=1.0, help="moltiplicatore dei tempi / time multiplier"
    )
    p.add_argument("--log", help="file del registro eventi (JSONL) / event log file")
    p.set_defaults(func=cmd_play)

    p = sub.add_parser("practice", help="esercitazione con audio / practice with audio")
    p.add_argument("scenario")
    p.add_argument("--multiplier", type=float, default=1.0)
    p.add_argument("--log", help="file del registro eventi (JSONL) / event log file")
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser(
        "purge-recordings",
        help="cancella le registrazioni scadute / delete expired recordings",
    )
    p.add_argument(
        "--days",
        type=int,
        default=None,
        help="default: 90 o / or CENTRALINO_RECORDING_RETENTION_DAYS",
    )
    p.add_argument("--sessions", help="cartella delle sessioni / sessions folder")
    p.set_defaults(func=cmd_purge_recordings)

    p = sub.add_parser("run", help="esegue un allievo simulato / play a scripted trainee")
    p.add_argument("scenario")
    p.add_argument("--script", required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--events", action="store_true", help="include gli eventi nel JSON")
    p.add_argument("--save-events", metavar="FILE", help="salva il registro eventi / save log")
    p.add_argument("--multiplier", type=float, default=None)
    p.add_argument(
        "--ignore-expect",
        action="store_true",
        help="non confronta l'esito con 'expect' / do not check the outcome against 'expect'",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("score", help="rivaluta un registro eventi / re-score an event log")
    p.add_argument("eventlog")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "calibrate",
        help="accordo con i valutatori: kappa per tipo / agreement with assessors: kappa per kind",
    )
    p.add_argument(
        "labels", nargs="?", default=None, help="file YAML delle chiamate valutate / LABELS file"
    )
    p.add_argument(
        "--database",
        metavar="URL",
        help="dai verdetti rivisti dagli istruttori / from the instructors' reviewed verdicts",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("docs", help="riferimento del formato generato / generated format reference")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="FILE", help="aggiorna la guida / update the guide")
    group.add_argument("--check", metavar="FILE", help="verifica la guida / check the guide")
    p.set_defaults(func=cmd_docs)

    _add_audio_commands(sub)
    return parser


def _add_audio_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        from audio.commands import register
    except ImportError:
        return
    register(sub)


def _main(argv: Sequence[str] | None, stream: TextIO) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = ui_lang(args)
    try:
        return int(args.func(args, stream))
    except (ScenarioError, ScriptError) as exc:
        if not exc.problems:  # a script that cannot be read: no place to point at
            print(tr(lang, "Errore: ", "Error: ") + exc.message(lang), file=stream)
            return 2
        for problem in exc.problems:
            print(problem.render(lang), file=stream)
        return 1
    except CentralinoError as exc:
        print(tr(lang, "Errore: ", "Error: ") + exc.message(lang), file=stream)
        return 2
    except KeyboardInterrupt:
        print(tr(lang, "Interrotto.", "Interrupted."), file=stream)
        return 130


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    try:
        code = _main(argv, stream)
        stream.flush()
    except BrokenPipeError:
        # The reader went away (``simulator run ... | head -2``): stop quietly, as cat does,
        # and let nothing more be written to the closed pipe when Python exits.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer cut off by its reader
    return code


if __name__ == "__main__":
    raise SystemExit(main())
