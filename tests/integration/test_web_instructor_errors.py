"""Instructor forms report errors the accessible way: an error summary focused on load, the
field marked aria-invalid with its message, "Errore:" in the title, every bad field at once."""

from __future__ import annotations

from simulator.web.testing import form_data, login


def test_delete_with_a_mistyped_name_is_a_field_error(app, users):
    """Nothing is deleted; the page says why on the field itself."""
    client = app.test_client()
    login(client, "ada")
    url = f"/instructor/trainees/{users['luca']}"
    page = client.get(url).get_data(as_text=True)
    r = client.post(f"{url}/delete", data=form_data(page, confirm_username="lucca"))
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "<title>Errore: Luca - Centralino</title>" in html
    assert 'id="error-summary" tabindex="-1"' in html and "autofocus" in html
    assert '<a href="#del-confirm_username">Per cancellare, scrivi esattamente' in html
    assert 'id="del-confirm_username"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="del-confirm_username-error"' in html
    assert client.get(url).status_code == 200  # the trainee is still there


def test_new_trainee_reports_every_bad_field(app, users):
    """A bad username and a 5-character password are both reported, in one response."""
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/trainees/new").get_data(as_text=True)
    r = client.post(
        "/instructor/trainees/new",
        data=form_data(page, username="Bad Name!", display_name="", password="12345"),
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert html.startswith("<!doctype html>") and "<title>Errore: Nuovo allievo" in html
    for field in ("username", "display_name", "password"):
        assert f'<a href="#f-{field}">' in html
        assert f'id="f-{field}-error"' in html
