"""The practical exam through the real app and database: compose, assign, accommodations, a
sitting in the console with no pause and no score, close and lock, the /50 report, roles, CSRF,
and the sittings in the GDPR export and erased with the trainee."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import func, select

from simulator.practice import attempts, braille, exams
from simulator.store.models import Attempt, ExamSitting, Score, User
from simulator.web.testing import (
    database_urls,
    form_data,
    login,
    make_app,
    seed_users,
    url_for_backend,
)

EXAM_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exam"


@pytest.fixture(params=database_urls())
def exam_app(request, tmp_path):
    app = make_app(url_for_backend(request.param, tmp_path), tmp_path, EXAM_FIXTURES)
    app.config["SEEDED"] = seed_users(app, trainees=("luca", "marta"))
    yield app
    app.extensions["centralino_db"].dispose()


def _db(app):
    return app.extensions["centralino_db"]


def _compose(client, **overrides):
    page = client.get("/instructor/exams").get_data(as_text=True)
    fields = {
        "title": "Esame di prova",
        "call1-scenario": "exam-messaggio",
        "call1-offset": "0",
        "call1-weight": "1",
        "call2-scenario": "exam-fonogramma-en",
        "call2-offset": "3",
        "call2-weight": "1",
        "require_foreign": "on",
        "require_fonogramma": "on",
        "pass_mark": "30",
    }
    fields.update(overrides)
    return client.post("/instructor/exams", data=form_data(page, **fields))


def _exam_with_sitting(app, client, **overrides):
    """Compose as ada and assign to luca; (exam_id, sitting_id)."""
    login(client, "ada")
    r = _compose(client, **overrides)
    assert r.status_code == 302, r.get_data(as_text=True)
    exam_id = int(r.location.rstrip("/").split("/")[-1])
    page = client.get(f"/instructor/exams/{exam_id}").get_data(as_text=True)
    luca = app.config["SEEDED"]["luca"]
    r = client.post(f"/instructor/exams/{exam_id}/assign", data=form_data(page, trainee=str(luca)))
    assert r.status_code == 302
    with _db(app).read() as s:
        sitting_id = s.scalar(select(ExamSitting.id).where(ExamSitting.trainee_id == luca))
    return exam_id, sitting_id


def test_compose_refuses_an_exam_without_foreign_call_or_fonogramma(exam_app):
    """Constraints checked when composing: errors on the form, nothing stored."""
    client = exam_app.test_client()
    login(client, "ada")
    r = _compose(client, **{"call2-scenario": ""})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "<title>Errore:" in page
    assert "Serve almeno una chiamata in lingua straniera." in page
    assert "Serve almeno un fonogramma." in page
    assert 'href="#ex-call1-scenario"' in page
    r = _compose(client, **{"call2-offset": "presto"})
    assert r.status_code == 400
    assert "Scrivi l&#39;inizio in secondi" in r.get_data(as_text=True)
    with _db(exam_app).read() as s:
        assert s.scalar(select(func.count()).select_from(ExamSitting)) == 0
    # Unticking the requirement lets an all-Italian exam through.
    r = _compose(client, **{"call2-scenario": "", "require_foreign": "", "require_fonogramma": ""})
    assert r.status_code == 302


def test_exam_scenario_is_not_in_the_library(exam_app):
    """The composed scenario is played only by sittings: the trainee's library does not list it."""
    client = exam_app.test_client()
    _exam_with_sitting(exam_app, client)
    trainee = exam_app.test_client()
    login(trainee, "marta")
    home = trainee.get("/practice").get_data(as_text=True)
    assert "Esame di prova" not in home
    assert "exam-messaggio" in home


