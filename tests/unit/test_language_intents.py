"""Intent matching: noisy trainee utterances reach the right intent, and unrelated ones none."""

from __future__ import annotations

import time

import pytest

from simulator.language import (
    BUILTIN_INTENTS,
    CALLER_LINES,
    DEFAULT_ANSWERS,
    fill_answer,
    intent_candidates,
    intent_phrases,
    match_intent,
    match_intents,
    phrase_present,
    spell,
)

INTENTS = [
    "greeting",
    "ask_name",
    "ask_organisation",
    "ask_phone",
    "ask_reason",
    "ask_repeat",
    "ask_spell",
    "ask_wait",
    "offer_message",
    "offer_transfer",
    "offer_help",
    "yes",
    "no",
    "thanks",
    "goodbye",
    "apologise",
    "ask_code",
    "ask_number",
    "ask_email",
]


def everything(lang: str) -> dict[str, list[str]]:
    return intent_candidates(BUILTIN_INTENTS, lang)


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("Ehm, chi parla?", "ask_name"),
        ("Con chi ho il piacere di parlare?", "ask_name"),
        ("Mi può dire il suo nome, per favore?", "ask_name"),
        ("DA PARTE DI CHI?", "ask_name"),
        ("il suo nome mi può dire", "ask_name"),
        ("Da quale azienda chiama?", "ask_organisation"),
        ("Mi lascia un recapito telefonico?", "ask_phone"),
        ("Posso sapere il motivo della chiamata?", "ask_reason"),
        ("Scusi, può ripetere?", "ask_repeat"),
        ("Come si scrive?", "ask_spell"),
        ("Può fare lo spelling del cognome?", "ask_spell"),
        ("Resti in linea, prego", "ask_wait"),
        ("attenda in linea un momento", "ask_wait"),
        ("vuole lasciare un mesaggio", "offer_message"),
        ("Vuole lasciare un messaggio?", "offer_message"),
        ("Glielo passo subito", "offer_transfer"),
        ("Le passo l'interno due uno quattro", "offer_transfer"),
        ("Come posso aiutarla?", "offer_help"),
        ("Sì, certo", "yes"),
        ("Esatto", "yes"),
        ("No, non è corretto", "no"),
        ("Grazie mille", "thanks"),
        ("Arrivederci, buona giornata", "goodbye"),
        ("Mi scusi per l'attesa", "apologise"),
        ("Mi dice il suo codice personale?", "ask_code"),
        ("Che numero devo chiamare?", "ask_number"),
        ("Mi lascia la sua email?", "ask_email"),
    ],
)
def test_italian_operator_phrases(utterance: str, intent: str) -> None:
    """What an Italian operator says, typed or recognised, reaches the intended intent."""
    found = match_intent(utterance, everything("it-IT"), "it-IT")
    assert found is not None and found.intent == intent, found


@pytest.mark.parametrize(
    ("utterance", "lang", "intent"),
    [
        ("Um, may I ask who's calling?", "en-GB", "ask_name"),
        ("Could you hold the line please", "en-GB", "ask_wait"),
        ("would you like to leave a mesage", "en-GB", "offer_message"),
        ("I'll put you through now", "en-GB", "offer_transfer"),
        ("How do you spell that?", "en-GB", "ask_spell"),
        ("Euh, c'est de la part de qui ?", "fr-FR", "ask_name"),
        ("Ne quittez pas", "fr-FR", "ask_wait"),
        ("Voulez-vous laisser un message ?", "fr-FR", "offer_message"),
        ("Je vous le passe", "fr-FR", "offer_transfer"),
        ("Pouvez-vous épeler ?", "fr-FR", "ask_spell"),
        ("Einen Moment bitte", "de-DE", "ask_wait"),
        ("¿De parte de quién?", "es-ES", "ask_name"),
    ],
)
def test_english_french_and_other_phrases(utterance: str, lang: str, intent: str) -> None:
    """The lexicons of the other course languages work the same way."""
    found = match_intent(utterance, everything(lang), lang)
    assert found is not None and found.intent == intent, found


