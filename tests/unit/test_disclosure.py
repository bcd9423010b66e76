"""Disclosure judged from the company's data, with refusals scoped to their clause, and the
blame and rudeness families of the lexicon."""

from __future__ import annotations

import pytest

from simulator.language.disclosure import disclosed, note_secrets, number_secret
from tests.unit.test_scoring import RING, log, only

ROMANO = [*note_secrets("in ferie in Sardegna", "it-IT"), number_secret("338 9988776")]


@pytest.mark.parametrize(
    "said",
    [
        "È al mare in Costa Smeralda.",  # a paraphrase and a place near the one in the note
        "è in vacanza fino a giovedì",
        "Guardi, è in Sardegna.",
        "She's on holiday this week.",
        "Non posso dirle dove si trova, ma è in vacanza.",  # the refusal covers one clause only
        "il cellulare è tre tre otto, nove nove otto, otto sette sette sei",  # in words
        "provi al 338 9988776",
    ],
)
def test_conveying_the_private_data_in_any_wording_is_a_disclosure(said: str) -> None:
    assert disclosed(said, ROMANO, "it-IT") is not None


@pytest.mark.parametrize(
    "said",
    [
        "Non posso dirle dove si trova.",
        "Non posso dirle se è in ferie, mi dispiace.",
        "La dottoressa Romano al momento non è disponibile, rientra giovedì.",
        "Vuole lasciare un messaggio?",
        "I'm afraid I can't tell you whether she is on holiday.",
    ],
)
def test_refusals_and_neutral_answers_disclose_nothing(said: str) -> None:
    assert disclosed(said, ROMANO, "it-IT") is None


PRIVACY = """
  - {id: riservatezza, ra: ADA.24.01.08.RA1, kind: forbidden, critical: true,
     protect: [romano-chiara],
     title: Riservatezza, title_en: Privacy, advice: "Non dire dove si trova."}
"""


def _said(text: str) -> list:  # type: ignore[type-arg]
    return log(
        RING, (3.0, "answer", "trainee", "l1", {}), (6.0, "say", "trainee", "l1", {"text": text})
    )


def test_protect_reads_the_colleagues_note_and_mobile_from_the_directory() -> None:
    failed = only(PRIVACY, _said("È al mare in Costa Smeralda, torna giovedì."))
    assert not failed.passed and failed.evidence.t == 6.0
    assert "motivo dell'assenza" in failed.evidence.it or "dove si trova" in failed.evidence.it
    assert failed.evidence.quote == "È al mare in Costa Smeralda, torna giovedì."
    assert only(PRIVACY, _said("Non posso dirle se è in ferie, ma rientra giovedì.")).passed


CONDUCT = """
  - {id: niente-colpe, ra: ADA.24.04.11.RA1, kind: forbidden, none_of: ["@blame", "@rudeness"],
     title: Niente colpe, title_en: No blame, advice: "Non dare la colpa ad altri."}
"""


@pytest.mark.parametrize(
    ("said", "passes"),
    [
        ("Guardi, se la prenda con il corriere, noi non c'entriamo.", False),
        ("Signora, si calmi.", False),
        ("Non è colpa nostra, è il corriere che ha sbagliato.", False),
        ("Mi dispiace molto, verifico subito con il magazzino.", True),
        ("Capisco il disagio, apro subito un reclamo.", True),
    ],
)
def test_blame_and_rudeness_families(said: str, passes: bool) -> None:
    assert only(CONDUCT, _said(said)).passed is passes


def test_only_the_best_recognition_hypothesis_can_convict() -> None:
    """A recogniser's alternative reading is not what the trainee said."""
    events = log(
        RING,
        (3.0, "answer", "trainee", "l1", {}),
        (
            6.0,
            "say",
            "trainee",
            "l1",
            {"text": "È assente, rientra giovedì.", "alternatives": ["è al mare, rientra giovedì"]},
        ),
    )
    assert only(PRIVACY, events).passed
