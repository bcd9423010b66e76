"""Classes of trainees: who teaches them, who is in them, and each class's course path.

An instructor sees and changes only the classes they teach (:func:`taught_class` returns None
otherwise, which the pages turn into a 404). A trainee's course paths come from every class
they are in; a step locked in any of them cannot be started (:func:`locked_for`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from simulator.errors import CentralinoError
from simulator.names import FAMILY_NAMES
from simulator.next_practice import (
    AttemptOutcome,
    PathRule,
    ScenarioInfo,
    StepStatus,
    Suggestion,
    locked,
    path_status,
    suggest,
)
from simulator.store.models import (
    UNLOCK_RULES,
    Assignment,
    Attempt,
    ClassInstructor,
    ClassMember,
    PathStep,
    ScenarioVersion,
    SchoolClass,
    Score,
    User,
)

NAME_MAX = 120


class ClassError(CentralinoError):
    """A class change refused, with the reason in Italian and English."""

    def __init__(self, it: str, en: str, field: str = "name") -> None:
        super().__init__(it, en)
        self.field = field


def create_class(s: Session, name: str, instructor_id: int) -> SchoolClass:
    """A new class taught by ``instructor_id``; the name must be new and not blank."""
    name = " ".join(name.split())
    if not name:
        raise ClassError("Scrivi il nome della classe.", "Type the class name.")
    if len(name) > NAME_MAX:
        raise ClassError(
            f"Il nome è troppo lungo: al massimo {NAME_MAX} caratteri.",
            f"The name is too long: at most {NAME_MAX} characters.",
        )
    if s.scalar(select(SchoolClass.id).where(SchoolClass.name == name)) is not None:
        raise ClassError(
            "Esiste già una classe con questo nome.", "A class with this name already exists."
        )
    klass = SchoolClass(name=name)
    s.add(klass)
    s.flush()
    s.add(ClassInstructor(class_id=klass.id, user_id=instructor_id))
    return klass


def classes_taught(s: Session, instructor_id: int) -> list[SchoolClass]:
    return list(
        s.scalars(
            select(SchoolClass)
            .join(ClassInstructor, ClassInstructor.class_id == SchoolClass.id)
            .where(ClassInstructor.user_id == instructor_id)
            .order_by(SchoolClass.name)
        )
    )


def taught_class(s: Session, class_id: int, instructor_id: int) -> SchoolClass | None:
    """The class, if ``instructor_id`` teaches it."""
    return s.scalar(
        select(SchoolClass)
        .join(ClassInstructor, ClassInstructor.class_id == SchoolClass.id)
        .where(SchoolClass.id == class_id, ClassInstructor.user_id == instructor_id)
    )


def _users(s: Session, ids: Iterable[int], role: str) -> set[int]:
    wanted = set(ids)
    if not wanted:
        return set()
    return set(s.scalars(select(User.id).where(User.id.in_(wanted), User.role == role)))


def set_members(s: Session, klass: SchoolClass, trainee_ids: Iterable[int]) -> None:
    """Replace the class's trainees (ids of other roles are ignored)."""
    wanted = _users(s, trainee_ids, "trainee")
    current = set(s.scalars(select(ClassMember.user_id).where(ClassMember.class_id == klass.id)))
    s.execute(
        delete(ClassMember).where(
            ClassMember.class_id == klass.id, ClassMember.user_id.in_(current - wanted)
        )
    )
    for user_id in sorted(wanted - current):
        s.add(ClassMember(class_id=klass.id, user_id=user_id))


def set_instructors(s: Session, klass: SchoolClass, instructor_ids: Iterable[int], me: int) -> None:
    """Replace the class's instructors; the one making the change always stays."""
    wanted = _users(s, instructor_ids, "instructor") | {me}
    s.execute(delete(ClassInstructor).where(ClassInstructor.class_id == klass.id))
    for user_id in sorted(wanted):
        s.add(ClassInstructor(class_id=klass.id, user_id=user_id))