def test_sitting_runs_in_the_console_without_pause_or_score_and_locks(exam_app):
    """Start, simultaneous lines ring by the offsets, pause refused, no score for the trainee,
    closed and locked by the instructor, marks unchanged by re-scoring."""
    instructor = exam_app.test_client()
    exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    client = exam_app.test_client()
    login(client, "luca")
    home = client.get("/practice").get_data(as_text=True)
    assert f'href="/practice/exams/{sitting_id}"' in home
    page = client.get(f"/practice/exams/{sitting_id}").get_data(as_text=True)
    assert "Tempi reali" in page and "Pausa non consentita." in page
    r = client.post(f"/practice/exams/{sitting_id}/start", data=form_data(page))
    assert r.status_code == 302
    console_url = r.location.split("?")[0]
    attempt_id = int(console_url.rsplit("/", 1)[1])
    console = client.get(console_url).get_data(as_text=True)
    assert 'id="pause-button"' not in console
    assert "Istruzioni dell'esercizio" not in console  # no scenario briefing (hints)
    assert "Termina e consegna l'esame" in console
    snap = attempts.snapshot(_db(exam_app), attempt_id)
    assert [c.line for c in snap.scenario.calls] == ["e1-l1", "e2-l1"]
    assert [c.ring_at_s for c in snap.scenario.calls] == [0.0, 3.0]
    assert snap.state.multiplier == 1.0  # the trainee's own multiplier does not apply

    r = client.post(f"{console_url}/action", data=form_data(console, kind="pause"))
    assert r.status_code == 302
    follow = client.get(r.location).get_data(as_text=True)
    assert "In questo esame la pausa non è consentita." in follow
    with _db(exam_app).read() as s:
        kinds = [event.kind for event in attempts.logged_events(s, attempt_id)]
    assert "pause" not in kinds

    r = client.post(f"{console_url}/action", data=form_data(console, kind="answer", line="e1-l1"))
    assert r.status_code == 302
    r = client.post(
        f"{console_url}/action",
        data=form_data(console, kind="say", line="e1-l1", text="Buongiorno, Acme Test."),
    )
    r = client.post(f"{console_url}/finish", data=form_data(console))
    result = client.get(r.location)
    assert result.status_code == 302 and result.location.endswith(f"/practice/exams/{sitting_id}")
    done = client.get(result.location).get_data(as_text=True)
    assert "Esame consegnato" in done
    assert "/50" not in done and "superato" not in done
    home = client.get("/practice").get_data(as_text=True)
    assert "esame consegnato" in home

    # The report before locking is provisional.
    report = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report").get_data(as_text=True)
    assert "Provvisori" in report
    exam_page = instructor.get(f"/instructor/exams/{exam_id}").get_data(as_text=True)
    r = instructor.post(f"/instructor/exam-sittings/{sitting_id}/close", data=form_data(exam_page))
    assert r.status_code == 302
    report = instructor.get(r.location).get_data(as_text=True)
    assert "Bloccati: non cambiano più." in report
    total = re.search(r'id="exam-total"><strong>([\d.]+) / 50</strong>', report)
    assert total is not None
    assert "Chiamata 1" in report and "Chiamata 2" in report
    assert "non valutabile" in report  # the fonogramma call was never answered
    assert "Tempi reali" in report
    with _db(exam_app).read() as s:
        frozen = s.get(ExamSitting, sitting_id).marks
    assert frozen is not None and frozen["total"] == float(total.group(1))

    # Locked: re-scoring the attempt (a changed rubric, an override) cannot change the marks.
    with _db(exam_app).write() as s:
        score = s.scalar(select(Score).where(Score.attempt_id == attempt_id))
        score.report = {**score.report, "criteria": []}
    attempts.score_attempt(_db(exam_app), attempt_id)
    again = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report").get_data(as_text=True)
    assert f"<strong>{total.group(1)} / 50</strong>" in again
    # A second close is refused, as is a change of accommodation.
    r = instructor.post(f"/instructor/exam-sittings/{sitting_id}/close", data=form_data(exam_page))
    assert r.status_code == 409
    r = instructor.post(
        f"/instructor/exam-sittings/{sitting_id}/accommodation",
        data=form_data(exam_page, multiplier="2.0"),
    )
    assert r.status_code == 409
    # The trainee reads the marks only once the instructor releases the locked report.
    page = client.get(f"/practice/exams/{sitting_id}").get_data(as_text=True)
    assert "/ 50" not in page and "Esame consegnato" in page
    r = instructor.post(
        f"/instructor/exam-sittings/{sitting_id}/release", data=form_data(exam_page)
    )
    assert r.status_code == 302
    page = client.get(f"/practice/exams/{sitting_id}").get_data(as_text=True)
    assert f"<strong>{total.group(1)} / 50</strong>" in page
    assert "Chiamata 2" in page
    # Neither can the trainee act on the locked sitting's call.
    r = client.post(f"{console_url}/action", data=form_data(console, kind="answer", line="e2-l1"))
    with _db(exam_app).read() as s:
        assert s.get(Attempt, attempt_id).status == "finished"
    text = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report.txt")
    assert text.mimetype == "text/plain"
    assert f"Totale: {total.group(1).replace('.', ',')} / 50" in text.get_data(as_text=True)


