"""The trainee's library, on the bundled library and real SQLite: grouped by family (human names,
the course's order) and level (level 1 first), the language by name, each card saying whether
it was practised and the last result, and a filter that works as a plain GET form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from simulator.practice import attempts
from simulator.web.testing import login, make_app, seed_users

ROOT = Path(__file__).resolve().parents[2]
ASSIGNED = "smistamento-acquisti-assente"
# Every bundled scenario but the assigned one is in the free-practice library.
OTHERS = len(list((ROOT / "scenarios").glob("*.yaml"))) - 1


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(f"sqlite:///{tmp_path / 'lib.db'}", tmp_path, ROOT / "scenarios")
    app.config["IDS"] = seed_users(app, trainees=("luca",), scenarios=[ASSIGNED])
    yield app
    app.extensions["centralino_db"].dispose()


def _library(html: str) -> str:
    return html[html.index('id="library"') :]


def _headings(html: str, tag: str) -> list[str]:
    found = re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, flags=re.S)
    return [re.sub(r"\s+\(\d+\)", "", re.sub(r"<[^>]+>", "", h)).strip() for h in found]


def _card(html: str, scenario_id: str) -> str:
    cards = re.findall(r'<li class="card">(.*?)</li>', html, flags=re.S)
    return next(card for card in cards if f'id="start-{scenario_id}"' in card)


def test_library_is_grouped_by_family_and_level_with_human_names(app: Flask) -> None:
    client = app.test_client()
    login(client, "luca")
    html = _library(client.get("/practice").get_data(as_text=True))
    families = _headings(html, "h3")
    assert families[:3] == ["Smistamento delle chiamate", "Messaggi", "Reclami"]
    assert "Assistenza tecnica" in families and "Fonogrammi" in families
    visible = re.sub(r"<[^>]+>", " ", html)
    assert "assistenza_tecnica" not in visible and "en-GB" not in visible
    smistamento = html[: html.index('id="family-messaggi"')]
    levels = _headings(smistamento, "h4")
    assert levels == sorted(levels) and levels[0] == "Livello 1, base"
    assert "lingua: inglese" in smistamento and "lingua: francese" in smistamento
    assert f"Esercitazioni mostrate: {OTHERS} su {OTHERS}." in html  # the assigned one is above
    assert html.count("Non ancora provato") == OTHERS


def test_cards_say_what_was_practised_and_the_last_result(app: Flask) -> None:
    db = app.extensions["centralino_db"]
    luca = app.config["IDS"]["luca"]
    first = attempts.start_attempt(db, luca, "rubrica-cambio-interno")
    attempts.finish(db, first, trainee_id=luca)
    attempts.start_attempt(db, luca, "rubrica-cambio-interno")
    client = app.test_client()
    login(client, "luca")
    html = client.get("/practice").get_data(as_text=True)
    card = _card(html, "rubrica-cambio-interno")
    assert "Tentativi: 2" in card and "in corso: riprendi" in card

    attempts.finish(db, first + 1, trainee_id=luca)
    html = client.get("/practice").get_data(as_text=True)
    card = _card(html, "rubrica-cambio-interno")
    assert re.search(r"Tentativi: 2 · ultimo esito:\s*<a href=\"/attempts/\d+/result", card)
    assert "non superato" in card  # an empty call does not pass


def test_the_filter_is_a_get_form_by_family_level_language_and_result(app: Flask) -> None:
    client = app.test_client()
    login(client, "luca")
    html = client.get("/practice?family=smistamento&level=1").get_data(as_text=True)
    library = _library(html)
    assert _headings(library, "h3") == ["Smistamento delle chiamate"]
    assert _headings(library, "h4") == ["Livello 1, base"]
    assert f"Esercitazioni mostrate: 2 su {OTHERS}." in library
    assert 'option value="smistamento" selected' in library
    assert "Mostra tutta la libreria" in library

    library = _library(client.get("/practice?language=fr-FR").get_data(as_text=True))
    assert f"Esercitazioni mostrate: 2 su {OTHERS}." in library
    library = _library(client.get("/practice?practised=passed").get_data(as_text=True))
    assert f"Esercitazioni mostrate: 0 su {OTHERS}." in library
    # Unknown values are ignored rather than an error.
    library = _library(client.get("/practice?level=x&practised=maybe").get_data(as_text=True))
    assert f"Esercitazioni mostrate: {OTHERS} su {OTHERS}." in library


def test_english_names_and_the_instructor_pages_use_the_same_names(app: Flask) -> None:
    client = app.test_client()
    login(client, "luca")
    client.get("/lang/en")
    library = _library(client.get("/practice").get_data(as_text=True))
    assert _headings(library, "h3")[0] == "Call routing"
    assert "Level 1, basic" in library and "language: English" in library

    ada = app.test_client()
    login(ada, "ada")
    page = ada.get(f"/instructor/trainees/{app.config['IDS']['luca']}").get_data(as_text=True)
    legends = _headings(page, "legend")
    first = legends.index("Scegli gli scenari per questo allievo") + 1
    assert legends[first : first + 3] == ["Smistamento delle chiamate", "Messaggi", "Reclami"]
    smistamento = page[page.index("<legend>Smistamento") : page.index("<legend>Messaggi")]
    assert "assign-smistamento-acquisti-assente" in smistamento
    assert "(Livello 2, intermedio, italiano)" in smistamento
    dashboard = ada.get("/instructor/").get_data(as_text=True)
    assert "Assistenza tecnica, Livello 2, intermedio, inglese" in dashboard


def test_the_export_names_family_level_and_language_beside_the_ids(app: Flask) -> None:
    db = app.extensions["centralino_db"]
    luca = app.config["IDS"]["luca"]
    attempts.start_attempt(db, luca, "en-technical-router")
    ada = app.test_client()
    login(ada, "ada")
    data = ada.get(f"/instructor/trainees/{luca}/export").get_json(force=True)
    attempt = data["attempts"][0]
    assert attempt["family"] == "assistenza_tecnica"
    assert attempt["family_name"] == "Assistenza tecnica"
    assert (attempt["level"], attempt["level_name"]) == (2, "Livello 2, intermedio")
    assert (attempt["language"], attempt["language_name"]) == ("en-GB", "inglese")
