"""Replay and coach on a real database: the timeline, clips, notes, overrides that move the RA
and survive a re-score, retention, calibration figures, roles, CSRF and the GDPR export."""

from __future__ import annotations

import io
import re
import wave
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from simulator.events import Action
from simulator.practice import attempts, library, recordings
from simulator.store.models import AttemptEvent, Score, ScoreRA, utcnow
from simulator.store.review import CoachingNote, UtteranceRecording, VerdictOverride
from simulator.web.testing import FIXTURES, form_data, login

RA_OPENING = "ADA.24.04.11.RA1"


def _wav(seconds: float = 0.2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16_000)
        handle.writeframes(b"\x00\x10" * int(16_000 * seconds))
    return out.getvalue()


def _finished_call(
    app, trainee_id: int, greeting: str = "Buongiorno, Acme Test"
) -> tuple[int, int]:
    """A short call through the attempt service: (attempt id, seq of the trainee's greeting)."""
    database = app.extensions["centralino_db"]
    attempt_id = attempts.start_attempt(database, trainee_id, "web-messaggio")
    attempts.act(database, attempt_id, Action("answer", "l1"))
    attempts.act(database, attempt_id, Action("say", "l1", {"text": greeting, "source": "voice"}))
    with database.read() as s:
        said = s.scalar(
            select(AttemptEvent.seq).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "say"
            )
        )
    with database.write() as s:
        recordings.keep(s, attempt_id, said, _wav())
    attempts.finish(database, attempt_id)
    return attempt_id, int(said)


def _ra(app, attempt_id: int, ra: str) -> ScoreRA:
    with app.extensions["centralino_db"].read() as s:
        return s.scalars(
            select(ScoreRA).join(Score).where(Score.attempt_id == attempt_id, ScoreRA.ra == ra)
        ).one()


def test_trainee_replays_own_call_with_verdicts_at_their_moment(app, users):
    attempt_id, said = _finished_call(app, users["luca"])
    client = app.test_client()
    login(client, "luca")
    page = client.get(f"/attempts/{attempt_id}/replay")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<title>Riascolto: Messaggio per il signor Bianchi - Centralino</title>" in html
    assert '<h3 id="verdict-1" tabindex="-1" data-verdict' in html
    assert re.search(r"Apre con saluto e azienda: superato, 00:0\d</h3>", html)
    # Both voices: the caller's line from the audio cache, the trainee's kept recording.
    assert f'href="/attempts/{attempt_id}/replay/reply/{said}.wav"' in html
    caller_links = re.findall(r'href="(/attempts/\d+/replay/caller/\d+\.wav)"', html)
    assert caller_links
    reply = client.get(f"/attempts/{attempt_id}/replay/reply/{said}.wav")
    assert reply.status_code == 200 and reply.mimetype == "audio/wav"
    assert reply.data == _wav()
    caller = client.get(caller_links[0])
    assert caller.status_code == 200 and caller.data[:4] == b"RIFF"
    # No autoplay anywhere; the play buttons exist for the script, the links for everyone.
    assert "autoplay" not in html and 'play-turn" data-clip=' in html
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert f'href="/attempts/{attempt_id}/replay"' in result


def test_other_trainees_get_404_and_trainees_cannot_review(app, users):
    attempt_id, said = _finished_call(app, users["luca"])
    client = app.test_client()
    login(client, "marta")
    assert client.get(f"/attempts/{attempt_id}/replay").status_code == 404
    assert client.get(f"/attempts/{attempt_id}/replay/reply/{said}.wav").status_code == 404
    login(client, "luca")
    page = client.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    assert "override-form" not in page and "note-form" not in page
    note = client.post(f"/attempts/{attempt_id}/notes", data=form_data(page, text="x"))
    assert note.status_code == 403
    override = client.post(
        f"/attempts/{attempt_id}/overrides",
        data=form_data(page, criterion="apertura", verdict="failed", reason="x"),
    )
    assert override.status_code == 403
    assert client.get("/instructor/calibration").status_code == 403


