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
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from simulator.errors import Problem, ScenarioError
from simulator.model import Company, Scenario
from simulator.references import check_company, check_scenario
from simulator.validation import validation_problems
from simulator.yaml_source import Document, decode, parse

__all__ = [
    "Library",
    "LoadedScenario",
    "load_company",
    "load_library",
    "load_scenario",
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
) -> LoadedScenario:
    file = str(path)
    try:
        doc = parse(text, file)
        scenario = _validate(Scenario, doc, file)
        problems = check_scenario(scenario, doc, file, companies, company_paths, broken_companies)
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
                raw, decode(raw, str(path)), path, self.companies, paths, frozenset(self.broken)
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


def _is_company_file(path: Path) -> bool:
    if "companies" in path.parts[:-1]:
        return True
    try:
        with path.open(encoding="utf-8") as lines:
            return any(line.startswith("departments:") for line in lines)
    except (OSError, UnicodeDecodeError):
        return False


def validate_paths(paths: Iterable[Path | str]) -> list[Problem]:
    """Check files and folders for ``simulator validate``: every problem, none raised.

    Scenarios are checked against the companies given and those in a ``companies`` folder
    beside or above them, so one scenario can be validated on its own.
    """
    files: list[Path] = []
    for given in map(Path, paths):
        if not given.is_dir():
            files.append(given)  # named explicitly: checked even if it lives in scripts/
            continue
        for path in _yaml_files(given):
            if "scripts" not in path.relative_to(given).parts[:-1]:  # trainee scripts, not ours
                files.append(path)
    companies = [path for path in files if _is_company_file(path)]
    scenarios = [path for path in files if path not in companies]
    known = {path.resolve() for path in companies}
    for scenario in scenarios:
        nearest = next(
            (d / "companies" for d in scenario.parents if (d / "companies").is_dir()), None
        )
        for company in _yaml_files(nearest) if nearest is not None else []:
            if company.resolve() not in known:
                known.add(company.resolve())
                companies.append(company)
    batch = _Batch()
    for path in companies:
        batch.add_company(path)
    for path in scenarios:
        batch.add_scenario(path)
    return sorted(batch.problems, key=lambda p: (p.file, p.line, p.column))