@pytest.mark.parametrize(
    ("utterance", "lang"),
    [
        ("Oggi piove molto a Milano", "it-IT"),
        ("Il treno è in ritardo", "it-IT"),
        ("Ho mangiato una pizza", "it-IT"),
        ("La sua opinione conta", "it-IT"),
        ("Lovely weather today", "en-GB"),
        ("I'd like to book a table", "en-GB"),
        ("Il fait beau aujourd'hui", "fr-FR"),
        ("", "it-IT"),
        ("ehm", "it-IT"),
    ],
)
def test_unrelated_sentences_match_nothing(utterance: str, lang: str) -> None:
    """Small talk and silence are not mistaken for any intent."""
    assert match_intent(utterance, everything(lang), lang) is None


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("grazie", "goodbye"),
        ("Non è corretto", "yes"),
        ("Come si scrive?", "yes"),
        ("Mi dice il suo nome", "offer_help"),
        ("Mi dice il suo nome", "ask_phone"),
        ("Non riesco a passarglielo", "offer_transfer"),
        ("Buona giornata", "greeting"),
        ("non", "no"),
    ],
)
def test_near_misses_are_rejected(utterance: str, intent: str) -> None:
    """A close-sounding or negated sentence does not count for the intent a step expects."""
    candidates = intent_candidates([intent], "it-IT")
    assert match_intent(utterance, candidates, "it-IT") is None


def test_english_negation_is_not_an_offer() -> None:
    """ "I can't put you through" is no transfer offer."""
    candidates = intent_candidates(["offer_transfer"], "en-GB")
    assert match_intent("Sorry, I can't put you through", candidates, "en-GB") is None


def test_longer_phrase_wins_a_tie() -> None:
    """In "no, non c'è: vuole lasciare un messaggio?" the offer says more than the "no"."""
    found = match_intent("No, non c'è: vuole lasciare un messaggio?", everything("it"), "it")
    assert found is not None and found.intent == "offer_message"
    both = {match.intent for match in match_intents("Sì, glielo passo", everything("it"), "it")}
    assert {"yes", "offer_transfer"} <= both


def test_alternatives_rescue_a_bad_first_hypothesis() -> None:
    """A recogniser's n-best list is searched when the first guess is wrong."""
    found = match_intent(
        "vuoi la sciarpa un massaggio",
        everything("it-IT"),
        "it-IT",
        alternatives=["vuole lasciare un messaggio"],
    )
    assert found is not None
    assert found.intent == "offer_message"
    assert found.heard == "vuole lasciare un messaggio"


def test_match_reports_phrase_and_score() -> None:
    """The match names the phrase recognised, for the evidence shown to the trainee."""
    found = match_intent("Ehm, chi parla?", everything("it-IT"), "it-IT")
    assert found is not None
    assert (found.intent, found.phrase, found.heard, found.score) == (
        "ask_name",
        "chi parla",
        "chi parla",
        1.0,
    )


def test_threshold_is_respected() -> None:
    """A stricter threshold refuses a typo the default accepts."""
    candidates = intent_candidates(["offer_message"], "it-IT")
    assert match_intent("vuole lasciare un mesaggio", candidates, "it-IT") is not None
    assert match_intent("vuole lasciare un mesaggio", candidates, "it-IT", threshold=0.99) is None


def test_scenario_phrases_extend_and_define_intents() -> None:
    """Scenario intents add phrases to builtin ones and may be entirely new."""
    extra = {"ask_name": ["chi è il disgraziato"], "ask_order": ["numero d'ordine"]}
    phrases = intent_phrases("ask_name", "it-IT", extra)
    assert phrases[0] == BUILTIN_INTENTS["ask_name"]["it"][0]
    assert phrases[-1] == "chi è il disgraziato"
    assert intent_phrases("ask_order", "it-IT", extra) == ["numero d'ordine"]
    candidates = intent_candidates(["ask_order", "ask_name"], "it-IT", extra)
    found = match_intent("mi dà il numero d ordine?", candidates, "it-IT")
    assert found is not None and found.intent == "ask_order"


