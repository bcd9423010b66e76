"""Scenario and company versions in the database, by content hash.

A scenario is stored once per distinct content: a new upload of the same id with new content is a
new version and becomes the current one, while old attempts keep the version they were played
with. Parsed models are cached per process by hash: content-addressed data never goes stale, so
this is a cache of immutable files, not call state.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from simulator import loader
from simulator.errors import Problem, ScenarioError
from simulator.model import Company, Scenario
from simulator.store.models import CompanyVersion, ScenarioVersion


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a library load changed."""

    added: list[str]
    unchanged: list[str]


def company_hash(company: Company) -> tuple[str, dict[str, Any]]:
    """Canonical JSON of a company and its sha256 (the company file's source is not needed)."""
    data = company.model_dump(mode="json")
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest(), data


def store_company(session: Session, company: Company) -> CompanyVersion:
    """The stored version of this company content, created if new."""
    digest, data = company_hash(company)
    row = session.scalar(
        select(CompanyVersion).where(
            CompanyVersion.company_id == company.id, CompanyVersion.sha256 == digest
        )
    )
    if row is None:
        row = CompanyVersion(company_id=company.id, sha256=digest, data=data)
        session.add(row)
        session.flush()
    return row


def store_scenario(
    session: Session,
    scenario: Scenario,
    source: str,
    filename: str,
    company: Company,
    *,
    current: bool = True,
) -> tuple[ScenarioVersion, bool]:
    """Store a validated scenario as the current version of its id; (row, created).

    With ``current=False`` (a file checked but not added: an instructor's trial) the version is
    found or stored without touching which version trainees play.
    """
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    company_row = store_company(session, company)
    existing = session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario.id,
            ScenarioVersion.sha256 == digest,
            ScenarioVersion.company_version_id == company_row.id,
        )
    )
    if existing is not None and (existing.current or not current):
        return existing, False
    if current:
        session.execute(
            update(ScenarioVersion)
            .where(ScenarioVersion.scenario_id == scenario.id)
            .values(current=False)
        )
    if existing is not None:
        existing.current = True
        return existing, False
    row = ScenarioVersion(
        scenario_id=scenario.id,
        sha256=digest,
        filename=filename,
        source=source,
        title=scenario.title,
        family=scenario.family,
        language=scenario.language,
        level=scenario.level,
        company_version_id=company_row.id,
        current=current,
    )
    session.add(row)
    session.flush()
    return row, True


def sync_library(session: Session, root: Path) -> SyncResult:
    """Load every scenario under ``root`` (raising ScenarioError on any problem) and store it."""
    library = loader.load_library(root)
    added: list[str] = []
    unchanged: list[str] = []
    for scenario_id, loaded in sorted(library.scenarios.items()):
        company = library.companies[loaded.scenario.company]
        _row, created = store_scenario(
            session, loaded.scenario, loaded.source, Path(loaded.path).name, company
        )
        (added if created else unchanged).append(scenario_id)
    return SyncResult(added, unchanged)


def current_companies(session: Session) -> dict[str, Company]:
    """The newest stored version of each company, for validating uploads."""
    rows = session.scalars(select(CompanyVersion).order_by(CompanyVersion.id)).all()
    latest: dict[str, CompanyVersion] = {}
    for row in rows:
        latest[row.company_id] = row
    return {cid: _company(row.sha256, json.dumps(row.data)) for cid, row in latest.items()}


def current_scenarios(session: Session) -> list[ScenarioVersion]:
    """The current version of every scenario, by family and title."""
    return list(
        session.scalars(
            select(ScenarioVersion)
            .where(ScenarioVersion.current.is_(True))
            .order_by(ScenarioVersion.family, ScenarioVersion.level, ScenarioVersion.title)
        )
    )


def scenario_count(session: Session) -> int:
    """How many distinct scenarios can be played."""
    query = select(func.count()).where(ScenarioVersion.current.is_(True))
    return int(session.scalar(query) or 0)


def models_of(version: ScenarioVersion) -> tuple[Scenario, Company]:
    """The parsed scenario and company of a stored version (cached by content hash)."""
    company_row = version.company_version
    company = _company(company_row.sha256, json.dumps(company_row.data))
    scenario = _scenario(
        version.sha256, company_row.sha256, version.source, version.filename, company
    )
    return scenario, company


def models_for(session: Session, version_id: int) -> tuple[Scenario, Company]:
    """The parsed models of a stored scenario version, reading only its digests when cached.

    A hot request (a poll, a phone turn) then never loads the scenario's source or the
    company's data: two short strings name the parsed models this process already holds.
    """
    digests = session.execute(
        select(ScenarioVersion.sha256, CompanyVersion.sha256)
        .join(CompanyVersion, CompanyVersion.id == ScenarioVersion.company_version_id)
        .where(ScenarioVersion.id == version_id)
    ).one()
    scenario_digest, company_digest = digests
    company = _COMPANIES.get(company_digest)
    scenario = _SCENARIOS.get((scenario_digest, company_digest))
    if company is not None and scenario is not None:
        return scenario, company
    version = session.get(ScenarioVersion, version_id)
    if version is None:  # the digests were just read in this transaction
        raise LookupError(version_id)
    return models_of(version)


_COMPANIES: dict[str, Company] = {}
_SCENARIOS: dict[tuple[str, str], Scenario] = {}
_CACHE_MAX = 512


def _company(digest: str, data_json: str) -> Company:
    found = _COMPANIES.get(digest)
    if found is None:
        found = Company.model_validate(json.loads(data_json))
        if len(_COMPANIES) >= _CACHE_MAX:
            _COMPANIES.clear()
        _COMPANIES[digest] = found
    return found


def _scenario(
    digest: str, company_digest: str, source: str, filename: str, company: Company
) -> Scenario:
    key = (digest, company_digest)
    found = _SCENARIOS.get(key)
    if found is None:
        found = parse_scenario(source, filename, {company.id: company})
        if len(_SCENARIOS) >= _CACHE_MAX:
            _SCENARIOS.clear()
        _SCENARIOS[key] = found
    return found


def parse_scenario(text: str, filename: str, companies: dict[str, Company]) -> Scenario:
    """Validate scenario text through the loader; raises ScenarioError with every problem."""
    result: Any = loader.load_scenario_text(text, filename, companies)
    scenario = getattr(result, "scenario", result)
    if not isinstance(scenario, Scenario):  # a contract guard
        raise TypeError("loader.load_scenario_text returned no Scenario")
    return scenario


def check_upload(
    raw: bytes, filename: str, limit: int, companies: dict[str, Company]
) -> loader.LoadedScenario:
    """Validate an uploaded scenario file; raises ScenarioError with placed problems."""
    if len(raw) > limit:
        raise ScenarioError(
            [
                Problem(
                    filename,
                    1,
                    1,
                    "",
                    f"Il file è troppo grande: massimo {limit // 1024} KB.",
                    f"The file is too large: at most {limit // 1024} KB.",
                )
            ]
        )
    if not raw.strip():
        raise ScenarioError([Problem(filename, 1, 1, "", "Il file è vuoto.", "The file is empty.")])
    # Bytes go to the loader, which checks UTF-8 and places a bad byte at its line and column.
    return loader.load_scenario_text(raw, filename, companies)
