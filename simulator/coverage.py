"""The qualification's expected results (RA) and activities, against a scenario library.

Activities are those of the qualification text (reference/qualifica-operatore-assistenza-
telefonica.txt); a scenario covers an activity when one of its criteria scores that RA through
the kind of work the activity names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from simulator.model import COMPETENCES, Scenario


@dataclass(frozen=True, slots=True)
class Activity:
    ra: str
    it: str
    en: str
    covers: Callable[[Scenario, object], bool]


def _family(*names: str) -> Callable[[Scenario, object], bool]:
    return lambda scenario, criterion: scenario.family in names


def _kind(kind: str, **fields: object) -> Callable[[Scenario, object], bool]:
    def check(scenario: Scenario, criterion: object) -> bool:
        if getattr(criterion, "kind", None) != kind:
            return False
        return all(
            getattr(criterion, name, None) in value  # type: ignore[operator]
            for name, value in fields.items()
        )

    return check


def _any(*checks: Callable[[Scenario, object], bool]) -> Callable[[Scenario, object], bool]:
    return lambda scenario, criterion: any(check(scenario, criterion) for check in checks)


ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        "ADA.24.01.08.RA1",
        "Ricezione e recapito di messaggi",
        "Taking and delivering messages",
        _any(
            _kind("form", form=("message", "fonogramma")),
            _kind("fonogramma"),
            _kind("action", expect=("take_message", "fonogramma")),
        ),
    ),
    Activity(
        "ADA.24.01.08.RA1",
        "Ricezione e smistamento delle telefonate",
        "Receiving and routing calls",
        _kind("action", expect=("transfer",)),
    ),
    Activity(
        "ADA.24.01.08.RA1",
        "Rilascio di informazioni e assistenza agli interlocutori",
        "Giving information and assistance",
        _family("informazioni", "emergenza"),
    ),
    Activity(
        "ADA.24.01.08.RA2",
        "Aggiornamento degli archivi telefonici",
        "Updating the phone directory",
        _kind("directory"),
    ),
    Activity(
        "ADA.24.01.08.RA2",
        "Ricerca di numeri telefonici",
        "Looking up phone numbers",
        _kind("action", expect=("directory_search",)),
    ),
    Activity(
        "ADA.24.01.08.RA2",
        "Verifica delle credenziali per chiamate in uscita",
        "Verifying credentials for outgoing calls",
        _kind("outcome"),
    ),
    Activity(
        "ADA.24.04.11.RA1",
        "Accoglienza telefonica dei clienti",
        "Welcoming callers",
        _kind("speech"),
    ),
    Activity(
        "ADA.24.04.11.RA1",
        "Informazioni su prodotti e servizi",
        "Information on products and services",
        _family("informazioni"),
    ),
    Activity(
        "ADA.24.04.11.RA1",
        "Indicazioni per piccole disfunzioni",
        "Guiding small fixes",
        _family("assistenza_tecnica"),
    ),
    Activity("ADA.24.04.11.RA1", "Gestione dei reclami", "Handling complaints", _family("reclami")),
    Activity(
        "ADA.24.04.11.RA2",
        "Compilazione dei report",
        "Filing call reports",
        _kind("form", form=("report",)),
    ),
    Activity(
        "ADA.24.04.11.RA2",
        "Inoltro all'assistenza tecnica",
        "Forwarding to technical support",
        _any(_kind("form", form=("ticket",)), _kind("action", expect=("ticket",))),
    ),
)


@dataclass(frozen=True, slots=True)
class CoverageRow:
    ra: str
    it: str
    en: str
    scenarios: tuple[str, ...]

    def activity(self, lang: str) -> str:
        return self.en if lang == "en" else self.it


def coverage_rows(scenarios: Iterable[Scenario]) -> list[CoverageRow]:
    """One row per activity with the scenarios that exercise it."""
    library = sorted(scenarios, key=lambda s: s.id)
    rows = []
    for activity in ACTIVITIES:
        covering = tuple(
            s.id
            for s in library
            if any(c.ra == activity.ra and activity.covers(s, c) for c in s.all_criteria())
        )
        rows.append(CoverageRow(activity.ra, activity.it, activity.en, covering))
    return rows


@dataclass(frozen=True, slots=True)
class CompetenceRow:
    """A competence of the qualification and the criteria (scenario/criterion) tagged with it."""

    competence: str
    it: str
    en: str
    criteria: tuple[str, ...]

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.it

    @property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(entry.split("/")[0] for entry in self.criteria))


def competence_rows(scenarios: Iterable[Scenario]) -> list[CompetenceRow]:
    """One row per competence with every ``scenario/criterion`` tagged with it."""
    library = sorted(scenarios, key=lambda s: s.id)
    rows = []
    for competence, (it, en) in COMPETENCES.items():
        tagged = tuple(
            f"{s.id}/{c.id}"
            for s in library
            for c in s.criteria
            if getattr(c, "competence", None) == competence
        )
        rows.append(CompetenceRow(competence, it, en, tagged))
    return rows
