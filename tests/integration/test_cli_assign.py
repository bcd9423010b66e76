"""`flask --app app assign`: what the phone guide uses to give a trainee a practice call from a
fresh database; unknown trainees and scenarios are refused with the command that fixes them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from simulator.store.models import Assignment
from simulator.web.testing import make_app, seed_users


def test_assign_adds_scenarios_and_refuses_unknown_names(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    ids = seed_users(app, trainees=("luca",), scenarios=[])
    runner = app.test_cli_runner()
    done = runner.invoke(args=["assign", "luca", "web-messaggio", "web-due-linee"])
    assert done.exit_code == 0, done.output
    again = runner.invoke(args=["assign", "luca", "web-messaggio"])  # already there: kept once
    assert again.exit_code == 0, again.output
    with app.extensions["centralino_db"].read() as s:
        assigned = sorted(
            s.scalars(select(Assignment.scenario_id).where(Assignment.trainee_id == ids["luca"]))
        )
    assert assigned == ["web-due-linee", "web-messaggio"]

    nobody = runner.invoke(args=["assign", "nobody", "web-messaggio"])
    assert nobody.exit_code != 0 and "create-trainee" in nobody.output
    instructor = runner.invoke(args=["assign", "ada", "web-messaggio"])
    assert instructor.exit_code != 0 and "Allievo sconosciuto" in instructor.output
    missing = runner.invoke(args=["assign", "luca", "no-such-call"])
    assert missing.exit_code != 0 and "no-such-call" in missing.output
    assert "load-scenarios" in missing.output
    app.extensions["centralino_db"].dispose()
