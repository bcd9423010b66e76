"""The company's safety documents in the console: a trainee reads them during the call, in
headed lists, and the time to the next pause is one button away."""

from __future__ import annotations

from simulator.web.testing import form_data, login, make_app, seed_users, url_for_backend
from tests.library import SCENARIOS


def test_console_shows_the_company_procedure_as_documents(tmp_path) -> None:
    app = make_app(url_for_backend("sqlite", tmp_path), tmp_path, scenario_root=SCENARIOS)
    seed_users(app, scenarios=["emergenza-minaccia-bomba"])
    client = app.test_client()
    login(client, "luca")
    home = client.get("/practice").get_data(as_text=True)
    started = client.post("/practice/emergenza-minaccia-bomba/start", data=form_data(home)).location
    page = client.get(started).get_data(as_text=True)
    documents = page[page.index('<details class="briefing" id="procedure">') :]
    documents = documents[: documents.index("</details>")]
    assert "Documenti dell'azienda: procedure di sicurezza ed emergenza" in documents
    assert "<strong>112</strong>: Numero unico di emergenza" in documents
    assert "primo soccorso: Pietro Caruso, interno 272, Tutta la sede" in documents
    assert '<h2 class="procedure-heading" id="procedure-minaccia">' in documents
    assert "<li>Quando esploderà?</li>" in documents
    assert 'id="ask-pause"' in page and 'aria-keyshortcuts="Alt+Shift+N"' in page