def test_accommodation_applies_only_when_recorded_for_the_exam(exam_app):
    """A multiplier recorded for the sitting is the attempt's, and the report says so."""
    instructor = exam_app.test_client()
    exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    page = instructor.get(f"/instructor/exams/{exam_id}").get_data(as_text=True)
    r = instructor.post(
        f"/instructor/exam-sittings/{sitting_id}/accommodation",
        data=form_data(page, multiplier="2.0"),
    )
    assert r.status_code == 302
    r = instructor.post(
        f"/instructor/exam-sittings/{sitting_id}/accommodation",
        data=form_data(page, multiplier="7"),
    )
    assert r.status_code == 400
    assert "Moltiplicatore non valido." in r.get_data(as_text=True)
    attempt_id = exams.start_sitting(_db(exam_app), sitting_id, exam_app.config["SEEDED"]["luca"])
    assert attempts.snapshot(_db(exam_app), attempt_id).state.multiplier == 2.0
    report = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report").get_data(as_text=True)
    assert "Moltiplicatore dei tempi 2 registrato come adattamento per questo esame." in report


def test_a_report_cannot_be_released_before_the_lock(exam_app):
    """Release needs a locked sitting: marks never reach a trainee while they can change."""
    instructor = exam_app.test_client()
    exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    page = instructor.get(f"/instructor/exams/{exam_id}").get_data(as_text=True)
    r = instructor.post(f"/instructor/exam-sittings/{sitting_id}/release", data=form_data(page))
    assert r.status_code == 409
    assert "Prima chiudi e blocca l&#39;esame" in r.get_data(as_text=True)
    with _db(exam_app).read() as s:
        assert s.get(ExamSitting, sitting_id).released_at is None


def test_roles_and_other_trainees(exam_app):
    """Trainees get 403 on every instructor exam page; another trainee's sitting is 404."""
    instructor = exam_app.test_client()
    exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    marta = exam_app.test_client()
    login(marta, "marta")
    for url in (
        "/instructor/exams",
        f"/instructor/exams/{exam_id}",
        f"/instructor/exam-sittings/{sitting_id}/report",
        f"/instructor/exam-sittings/{sitting_id}/report.txt",
        f"/instructor/exam-sittings/{sitting_id}/report.html",
    ):
        assert marta.get(url).status_code == 403, url
    home = marta.get("/practice").get_data(as_text=True)
    for url in (
        "/instructor/exams",
        f"/instructor/exams/{exam_id}/assign",
        f"/instructor/exam-sittings/{sitting_id}/close",
        f"/instructor/exam-sittings/{sitting_id}/accommodation",
        f"/instructor/exam-sittings/{sitting_id}/release",
    ):
        assert marta.post(url, data=form_data(home)).status_code == 403, url
    assert marta.get(f"/practice/exams/{sitting_id}").status_code == 404
    r = marta.post(f"/practice/exams/{sitting_id}/start", data=form_data(home))
    assert r.status_code == 404
    assert instructor.get(f"/practice/exams/{sitting_id}").status_code == 403
    assert instructor.get("/instructor/exam-sittings/999/report").status_code == 404


def test_forms_need_a_csrf_token(exam_app):
    """Without the token every exam form is refused and nothing changes."""
    instructor = exam_app.test_client()
    _exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    assert instructor.post("/instructor/exams", data={"title": "x"}).status_code == 400
    assert instructor.post(f"/instructor/exam-sittings/{sitting_id}/close").status_code == 400
    luca = exam_app.test_client()
    login(luca, "luca")
    assert luca.post(f"/practice/exams/{sitting_id}/start").status_code == 400
    with _db(exam_app).read() as s:
        sitting = s.get(ExamSitting, sitting_id)
        assert sitting.attempt_id is None and not sitting.locked


