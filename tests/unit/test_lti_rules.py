"""Who an LTI launch makes an instructor, and the mark a practice score becomes."""

from __future__ import annotations

import pytest

from simulator.practice.lti import display_name_of, is_instructor
from simulator.practice.lti_grades import practice_mark

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("roles", "instructor"),
    [
        ([LIS + "membership#Instructor"], True),
        ([LIS + "membership/Instructor#TeachingAssistant"], True),
        ([LIS + "institution/person#Administrator", LIS + "membership#Learner"], True),
        ([LIS + "membership#ContentDeveloper"], True),
        ([LIS + "membership#Learner"], False),
        ([LIS + "institution/person#Student"], False),
        ([LIS + "membership#Mentor"], False),
        ([], False),
    ],
)
def test_teaching_roles_make_instructors_everyone_else_trainees(roles, instructor):
    assert is_instructor(roles) is instructor


def test_the_name_comes_from_the_platform_or_a_neutral_label():
    assert display_name_of({"name": " Giulia Verdi "}, "Moodle") == "Giulia Verdi"
    assert display_name_of({"given_name": "Giulia", "family_name": "Verdi"}, "M") == "Giulia Verdi"
    assert display_name_of({}, "Moodle di prova") == "Utente Moodle di prova"


def test_the_practice_mark_is_the_report_score_out_of_100_with_the_ras():
    report = {
        "scenario": "web-messaggio",
        "passed": False,
        "score": 0.6666,
        "ra": {"ADA.24.04.11.RA1": {"score": 0.5}, "ADA.24.01.08.RA1": {"score": 0.8333}},
    }
    mark = practice_mark(None, 1, report)  # type: ignore[arg-type]
    assert (mark.score_given, mark.score_maximum, mark.source) == (66.7, 100.0, "practice")
    assert mark.comment == (
        "Centralino: web-messaggio · Non superato / Not passed · "
        "ADA.24.01.08.RA1 83%, ADA.24.04.11.RA1 50%"
    )