def test_forms_need_the_csrf_token(app, users):
    attempt_id, _said = _finished_call(app, users["luca"])
    client = app.test_client()
    login(client, "ada")
    refused = client.post(f"/attempts/{attempt_id}/notes", data={"text": "Bene"})
    assert refused.status_code == 400
    refused = client.post(
        f"/attempts/{attempt_id}/overrides",
        data={"criterion": "apertura", "verdict": "failed", "reason": "no"},
    )
    assert refused.status_code == 400
    with app.extensions["centralino_db"].read() as s:
        assert s.scalar(select(func.count()).select_from(CoachingNote)) == 0
        assert s.scalar(select(func.count()).select_from(VerdictOverride)) == 0


def test_note_and_override_reach_the_trainee_and_the_totals_follow(app, users):
    attempt_id, said = _finished_call(app, users["luca"])
    assert _ra(app, attempt_id, RA_OPENING).passed is True
    client = app.test_client()
    login(client, "ada")
    page = client.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    r = client.post(
        f"/attempts/{attempt_id}/notes",
        data=form_data(page, at=f"seq-{said}", text="Sorridi mentre saluti."),
    )
    assert r.status_code == 302
    # Changing a verdict without a reason is refused, with the error on the field.
    bad = client.post(
        f"/attempts/{attempt_id}/overrides",
        data=form_data(page, criterion="apertura", verdict="failed", reason=""),
    )
    assert bad.status_code == 400
    bad_html = bad.get_data(as_text=True)
    assert "<title>Errore:" in bad_html and 'href="#f-override-reason"' in bad_html
    r = client.post(
        f"/attempts/{attempt_id}/overrides",
        data=form_data(
            page, criterion="apertura", verdict="failed", reason="Manca il nome dell'operatore."
        ),
    )
    assert r.status_code == 302
    row = _ra(app, attempt_id, RA_OPENING)
    assert row.passed is False and row.score == 0.0
    detail = client.get(f"/instructor/attempts/{attempt_id}").get_data(as_text=True)
    assert "Verdetto dell'istruttore" in detail and "Ada Istruttrice" in detail
    login(client, "luca")
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Non superato: Apre con saluto e azienda (verdetto dell'istruttore)" in result
    assert "Manca il nome dell&#39;operatore." in result
    assert "Verdetto automatico</strong>" not in result  # plain text, not a second heading
    assert "Verdetto automatico: superato." in result
    replay = client.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    assert "Sorridi mentre saluti." in replay
    assert re.search(r"Apre con saluto e azienda: non superato, 00:0\d \(verdetto corretto", replay)


def test_override_survives_a_rescore_and_is_flagged_when_the_rubric_now_agrees(app, users):
    database = app.extensions["centralino_db"]
    attempt_id, _said = _finished_call(app, users["luca"], greeting="Pronto, mi dica")
    assert _ra(app, attempt_id, RA_OPENING).passed is False  # no "buongiorno": scorer fails it
    with database.write() as s:
        from simulator.practice import review

        review.override(
            s,
            attempt_id,
            "apertura",
            passed=True,
            reason="«Pronto» è un saluto accettato qui.",
            author_id=users["ada"],
        )
    assert _ra(app, attempt_id, RA_OPENING).passed is True
    # The rubric changes: "pronto" becomes an accepted opening.
    source = (FIXTURES / "smistamento-messaggio.yaml").read_text(encoding="utf-8")
    changed = source.replace('any_of: ["buongiorno", "{company.name}"]', 'any_of: ["pronto"]')
    assert changed != source
    with database.write() as s:
        companies = library.current_companies(s)
        loaded = library.check_upload(
            changed.encode(), "smistamento-messaggio.yaml", 10**6, companies
        )
        library.store_scenario(
            s, loaded.scenario, loaded.source, "smistamento-messaggio.yaml", companies["acme-test"]
        )
    runner = app.test_cli_runner()
    done = runner.invoke(args=["rescore", "web-messaggio"])
    assert done.exit_code == 0, done.output
    with database.read() as s:
        kept = s.scalars(select(VerdictOverride)).one()
        report = s.scalar(select(Score.report).where(Score.attempt_id == attempt_id))
    assert kept.passed is True and kept.automatic_passed is False  # the original stays
    assert kept.automatic_now is True and kept.agrees_now is True
    assert next(c for c in report["criteria"] if c["id"] == "apertura")["passed"] is True
    assert _ra(app, attempt_id, RA_OPENING).passed is True
    client = app.test_client()
    login(client, "ada")
    detail = client.get(f"/instructor/attempts/{attempt_id}").get_data(as_text=True)
    assert "il verdetto automatico concorda con quello dell'istruttore" in detail


def test_retention_deletes_the_audio_and_keeps_the_text(app, users):
    database = app.extensions["centralino_db"]
    attempt_id, said = _finished_call(app, users["luca"])
    fresh, _ = _finished_call(app, users["luca"])
    with database.write() as s:
        old = s.scalars(
            select(UtteranceRecording).where(UtteranceRecording.attempt_id == attempt_id)
        ).one()
        old.recorded_at = utcnow() - timedelta(days=91)
    runner = app.test_cli_runner()
    done = runner.invoke(args=["purge-recordings"])
    assert done.exit_code == 0 and "recordings deleted (older than 90 days): 1" in done.output
    with database.read() as s:
        rows = {
            r.attempt_id: r
            for r in s.scalars(
                select(UtteranceRecording).options(
                    __import__("sqlalchemy.orm").orm.undefer(UtteranceRecording.audio)
                )
            )
        }
        text = s.scalar(
            select(AttemptEvent.data).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.seq == said
            )
        )
    assert rows[attempt_id].audio is None and rows[attempt_id].purged_at is not None
    assert rows[fresh].audio == _wav()  # within the period: kept
    assert text["text"] == "Buongiorno, Acme Test"
    client = app.test_client()
    login(client, "luca")
    assert client.get(f"/attempts/{attempt_id}/replay/reply/{said}.wav").status_code == 410
    page = client.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    assert "Registrazione cancellata: si conserva per 90 giorni. Il testo resta." in page
    assert "Buongiorno, Acme Test" in page