def test_gdpr_export_has_the_sittings_and_delete_erases_them(exam_app):
    """The trainee's export lists each sitting with its marks; deleting the trainee removes them."""
    instructor = exam_app.test_client()
    exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    luca = exam_app.config["SEEDED"]["luca"]
    exams.start_sitting(_db(exam_app), sitting_id, luca)
    exams.close_and_lock(_db(exam_app), sitting_id)
    data = json.loads(instructor.get(f"/instructor/trainees/{luca}/export").get_data(as_text=True))
    [sitting] = data["exam_sittings"]
    assert sitting["exam"] == "Esame di prova"
    assert sitting["locked"] is True
    assert sitting["marks"]["total_marks"] == 50
    assert len(sitting["marks"]["calls"]) == 2
    page = instructor.get(f"/instructor/trainees/{luca}").get_data(as_text=True)
    r = instructor.post(
        f"/instructor/trainees/{luca}/delete", data=form_data(page, confirm_username="luca")
    )
    assert r.status_code == 302
    with _db(exam_app).read() as s:
        assert s.get(User, luca) is None
        assert s.scalar(select(func.count()).select_from(ExamSitting)) == 0
        assert s.scalar(select(func.count()).select_from(Attempt)) == 0
    # The exam itself stays for the other trainees.
    assert instructor.get(f"/instructor/exams/{exam_id}").status_code == 200


def test_the_report_reads_in_english_too(exam_app):
    """An English-reading instructor gets the report, its accommodations and marks in English."""
    instructor = exam_app.test_client()
    _exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    exams.close_and_lock(_db(exam_app), sitting_id)
    instructor.get("/lang/en")
    page = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report").get_data(as_text=True)
    assert "<h1>Exam report: Luca</h1>" in page
    assert "Real timing: no time multiplier recorded for this exam. Pause not allowed." in page
    assert "Locked: they no longer change." in page
    assert "not judged" in page
    assert '<span lang="en">A fonogramma in English</span>' in page
    text = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report.txt").get_data(
        as_text=True
    )
    assert "Candidate: Luca" in text and "Total: 0.0 / 50, pass mark 30.0: FAILED" in text


def _luca_sits_and_hands_in(app, sitting_id):
    """Luca starts the sitting, answers the first line with a greeting and hands in."""
    client = app.test_client()
    login(client, "luca")
    page = client.get(f"/practice/exams/{sitting_id}").get_data(as_text=True)
    r = client.post(f"/practice/exams/{sitting_id}/start", data=form_data(page))
    console_url = r.location.split("?")[0]
    console = client.get(console_url).get_data(as_text=True)
    client.post(f"{console_url}/action", data=form_data(console, kind="answer", line="e1-l1"))
    client.post(
        f"{console_url}/action",
        data=form_data(console, kind="say", line="e1-l1", text="Buongiorno, Acme Test."),
    )
    r = client.post(f"{console_url}/finish", data=form_data(console))
    assert r.status_code == 302
    return client, int(console_url.rsplit("/", 1)[1])


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _brf_text(data: bytes) -> str:
    body = data.decode("ascii")
    for page in body.split("\f")[:-1]:
        lines = page.strip("\r\n").split("\r\n")
        assert len(lines) == braille.LINES_PER_PAGE
        assert all(len(line) <= braille.CELLS_PER_LINE for line in lines)
    return " ".join(braille.back_translate(line) for line in body.replace("\f", "").split("\r\n"))