def test_phrase_present_for_speech_criteria() -> None:
    """Scoring finds a required phrase inside a longer, noisy sentence."""
    found = phrase_present(
        "Buongiorno, Lucania Forniture, sono Giulia, ehm, come posso aiutarla?",
        ["come posso esserle utile", "come posso aiutarla"],
        "it-IT",
    )
    assert found == ("come posso aiutarla", 1.0)
    assert phrase_present("arrivederci", ["come posso aiutarla"], "it-IT") is None


def test_every_builtin_intent_has_the_three_course_languages() -> None:
    """The lexicon covers exactly the documented intents, in it, en and fr at least."""
    assert sorted(BUILTIN_INTENTS) == sorted(INTENTS)
    for intent, by_language in BUILTIN_INTENTS.items():
        for lang in ("it", "en", "fr", "de", "es"):
            assert by_language.get(lang), (intent, lang)


def test_every_builtin_phrase_matches_its_own_intent() -> None:
    """No phrase is shadowed by another intent's phrase when said on its own."""
    for lang in ("it", "en", "fr", "de", "es"):
        candidates = everything(lang)
        for intent, phrases in candidates.items():
            for phrase in phrases:
                found = match_intent(phrase, candidates, lang)
                assert found is not None and found.score == 1.0, (lang, phrase, found)
                own = match_intent(phrase, {intent: phrases}, lang)
                assert own is not None and own.intent == intent


def test_matching_is_fast_enough_for_the_engine() -> None:
    """A fresh utterance against the whole Italian lexicon takes well under a few ms."""
    candidates = everything("it-IT")
    match_intent("warm up", candidates, "it-IT")
    started = time.perf_counter()
    for index in range(50):
        match_intent(f"vuole lasciare un messaggio per il signor {index}", candidates, "it-IT")
    per_call = (time.perf_counter() - started) / 50
    assert per_call < 0.005


def test_caller_answers_from_facts() -> None:
    """The caller answers persona questions from facts, and stays silent without the fact."""
    facts = {"name": "Rossi", "phone": "0971 234567"}
    assert fill_answer("ask_name", facts, "it-IT") == "Sono Rossi."
    assert fill_answer("ask_phone", facts, "en-GB") == "My number is 0971 234567."
    assert fill_answer("ask_organisation", facts, "it-IT") is None
    assert fill_answer("ask_repeat", facts, "it-IT") is None
    assert fill_answer("ask_spell", facts, "it-IT") == (
        "Certo: R come Roma, O come Otranto, S come Savona, S come Savona, I come Imola."
    )
    for intent in ("ask_name", "ask_organisation", "ask_phone", "ask_reason", "ask_email"):
        assert set(DEFAULT_ANSWERS[intent]) >= {"it", "en", "fr"}


def test_spelling_alphabets() -> None:
    """Names are spelt with each language's alphabet, spaces and apostrophes said aloud."""
    assert spell("De Luca", "it-IT").startswith("D come Domodossola, E come Empoli, spazio, L")
    assert spell("Rossi", "en-GB").startswith("R for Romeo, O for Oscar")
    assert spell("Zoé", "fr-FR") == "Z comme Zoé, O comme Oscar, E comme Eugène"
    assert "apostrofo" in spell("D'Amico", "it-IT")


def test_caller_lines_have_the_same_keys_in_every_language() -> None:
    """The engine can ask for any generic line in any language."""
    keys = set(CALLER_LINES["it"])
    assert {"silence_prompt", "hold_complaint", "readback_ok", "thanks_wait"} <= keys
    for lines in CALLER_LINES.values():
        assert set(lines) == keys
