"""Scripted trainees: a YAML list of timed utterances and console actions, with expectations.

Every bundled scenario ships a good and a poor script (``scenarios/scripts/<id>.good.yaml`` and
``.poor.yaml``); the tests, the CLI's ``run`` and the phone driver all play them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from simulator.errors import Problem, ScenarioError, ScriptError
from simulator.events import ACTION_KINDS, Action
from simulator.model import RA_IDS, Scenario
from simulator.pruning import prune
from simulator.scoring import ScoreReport
from simulator.validation import bilingual_error, did_you_mean, validation_problems
from simulator.yaml_source import Document, decode, parse


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


TRAINEE_ACTIONS: tuple[str, ...] = tuple(sorted(ACTION_KINDS - {"say"}))


class Turn(_Strict):
    """One thing the trainee does at a time (seconds from the start of the session)."""

    at: float = Field(ge=0, description="Secondi dall'inizio / seconds from the start")
    say: str | None = Field(None, description="Cosa dice l'allievo / what the trainee says")
    do: str | None = Field(None, description="Azione della console / console action")
    line: str | None = Field(None, description="Linea dell'azione / line acted on")
    data: dict[str, Any] = Field(
        default_factory=dict, description="Dati dell'azione / the action's data"
    )
    alternatives: list[str] = Field(
        default_factory=list, description="Altre ipotesi del riconoscitore / other hypotheses"
    )

    @field_validator("do")
    @classmethod
    def _known_action(cls, value: str | None) -> str | None:
        if value is not None and value not in TRAINEE_ACTIONS:
            fix_it, fix_en = did_you_mean(value, TRAINEE_ACTIONS)
            raise bilingual_error(
                f"azione sconosciuta '{value}'{fix_it}", f"unknown action '{value}'{fix_en}"
            )
        return value

    @model_validator(mode="after")
    def _one_thing(self) -> Turn:
        if (self.say is None) == (self.do is None):
            raise bilingual_error(
                "ogni turno ha 'say' oppure 'do' (uno solo)",
                "each turn has 'say' or 'do' (exactly one)",
            )
        return self

    def action(self) -> Action:
        if self.say is not None:
            data: dict[str, Any] = {"text": self.say, "source": "typed"}
            if self.alternatives:
                data["alternatives"] = list(self.alternatives)
            return Action("say", self.line, data)
        assert self.do is not None
        return Action(self.do, self.line, dict(self.data))


def _known_ra(value: str) -> str:
    if value not in RA_IDS:
        fix_it, fix_en = did_you_mean(value, RA_IDS)
        raise bilingual_error(f"RA sconosciuto '{value}'{fix_it}", f"unknown RA '{value}'{fix_en}")
    return value


RaId = Annotated[str, AfterValidator(_known_ra)]


class FailingCriterion(_Strict):
    id: str = Field(description="Criterio che deve fallire / criterion that must fail")
    between_s: tuple[float, float] | None = Field(
        None,
        description="Prova attesa in questa finestra (s) / evidence expected in this window (s)",
    )
    evidence_has: list[str] = Field(
        default_factory=list,
        description=(
            "Parole che la prova deve nominare, in italiano o inglese (una voce mancata) / "
            "words the evidence must name, in Italian or English (a missed item)"
        ),
    )


class Expectation(_Strict):
    """What ``simulator run`` checks after scoring: a difference makes it exit with 1."""

    passes: Literal["all"] | list[RaId] = Field(
        default_factory=list,
        description="RA superati ('all': tutti quelli valutati) / RA passed ('all': every one)",
    )
    fails: list[RaId] = Field(default_factory=list, description="RA non superati / RA failed")
    failing: list[FailingCriterion] = Field(
        default_factory=list, description="Criteri non superati / criteria failed"
    )


class Script(_Strict):
    """A scripted trainee: the scenario it plays, its turns and the outcome it expects."""

    scenario: str = Field(description="Id dello scenario / scenario id")
    description: str = Field("", description="A cosa serve / what it shows")
    multiplier: float = Field(
        1.0, ge=0.5, le=5, description="Moltiplicatore dei tempi / time multiplier"
    )
    expect: Expectation = Field(
        default_factory=Expectation, description="Esito atteso / expected outcome"
    )
    turns: list[Turn] = Field(min_length=1, description="I turni in ordine / the turns, in order")


def _order_problems(script: Script, doc: Document, file: str) -> list[Problem]:
    problems = []
    for index in range(1, len(script.turns)):
        before, turn = script.turns[index - 1], script.turns[index]
        if turn.at < before.at:
            line, column = doc.position(("turns", index, "at"))
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    f"turns[{index}].at",
                    f"i turni vanno in ordine di tempo: il turno {index + 1} (at: {turn.at:g})"
                    f" viene prima del turno {index} (at: {before.at:g})",
                    f"turns go in time order: turn {index + 1} (at: {turn.at:g}) comes before"
                    f" turn {index} (at: {before.at:g})",
                )
            )
    return problems


def check_script(
    script: Script, doc: Document, file: str, scenarios: Mapping[str, Scenario]
) -> list[Problem]:
    """The script's references to its scenario: the scenario itself, its lines, its rubric."""

    def add(path: tuple[str | int, ...], shown: str, it: str, en: str) -> None:
        line, column = doc.position(path)
        problems.append(Problem(file, line, column, shown, it, en))

    problems: list[Problem] = []
    scenario = scenarios.get(script.scenario)
    if scenario is None:
        fix_it, fix_en = did_you_mean(script.scenario, set(scenarios))
        add(
            ("scenario",),
            "scenario",
            f"scenario sconosciuto '{script.scenario}'{fix_it}",
            f"unknown scenario '{script.scenario}'{fix_en}",
        )
        return problems
    lines = {call.line for call in scenario.calls}
    for index, turn in enumerate(script.turns):
        if turn.line is not None and turn.line not in lines:
            fix_it, fix_en = did_you_mean(turn.line, lines)
            add(
                ("turns", index, "line"),
                f"turns[{index}].line",
                f"linea sconosciuta '{turn.line}' nello scenario '{scenario.id}'{fix_it}",
                f"unknown line '{turn.line}' in scenario '{scenario.id}'{fix_en}",
            )
    judged = {criterion.ra for criterion in scenario.all_criteria()}
    listed = [("fails", i, ra) for i, ra in enumerate(script.expect.fails)]
    if script.expect.passes != "all":
        listed += [("passes", i, ra) for i, ra in enumerate(script.expect.passes)]
    for key, index, ra in listed:
        if ra not in judged:
            add(
                ("expect", key, index),
                f"expect.{key}[{index}]",
                f"RA '{ra}' non valutato dallo scenario '{scenario.id}': valuta "
                + ", ".join(sorted(judged)),
                f"RA '{ra}' is not judged by scenario '{scenario.id}': it judges "
                + ", ".join(sorted(judged)),
            )
    criteria = {criterion.id for criterion in scenario.all_criteria()}
    for index, failing in enumerate(script.expect.failing):
        if failing.id not in criteria:
            fix_it, fix_en = did_you_mean(failing.id, criteria)
            add(
                ("expect", "failing", index, "id"),
                f"expect.failing[{index}].id",
                f"criterio sconosciuto '{failing.id}' nello scenario '{scenario.id}'{fix_it}",
                f"unknown criterion '{failing.id}' in scenario '{scenario.id}'{fix_en}",
            )
    return problems


