"""Load instructors' YAML into validated models, or say exactly what to fix and where.

Three passes, each reporting every problem it finds: safe YAML reading with positions
(``yaml_source``), the pydantic models (``validation`` retells their errors), and the
cross-references between fields and files (``references``). The only error raised is
``ScenarioError``, whatever the input: a broken upload must never become a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from simulator.errors import Problem, ScenarioError, ScriptError
from simulator.model import Company, Scenario
from simulator.pruning import prune
from simulator.references import check_company, check_scenario
from simulator.script import parse_script
from simulator.validation import validation_problems
from simulator.yaml_source import Document, decode, parse

__all__ = [
    "FileKind",
    "Library",
    "LoadedScenario",
    "company_places",
    "file_kind",
    "load_company",
    "load_library",
    "load_scenario",
    "load_scenario_file",
    "load_scenario_text",
    "validate_paths",
]

_Model = TypeVar("_Model", bound=BaseModel)
_EXCLUDED = frozenset({"companies", "scripts"})


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """A validated scenario with where it came from; ``sha256`` of the raw bytes pins a result."""

    scenario: Scenario
    path: Path
    sha256: str
    source: str


@dataclass(frozen=True, slots=True)
class Library:
    """Every company and scenario of a scenarios folder, all validated together."""

    scenarios: dict[str, LoadedScenario] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    company_paths: dict[str, Path] = field(default_factory=dict)


# --------------------------------------------------------------------------- one file


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ScenarioError(
            [
                Problem(
                    str(path),
                    1,
                    1,
                    "",
                    f"impossibile leggere il file: {reason}",
                    f"cannot read the file: {reason}",
                )
            ]
        ) from None


def _validate(model: type[_Model], doc: Document, file: str) -> _Model:
    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        raise ScenarioError(validation_problems(error, doc, model, file)) from None


def _internal_error(file: str, error: Exception) -> ScenarioError:
    """Last resort: a loader bug still reaches the user as a ScenarioError, never a 500."""
    name = type(error).__name__
    return ScenarioError(
        [
            Problem(
                file,
                1,
                1,
                "",
                f"errore interno del caricamento ({name}): segnala il file agli sviluppatori",
                f"internal loader error ({name}): please report this file to the developers",
            )
        ]
    )


def _company_from_text(text: str, file: str) -> tuple[Company, Document]:
    try:
        return _checked_company(text, file)
    except ScenarioError:
        raise
    except Exception as error:
        raise _internal_error(file, error) from error


def _checked_company(text: str, file: str) -> tuple[Company, Document]:
    doc = parse(text, file)
    company = _validate(Company, doc, file)
    problems = check_company(company, doc, file)
    if problems:
        raise ScenarioError(problems)
    return company, doc


def _pruned_problems(
    doc: Document,
    file: str,
    companies: Mapping[str, Company],
    company_paths: Mapping[str, str] | None,
    broken_companies: frozenset[str],
    searched: Mapping[str, list[str]] | None,
) -> list[Problem]:
    """Cross-check what validates once the broken items are set aside: every mistake at once."""
    pruned = prune(Scenario, doc)
    if pruned is None or not isinstance(pruned.instance, Scenario):
        return []
    try:
        more = check_scenario(
            pruned.instance, pruned.doc, file, companies, company_paths, broken_companies, searched
        )
    except Exception:  # a best effort beside the model's problems, never instead of them
        return []
    return [pruned.restore(p) for p in more if not (pruned.rules_removed and _unreachable(p))]


def _unreachable(problem: Problem) -> bool:
    """A step found unreachable only because a broken rule leading to it was set aside."""
    return "irraggiungibile" in problem.it


def load_company(path: Path | str) -> Company:
    """Load and check one company file; raise ``ScenarioError`` with every problem in it."""
    path = Path(path)
    company, _ = _company_from_text(decode(_read(path), str(path)), str(path))
    return company


def _scenario_from_text(
    raw: bytes,
    text: str,
    path: Path,
    companies: Mapping[str, Company],
    company_paths: Mapping[str, str] | None,
    broken_companies: frozenset[str] = frozenset(),
    searched: Mapping[str, list[str]] | None = None,
) -> LoadedScenario:
    file = str(path)
    try:
        doc = parse(text, file)
        try:
            scenario = Scenario.model_validate(doc.data)
        except ValidationError as error:
            problems = validation_problems(error, doc, Scenario, file)
            problems += _pruned_problems(
                doc, file, companies, company_paths, broken_companies, searched
            )
            raise ScenarioError(problems) from None
        problems = check_scenario(
            scenario, doc, file, companies, company_paths, broken_companies, searched
        )
    except ScenarioError:
        raise
    except Exception as error:
        raise _internal_error(file, error) from error
    if problems:
        raise ScenarioError(problems)
    return LoadedScenario(scenario, path, hashlib.sha256(raw).hexdigest(), text)


def load_scenario(
    path: Path | str,
    companies: Mapping[str, Company],
    *,
    company_paths: Mapping[str, Path | str] | None = None,
) -> LoadedScenario:
    """Load one scenario and check it against ``companies`` (by id).

    ``company_paths`` (company id -> file) only improves messages: "not in the directory of
    scenarios/companies/acme.yaml" rather than "of company 'acme'".
    """
    path = Path(path)
    raw = _read(path)
    paths = {key: str(value) for key, value in (company_paths or {}).items()}
    return _scenario_from_text(raw, decode(raw, str(path)), path, companies, paths)


def load_scenario_text(
    text: str | bytes,
    filename: str,
    companies: Mapping[str, Company],
    *,
    company_paths: Mapping[str, Path | str] | None = None,
) -> LoadedScenario:
    """Load a scenario from an upload (text or raw bytes) as if read from ``filename``."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    source = decode(raw, filename) if isinstance(text, bytes) else text
    paths = {key: str(value) for key, value in (company_paths or {}).items()}
    return _scenario_from_text(raw, source, Path(filename), companies, paths)


