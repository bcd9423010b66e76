"""Flask CLI commands: database upgrade, library load, first instructor, trainees, status.

flask --app app db-upgrade
flask --app app load-scenarios [--root scenarios]
flask --app app create-instructor --username ada --name "Ada Rossi"
    (password prompted twice, or from CENTRALINO_INSTRUCTOR_PASSWORD for automation)
flask --app app create-trainee --username luca --name "Luca Bianchi"
    (password from CENTRALINO_TRAINEE_PASSWORD or prompted)
flask --app app set-password --username luca
    (password from CENTRALINO_NEW_PASSWORD or prompted; ends the user's open sessions)
flask --app app assign luca smistamento-acquisti-assente [ALTRO-ID...]
flask --app app status
flask --app app purge-recordings
    (delete the audio of trainees' recordings older than RECORDING_RETENTION_DAYS; also at start)
flask --app app rescore SCENARIO_ID
    (judge the ended attempts again with the scenario's current rubric; overrides are kept)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from simulator.errors import ScenarioError
from simulator.practice import accounts, attempts, library, recordings, trials
from simulator.store.db import Database
from simulator.store.migrate import upgrade
from simulator.store.models import Assignment, User


def _db() -> Database:
    database: Database = current_app.extensions["centralino_db"]
    return database


def _password(env_name: str) -> str:
    from_env = os.environ.get(env_name)
    if from_env:
        return from_env
    value: str = click.prompt(
        "Password (almeno 10 caratteri)", hide_input=True, confirmation_prompt=True
    )
    return value


def _create(username: str, name: str, role: str, env_name: str) -> None:
    password = _password(env_name)
    try:
        with _db().write() as s:
            accounts.create_user(
                s, username=username, display_name=name, password=password, role=role
            )
    except accounts.AccountError as exc:
        raise click.ClickException(f"{exc.it} / {exc.en}") from exc
    click.echo(f"Creato {role}: {username}")


log = logging.getLogger(__name__)


def purge_recordings(app: Flask) -> int:
    """Delete the audio past the retention period; how many recordings lost their audio."""
    database: Database = app.extensions["centralino_db"]
    with database.write() as s:
        return recordings.purge_expired(s, int(app.config["RECORDING_RETENTION_DAYS"]))


def purge_at_start(app: Flask) -> None:
    """The retention purges each time the app starts: recordings past their period and trials
    left behind (a schema not yet created is no error)."""
    try:
        removed = purge_recordings(app)
        database: Database = app.extensions["centralino_db"]
        with database.write() as s:
            stale = trials.purge_stale(s)
    except SQLAlchemyError:
        log.info("recordings not purged at start: no schema yet (flask --app app db-upgrade)")
        return
    if removed:
        log.info("recordings past retention: audio of %s deleted", removed)
    if stale:
        log.info("instructor trials left over a day: %s deleted", stale)


def install(app: Flask) -> None:
    """Register the commands on the app."""

    @app.cli.command("db-upgrade")
    def db_upgrade() -> None:
        """Create or upgrade the database schema (Alembic)."""
        upgrade(current_app.config["DATABASE_URL"])
        click.echo("Database aggiornato / database up to date")

    @app.cli.command("load-scenarios")
    @click.option("--root", type=click.Path(path_type=Path), default=None)
    def load_scenarios(root: Path | None) -> None:
        """Validate the YAML library and store new scenario versions."""
        folder = root or Path(current_app.config["SCENARIO_ROOT"])
        if not folder.is_dir():
            raise click.ClickException(f"Cartella scenari assente / no scenario folder: {folder}")
        try:
            with _db().write() as s:
                result = library.sync_library(s, folder)
        except ScenarioError as exc:
            for problem in exc.problems:
                click.echo(problem.render("it"), err=True)
            raise click.ClickException("Scenari non validi / invalid scenarios") from exc
        click.echo(
            f"Scenari: {len(result.added)} nuovi, {len(result.unchanged)} invariati "
            f"/ {len(result.added)} new, {len(result.unchanged)} unchanged"
        )

    @app.cli.command("create-instructor")
    @click.option("--username", prompt="Nome utente")
    @click.option("--name", prompt="Nome e cognome")
    def create_instructor(username: str, name: str) -> None:
        """Create an instructor (the first one, or more)."""
        _create(username, name, "instructor", "CENTRALINO_INSTRUCTOR_PASSWORD")

    @app.cli.command("create-trainee")
    @click.option("--username", prompt="Nome utente")
    @click.option("--name", prompt="Nome e cognome")
    def create_trainee(username: str, name: str) -> None:
        """Create a trainee account."""
        _create(username, name, "trainee", "CENTRALINO_TRAINEE_PASSWORD")

    @app.cli.command("set-password")
    @click.option("--username", prompt="Nome utente")
    def set_password(username: str) -> None:
        """Change a user's password and log them out everywhere."""
        password = _password("CENTRALINO_NEW_PASSWORD")
        try:
            with _db().write() as s:
                user_id = accounts.user_id_of(s, username)
                if user_id is None:
                    raise click.ClickException(f"Utente inesistente / no such user: {username}")
                accounts.change_password(s, user_id, password)
        except accounts.AccountError as exc:
            raise click.ClickException(f"{exc.it} / {exc.en}") from exc
        click.echo(
            f"Password cambiata, sessioni chiuse / password changed, sessions ended: {username}"
        )

    @app.cli.command("assign")
    @click.argument("username")
    @click.argument("scenario_ids", nargs=-1, required=True, metavar="SCENARIO_ID...")
    def assign(username: str, scenario_ids: tuple[str, ...]) -> None:
        """Assign library scenarios to a trainee (already assigned ones are kept)."""
        with _db().write() as s:
            trainee = s.scalar(
                select(User).where(User.username == username, User.role == "trainee")
            )
            if trainee is None:
                raise click.ClickException(
                    f"Allievo sconosciuto / unknown trainee: {username} "
                    "(flask --app app create-trainee)"
                )
            known = {v.scenario_id for v in library.current_scenarios(s)}
            unknown = sorted(set(scenario_ids) - known)
            if unknown:
                raise click.ClickException(
                    f"Scenari non in libreria / not in the library: {', '.join(unknown)} "
                    "(flask --app app load-scenarios; simulator list)"
                )
            current = set(
                s.scalars(select(Assignment.scenario_id).where(Assignment.trainee_id == trainee.id))
            )
            for scenario_id in sorted(set(scenario_ids) - current):
                s.add(Assignment(trainee_id=trainee.id, scenario_id=scenario_id))
        click.echo(f"Assegnati a / assigned to {username}: {', '.join(sorted(set(scenario_ids)))}")

    @app.cli.command("purge-recordings")
    def purge() -> None:
        """Delete the audio of recordings older than RECORDING_RETENTION_DAYS (text stays), and
        Twilio's copies of phone recordings past it or of erased trainees."""
        removed = purge_recordings(current_app)
        days = current_app.config["RECORDING_RETENTION_DAYS"]
        click.echo(
            f"Registrazioni cancellate (oltre {days} giorni): {removed} "
            f"/ recordings deleted (older than {days} days): {removed}"
        )
        # Copies kept elsewhere (Twilio's, registered by the phone layer) go too.
        for hook in current_app.extensions.get("centralino_purge_hooks", []):
            click.echo(hook())

    @app.cli.command("rescore")
    @click.argument("scenario_id")
    def rescore(scenario_id: str) -> None:
        """Judge the ended attempts of a scenario with its current rubric (overrides kept)."""
        try:
            ids = attempts.rescore(_db(), scenario_id)
        except attempts.AttemptNotFound as exc:
            raise click.ClickException(
                f"Scenario non in libreria / not in the library: {scenario_id}"
            ) from exc
        click.echo(f"Rivalutati / re-scored: {len(ids)}")

    @app.cli.command("status")
    def status() -> None:
        """Users and scenarios, and how to create the first instructor if there is none."""
        with _db().read() as s:
            users = accounts.user_count(s)
            scenarios = library.scenario_count(s)
        click.echo(f"Utenti / users: {users}; scenari / scenarios: {scenarios}")
        if users == 0:
            click.echo(
                "Nessun istruttore. Crea il primo con / No instructor yet. Create one with:\n"
                "  .venv/bin/flask --app app create-instructor\n"
                "oppure apri la pagina di primo avvio / or open the first-run page: /setup"
            )
