"""``flask --app app ivr ...``: phones and PINs, practice calls, and the IVR's status.

flask --app app ivr status
flask --app app ivr set-phone luca +393331234567 --new-pin
flask --app app ivr call-me luca smistamento-acquisti-assente
flask --app app ivr call-class smistamento-acquisti-assente luca anna marco
flask --app app ivr delete-recordings
"""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import AppGroup

from ivr import outbound, recording_cleanup, state
from ivr.settings import IvrSettings
from simulator.errors import TelephonyError
from simulator.store.db import Database

group = AppGroup("ivr", help="Esercitazioni al telefono / phone practice (Twilio).")


def _db() -> Database:
    database: Database = current_app.extensions["centralino_db"]
    return database


def _settings() -> IvrSettings:
    config: IvrSettings = current_app.extensions["centralino_ivr"]
    return config


def _trainee_id(username: str) -> int:
    trainee = state.trainee_by_username(_db(), username)
    if trainee is None:
        raise click.ClickException(f"Allievo sconosciuto / unknown trainee: {username}")
    return trainee.id


def report_cleanup(result: recording_cleanup.Cleanup) -> str:
    """One line, Italian then English, on what a deletion run did."""
    return (
        f"Registrazioni cancellate da Twilio: {result.deleted}, non riuscite (si riprova): "
        f"{result.failed}, in attesa di Twilio configurato: {result.waiting} / "
        f"deleted at Twilio: {result.deleted}, failed (retried next run): {result.failed}, "
        f"waiting for Twilio to be configured: {result.waiting}"
    )


def delete_remote_recordings() -> str:
    """Run the Twilio deletions (also run by ``flask purge-recordings``); the summary line."""
    http = current_app.extensions.get("centralino_twilio_http")
    return report_cleanup(recording_cleanup.delete_at_twilio(_db(), _settings(), http))


@group.command("delete-recordings")
def delete_recordings() -> None:
    """Delete Twilio's copies of phone recordings past retention or of erased trainees."""
    click.echo(delete_remote_recordings())


@group.command("status")
def status() -> None:
    """Say whether phone practice is enabled and what is missing."""
    it, en = _settings().message()
    click.echo(f"{it}\n{en}")


@group.command("set-phone")
@click.argument("username")
@click.argument("phone", required=False)
@click.option("--pin", default=None, help="PIN di 4-8 cifre / 4-8 digit PIN")
@click.option("--new-pin", is_flag=True, help="Genera un PIN di 6 cifre / generate a 6-digit PIN")
@click.option("--unverified", is_flag=True, help="Numero non ancora verificato / not yet verified")
def set_phone(
    username: str, phone: str | None, pin: str | None, new_pin: bool, unverified: bool
) -> None:
    """Record a trainee's phone number (verified by the instructor) and phone PIN."""
    trainee_id = _trainee_id(username)
    if new_pin:
        pin = f"{secrets.randbelow(10**6):06d}"
    try:
        state.set_phone(
            _db(),
            trainee_id,
            secret=str(current_app.config["SECRET_KEY"]),
            phone=phone,
            verified=not unverified,
            pin=pin,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # the PIN is unique: another trainee may hold it
        raise click.ClickException(
            f"PIN o numero già in uso / PIN or number in use: {exc}"
        ) from exc
    click.echo(f"Aggiornato / updated: {username}" + (f" PIN {pin}" if new_pin else ""))


@group.command("call-me")
@click.argument("username")
@click.argument("scenario_id")
def call_me(username: str, scenario_id: str) -> None:
    """Place one practice call to a trainee's verified phone."""
    try:
        client = outbound.client_for(
            _settings(), current_app.extensions.get("centralino_twilio_http")
        )
        sid = outbound.call_me(_db(), _settings(), client, _trainee_id(username), scenario_id)
    except TelephonyError as exc:
        raise click.ClickException(f"{exc.it} / {exc.en}") from exc
    click.echo(f"Chiamata avviata / call placed: {sid}")


@group.command("call-class")
@click.argument("scenario_id")
@click.argument("usernames", nargs=-1, required=True)
def call_class(scenario_id: str, usernames: tuple[str, ...]) -> None:
    """Call several trainees, paced under the account's calls-per-second limit."""
    try:
        client = outbound.client_for(
            _settings(), current_app.extensions.get("centralino_twilio_http")
        )
    except TelephonyError as exc:
        raise click.ClickException(f"{exc.it} / {exc.en}") from exc
    ids = {(_trainee_id(name)): name for name in usernames}
    for placed in outbound.call_class(_db(), _settings(), client, ids, scenario_id):
        name = ids[placed.trainee_id]
        if placed.error:
            click.echo(f"{name}: {placed.error[0]} / {placed.error[1]}", err=True)
        else:
            click.echo(f"{name}: {placed.call_sid}")