def test_an_override_moves_the_marks_until_the_lock_and_the_report_downloads(exam_app):
    """The assessor's verdict on a sitting's criterion changes the /50 total, is shown with its
    reason in the HTML, PDF and BRF reports and the register, and is refused once locked; the
    trainee sees no verdict (replay, Braille) until the report is released, then downloads it."""
    instructor = exam_app.test_client()
    exam_id, sitting_id = _exam_with_sitting(exam_app, instructor)
    luca, attempt_id = _luca_sits_and_hands_in(exam_app, sitting_id)
    # Handed in, not released: the trainee reaches no verdict by any door.
    assert luca.get(f"/attempts/{attempt_id}/replay").status_code == 404
    assert luca.get(f"/braille/attempts/{attempt_id}.brf").status_code == 404
    assert luca.get(f"/practice/exams/{sitting_id}/report.pdf").status_code == 404
    assert luca.get(f"/practice/exams/{sitting_id}/report.brf").status_code == 404

    with _db(exam_app).read() as s:
        before = exams.compute_marks(s, s.get(ExamSitting, sitting_id))
    target = next(
        c for c in before.calls[0].criteria if c.counted and c.status != "passed" and c.available
    )
    report = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report").get_data(as_text=True)
    assert 'id="review-sitting"' in report and f'href="/attempts/{attempt_id}/replay"' in report
    replay = instructor.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    reason = "Ha preso il messaggio a voce, lo confermo io"
    r = instructor.post(
        f"/attempts/{attempt_id}/overrides",
        data=form_data(replay, criterion=f"e1-{target.id}", verdict="passed", reason=reason),
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    with _db(exam_app).read() as s:
        after = exams.compute_marks(s, s.get(ExamSitting, sitting_id))
    moved = next(c for c in after.calls[0].criteria if c.id == target.id)
    assert moved.status == "passed" and moved.earned == moved.available > 0
    assert moved.override is not None and moved.override["automatic_status"] == target.status
    assert after.total > before.total
    report = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report").get_data(as_text=True)
    assert f"<strong>{after.total:.1f} / 50</strong>" in report
    assert reason in report and "Verdetto dell'istruttore Ada Istruttrice" in report
    assert f'href="/instructor/exam-sittings/{sitting_id}/report.pdf"' in report
    assert f'href="/instructor/exam-sittings/{sitting_id}/report.brf"' in report

    exam_page = instructor.get(f"/instructor/exams/{exam_id}").get_data(as_text=True)
    r = instructor.post(f"/instructor/exam-sittings/{sitting_id}/close", data=form_data(exam_page))
    assert r.status_code == 302
    assert 'id="review-sitting"' not in instructor.get(r.location).get_data(as_text=True)
    with _db(exam_app).read() as s:
        frozen = s.get(ExamSitting, sitting_id).marks
    assert frozen["total"] == after.total  # the lock freezes the marks with the override
    # Locked: a late override is refused with the reason, and the marks stay.
    replay = instructor.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    r = instructor.post(
        f"/attempts/{attempt_id}/overrides",
        data=form_data(replay, criterion=f"e1-{target.id}", verdict="failed", reason="ripensato"),
    )
    assert r.status_code == 400
    assert "i verdetti si correggono prima di bloccarlo" in r.get_data(as_text=True)
    with _db(exam_app).read() as s:
        assert s.get(ExamSitting, sitting_id).marks["total"] == after.total

    shown = f"{after.total:.1f}".replace(".", ",")
    pdf = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "Luca" in text and f"{after.total:.1f} / 50" in text and "Ha preso il messaggio" in text
    brf = instructor.get(f"/instructor/exam-sittings/{sitting_id}/report.brf")
    assert brf.status_code == 200 and brf.mimetype == "application/x-brf"
    cells = _brf_text(brf.data)
    # Italian computer Braille gives some signs one cell ("/" and ".", "ss" and "§"), so the
    # words checked are free of them.
    for expected in ("Candidato: Luca", f"Totale: {shown} ", "Verdetto automatico", "a voce, lo"):
        assert expected in cells
    register = instructor.get(
        f"/instructor/trainees/{exam_app.config['SEEDED']['luca']}/register.csv"
    )
    rows = list(csv.DictReader(io.StringIO(register.get_data(as_text=True).lstrip("\ufeff"))))
    [row] = [row for row in rows if row["exam_marks"]]
    assert float(row["exam_marks"]) == after.total

    # Released: the trainee reads it, downloads it, and may replay the call.
    assert luca.get(f"/practice/exams/{sitting_id}/report.pdf").status_code == 404
    instructor.post(f"/instructor/exam-sittings/{sitting_id}/release", data=form_data(exam_page))
    page = luca.get(f"/practice/exams/{sitting_id}").get_data(as_text=True)
    assert f'href="/practice/exams/{sitting_id}/report.brf"' in page and reason in page
    mine = luca.get(f"/practice/exams/{sitting_id}/report.pdf")
    assert mine.status_code == 200 and "Ha preso il messaggio" in _pdf_text(mine.data)
    assert f"Totale: {shown} " in _brf_text(
        luca.get(f"/practice/exams/{sitting_id}/report.brf").data
    )
    assert luca.get(f"/attempts/{attempt_id}/replay").status_code == 200
    marta = exam_app.test_client()
    login(marta, "marta")
    assert marta.get(f"/practice/exams/{sitting_id}/report.pdf").status_code == 404
