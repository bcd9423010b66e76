"""User accounts: argon2 password hashes, roles and trainee accommodations.

Independent of Flask so the CLI, the IVR and the tests create users the same way.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from simulator.practice.field_limits import MAX_DISPLAY_NAME, has_control
from simulator.store.models import (
    EARCONS,
    MULTIPLIERS,
    VOICE_MODES,
    Accommodation,
    LoginSession,
    User,
)

_hasher = PasswordHasher()
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 10
# A real hash of a random string: verifying against it costs the same time as a real user,
# so a login with an unknown name is not faster (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("centralino-no-such-user")


class AccountError(ValueError):
    """A user cannot be created as asked; carries the field and an it/en message."""

    def __init__(self, field: str, it: str, en: str) -> None:
        super().__init__(it)
        self.field = field
        self.it = it
        self.en = en


@dataclass(frozen=True, slots=True)
class Settings:
    """A trainee's accommodations as plain values (defaults for users without a row)."""

    time_multiplier: float = 1.0
    voice_mode: str = "screen_reader"
    shortcuts: bool = True
    confirm_transcript: bool = False
    earcons: tuple[str, ...] = EARCONS


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


COMMON_PASSWORDS = _common_passwords()


def is_trivial(password: str, username: str | None = None) -> bool:
    """A password anyone would try first: among the most used, few different characters,
    a short unit repeated (``abcabcabca``), a straight run (``abcdefghij``, ``9876543210``),
    or the user's own name with digits after it."""
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return True
    for unit in range(1, 5):
        if (lowered[:unit] * (len(lowered) // unit + 1))[: len(lowered)] == lowered:
            return True
    steps = {ord(b) - ord(a) for a, b in pairwise(lowered)}
    if steps in ({1}, {-1}):
        return True
    name = (username or "").strip().lower()
    return bool(name) and lowered.rstrip("0123456789") == name


def check_password_rules(
    password: str, confirm: str | None = None, *, username: str | None = None
) -> None:
    """Refuse weak or mistyped passwords with a message saying what to do."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            "password",
            f"La password deve avere almeno {MIN_PASSWORD} caratteri.",
            f"The password must be at least {MIN_PASSWORD} characters long.",
        )
    if is_trivial(password, username):
        raise AccountError(
            "password",
            "Questa password è troppo facile da indovinare: è tra le più usate, ripete pochi "
            "caratteri, è una sequenza o contiene il nome utente. Scegline una diversa, per "
            "esempio tre parole a caso.",
            "This password is too easy to guess: it is among the most used, repeats a few "
            "characters, is a sequence or holds the username. Choose another, for example "
            "three random words.",
        )
    if confirm is not None and confirm != password:
        raise AccountError(
            "confirm",
            "Le due password non coincidono: riscrivile uguali.",
            "The two passwords differ: type the same password twice.",
        )


def user_count(session: Session) -> int:
    """How many accounts exist (0 means the first-run page is open)."""
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def new_user_problems(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    confirm: str | None = None,
) -> list[AccountError]:
    """Every problem of a new account at once, so a form reports them all, not the first."""
    problems: list[AccountError] = []
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        problems.append(
            AccountError(
                "username",
                "Il nome utente deve avere 2-40 caratteri: minuscole, cifre, punto, trattino.",
                "The username must be 2-40 characters: lower case, digits, dot, hyphen.",
            )
        )
    elif session.scalar(select(User.id).where(User.username == name)) is not None:
        problems.append(
            AccountError(
                "username",
                "Questo nome utente esiste già: scegline un altro.",
                "This username already exists: choose another.",
            )
        )
    if not display_name.strip():
        problems.append(
            AccountError("display_name", "Scrivi nome e cognome.", "Enter the person's full name.")
        )
    if role not in ("instructor", "trainee"):
        problems.append(AccountError("role", "Ruolo non valido.", "Invalid role."))
    try:
        check_password_rules(password, confirm)
    except AccountError as exc:
        problems.append(exc)
    return problems


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    confirm: str | None = None,
) -> User:
    """Create an instructor or a trainee after checking name and password."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "username",
            "Il nome utente deve avere 2-40 caratteri: minuscole, cifre, punto, trattino.",
            "The username must be 2-40 characters: lower case, digits, dot, hyphen.",
        )
    if not display_name.strip():
        raise AccountError(
            "display_name", "Scrivi nome e cognome.", "Enter the person's full name."
        )
    if len(display_name.strip()) > MAX_DISPLAY_NAME or has_control(display_name):
        raise AccountError(
            "display_name",
            f"Nome e cognome: al massimo {MAX_DISPLAY_NAME} caratteri, senza caratteri speciali.",
            f"Full name: at most {MAX_DISPLAY_NAME} characters, with no control characters.",
        )
    if role not in ("instructor", "trainee"):
        raise AccountError("role", "Ruolo non valido.", "Invalid role.")
    check_password_rules(password, confirm, username=username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(
            "username",
            "Questo nome utente esiste già: scegline un altro.",
            "This username already exists: choose another.",
        )
    user = User(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
    )
    if role == "trainee":
        user.accommodation = Accommodation(
            time_multiplier=1.0,
            voice_mode="screen_reader",
            shortcuts=True,
            confirm_transcript=False,
        )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password matches, else None (same cost either way)."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def user_id_of(session: Session, username: str) -> int | None:
    """The id of the account with this username, if any."""
    found = session.scalar(select(User.id).where(User.username == username.strip().lower()))
    return None if found is None else int(found)


def session_digest(token: str) -> str:
    """How a login session's token is stored: its SHA-256 (a database leak opens nothing)."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user_id: int) -> str:
    """A new login session for the user: the random token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_digest=session_digest(token), user_id=user_id))
    return token


def close_session(session: Session, token: str) -> None:
    """End one login session (logout)."""
    session.execute(delete(LoginSession).where(LoginSession.token_digest == session_digest(token)))


def change_password(
    session: Session, user_id: int, password: str, confirm: str | None = None
) -> None:
    """Set a new password after the rules, and end every login session of the user."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("username", "Utente inesistente.", "No such user.")
    check_password_rules(password, confirm, username=user.username)
    user.password_hash = hash_password(password)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


def settings_of(session: Session, user_id: int) -> Settings:
    """A trainee's accommodations (defaults when none were set)."""
    row = session.get(Accommodation, user_id)
    if row is None:
        return Settings()
    earcons = tuple(name for name in (row.earcons or "").split(",") if name in EARCONS)
    return Settings(
        row.time_multiplier, row.voice_mode, row.shortcuts, row.confirm_transcript, earcons
    )


def save_settings(session: Session, user_id: int, settings: Settings) -> None:
    """Store accommodations after checking they are among the offered values."""
    if settings.time_multiplier not in MULTIPLIERS:
        raise AccountError("time_multiplier", "Moltiplicatore non valido.", "Invalid multiplier.")
    if settings.voice_mode not in VOICE_MODES:
        raise AccountError("voice_mode", "Modalità voce non valida.", "Invalid voice mode.")
    row = session.get(Accommodation, user_id)
    if row is None:
        row = Accommodation(user_id=user_id)
        session.add(row)
    row.time_multiplier = settings.time_multiplier
    row.voice_mode = settings.voice_mode
    row.shortcuts = settings.shortcuts
    row.confirm_transcript = settings.confirm_transcript
    row.earcons = ",".join(name for name in EARCONS if name in settings.earcons)