def test_school_sets_a_shorter_retention(tmp_path: Path):
    from simulator.web.testing import make_app, seed_users

    app = make_app(f"sqlite:///{tmp_path / 'r.db'}", tmp_path, RECORDING_RETENTION_DAYS=7)
    ids = seed_users(app)
    _finished_call(app, ids["luca"])
    database = app.extensions["centralino_db"]
    with database.write() as s:
        row = s.scalars(select(UtteranceRecording)).one()
        row.recorded_at = utcnow() - timedelta(days=8)
    from simulator.web.cli import purge_recordings

    assert purge_recordings(app) == 1
    app.extensions["centralino_db"].dispose()


def test_recording_notice_is_shown_once(app, users):
    client = app.test_client()
    login(client, "luca")
    home = client.get("/practice").get_data(as_text=True)
    assert "La tua voce viene registrata" in home and "per 90 giorni" in home
    assert client.post("/recording-notice", data={}).status_code == 400  # no CSRF token
    r = client.post("/recording-notice", data=form_data(home))
    assert r.status_code == 302
    assert "La tua voce viene registrata" not in client.get("/practice").get_data(as_text=True)


def test_gdpr_export_has_recordings_notes_overrides_and_delete_removes_them(app, users):
    database = app.extensions["centralino_db"]
    attempt_id, said = _finished_call(app, users["luca"])
    from simulator.practice import review

    with database.write() as s:
        recordings.acknowledge(s, users["luca"], 90)
        review.add_note(s, attempt_id, author_id=users["ada"], text="Bravo.", seq=said)
        review.override(
            s, attempt_id, "apertura", passed=False, reason="Troppo in fretta.",
            author_id=users["ada"],
        )  # fmt: skip
    client = app.test_client()
    login(client, "ada")
    data = client.get(f"/instructor/trainees/{users['luca']}/export").get_json(force=True)
    assert data["recording_notice"]["retention_days"] == 90
    (kept,) = data["recordings"]
    assert kept["attempt_id"] == attempt_id and kept["seq"] == said
    import base64

    assert base64.b64decode(kept["audio_base64"]) == _wav()
    (exported,) = data["attempts"]
    assert exported["coaching_notes"][0]["text"] == "Bravo."
    assert exported["overrides"][0]["reason"] == "Troppo in fretta."
    apertura = next(c for c in exported["score"]["criteria"] if c["id"] == "apertura")
    assert apertura["passed"] is False and apertura["automatic"]["passed"] is True
    page = client.get(f"/instructor/trainees/{users['luca']}").get_data(as_text=True)
    client.post(
        f"/instructor/trainees/{users['luca']}/delete",
        data=form_data(page, confirm_username="luca"),
    )
    with database.read() as s:
        for table in (UtteranceRecording, CoachingNote, VerdictOverride):
            assert s.scalar(select(func.count()).select_from(table)) == 0