def set_path(s: Session, klass: SchoolClass, rules: Sequence[PathRule]) -> None:
    """Replace the course path with ``rules``, in order."""
    known = set(s.scalars(select(ScenarioVersion.scenario_id).where(ScenarioVersion.current)))
    seen: set[str] = set()
    for rule in rules:
        if rule.scenario_id not in known or rule.unlock not in UNLOCK_RULES:
            raise ClassError("Scenario o regola sconosciuti.", "Unknown scenario or rule.", "path")
        if rule.scenario_id in seen:
            raise ClassError(
                "Uno scenario compare due volte nel percorso.",
                "A scenario is in the path twice.",
                "path",
            )
        seen.add(rule.scenario_id)
    s.execute(delete(PathStep).where(PathStep.class_id == klass.id))
    for position, rule in enumerate(rules, start=1):
        s.add(
            PathStep(
                class_id=klass.id,
                position=position,
                scenario_id=rule.scenario_id,
                unlock=rule.unlock,
                ra=rule.ra if rule.unlock == "previous_passed" else None,
            )
        )


def member_ids(s: Session, klass: SchoolClass) -> list[int]:
    return list(
        s.scalars(
            select(User.id)
            .join(ClassMember, ClassMember.user_id == User.id)
            .where(ClassMember.class_id == klass.id)
            .order_by(User.display_name)
        )
    )


def classes_of_trainee(s: Session, trainee_id: int) -> list[SchoolClass]:
    return list(
        s.scalars(
            select(SchoolClass)
            .join(ClassMember, ClassMember.class_id == SchoolClass.id)
            .where(ClassMember.user_id == trainee_id)
            .order_by(SchoolClass.name)
        )
    )


def outcomes_of(s: Session, trainee_id: int) -> list[AttemptOutcome]:
    """The trainee's scored attempts, oldest first."""
    rows = s.execute(
        select(ScenarioVersion.scenario_id, Score.report)
        .join(Attempt, Attempt.scenario_version_id == ScenarioVersion.id)
        .join(Score, Score.attempt_id == Attempt.id)
        .where(Attempt.trainee_id == trainee_id)
        .order_by(Attempt.id)
    ).all()
    return [AttemptOutcome.from_report(scenario_id, report) for scenario_id, report in rows]


def rules_of(klass: SchoolClass) -> list[PathRule]:
    return [PathRule(step.scenario_id, step.unlock, step.ra) for step in klass.path]


def paths_of(
    s: Session, trainee_id: int, outcomes: Sequence[AttemptOutcome] | None = None
) -> list[tuple[SchoolClass, list[StepStatus]]]:
    """Each class of the trainee that has a course path, with the path's open and locked steps."""
    done = outcomes_of(s, trainee_id) if outcomes is None else outcomes
    return [
        (klass, path_status(rules_of(klass), done))
        for klass in classes_of_trainee(s, trainee_id)
        if klass.path
    ]


def locked_for(s: Session, trainee_id: int) -> set[str]:
    """Scenario ids the trainee may not start yet (locked in any of their classes' paths)."""
    out: set[str] = set()
    for _klass, statuses in paths_of(s, trainee_id):
        out |= locked(statuses)
    return out


def scenario_infos(versions: Iterable[ScenarioVersion]) -> list[ScenarioInfo]:
    """Library scenarios in course order (family order, then level), with the RAs they judge."""
    from simulator.practice.library import models_of

    order = {family: i for i, family in enumerate(FAMILY_NAMES)}
    infos = []
    for version in versions:
        scenario, _company = models_of(version)
        infos.append(
            ScenarioInfo(
                version.scenario_id,
                version.family,
                version.level,
                frozenset(c.ra for c in scenario.criteria),
            )
        )
    return sorted(infos, key=lambda i: (order.get(i.family, 99), i.family, i.level, i.scenario_id))


def playable_for(s: Session, trainee_id: int, free_practice: bool) -> list[ScenarioVersion]:
    """The current scenarios the trainee may start: all with free practice, else the assigned."""
    from simulator.practice.library import current_scenarios

    versions = current_scenarios(s)
    if free_practice:
        return versions
    assigned = set(
        s.scalars(select(Assignment.scenario_id).where(Assignment.trainee_id == trainee_id))
    )
    return [v for v in versions if v.scenario_id in assigned]


def suggestion_for(
    s: Session, trainee_id: int, playable: Iterable[ScenarioVersion]
) -> tuple[Suggestion | None, list[tuple[SchoolClass, list[StepStatus]]]]:
    """The next scenario for the trainee among ``playable``, and their course paths."""
    outcomes = outcomes_of(s, trainee_id)
    paths = paths_of(s, trainee_id, outcomes)
    steps = [step for _klass, statuses in paths for step in statuses]
    return suggest(scenario_infos(playable), outcomes, steps), paths
