"""Language choice (Italian first, English switchable) and template helpers.

Domain errors carry both languages (``.it``/``.en``); ``pick`` chooses the one the user reads.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, session
from flask_babel import get_locale

LANGUAGES = ("it", "en")


def select_locale() -> str:
    """The session's language, else Italian (the course language)."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "it"


def lang() -> str:
    """The current language code ("it" or "en")."""
    return str(get_locale() or "it")


def pick(error: Any) -> str:
    """The message of a bilingual error or problem in the user's language."""
    if lang() == "en":
        return str(getattr(error, "en", None) or error)
    return str(getattr(error, "it", None) or error)


def mmss(seconds: float | None) -> str:
    """mm:ss for times in transcripts and evidence."""
    if seconds is None:
        return ""
    whole = max(0, round(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def install(app: Flask) -> None:
    """Template globals and filters."""

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"current_lang": lang(), "pick": pick, "app_version": current_app.config["VERSION"]}

    app.add_template_filter(mmss, "mmss")
