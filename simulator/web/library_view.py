"""The trainee's library as a trainee finds their way in it: grouped by family, then level (level 1
first), human names for families, levels and languages, and on every card whether it was
practised and the last result. A GET filter (family, level, language, practised) works
without JavaScript.

``install(app)`` also gives every template ``family_name``, ``level_name`` and
``language_name`` in the reader's language, so the instructor pages use the same names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator import names
from simulator.flaskkit.i18n import lang
from simulator.store.models import Attempt, ScenarioVersion, Score

PRACTISED_CHOICES = ("", "new", "failed", "passed")


@dataclass(frozen=True, slots=True)
class History:
    """What the trainee has done with one scenario."""

    attempts: int = 0
    last_status: str = ""  # "", "active", "passed", "failed", "finished"
    last_attempt_id: int | None = None
    last_started: datetime | None = None


@dataclass(frozen=True, slots=True)
class Card:
    version: ScenarioVersion
    history: History


@dataclass(slots=True)
class LevelGroup:
    level: int
    name: str
    cards: list[Card] = field(default_factory=list)


@dataclass(slots=True)
class FamilyGroup:
    family: str
    name: str
    levels: list[LevelGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.cards) for group in self.levels)


@dataclass(frozen=True, slots=True)
class Filters:
    """The library filter, read from the query string; unknown values are ignored."""

    family: str = ""
    level: int | None = None
    language: str = ""
    practised: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        level = args.get("level", "")
        practised = args.get("practised", "")
        return cls(
            family=args.get("family", "").strip(),
            level=int(level) if level.isdigit() else None,
            language=args.get("language", "").strip(),
            practised=practised if practised in PRACTISED_CHOICES else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.family or self.level or self.language or self.practised)

    def keeps(self, card: Card) -> bool:
        v, status = card.version, card.history.last_status
        if self.family and v.family != self.family:
            return False
        if self.level and v.level != self.level:
            return False
        if self.language and v.language != self.language:
            return False
        if self.practised == "new":
            return card.history.attempts == 0
        if self.practised == "failed":
            return status == "failed"
        if self.practised == "passed":
            return status == "passed"
        return True


def histories(session: Session, trainee_id: int) -> dict[str, History]:
    """Per scenario id: how many attempts and the last one's result (any version)."""
    rows = session.execute(
        select(ScenarioVersion.scenario_id, Attempt.id, Attempt.status, Attempt.started_at, Score)
        .join(ScenarioVersion, Attempt.scenario_version_id == ScenarioVersion.id)
        .outerjoin(Score, Score.attempt_id == Attempt.id)
        .where(Attempt.trainee_id == trainee_id)
        .order_by(Attempt.id)
    ).all()
    out: dict[str, History] = {}
    for scenario_id, attempt_id, status, started, score in rows:
        if status == "active":
            last = "active"
        elif score is not None:
            last = "passed" if score.passed else "failed"
        else:
            last = "finished"
        count = out[scenario_id].attempts + 1 if scenario_id in out else 1
        out[scenario_id] = History(count, last, attempt_id, started)
    return out


def cards(versions: Sequence[ScenarioVersion], done: Mapping[str, History]) -> list[Card]:
    return [Card(v, done.get(v.scenario_id, History())) for v in versions]


def grouped(items: Sequence[Card], ui_lang: str) -> list[FamilyGroup]:
    """Families in the course's order, levels from 1, cards by language then title."""
    ordered = sorted(
        items,
        key=lambda c: (
            names.family_order(c.version.family),
            c.version.family,
            c.version.level,
            c.version.language != "it-IT",
            c.version.language,
            c.version.title,
        ),
    )
    families: list[FamilyGroup] = []
    for card in ordered:
        v = card.version
        if not families or families[-1].family != v.family:
            families.append(FamilyGroup(v.family, names.family_name(v.family, ui_lang)))
        levels = families[-1].levels
        if not levels or levels[-1].level != v.level:
            levels.append(LevelGroup(v.level, names.level_name(v.level, ui_lang)))
        levels[-1].cards.append(card)
    return families


def filter_options(versions: Sequence[ScenarioVersion], ui_lang: str) -> dict[str, Any]:
    """The choices of the filter: only what the library holds, with human names."""
    families = sorted({v.family for v in versions}, key=lambda f: (names.family_order(f), f))
    languages = sorted({v.language for v in versions}, key=lambda code: (code != "it-IT", code))
    return {
        "families": [(f, names.family_name(f, ui_lang)) for f in families],
        "levels": [(n, names.level_name(n, ui_lang)) for n in sorted({v.level for v in versions})],
        "languages": [(code, names.language_name(code, ui_lang)) for code in languages],
    }


def install(app: Flask) -> None:
    """The human names as template globals, in the reader's language."""

    @app.context_processor
    def _names() -> dict[str, Any]:
        reader = lang()
        return {
            "family_name": lambda family: names.family_name(family, reader),
            "level_name": lambda level: names.level_name(level, reader),
            "language_name": lambda code: names.language_name(code, reader),
        }
