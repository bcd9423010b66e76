"""The register, language, promise and hold_etiquette kinds, in it, en, fr, de and es."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.model import Scenario
from simulator.scoring import score
from simulator.yaml_source import parse
from tests.unit.test_engine import COMPANY
from tests.unit.test_scoring import BASE, RING, log

ANSWER = (2.0, "answer", "trainee", "l1", {})


def judge(criterion: str, events: list[Any], language: str = "it-IT") -> Any:
    text = BASE.replace("language: it-IT", f"language: {language}") + "criteria:\n" + criterion
    scenario = Scenario.model_validate(parse(text, "nuovi.yaml").data)
    return score(scenario, COMPANY, events).criteria[0]


def said(*texts: str) -> list[Any]:
    turns = [(4.0 + 3 * n, "say", "trainee", "l1", {"text": t}) for n, t in enumerate(texts)]
    return log(RING, ANSWER, *turns)


REGISTER = """
  - {id: registro, ra: ADA.24.04.11.RA1, kind: register,
     title: Dà del Lei, title_en: Formal address, advice: "Dai del Lei a chi chiama."}
"""


@pytest.mark.parametrize(
    ("language", "formal", "informal", "form"),
    [
        (
            "it-IT",
            "Mi dica, le passo subito il collega.",
            "Dimmi pure, ti passo il collega.",
            "dimmi",
        ),
        ("en-GB", "Certainly, one moment please.", "Yeah mate, hang on a sec.", "mate"),
        (
            "fr-FR",
            "Ne quittez pas, je vous passe le service.",
            "Ne quitte pas, je te passe le service.",
            "ne quitte pas",
        ),
        ("de-DE", "Bleiben Sie dran, ich verbinde Sie.", "Bleib dran, ich verbinde dich.", "dich"),
        (
            "es-ES",
            "Espere, le paso con el departamento.",
            "Espera, te paso con el departamento.",
            "te",
        ),
    ],
)
def test_register_keeps_formal_address_and_quotes_the_informal_form(
    language: str, formal: str, informal: str, form: str
) -> None:
    assert judge(REGISTER, said("Buongiorno", formal), language).passed
    failed = judge(REGISTER, said(formal, informal), language)
    assert not failed.passed and failed.evidence.quote == informal and failed.evidence.t == 7.0
    assert f"«{form}»" in failed.evidence.it or "«" in failed.evidence.it


@pytest.mark.parametrize(
    ("language", "formal"),
    [
        ("it-IT", "Il dottor Rossi la aspetta alle dieci, si accomodi pure."),
        ("es-ES", "Disculpe la espera, le paso con el departamento."),
        ("fr-FR", "J'attends votre confirmation, je vous rappelle demain."),
    ],
)
def test_register_words_with_a_formal_reading_are_not_informal(language: str, formal: str) -> None:
    assert judge(REGISTER, said(formal), language).passed


def test_register_is_not_judged_when_the_operator_said_nothing() -> None:
    assert not judge(REGISTER, log(RING, ANSWER)).judged


LANGUAGE = """
  - {id: lingua, ra: ADA.24.04.11.RA1, kind: language,
     title: Parla la lingua della chiamata, title_en: Speaks the call's language,
     advice: "Resta nella lingua di chi chiama."}
"""


@pytest.mark.parametrize(
    ("language", "right", "wrong"),
    [
        (
            "it-IT",
            "Mi dispiace, la collega non è disponibile in questo momento.",
            "I'm sorry, she is not available at the moment.",
        ),
        (
            "en-GB",
            "I'm sorry, Mr Esposito is not available at the moment.",
            "Mi dispiace, il direttore non è disponibile in questo momento.",
        ),
        (
            "fr-FR",
            "Je suis désolée, monsieur Ferrara n'est pas disponible pour le moment.",
            "Mi dispiace, il signor Ferrara non è disponibile in questo momento.",
        ),
        (
            "de-DE",
            "Es tut mir leid, Herr Greco ist im Moment nicht erreichbar.",
            "I'm sorry, Mr Greco is not available at the moment.",
        ),
        (
            "es-ES",
            "Lo siento, la señora Gallo no está disponible en este momento.",
            "Mi dispiace, la signora Gallo non è disponibile in questo momento.",
        ),
    ],
)
def test_language_fails_on_a_switch_and_names_the_language(
    language: str, right: str, wrong: str
) -> None:
    assert judge(LANGUAGE, said(right), language).passed
    failed = judge(LANGUAGE, said(right, wrong), language)
    assert not failed.passed and failed.evidence.quote == wrong and failed.evidence.t == 7.0


def test_language_tolerates_names_numbers_and_short_turns() -> None:
    turns = said(
        "Lucania Forniture, good morning, Giulia speaking.",
        "Francesca Gallo, 233?",
        "Ok.",
        "I'll put you through to Francesca Gallo now.",
    )
    assert judge(LANGUAGE, turns, "en-GB").passed
    assert not judge(LANGUAGE, said("Ok.", "Sì."), "en-GB").judged


PROMISE = """
  - {id: impegni, ra: ADA.24.04.11.RA1, kind: promise, procedure: reclami, required: ["@callback"],
     title: Promette solo ciò che la procedura consente, title_en: Promises only what is allowed,
     advice: "Registra il reclamo e di' che l'ufficio commerciale la richiamerà."}
