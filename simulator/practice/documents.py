"""Documents made from stored data for download: a score report and a company directory.

The report is the stored one with the instructor's overrides (``review.effective_verdicts``,
what the score page shows), rendered by :mod:`simulator.report_text`; the
directory comes from the newest stored version of the company.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator import scoring
from simulator.directory_text import directory_lines
from simulator.events import Event
from simulator.model import Company
from simulator.practice import review
from simulator.practice.library import current_companies, models_for
from simulator.report_text import render_report
from simulator.scoring import ScoreReport
from simulator.store.models import Attempt, AttemptEvent, User


def _judged_from_log(s: Session, attempt: Attempt) -> ScoreReport:
    """An attempt never scored (abandoned before its end), judged from its own log."""
    scenario, company = models_for(s, attempt.scenario_version_id)
    rows = s.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id).order_by(AttemptEvent.seq)
    )
    events = [
        Event.from_json(
            {"t": r.t, "kind": r.kind, "actor": r.actor, "line": r.line, "data": r.data}
        )
        for r in rows
    ]
    return scoring.score(scenario, company, events)


def report_text(s: Session, attempt: Attempt, lang: str) -> str:
    """The attempt's score report as plain text, headed by who took it and when: the stored
    report with the instructor's overrides, exactly as the score page shows it."""
    scenario, _company = models_for(s, attempt.scenario_version_id)
    stored = review.effective_verdicts(s, attempt.id)
    if stored is None:
        report, overrides = _judged_from_log(s, attempt), []
    else:
        report = ScoreReport.from_json(stored)
        overrides = review.overrides_as_verdicts(s, attempt.id)
    trainee = s.get(User, attempt.trainee_id)
    head = [
        ("Score report" if lang == "en" else "Valutazione") + f": {scenario.title}",
        ("Trainee" if lang == "en" else "Allievo") + f": {trainee.display_name if trainee else ''}",
        ("Date" if lang == "en" else "Data") + f": {attempt.started_at.strftime('%d/%m/%Y %H:%M')}",
        "",
    ]
    return "\n".join(head) + render_report(report, lang, overrides)


def companies(s: Session) -> dict[str, Company]:
    """The newest stored version of each company, by id."""
    return current_companies(s)


def company(s: Session, company_id: str) -> Company | None:
    return current_companies(s).get(company_id)


def directory_text(company_model: Company, lang: str) -> str:
    return "\n".join(directory_lines(company_model, lang))
