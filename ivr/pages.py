"""Pages of the phone feature for people: the keypad card and the trainee's "Call me" button."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ivr import outbound, state
from ivr.commands import CODES, FORMS
from ivr.webhooks import bp, settings
from simulator.errors import TelephonyError
from simulator.web.i18n import lang
from simulator.web.models import Assignment
from simulator.web.security import current_user, db, role_required


@bp.get("/card")
def card() -> ResponseReturnValue:
    """The printable keypad card, in Italian then English, as plain semantic HTML."""
    return render_template(
        "ivr/card.html", codes=CODES, forms=FORMS, enabled=settings().webhooks_enabled
    )


def phone_context() -> dict[str, Any]:
    """For the trainee's pages: whether "Chiamami al telefono" can be offered, asked lazily."""

    def call_me_available() -> bool:
        user = current_user()
        if user is None or user.role != "trainee" or not settings().outbound_enabled:
            return False
        return state.verified_phone(db(), user.id) is not None

    return {"call_me_available": call_me_available}


@bp.post("/call-me")
@role_required("trainee")
def call_me() -> ResponseReturnValue:
    """Ask Centralino to call my verified phone for an assigned scenario (CSRF-checked form)."""
    user = current_user()
    assert user is not None
    scenario_id = request.form.get("scenario_id", "")
    english = lang() == "en"
    with db().read() as session:
        assigned = session.scalar(
            select(Assignment.id).where(
                Assignment.trainee_id == user.id, Assignment.scenario_id == scenario_id
            )
        )
    if assigned is None:
        flash(
            "Scenario not assigned to you." if english else "Esercitazione non assegnata.", "error"
        )
        return redirect(url_for("console.home"))
    try:
        client = outbound.client_for(
            settings(), current_app.extensions.get("centralino_twilio_http")
        )
        outbound.call_me(db(), settings(), client, user.id, scenario_id)
    except TelephonyError as exc:
        flash(exc.message("en" if english else "it"), "error")
        return redirect(url_for("console.home"))
    flash(
        "Calling you now: answer and press 1."
        if english
        else "Ti stiamo chiamando: rispondi e premi 1."
    )
    return redirect(url_for("console.home"))
