"""Calibration: does a rubric judge calls as a school's own assessors do?

An assessor marks scripted or recorded calls P (passed) or F (failed) per criterion, and may mark
whole RA. :func:`calibrate` plays or re-scores each call, compares the scorer's verdict with the
assessor's and gives, per criterion kind and overall, the raw agreement and Cohen's kappa, plus
every disagreement with the scorer's evidence. A criterion the scorer could not judge counts as
F ("non valutabile" never passes). The LABELS file (YAML)::

    calls:
      - scenario: smistamento-acquisti-assente
        script: chiamata-03.yaml          # a scripted trainee, as `simulator run` plays it
        marks: {risposta-rapida: P, riservatezza: F}
        ra: {ADA.24.01.08.RA1: F}         # optional: whole-RA verdicts
      - scenario: smistamento-acquisti-assente
        events: registrazione-07.json     # or a recorded call: {"scenario", "events": [...]}
        marks: {riservatezza: P}

Paths are relative to the LABELS file.

The school's own overrides are calibration data too: every verdict an instructor reviewed on a
stored attempt (confirmed or overrode, ``simulator.practice.review``) is a pair, and
:func:`agreement_by_scenario_kind` gives the same figures per scenario and criterion kind
(``simulator calibrate --database URL`` and the instructor's calibration page).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.errors import CentralinoError, ScenarioError
from simulator.events import Event
from simulator.loader import Library
from simulator.scoring import ScoreReport, score
from simulator.yaml_source import parse

Mark = Literal["P", "F"]


class LabelledCall(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str
    script: str | None = None
    events: str | None = None
    name: str | None = Field(None, description="How the call is named in the output")
    marks: dict[str, Mark] = Field(default_factory=dict)
    ra: dict[str, Mark] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_source(self) -> LabelledCall:
        if (self.script is None) == (self.events is None):
            raise ValueError("ogni chiamata ha 'script' oppure 'events' / 'script' or 'events'")
        return self


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    calls: list[LabelledCall] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Disagreement:
    call: str
    criterion: str
    kind: str
    assessor: str
    scorer: str
    evidence_it: str
    evidence_en: str


@dataclass(frozen=True, slots=True)
class Agreement:
    """Raw agreement and Cohen's kappa over pairs of (assessor, scorer) marks."""

    pairs: tuple[tuple[str, str], ...]

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def raw(self) -> float:
        return sum(a == s for a, s in self.pairs) / self.n if self.pairs else 0.0

    @property
    def kappa(self) -> float:
        return cohen_kappa(self.pairs)


