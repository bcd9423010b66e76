"""How long each typed or spoken field may be, and which characters no field may hold.

One table for the console's forms, the phone's forms and the attempt service, so a value the
database would refuse (PostgreSQL rejects NUL bytes and strings longer than a ``String(n)``
column) is refused first, with a message, and nothing is cut silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from simulator.errors import CallStateError

# Free text (a reply, a message, a report's notes): stored in Text columns.
MAX_TEXT = 4000
# Everything else is stored in String(255) or shorter (see simulator/store/models.py).
MAX_SHORT = 255
FIELD_MAX: dict[str, int] = {
    "text": MAX_TEXT,
    "reason": MAX_TEXT,
    "outcome": MAX_TEXT,
    "notes": MAX_TEXT,
    "problem": MAX_TEXT,
    "query": 200,
    "phone": 80,
    "number": 80,
    "code": 40,
    "staff": 120,
    "field": 40,
    "queue": 120,
    "priority": 20,
    "decision": 20,
    "mode": 20,
    "to": 120,
    "id": 120,
    "line": 40,
}
# A display name: users.display_name is String(120).
MAX_DISPLAY_NAME = 120
# C0 control characters other than tab, newline and carriage return (NUL included).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def limit_of(name: str) -> int:
    """The most characters field ``name`` may hold."""
    return FIELD_MAX.get(name, MAX_SHORT)


def has_control(text: str) -> bool:
    """True if the text holds a NUL byte or another control character (tab and newline are
    fine)."""
    return _CONTROL.search(text) is not None


def check_action(data: Mapping[str, Any]) -> None:
    """Refuse an action whose text fields are too long or hold control characters.

    Raises CallStateError with an Italian and an English message; nothing is recorded.
    """
    for name, raw in data.items():
        values = raw if isinstance(raw, list) else [raw]
        for value in values:
            if isinstance(value, str):
                _check_value(name, value)


def _check_value(name: str, value: str) -> None:
    if has_control(value):
        raise CallStateError(
            "Il testo contiene caratteri di controllo non ammessi: riscrivilo.",
            "The text holds control characters that are not allowed: type it again.",
        )
    if len(value) > limit_of(name):
        raise CallStateError(
            f"Testo troppo lungo: al massimo {limit_of(name)} caratteri.",
            f"Text too long: at most {limit_of(name)} characters.",
        )