def turn_numbers(problem: Problem) -> Problem:
    """Count turns from 1, as instructors do: 'turns#8' and "turno 8: ..." for the eighth."""
    found = re.match(r"^turns\[(\d+)\]", problem.path)
    if found is None:
        return problem
    number = int(found.group(1)) + 1
    path = f"turns#{number}" + problem.path[found.end() :]
    it = problem.it if problem.it.startswith("i turni") else f"turno {number}: {problem.it}"
    en = problem.en if problem.en.startswith("turns go") else f"turn {number}: {problem.en}"
    return dataclasses.replace(problem, path=path, it=it, en=en)


def parse_script(
    text: str,
    file: str,
    scenarios: Mapping[str, Scenario] | None = None,
    *,
    playing: Scenario | None = None,
) -> tuple[Script, Document]:
    """A script and its positions from YAML text; ``ScriptError`` lists every problem in it.

    With ``scenarios`` (or the one scenario it will be ``playing``, whatever id it names) the
    references to the scenario, its lines and its criteria are checked too, in the same run.
    """
    try:
        doc = parse(text, file)
    except ScenarioError as exc:
        raise ScriptError.of(exc.problems) from None

    def references(script: Script, at: Document) -> list[Problem]:
        found = _order_problems(script, at, file)
        if playing is not None:
            return found + check_script(script, at, file, {script.scenario: playing})
        if scenarios is not None:
            return found + check_script(script, at, file, scenarios)
        return found

    try:
        script = Script.model_validate(doc.data)
    except ValidationError as exc:
        problems = validation_problems(exc, doc, Script, file)
        pruned = prune(Script, doc)
        if pruned is not None and isinstance(pruned.instance, Script):
            # A best effort beside the model's problems, never instead of them.
            with contextlib.suppress(Exception):
                problems += [pruned.restore(p) for p in references(pruned.instance, pruned.doc)]
        raise ScriptError.of([turn_numbers(p) for p in problems]) from None
    problems = references(script, doc)
    if problems:
        raise ScriptError.of([turn_numbers(p) for p in problems])
    return script, doc