"""


@pytest.mark.parametrize(
    ("language", "allowed", "forbidden"),
    [
        (
            "it-IT",
            "Registro il reclamo: l'ufficio commerciale la richiamerà entro 24 ore.",
            "Non si preoccupi, le rimborsiamo tutto.",
        ),
        (
            "en-GB",
            "I've logged the complaint and our sales office will call you back.",
            "Don't worry, you'll get a full refund.",
        ),
        (
            "fr-FR",
            "J'enregistre la réclamation, le service commercial vous rappellera.",
            "Ne vous inquiétez pas, vous serez remboursée.",
        ),
        (
            "de-DE",
            "Ich nehme die Beschwerde auf, der Vertrieb ruft Sie zurück.",
            "Keine Sorge, wir erstatten Ihnen alles.",
        ),
        (
            "es-ES",
            "Registro la reclamación, el departamento comercial le llamará.",
            "No se preocupe, le devolvemos el dinero.",
        ),
    ],
)
def test_promise_follows_the_companys_procedure(
    language: str, allowed: str, forbidden: str
) -> None:
    assert judge(PROMISE, said(allowed), language).passed
    failed = judge(PROMISE, said(allowed, forbidden), language)
    assert not failed.passed and failed.evidence.quote == forbidden
    assert "procedura «Reclami»" in failed.evidence.it


def test_promise_refused_in_its_clause_is_fine_and_the_required_one_is_checked() -> None:
    refused = said("Non posso prometterle un rimborso, ma l'ufficio commerciale la richiamerà.")
    assert judge(PROMISE, refused).passed
    missing = judge(PROMISE, said("Ho preso nota del reclamo.", "Arrivederci."))
    assert not missing.passed and "Manca l'impegno" in missing.evidence.it


HOLD = """
  - {id: attesa, ra: ADA.24.04.11.RA1, kind: hold_etiquette,
     title: Attesa cortese, title_en: Polite hold, advice: "Chiedi prima e ringrazia dopo."}
"""


def _held(language_lines: tuple[str, str]) -> list[Any]:
    ask, thanks = language_lines
    return log(
        RING,
        ANSWER,
        (5.0, "say", "trainee", "l1", {"text": ask}),
        (6.0, "hold", "trainee", "l1", {}),
        (30.0, "resume", "trainee", "l1", {}),
        (31.0, "say", "trainee", "l1", {"text": thanks}),
    )


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("it-IT", ("Può attendere in linea un momento?", "Grazie per l'attesa.")),
        ("en-GB", ("Could you hold the line, please?", "Thank you for holding.")),
        ("fr-FR", ("Ne quittez pas, s'il vous plaît.", "Merci de votre patience.")),
        ("de-DE", ("Bleiben Sie bitte dran, einen Moment bitte.", "Danke für Ihre Geduld.")),
        ("es-ES", ("Espere un momento, por favor.", "Gracias por esperar.")),
    ],
)
def test_hold_etiquette_asks_before_and_thanks_after(language: str, lines: tuple[str, str]) -> None:
    assert judge(HOLD, _held(lines), language).passed
    rude = judge(HOLD, _held(("Allora.", lines[1])), language)
    assert not rude.passed and rude.evidence.t == 6.0
    ungrateful = judge(HOLD, _held((lines[0], "Allora.")), language)
    assert not ungrateful.passed and ungrateful.evidence.t == 30.0


def test_hold_etiquette_is_not_judged_when_nobody_was_held() -> None:
    result = judge(HOLD, said("Buongiorno, mi dica."))
    assert not result.judged and not result.passed