# --------------------------------------------------------------------------- many files


@dataclass
class _Batch:
    """Companies and scenarios being loaded together, with every problem met so far."""

    companies: dict[str, Company] = field(default_factory=dict)
    company_paths: dict[str, Path] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    scenarios: dict[str, LoadedScenario] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    searched: dict[str, list[str]] = field(default_factory=dict)  # company id -> places looked

    def add_script(self, path: Path, scenarios: Mapping[str, Scenario]) -> None:
        file = str(path)
        try:
            parse_script(decode(_read(path), file), file, scenarios)
        except (ScenarioError, ScriptError) as error:
            self.problems.extend(error.problems)

    def add_company(self, path: Path) -> None:
        file = str(path)
        try:
            text = decode(_read(path), file)
            company, doc = _company_from_text(text, file)
        except ScenarioError as error:
            self.problems.extend(error.problems)
            self.broken.update(_declared_id(path))
            return
        if company.id in self.companies:
            line, column = doc.position(("id",))
            first = self.company_paths[company.id]
            self.problems.append(
                Problem(
                    file,
                    line,
                    column,
                    "id",
                    f"azienda '{company.id}' già definita in {first}: usa un id diverso",
                    f"company '{company.id}' already defined in {first}: use a different id",
                )
            )
            return
        self.companies[company.id] = company
        self.company_paths[company.id] = path

    def add_scenario(self, path: Path) -> None:
        paths = {key: str(value) for key, value in self.company_paths.items()}
        try:
            raw = _read(path)
            loaded = _scenario_from_text(
                raw,
                decode(raw, str(path)),
                path,
                self.companies,
                paths,
                frozenset(self.broken),
                self.searched,
            )
        except ScenarioError as error:
            self.problems.extend(error.problems)
            return
        ident = loaded.scenario.id
        if ident in self.scenarios:
            first = self.scenarios[ident].path
            line, column = parse(loaded.source, str(path)).position(("id",))
            self.problems.append(
                Problem(
                    str(path),
                    line,
                    column,
                    "id",
                    f"scenario '{ident}' già definito in {first}: usa un id diverso",
                    f"scenario '{ident}' already defined in {first}: use a different id",
                )
            )
            return
        self.scenarios[ident] = loaded


def _declared_id(path: Path) -> set[str]:
    """The id a broken company file declares, so scenarios using it are not blamed as well."""
    try:
        data: Any = parse(decode(path.read_bytes(), str(path)), str(path)).data
    except (ScenarioError, OSError):
        return set()
    ident = data.get("id") if isinstance(data, dict) else None
    return {ident} if isinstance(ident, str) else set()


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_library(root: Path | str = Path("scenarios")) -> Library:
    """Load ``root/companies/*.yaml`` and every other scenario under ``root`` (not ``scripts/``).

    Raises one ``ScenarioError`` listing every problem in every file.
    """
    root = Path(root)
    batch = _Batch()
    for path in _yaml_files(root / "companies"):
        batch.add_company(path)
    for path in _yaml_files(root):
        if not _EXCLUDED & set(path.relative_to(root).parts[:-1]):
            batch.add_scenario(path)
    if batch.problems:
        raise ScenarioError(batch.problems)
    return Library(batch.scenarios, batch.companies, batch.company_paths)


FileKind = Literal["company", "scenario", "script"]