@dataclass
class CalibrationReport:
    by_kind: dict[str, Agreement] = field(default_factory=dict)
    overall: Agreement = Agreement(())
    ra: Agreement = Agreement(())
    disagreements: list[Disagreement] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def cohen_kappa(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> float:
    """Cohen's kappa of two raters over P/F marks; 1.0 when both agree on a single mark."""
    n = len(pairs)
    if n == 0:
        return 0.0
    observed = sum(a == s for a, s in pairs) / n
    expected = sum(
        (sum(a == mark for a, _ in pairs) / n) * (sum(s == mark for _, s in pairs) / n)
        for mark in ("P", "F")
    )
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def load_labels(path: Path) -> Labels:
    """Read a LABELS file, with errors naming the file."""
    try:
        raw = parse(path.read_text(encoding="utf-8"), str(path)).data
        return Labels.model_validate(raw)
    except OSError as exc:
        raise CentralinoError(
            f"{path}: non leggibile: {exc}", f"{path}: unreadable: {exc}"
        ) from exc
    except ScenarioError as exc:
        raise CentralinoError(str(exc.problems[0].it), str(exc.problems[0].en)) from exc
    except ValidationError as exc:
        parts = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise CentralinoError(f"{path}: {parts}", f"{path}: {parts}") from exc


def read_event_log(path: Path) -> list[Event]:
    """A recorded call: JSON {"scenario", "events"} or one event per line (JSONL)."""
    try:
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith('{"t"'):
            return [Event.from_json(json.loads(line)) for line in text.splitlines() if line]
        return [Event.from_json(e) for e in json.loads(text)["events"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CentralinoError(
            f"{path}: registro eventi non valido ({exc}).", f"{path}: invalid event log ({exc})."
        ) from exc


def _report(call: LabelledCall, base: Path, library: Library) -> ScoreReport:
    from simulator.harness import run_call
    from simulator.script import load_script

    loaded = library.scenarios.get(call.scenario)
    if loaded is None:
        raise CentralinoError(
            f"Scenario '{call.scenario}' non trovato nella libreria.",
            f"Scenario '{call.scenario}' not found in the library.",
        )
    scenario = loaded.scenario
    company = library.companies[scenario.company]
    if call.script is not None:
        return run_call(scenario, company, load_script(base / call.script)).report
    assert call.events is not None
    return score(scenario, company, read_event_log(base / call.events))


def calibrate(labels: Labels, base: Path, library: Library) -> CalibrationReport:
    """Compare the scorer with the assessor on every labelled call."""
    out = CalibrationReport()
    kinds: dict[str, list[tuple[str, str]]] = defaultdict(list)
    every: list[tuple[str, str]] = []
    ras: list[tuple[str, str]] = []
    for number, call in enumerate(labels.calls, start=1):
        name = call.name or call.script or call.events or f"#{number}"
        report = _report(call, base, library)
        results = {c.id: c for c in report.criteria}
        for criterion_id, mark in call.marks.items():
            result = results.get(criterion_id)
            if result is None:
                out.unknown.append(f"{name}: {criterion_id}")
                continue
            verdict = "P" if result.passed else "F"
            kinds[result.kind].append((mark, verdict))
            every.append((mark, verdict))
            if mark != verdict:
                out.disagreements.append(
                    Disagreement(
                        name,
                        criterion_id,
                        result.kind,
                        mark,
                        verdict if result.judged else "F (non valutabile)",
                        result.evidence.render("it"),
                        result.evidence.render("en"),
                    )
                )
        for ra, mark in call.ra.items():
            if ra not in report.ra:
                out.unknown.append(f"{name}: {ra}")
                continue
            ra_result = report.ra[ra]
            verdict = "P" if ra_result.passed else "F"
            ras.append((mark, verdict))
            if mark != verdict:
                failed = ", ".join(c.id for c in ra_result.criteria if c.counted and not c.passed)
                out.disagreements.append(
                    Disagreement(
                        name,
                        ra,
                        "RA",
                        mark,
                        verdict,
                        f"{round(ra_result.score * 100)}% (soglia "
                        f"{round(ra_result.threshold * 100)}%); "
                        f"non superati: {failed or 'nessuno'}",
                        f"{round(ra_result.score * 100)}% (threshold "
                        f"{round(ra_result.threshold * 100)}%); not passed: {failed or 'none'}",
                    )
                )
    out.by_kind = {kind: Agreement(tuple(pairs)) for kind, pairs in sorted(kinds.items())}
    out.overall = Agreement(tuple(every))
    out.ra = Agreement(tuple(ras))
    return out


def render(report: CalibrationReport, lang: str = "it") -> str:
    """Plain lines: one per kind, the overall figure, then every disagreement."""
    en = lang == "en"
    lines = ["kind | n | " + ("agreement" if en else "accordo") + " | kappa"]
    rows = [*report.by_kind.items(), ("TOTAL" if en else "TOTALE", report.overall)]
    if report.ra.n:
        rows.append(("RA", report.ra))
    for kind, agreement in rows:
        lines.append(f"{kind} | {agreement.n} | {agreement.raw:.0%} | {agreement.kappa:.2f}")
    lines.append("")
    count = len(report.disagreements)
    lines.append(f"{count} " + ("disagreements" if en else "disaccordi") + ":")
    for d in report.disagreements:
        who = "assessor" if en else "valutatore"
        lines.append(f"- {d.call}: {d.criterion} ({d.kind}): {who} {d.assessor}, scorer {d.scorer}")
        lines.append("  " + (d.evidence_en if en else d.evidence_it))
    for item in report.unknown:
        lines.append(("Unknown criterion or RA: " if en else "Criterio o RA sconosciuto: ") + item)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ReviewedVerdict:
    """One criterion of a stored attempt an instructor reviewed (confirmed or overrode)."""

    scenario: str
    criterion: str
    kind: str
    scorer: Mark
    assessor: Mark


def agreement_by_scenario_kind(
    verdicts: Sequence[ReviewedVerdict],
) -> dict[tuple[str, str], Agreement]:
    """Per (scenario, criterion kind): raw agreement and kappa of the scorer with instructors.

    Pairs are (assessor, scorer), as in :func:`calibrate`; a kind the instructors keep
    correcting has a low agreement, and a kappa near or below 0 says the scorer does no better
    than chance.
    """
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for verdict in verdicts:
        groups[(verdict.scenario, verdict.kind)].append((verdict.assessor, verdict.scorer))
    return {key: Agreement(tuple(pairs)) for key, pairs in sorted(groups.items())}


def render_reviews(table: dict[tuple[str, str], Agreement], lang: str = "it") -> str:
    """Plain lines for ``simulator calibrate --database``: one per scenario and kind."""
    en = lang == "en"
    lines = ["scenario | kind | n | " + ("agreement" if en else "accordo") + " | kappa"]
    for (scenario, kind), agreement in table.items():
        lines.append(
            f"{scenario} | {kind} | {agreement.n} | {agreement.raw:.0%} | {agreement.kappa:.2f}"
        )
    if not table:
        lines.append(
            "No verdict reviewed by an instructor yet."
            if en
            else "Nessun verdetto ancora rivisto da un istruttore."
        )
    return "\n".join(lines)
