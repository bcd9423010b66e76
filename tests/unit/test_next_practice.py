"""What to practise next and course-path unlocking, as pure functions of the trainee's results."""

from __future__ import annotations

from simulator.next_practice import (
    AttemptOutcome,
    CriterionOutcome,
    PathRule,
    ScenarioInfo,
    criterion_stats,
    levels_reached,
    locked,
    path_status,
    suggest,
)

RA1, RA2, RB1, RB2 = (
    "ADA.24.01.08.RA1",
    "ADA.24.01.08.RA2",
    "ADA.24.04.11.RA1",
    "ADA.24.04.11.RA2",
)
LIBRARY = [
    ScenarioInfo("smi-1", "smistamento", 1, frozenset({RA1})),
    ScenarioInfo("smi-2", "smistamento", 2, frozenset({RA1})),
    ScenarioInfo("smi-3", "smistamento", 3, frozenset({RA1})),
    ScenarioInfo("rub-1", "rubrica", 1, frozenset({RA2})),
    ScenarioInfo("rub-2", "rubrica", 2, frozenset({RA2})),
    ScenarioInfo("rec-1", "reclami", 1, frozenset({RB1})),
]


def _criterion(cid, ra, passed, judged=True):
    return CriterionOutcome(cid, ra, cid.title(), cid.upper(), judged, passed)


def _attempt(scenario_id, passed, *criteria, ra_passed=None):
    return AttemptOutcome(scenario_id, passed, ra_passed or {}, tuple(criteria))


def test_a_new_trainee_starts_at_level_1_in_course_order():
    suggestion = suggest(LIBRARY, [])
    assert suggestion is not None and suggestion.scenario_id == "smi-1"
    assert "livello 1" in suggestion.why_it and "level 1" in suggestion.why_en


def test_the_weakest_criterion_picks_the_family_and_the_reason_names_it():
    outcomes = [
        _attempt("smi-1", True, _criterion("apertura", RA1, True)),
        _attempt("rub-1", False, _criterion("ricerca", RA2, False)),
    ]
    suggestion = suggest(LIBRARY, outcomes)
    assert suggestion is not None and suggestion.scenario_id == "rub-1"
    assert "«Ricerca» (ADA.24.01.08.RA2)" in suggestion.why_it


def test_levels_go_one_at_a_time():
    outcomes = [_attempt("smi-1", True, _criterion("apertura", RA1, False))]
    assert levels_reached(outcomes, {s.scenario_id: s for s in LIBRARY}) == {"smistamento": 1}
    suggestion = suggest(LIBRARY, outcomes)
    # RA1 is the weakest: level 2 of its family is next, never level 3 before 2 is passed.
    assert suggestion is not None and suggestion.scenario_id == "smi-2"
    outcomes.append(_attempt("smi-2", True, _criterion("apertura", RA1, False)))
    assert suggest(LIBRARY, outcomes).scenario_id == "smi-3"


def test_not_judged_criteria_do_not_count_as_weak():
    stats = criterion_stats(
        [
            _attempt(
                "x", False, _criterion("a", RA1, False, judged=False), _criterion("b", RA1, True)
            )
        ]
    )
    assert [(s.criterion_id, s.judged, s.passed) for s in stats] == [("b", 1, 1)]


def test_nothing_left_to_try_is_no_suggestion():
    only = [ScenarioInfo("rec-1", "reclami", 1, frozenset({RB1}))]
    assert suggest(only, [_attempt("rec-1", True)]) is None


def test_path_steps_unlock_on_the_previous_scenario_or_its_ra():
    path = [
        PathRule("smi-1", "always"),
        PathRule("rub-1", "previous_passed", RA1),
        PathRule("rec-1", "previous_passed"),
    ]
    fresh = path_status(path, [])
    assert [s.unlocked for s in fresh] == [True, False, False]
    assert locked(fresh) == {"rub-1", "rec-1"}
    # smi-1 failed overall but with RA1 passed: the RA rule opens rub-1, not rec-1.
    some = [_attempt("smi-1", False, ra_passed={RA1: True, RB2: False})]
    assert [s.unlocked for s in path_status(path, some)] == [True, True, False]
    # A pass of rec-1's predecessor opens it.
    more = [*some, _attempt("rub-1", True, ra_passed={RA2: True})]
    statuses = path_status(path, more)
    assert [s.unlocked for s in statuses] == [True, True, True]
    assert [s.passed for s in statuses] == [False, True, False]


def test_a_step_after_a_locked_one_stays_locked_even_if_its_rule_holds():
    path = [PathRule("smi-1", "always"), PathRule("smi-2"), PathRule("smi-3")]
    # smi-2 passed somehow (free practice before the path was set) but smi-1 not: smi-2 locked.
    outcomes = [_attempt("smi-2", True)]
    assert [s.unlocked for s in path_status(path, outcomes)] == [True, False, False]


def test_the_course_path_comes_first_and_locked_steps_are_never_suggested():
    path = path_status([PathRule("rec-1", "always"), PathRule("smi-1")], [])
    suggestion = suggest(LIBRARY, [], path)
    assert suggestion is not None and suggestion.scenario_id == "rec-1"
    assert suggestion.why_it == "Passo 1 del percorso del corso."
    passed_first = [_attempt("rec-1", True)]
    path = path_status([PathRule("rec-1", "always"), PathRule("smi-1")], passed_first)
    assert suggest(LIBRARY, passed_first, path).scenario_id == "smi-1"
    locked_path = path_status([PathRule("rec-1", "always"), PathRule("smi-1")], [])
    blocked = suggest([s for s in LIBRARY if s.scenario_id != "rec-1"], [], locked_path)
    assert blocked is not None and blocked.scenario_id != "smi-1"