def file_kind(path: Path) -> FileKind:
    """What a YAML file holds, by its top-level keys (its folder only when it cannot be read).

    A script has ``turns``; a company has ``departments`` or ``staff`` and no ``calls``;
    anything else is read as a scenario, whose checks then say what is missing.
    """
    try:
        data: Any = parse(decode(path.read_bytes(), str(path)), str(path)).data
    except (ScenarioError, OSError):
        data = None
    if isinstance(data, dict):
        if "turns" in data:
            return "script"
        if ("departments" in data or "staff" in data) and "calls" not in data:
            return "company"
        return "scenario"
    folders = set(path.parts[:-1])
    if "scripts" in folders:
        return "script"
    return "company" if "companies" in folders else "scenario"


def _declared(path: Path, key: str) -> str | None:
    try:
        data: Any = parse(decode(path.read_bytes(), str(path)), str(path)).data
    except (ScenarioError, OSError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def company_places(scenario: Path, library: Path | None) -> list[Path]:
    """Where a scenario's company is looked for, nearest first.

    The scenario's own folder, a ``companies/`` folder in it or in any folder above it, and
    the library's ``companies/`` (``--library``, ``CENTRALINO_LIBRARY`` or the bundled one).
    """
    places = [scenario.parent]
    places += [
        folder / "companies" for folder in scenario.parents if (folder / "companies").is_dir()
    ]
    if library is not None and (library / "companies").is_dir():
        places.append(library / "companies")
    unique: dict[Path, Path] = {}
    for place in places:
        unique.setdefault(place.resolve(), place)
    return list(unique.values())


def _company_in(places: list[Path], wanted: str, skip: set[Path]) -> Path | None:
    for place in places:
        candidates = sorted(
            p for p in place.glob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
        )
        for candidate in candidates:
            if candidate.resolve() in skip or file_kind(candidate) != "company":
                continue
            if _declared(candidate, "id") == wanted:
                return candidate
    return None


def _given_files(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for given in map(Path, paths):
        files.extend(_yaml_files(given) if given.is_dir() else [given])
    return list(dict.fromkeys(files))


def validate_paths(paths: Iterable[Path | str], library: Path | str | None = None) -> list[Problem]:
    """Check files and folders for ``simulator validate``: every problem, none raised.

    Each file is taken for a company, a scenario or a scripted trainee by its content. A
    scenario's company is the one given, else the nearest found by ``company_places``; a
    script's scenario is one given, else one of the library.
    """
    root = None if library is None else Path(library)
    files = _given_files(paths)
    kinds = {path: file_kind(path) for path in files}
    batch = _Batch()
    for path in files:
        if kinds[path] == "company":
            batch.add_company(path)
    loaded = {path.resolve() for path in files if kinds[path] == "company"}
    scenarios = [path for path in files if kinds[path] == "scenario"]
    for path in scenarios:
        wanted = _declared(path, "company")
        if wanted is None or wanted in batch.companies or wanted in batch.broken:
            continue
        places = company_places(path, root)
        found = _company_in(places, wanted, loaded)
        if found is None:
            batch.searched[wanted] = [str(place) for place in places]
        else:
            loaded.add(found.resolve())
            batch.add_company(found)
    for path in scenarios:
        batch.add_scenario(path)
    scripts = [path for path in files if kinds[path] == "script"]
    if scripts:
        known = {ident: item.scenario for ident, item in batch.scenarios.items()}
        if root is not None and any(_declared(p, "scenario") not in known for p in scripts):
            known = {**_library_scenarios(root), **known}
        for path in scripts:
            batch.add_script(path, known)
    return sorted(batch.problems, key=lambda p: (p.file, p.line, p.column))


def _library_scenarios(root: Path) -> dict[str, Scenario]:
    """The library's scenarios for scripts that play them (a broken library gives none)."""
    try:
        return {ident: loaded.scenario for ident, loaded in load_library(root).scenarios.items()}
    except ScenarioError:
        return {}


def load_scenario_file(
    path: Path | str, library: Path | str | None = None
) -> tuple[LoadedScenario, Company]:
    """One scenario file wherever it is, with its company found as ``validate`` finds it."""
    path = Path(path)
    root = None if library is None else Path(library)
    raw = _read(path)
    wanted = _declared(path, "company")
    companies: dict[str, Company] = {}
    paths: dict[str, str] = {}
    searched: dict[str, list[str]] = {}
    if wanted is not None:
        places = company_places(path, root)
        found = _company_in(places, wanted, set())
        if found is None:
            searched[wanted] = [str(place) for place in places]
        else:
            companies[wanted] = load_company(found)
            paths[wanted] = str(found)
    loaded = _scenario_from_text(
        raw, decode(raw, str(path)), path, companies, paths, searched=searched
    )
    return loaded, companies[loaded.scenario.company]
