"""Pages of the phone feature for people: the keypad card and the trainee's "Call me" button."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from ivr import outbound, state
from ivr.commands import CODES, FORMS
from ivr.webhooks import bp, settings
from simulator.errors import TelephonyError
from simulator.flaskkit.i18n import lang
from simulator.flaskkit.security import current_user, db, role_required


@bp.get("/card")
def card() -> ResponseReturnValue:
    """The printable keypad card, in Italian then English, as plain semantic HTML."""
    return render_template(
        "ivr/card.html", codes=CODES, forms=FORMS, enabled=settings().webhooks_enabled
    )


def phone_context() -> dict[str, Any]:
    """For the web pages: whether "Chiamami al telefono" can be offered (asked lazily), and
    where an instructor sets a trainee's phone and PIN."""

    def call_me_available() -> bool:
        user = current_user()
        if user is None or user.role != "trainee" or not settings().outbound_enabled:
            return False
        return state.verified_phone(db(), user.id) is not None

    def phone_admin_url(trainee_id: int) -> str:
        return url_for("ivr.trainee_phone", trainee_id=trainee_id)

    return {"call_me_available": call_me_available, "phone_admin_url": phone_admin_url}


@bp.route("/trainees/<int:trainee_id>/phone", methods=["GET", "POST"])
@role_required("instructor")
def trainee_phone(trainee_id: int) -> ResponseReturnValue:
    """An instructor records a trainee's verified number and gives them a new phone PIN."""
    trainee = state.trainee(db(), trainee_id)
    if trainee is None:
        abort(404)
    english = lang() == "en"
    errors: dict[str, str] = {}
    values = {
        "phone": request.form.get("phone", "").strip(),
        "new_pin": request.form.get("new_pin"),
    }
    if request.method == "POST":
        pin = f"{secrets.randbelow(10**6):06d}" if values["new_pin"] else None
        if not values["phone"] and pin is None:
            errors["phone"] = (
                "Write a number or ask for a new PIN."
                if english
                else "Scrivi un numero o chiedi un nuovo PIN."
            )
        else:
            try:
                state.set_phone(
                    db(),
                    trainee_id,
                    secret=str(current_app.config["SECRET_KEY"]),
                    phone=values["phone"] or None,
                    pin=pin,
                )
            except ValueError:
                errors["phone"] = (
                    "Not a phone number: write it with its area code, e.g. 0971 123456."
                    if english
                    else "Numero non valido: scrivilo con il prefisso, es. 0971 123456."
                )
            except SQLAlchemyError:
                errors["phone"] = (
                    "This number or PIN belongs to another trainee."
                    if english
                    else "Numero o PIN già assegnato a un altro allievo."
                )
        if not errors:
            if pin is not None:
                flash(
                    (f"Saved. New PIN: {pin}. Give it to the trainee in person."
                     if english else
                     f"Salvato. Nuovo PIN: {pin}. Consegnalo all'allievo di persona."),
                    "status",
                )  # fmt: skip
            else:
                flash("Saved." if english else "Salvato.", "status")
            return redirect(url_for("ivr.trainee_phone", trainee_id=trainee_id))
    current = state.verified_phone(db(), trainee_id)
    page = render_template(
        "ivr/phone.html", trainee=trainee, errors=errors, values=values, current=current
    )
    return page, (400 if errors else 200)


@bp.post("/call-me")
@role_required("trainee")
def call_me() -> ResponseReturnValue:
    """Ask Centralino to call my verified phone for a scenario I may practise: an assigned one,
    or with free practice any of the library, as in the browser (CSRF-checked form)."""
    user = current_user()
    assert user is not None
    scenario_id = request.form.get("scenario_id", "")
    english = lang() == "en"
    assigned, library = state.menu_entries(db(), user.id, settings().free_practice)
    if scenario_id not in {e.scenario_id for e in [*assigned, *library]}:
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