def test_agreement_figures_come_from_the_overrides(app, users):
    database = app.extensions["centralino_db"]
    from simulator.practice import review

    first, _ = _finished_call(app, users["luca"])
    second, _ = _finished_call(app, users["marta"])
    with database.write() as s:
        # Confirm apertura on one call, correct it on the other; correct cerca-in-rubrica.
        review.override(s, first, "apertura", passed=True, reason="", author_id=users["ada"])
        review.override(s, second, "apertura", passed=False, reason="No.", author_id=users["ada"])
        review.override(
            s, first, "cerca-in-rubrica", passed=True, reason="Lo sa a memoria.",
            author_id=users["ada"],
        )  # fmt: skip
    client = app.test_client()
    login(client, "ada")
    page = client.get("/instructor/calibration").get_data(as_text=True)
    assert "Verdetti rivisti: 3, di cui corretti: 2." in page
    rows = page.split("<tbody>")[1]
    assert "<td>speech</td>\n      <td>2</td>\n      <td>50%</td>" in rows
    assert "<td>action</td>\n      <td>1</td>\n      <td>0%</td>" in rows
    from simulator.cli import main

    out = io.StringIO()
    code = main(["calibrate", "--database", database.url, "--json"], out)
    assert code == 0
    import json

    payload = json.loads(out.getvalue())
    speech = payload["reviews"]["web-messaggio"]["speech"]
    assert speech == {"n": 2, "agreement": 0.5, "kappa": 0.0}


@pytest.mark.parametrize("verdict", ["maybe", ""])
def test_bad_verdict_is_a_clear_400(app, users, verdict):
    attempt_id, _ = _finished_call(app, users["luca"])
    client = app.test_client()
    login(client, "ada")
    page = client.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    r = client.post(
        f"/attempts/{attempt_id}/overrides",
        data=form_data(page, criterion="apertura", verdict=verdict, reason="x"),
    )
    assert r.status_code == 400
    assert "Scegli superato o non superato." in r.get_data(as_text=True)


def test_replay_in_english(app, users):
    attempt_id, _ = _finished_call(app, users["luca"])
    client = app.test_client()
    login(client, "luca")
    client.get("/lang/en")
    html = client.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    assert "<title>Replay: Messaggio per il signor Bianchi - Centralino</title>" in html
    assert re.search(r"Opens with greeting and company: passed, 00:0\d</h3>", html)
    assert "Play all in order" in html and "Audio file: " in html


@pytest.mark.parametrize("at", ["criterion-" + "x" * 300, "seq-99999", "elsewhere"])
def test_a_note_on_an_unknown_moment_or_criterion_is_a_clear_400(app, users, at):
    attempt_id, _ = _finished_call(app, users["luca"])
    client = app.test_client()
    login(client, "ada")
    page = client.get(f"/attempts/{attempt_id}/replay").get_data(as_text=True)
    r = client.post(f"/attempts/{attempt_id}/notes", data=form_data(page, at=at, text="Bene."))
    assert r.status_code == 400
    with app.extensions["centralino_db"].read() as s:
        assert s.scalar(select(func.count()).select_from(CoachingNote)) == 0
