"""``GET /healthz``: is the database reachable, how many scenarios can be played, which version."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from simulator.flaskkit.security import db
from simulator.practice.library import scenario_count

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with counts when healthy, 503 when the database does not answer."""
    try:
        with db().read() as s:
            s.execute(text("SELECT 1"))
            scenarios = scenario_count(s)
    except SQLAlchemyError:
        return jsonify(database="error", version=current_app.config["VERSION"]), 503
    ivr = current_app.extensions.get("centralino_ivr")
    phone = ivr.message()[1] if ivr is not None else "not installed"
    return jsonify(
        database="ok", scenarios=scenarios, version=current_app.config["VERSION"], phone=phone
    )
