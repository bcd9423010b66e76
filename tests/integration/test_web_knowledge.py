"""The company's knowledge base in the web console: a search panel that works without script."""

from __future__ import annotations

from simulator.practice import attempts
from simulator.web.testing import login


def test_knowledge_panel_lists_and_searches_the_company_articles(app, users):
    """Opened empty it lists every article; a search (misspelt too) finds the article; a word
    found nowhere says so; another trainee's attempt stays 404."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, users["luca"], "web-messaggio")
    client = app.test_client()
    login(client, "luca")
    page = client.get(f"/attempts/{attempt_id}?tool=knowledge").get_data(as_text=True)
    assert '<h3 id="tool-heading">Base di conoscenza</h3>' in page
    assert 'aria-keyshortcuts="Alt+Shift+X"' in page
    assert "Tutti gli articoli: 1" in page and "Dal lunedì al venerdì, 9-13 e 14-18." in page
    found = client.get(f"/attempts/{attempt_id}?tool=knowledge&kq=orri").get_data(as_text=True)
    assert "Risultati per «orri»: 1 articolo" in found
    assert '<h5 class="knowledge-title">Orari</h5>' in found
    none = client.get(f"/attempts/{attempt_id}?tool=knowledge&kq=fatture").get_data(as_text=True)
    assert "Risultati per «fatture»: 0 articoli" in none
    assert "Nessun articolo trovato" in none and "9-13" not in none
    client.get("/lang/en?next=/practice")
    english = client.get(f"/attempts/{attempt_id}?tool=knowledge&kq=orari").get_data(as_text=True)
    assert "Results for “orari”: 1 article" in english and "Knowledge base" in english
    other = app.test_client()
    login(other, "marta")
    assert other.get(f"/attempts/{attempt_id}?tool=knowledge").status_code == 404


def test_help_lists_the_knowledge_shortcut(app, users):
    """The help page's table has the new shortcut beside its description."""
    client = app.test_client()
    login(client, "luca")
    html = client.get("/help").get_data(as_text=True)
    assert "+X</kbd></td><td>Base di conoscenza: cerca orari, prodotti e procedure" in html