def load_script(path: Path | str) -> Script:
    """Read a scripted trainee, with every problem placed by file, line and column."""
    path = Path(path)
    try:
        text = decode(path.read_bytes(), str(path))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScriptError(
            f"{path}: file non leggibile: {reason}", f"{path}: unreadable: {reason}"
        ) from exc
    except ScenarioError as exc:
        raise ScriptError.of(exc.problems) from None
    return parse_script(text, str(path))[0]


def expectation_differences(expect: Expectation, report: ScoreReport) -> list[tuple[str, str]]:
    """How the scored outcome differs from what the script's ``expect`` says (Italian, English).

    Empty when the outcome is the expected one; ``simulator run`` exits with 1 otherwise.
    """
    differences: list[tuple[str, str]] = []

    def ra_state(ra: str) -> tuple[str, str]:
        result = report.ra.get(ra)
        if result is None:
            return "non valutato", "not judged"
        if result.passed:
            return f"superato ({result.score:.0%})", f"passed ({result.score:.0%})"
        return f"non superato ({result.score:.0%})", f"failed ({result.score:.0%})"

    passes = sorted(report.ra) if expect.passes == "all" else list(expect.passes)
    for ra in passes:
        result = report.ra.get(ra)
        if result is None or not result.passed:
            it, en = ra_state(ra)
            differences.append(
                (f"atteso {ra} superato, invece {it}", f"expected {ra} passed, got {en}")
            )
    for ra in expect.fails:
        result = report.ra.get(ra)
        if result is None or result.passed:
            it, en = ra_state(ra)
            differences.append(
                (f"atteso {ra} non superato, invece {it}", f"expected {ra} failed, got {en}")
            )
    by_id = {criterion.id: criterion for criterion in report.criteria}
    for failing in expect.failing:
        found = by_id.get(failing.id)
        if found is None:
            differences.append(
                (
                    f"criterio '{failing.id}' assente dal risultato",
                    f"criterion '{failing.id}' missing from the result",
                )
            )
            continue
        if found.passed:
            differences.append(
                (
                    f"atteso il criterio '{failing.id}' non superato, invece superato"
                    f" ({found.score:.0%})",
                    f"expected criterion '{failing.id}' failed, got passed ({found.score:.0%})",
                )
            )
            continue
        if failing.between_s is not None:
            low, high = failing.between_s
            at = found.evidence.t
            if at is None or not low <= at <= high:
                shown = "senza tempo" if at is None else f"a {at:g} s"
                shown_en = "with no time" if at is None else f"at {at:g} s"
                differences.append(
                    (
                        f"criterio '{failing.id}': prova {shown}, attesa tra {low:g} e {high:g} s",
                        f"criterion '{failing.id}': evidence {shown_en}, expected between"
                        f" {low:g} and {high:g} s",
                    )
                )
    return differences
