"""Classes on the real app and database: an instructor builds a class and its course path, the
path is enforced on the trainee's start, results and exports (CSV, PDF, BRF) read back, roles are
enforced on every new route, and the GDPR export and delete include the class data."""

from __future__ import annotations

import csv
import io
import json

import pypdf
import pytest
from sqlalchemy import select

from simulator.model import RA_IDS
from simulator.practice import braille
from simulator.store.models import ClassMember
from simulator.web.testing import PASSWORD, form_data, login

ENGLISH_RA_COLUMNS = [f"{ra} score" for ra in RA_IDS] + [f"{ra} pass" for ra in RA_IDS]


def _post(client, url, page_html, **fields):
    return client.post(url, data=form_data(page_html, **fields))


def _new_class(client, name="Centralinisti 2026") -> int:
    page = client.get("/instructor/classes").get_data(as_text=True)
    r = _post(client, "/instructor/classes", page, name=name)
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.location.rstrip("/").split("/")[-1])


def _set_members(client, class_id: int, *trainee_ids: int) -> None:
    url = f"/instructor/classes/{class_id}"
    page = client.get(url).get_data(as_text=True)
    data = dict(form_data(page))
    r = client.post(f"{url}/members", data={**data, "trainee": [str(i) for i in trainee_ids]})
    assert r.status_code == 302


def _play_good_call(client, console_url: str) -> None:
    """The trainee's side of the fixture call: greet, offer a message, take it, hang up, finish."""
    act = f"{console_url}/action"
    page = client.get(console_url).get_data(as_text=True)
    r = _post(client, act, page, kind="answer", line="l1")
    page = client.get(r.location).get_data(as_text=True)
    r = _post(
        client, act, page, kind="say", text="Buongiorno, Acme Test. Vuole lasciare un messaggio?"
    )
    page = client.get(r.location).get_data(as_text=True)
    r = _post(
        client,
        act,
        page,
        kind="take_message",
        tool="message",
        line="l1",
        **{"for": "Luca Bianchi"},
        caller="Mario Rossi",
        phone="0971 234567",
        text="Richiamare per l'ordine 4512",
    )
    page = client.get(r.location).get_data(as_text=True)
    r = _post(client, act, page, kind="hangup", line="l1")
    page = client.get(r.location).get_data(as_text=True)
    r = _post(client, f"{console_url}/finish", page)
    assert r.status_code == 302


def _start(client, scenario_id: str):
    page = client.get("/practice").get_data(as_text=True)
    return _post(client, f"/practice/{scenario_id}/start", page)


@pytest.fixture
def taught(app, users):
    """Ada's class with Luca in it, and Luca's client after one good call of web-messaggio."""
    ada = app.test_client()
    login(ada, "ada")
    class_id = _new_class(ada)
    _set_members(ada, class_id, users["luca"])
    luca = app.test_client()
    login(luca, "luca")
    r = _start(luca, "web-messaggio")
    assert r.status_code == 302
    _play_good_call(luca, r.location.split("?")[0])
    return ada, luca, class_id


def test_course_path_locks_the_next_step_until_the_previous_ra_is_passed(app, users):
    """A step that needs RA1 of the previous scenario cannot be started until it is passed."""
    ada = app.test_client()
    login(ada, "ada")
    class_id = _new_class(ada)
    _set_members(ada, class_id, users["luca"], users["marta"])
    url = f"/instructor/classes/{class_id}"
    page = ada.get(url).get_data(as_text=True)
    r = _post(
        ada,
        f"{url}/path",
        page,
        **{
            "pos-web-messaggio": "1",
            "rule-web-messaggio": "always",
            "pos-web-due-linee": "2",
            "rule-web-due-linee": "previous_passed:ADA.24.01.08.RA1",
        },
    )
    assert r.status_code == 302
    luca = app.test_client()
    login(luca, "luca")
    home = luca.get("/practice").get_data(as_text=True)
    assert "Percorso del corso: Centralinisti 2026" in home
    assert "bloccato (supera ADA.24.01.08.RA1 nel passo precedente)" in home
    refused = _start(luca, "web-due-linee")
    assert refused.status_code == 403
    assert "ancora bloccato" in refused.get_data(as_text=True)
    r = _start(luca, "web-messaggio")
    _play_good_call(luca, r.location.split("?")[0])
    assert _start(luca, "web-due-linee").status_code == 302
    # Marta, in the same class, has passed nothing: still locked for her.
    marta = app.test_client()
    login(marta, "marta")
    assert _start(marta, "web-due-linee").status_code == 403


