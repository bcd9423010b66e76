"""Scripted trainees: a YAML list of timed utterances and console actions, with expectations.

Every bundled scenario ships a good and a poor script (``scenarios/scripts/<id>.good.yaml`` and
``.poor.yaml``); the tests, the CLI's ``run`` and the phone driver all play them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.errors import ScenarioError, ScriptError
from simulator.events import ACTION_KINDS, Action
from simulator.model import RA_IDS
from simulator.yaml_source import parse


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Turn(_Strict):
    """One thing the trainee does at a time (seconds from the start of the session)."""

    at: float = Field(ge=0)
    say: str | None = None
    do: str | None = None
    line: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    alternatives: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_thing(self) -> Turn:
        if (self.say is None) == (self.do is None):
            raise ValueError("ogni turno ha 'say' oppure 'do' / each turn has 'say' or 'do'")
        if self.do is not None and (self.do not in ACTION_KINDS or self.do == "say"):
            raise ValueError(f"azione sconosciuta '{self.do}' / unknown action")
        return self

    def action(self) -> Action:
        if self.say is not None:
            data: dict[str, Any] = {"text": self.say, "source": "typed"}
            if self.alternatives:
                data["alternatives"] = list(self.alternatives)
            return Action("say", self.line, data)
        assert self.do is not None
        return Action(self.do, self.line, dict(self.data))


class FailingCriterion(_Strict):
    id: str
    between_s: tuple[float, float] | None = Field(
        None, description="Evidence time expected in this window (seconds)"
    )
    evidence_has: list[str] = Field(
        default_factory=list,
        description="Words the evidence must name, in Italian or English (a missed item)",
    )


class Expectation(_Strict):
    passes: Literal["all"] | list[str] = Field(default_factory=list)
    fails: list[str] = Field(default_factory=list)
    failing: list[FailingCriterion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_ras(self) -> Expectation:
        listed = list(self.fails) + ([] if self.passes == "all" else list(self.passes))
        for ra in listed:
            if ra not in RA_IDS:
                raise ValueError(f"RA sconosciuto '{ra}'")
        return self


class Script(_Strict):
    scenario: str
    description: str = ""
    multiplier: float = Field(1.0, ge=0.5, le=5)
    expect: Expectation = Expectation()
    turns: list[Turn] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Script:
        times = [turn.at for turn in self.turns]
        if times != sorted(times):
            raise ValueError("i turni devono essere in ordine di tempo / turns out of time order")
        return self


def load_script(path: Path | str) -> Script:
    """Read a scripted trainee, with errors naming the file."""
    path = Path(path)
    try:
        raw = parse(path.read_text(encoding="utf-8"), str(path)).data
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(
            f"{path}: file non leggibile: {exc}", f"{path}: unreadable: {exc}"
        ) from exc
    except ScenarioError as exc:
        raise ScriptError(exc.it, exc.en) from exc
    try:
        return Script.model_validate(raw)
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        joined = "; ".join(parts)
        raise ScriptError(f"{path}: {joined}", f"{path}: {joined}") from exc
