"""``flask --app app lti ...``: send the grades that are due, print the tool's key set."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from simulator.practice import lti_grades

group = AppGroup("lti", help="Strumento LTI 1.3 / LTI 1.3 tool.")


@group.command("send-grades")
def send_grades() -> None:
    """Invia i voti in attesa alla piattaforma / Send pending grades to the platform."""
    from simulator.web.lti import keys

    result = lti_grades.deliver(current_app.extensions["centralino_db"], keys())
    click.echo(f"inviati/sent: {result.sent}, non riusciti/failed: {result.failed}")
    if result.failed:
        raise SystemExit(1)


@group.command("jwks")
def jwks() -> None:
    """Stampa le chiavi pubbliche dello strumento / Print the tool's public key set."""
    from simulator.web.lti import keys

    click.echo(json.dumps(keys().jwks(), indent=2))