def test_bad_path_position_is_a_400_with_the_reason(app, users):
    ada = app.test_client()
    login(ada, "ada")
    class_id = _new_class(ada)
    url = f"/instructor/classes/{class_id}"
    page = ada.get(url).get_data(as_text=True)
    r = _post(ada, f"{url}/path", page, **{"pos-web-messaggio": "primo"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "<title>Errore:" in html and "scrivi un numero da 1 a 999" in html


def test_duplicate_class_name_is_refused_on_the_field(app, users):
    ada = app.test_client()
    login(ada, "ada")
    _new_class(ada)
    page = ada.get("/instructor/classes").get_data(as_text=True)
    r = _post(ada, "/instructor/classes", page, name="Centralinisti  2026")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "Esiste già una classe con questo nome." in html


def test_results_page_shows_charts_tables_and_the_suggestion(app, users, taught):
    ada, _luca, class_id = taught
    r = ada.get(f"/instructor/classes/{class_id}/results?family=messaggi&level=1")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'role="img" aria-labelledby="ra-chart-title ra-chart-desc"' in html
    assert '<caption id="ra-caption">' in html and "Luca" in html
    assert "Tentativi mostrati: 1." in html
    assert "Prossimo scenario" in html
    # A filter that keeps nothing says so; a bad date is a 400 with its reason on the field.
    empty = ada.get(f"/instructor/classes/{class_id}/results?language=en-GB")
    assert "Tentativi mostrati: 0." in empty.get_data(as_text=True)
    bad = ada.get(f"/instructor/classes/{class_id}/results?from=2026-13-01")
    assert bad.status_code == 400
    assert "Data non valida" in bad.get_data(as_text=True)


def test_class_csv_has_a_score_and_pass_column_per_ra(app, users, taught):
    ada, _luca, class_id = taught
    r = ada.get(f"/instructor/classes/{class_id}/register.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    header = list(rows[0])
    for column in ENGLISH_RA_COLUMNS:
        assert column in header
    assert header[:4] == ["trainee", "username", "scenario", "title"]
    assert "exam_marks" in header
    row = rows[0]
    assert row["username"] == "luca" and row["scenario"] == "web-messaggio"
    assert row["ADA.24.01.08.RA1 pass"] in {"yes", "no"}
    assert 0 <= int(row["ADA.24.01.08.RA1 score"]) <= 100
    assert float(row["duration_s"]) >= 0


def test_class_and_trainee_pdf_text_reads_back(app, users, taught):
    ada, _luca, class_id = taught
    for url in (
        f"/instructor/classes/{class_id}/register.pdf",
        f"/instructor/trainees/{users['luca']}/register.pdf",
    ):
        r = ada.get(url)
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(r.data))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "Messaggio per il signor Bianchi" in text
        assert "ADA.24.04.11.RA2 score" in text and "luca" in text


def test_directory_brf_back_translates_to_names_and_extensions(app, users):
    luca = app.test_client()
    login(luca, "luca")
    home = luca.get("/practice").get_data(as_text=True)
    assert 'href="/braille/directory/acme-test.brf"' in home
    r = luca.get("/braille/directory/acme-test.brf")
    assert r.status_code == 200
    body = r.data.decode("ascii")
    pages = body.split("\f")[:-1]
    for page in pages:
        lines = page.strip("\r\n").split("\r\n")
        assert len(lines) == braille.LINES_PER_PAGE
        assert all(len(line) <= braille.CELLS_PER_LINE for line in lines)
    text = " ".join(braille.back_translate(line) for line in body.replace("\f", "").split("\r\n"))
    for expected in ("Bianchi Luca: interno 301", "Verdi Anna: interno 201", "0971 123456"):
        assert expected in text
    assert "333 1234567" not in text  # the private mobile stays off the desk


def test_score_report_brf_for_the_trainee_and_instructor_only(app, users, taught):
    ada, luca, _class_id = taught
    home = luca.get("/practice").get_data(as_text=True)
    attempt_id = int(home.split('id="brf-', 1)[1].split('"', 1)[0])
    r = luca.get(f"/braille/attempts/{attempt_id}.brf")
    assert r.status_code == 200
    lines = r.data.decode("ascii").replace("\f", "").split("\r\n")
    text = " ".join(braille.back_translate(line) for line in lines)
    # Italian computer Braille gives "ss" and "§" (or "(" and "«") the same cells, so the
    # words checked are free of them.
    for expected in ("per il signor Bianchi", "Allievo: Luca", "ADA.24.01.08.RA1", "Prova:"):
        assert expected in text
    assert ada.get(f"/braille/attempts/{attempt_id}.brf").status_code == 200
    marta = app.test_client()
    login(marta, "marta")
    assert marta.get(f"/braille/attempts/{attempt_id}.brf").status_code == 404


def test_trainees_get_403_and_other_instructors_404(app, users, taught):
    _ada, luca, class_id = taught
    for url in (
        "/instructor/classes",
        f"/instructor/classes/{class_id}",
        f"/instructor/classes/{class_id}/results",
        f"/instructor/classes/{class_id}/register.csv",
        f"/instructor/classes/{class_id}/register.pdf",
        f"/instructor/trainees/{users['luca']}/register.csv",
        f"/instructor/trainees/{users['luca']}/register.pdf",
    ):
        assert luca.get(url).status_code == 403, url
    from simulator.practice import accounts

    with app.extensions["centralino_db"].write() as s:
        accounts.create_user(
            s, username="bruno", display_name="Bruno", password=PASSWORD, role="instructor"
        )
    bruno = app.test_client()
    login(bruno, "bruno")
    assert f"/instructor/classes/{class_id}" not in bruno.get("/instructor/classes").get_data(
        as_text=True
    )
    for url in (
        f"/instructor/classes/{class_id}",
        f"/instructor/classes/{class_id}/results",
        f"/instructor/classes/{class_id}/register.csv",
    ):
        assert bruno.get(url).status_code == 404, url


def test_gdpr_export_has_the_register_and_delete_removes_membership(app, users, taught):
    ada, _luca, class_id = taught
    data = json.loads(ada.get(f"/instructor/trainees/{users['luca']}/export").data)
    assert data["classes"] == ["Centralinisti 2026"]
    assert len(data["register"]) == 1
    assert data["register"][0]["scenario"] == "web-messaggio"
    assert "ADA.24.01.08.RA2 pass" in data["register"][0]
    url = f"/instructor/trainees/{users['luca']}"
    page = ada.get(url).get_data(as_text=True)
    assert _post(ada, f"{url}/delete", page, confirm_username="luca").status_code == 302
    with app.extensions["centralino_db"].read() as s:
        assert s.scalars(select(ClassMember).where(ClassMember.class_id == class_id)).all() == []


def test_class_forms_need_the_csrf_token(app, users, taught):
    ada, _luca, class_id = taught
    assert ada.post("/instructor/classes", data={"name": "Senza token"}).status_code == 400
    r = ada.post(f"/instructor/classes/{class_id}/members", data={"trainee": []})
    assert r.status_code == 400


def test_results_page_in_english(app, users, taught):
    ada, _luca, class_id = taught
    ada.get("/lang/en")
    html = ada.get(f"/instructor/classes/{class_id}/results").get_data(as_text=True)
    assert "Results of the class Centralinisti 2026" in html
    assert "Mean score per RA and week" in html and "Weakest criteria" in html


def test_results_and_csv_narrow_to_one_trainee_of_the_class(app, users, taught):
    ada, _luca, class_id = taught
    base = f"/instructor/classes/{class_id}"
    html = ada.get(f"{base}/results?trainee={users['luca']}").get_data(as_text=True)
    assert "Tentativi mostrati: 1. Filtri attivi." in html
    assert f"register.csv?trainee={users['luca']}" in html
    rows = list(
        csv.DictReader(
            io.StringIO(
                ada.get(f"{base}/register.csv?trainee={users['luca']}")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert [row["username"] for row in rows] == ["luca"]
    # Marta is not in this class: her results are not reachable through it.
    assert ada.get(f"{base}/results?trainee={users['marta']}").status_code == 404
    assert ada.get(f"{base}/register.csv?trainee={users['marta']}").status_code == 404


def test_the_brf_report_and_the_register_follow_an_override(app, users, taught):
    """The instructor's last word reaches the Braille report (with who and why) and the
    register's RA columns, as it reaches the score page."""
    from simulator.practice import review
    from simulator.store.models import Score

    ada, luca, _class_id = taught
    home = luca.get("/practice").get_data(as_text=True)
    attempt_id = int(home.split('id="brf-', 1)[1].split('"', 1)[0])
    database = app.extensions["centralino_db"]
    with database.read() as s:
        report = s.scalar(select(Score).where(Score.attempt_id == attempt_id)).report
    target = next(c for c in report["criteria"] if c["passed"])
    ra = target["ra"]
    with database.write() as s:
        review.override(
            s,
            attempt_id,
            target["id"],
            passed=False,
            reason="Non ha dato il nome",
            author_id=users["ada"],
        )
    lines = luca.get(f"/braille/attempts/{attempt_id}.brf").data.decode("ascii")
    text = " ".join(braille.back_translate(line) for line in lines.replace("\f", "").split("\r\n"))
    # Brackets come back as other signs in computer Braille: the words around them are checked.
    assert "Verdetto dell'istruttore" in text and "Ada Istruttrice" in text
    assert ": Non ha dato il nome." in text
    assert "Verdetto automatico: SUPERATO." in text
    r = ada.get(f"/instructor/trainees/{users['luca']}/register.csv")
    [row] = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    with database.read() as s:
        effective = review.effective_verdicts(s, attempt_id)
    assert int(row[f"{ra} score"]) == round(effective["ra"][ra]["score"] * 100)
    assert row[f"{ra} score"] != str(round(report["ra"][ra]["score"] * 100))
    assert row["exam_marks"] == ""  # practice, not an exam
