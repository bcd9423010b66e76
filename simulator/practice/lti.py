"""The LTI 1.3 tool without Flask: tool keys, registered platforms as pylti1p3 configuration,
one-time login data in the database, and the accounts a platform's users log in.

pylti1p3 (the maintained fork published as ``pylti1p3next``) verifies every launch: the
``id_token`` signature against the platform's key set, expiry, state, registration, deployment
and message claims. It checks that a nonce was issued but not that it is used once; this module
adds that (``NonceSessionService.consume_nonce``), so a replayed launch is refused.

Error tree (raised to the web layer, each with an Italian and an English message)::

    LtiError
    └── LaunchRefused    a login or launch the tool will not accept (wrong issuer, bad
                         signature, expired or replayed nonce, unknown deployment...)
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jwcrypto.jwk import JWK
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from simulator.practice import accounts
from simulator.store.db import Database
from simulator.store.lti import LtiAttemptLink, LtiIdentity, LtiLaunchData, LtiPlatform
from simulator.store.models import Accommodation, User, utcnow

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
# Platform roles that make an instructor here; every other launch is a trainee's.
INSTRUCTOR_ROLES = {"Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant"}
LAUNCH_DATA_LIFETIME = timedelta(minutes=10)


class LtiError(Exception):
    """Root of the LTI errors: carries an Italian and an English message."""

    def __init__(self, it: str, en: str, *, status: int = 400, detail: str = "") -> None:
        super().__init__(en)
        self.it = it
        self.en = en
        self.status = status
        self.detail = detail


class LaunchRefused(LtiError):
    """A login or a launch that fails verification."""


# ---------------------------------------------------------------- tool keys


@dataclass(frozen=True, slots=True)
class ToolKeys:
    """The tool's RSA key pair (PEM) and its key id."""

    private_pem: str
    public_pem: str

    @property
    def kid(self) -> str:
        return str(JWK.from_pem(self.public_pem.encode()).thumbprint())

    def jwks(self) -> dict[str, Any]:
        """The public key set the platform fetches from the tool's JWKS URL."""
        return {"keys": [Registration.get_jwk(self.public_pem)]}


def tool_keys(instance: Path) -> ToolKeys:
    """The tool's keys, generated once into ``instance/lti/`` (0600) and never committed."""
    folder = instance / "lti"
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "tool-private-key.pem"
    if not key_file.exists():
        pem = JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None)
        # Private temporary file linked into place: two workers starting together agree on one key.
        tmp = folder / f".key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    private_pem = key_file.read_text(encoding="ascii")
    public_pem = JWK.from_pem(private_pem.encode()).export_to_pem().decode("ascii")
    return ToolKeys(private_pem, public_pem)


# ---------------------------------------------------------------- platforms


def registration_of(platform: LtiPlatform, keys: ToolKeys) -> Registration:
    """A pylti1p3 registration for a stored platform, signed with the tool's keys."""
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_key_set_url(platform.key_set_url)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_tool_private_key(keys.private_pem)
        .set_tool_public_key(keys.public_pem)
    )


def _find_platform(session: Session, iss: str, client_id: str | None) -> LtiPlatform | None:
    query = select(LtiPlatform).where(LtiPlatform.issuer == iss)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    found = list(session.scalars(query.limit(2)))
    # Without a client id the issuer must name exactly one registration.
    return found[0] if len(found) == 1 else None


class DbToolConf(ToolConfAbstract[Any]):
    """Registered platforms read from the database (several client ids per issuer allowed)."""

    def __init__(self, db: Database, keys: ToolKeys) -> None:
        super().__init__()
        self._db = db
        self._keys = keys

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        with self._db.read() as session:
            found = _find_platform(session, iss, client_id)
            if found is not None:
                session.expunge(found)
            return found

    def platform_by_id(self, platform_id: int) -> LtiPlatform | None:
        with self._db.read() as session:
            found = session.get(LtiPlatform, platform_id)
            if found is not None:
                session.expunge(found)
            return found

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        found = self.platform(iss, client_id)
        return registration_of(found, self._keys) if found is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Any:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        found = self.platform(iss, client_id)
        if found is None or deployment_id not in found.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


def _clean_url(value: str, field: str, label_it: str, label_en: str) -> str:
    value = value.strip()
    if not value.startswith(("https://", "http://")) or " " in value:
        raise accounts.AccountError(
            field,
            f"{label_it}: scrivi un indirizzo completo che inizia con https://",
            f"{label_en}: enter a full address starting with https://",
        )
    return value


def register_platform(
    session: Session,
    *,
    title: str,
    issuer: str,
    client_id: str,
    deployment_ids: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
) -> LtiPlatform:
    """Store a platform an instructor registers; refuses incomplete or duplicate entries."""
    if not title.strip():
        raise accounts.AccountError(
            "title",
            "Scrivi un nome per la piattaforma, ad esempio «Moodle dell'istituto».",
            "Enter a name for the platform, for example “School Moodle”.",
        )
    issuer = _clean_url(issuer, "issuer", "Emittente (issuer)", "Issuer")
    if not client_id.strip():
        raise accounts.AccountError(
            "client_id",
            "Scrivi l'ID client che la piattaforma ha assegnato allo strumento.",
            "Enter the client ID the platform gave the tool.",
        )
    deployments = [d for d in (p.strip() for p in deployment_ids.replace(",", "\n").split()) if d]
    if not deployments:
        raise accounts.AccountError(
            "deployment_ids",
            "Scrivi almeno un ID di deployment (uno per riga).",
            "Enter at least one deployment ID (one a line).",
        )
    urls = {
        "auth_login_url": _clean_url(
            auth_login_url, "auth_login_url", "URL di autenticazione", "Authentication URL"
        ),
        "auth_token_url": _clean_url(
            auth_token_url, "auth_token_url", "URL del token", "Access token URL"
        ),
        "key_set_url": _clean_url(
            key_set_url, "key_set_url", "URL del set di chiavi", "Public keyset URL"
        ),
    }
    if _find_platform(session, issuer, client_id.strip()) is not None:
        raise accounts.AccountError(
            "client_id",
            "Questa piattaforma con questo ID client è già registrata.",
            "This platform with this client ID is already registered.",
        )
    platform = LtiPlatform(
        title=title.strip(),
        issuer=issuer,
        client_id=client_id.strip(),
        deployment_ids=deployments,
        **urls,
    )
    session.add(platform)
    session.flush()
    return platform


def platforms(session: Session) -> list[LtiPlatform]:
    """Every registered platform, by name."""
    return list(session.scalars(select(LtiPlatform).order_by(LtiPlatform.title)))


# ---------------------------------------------------------------- one-time launch data


class DbLaunchDataStorage(LaunchDataStorage[Any]):
    """pylti1p3's state, nonce and launch data in a database table, so any worker answers."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    def get_session_cookie_name(self) -> None:
        # Keys are random (state, nonce, launch id); no extra cookie binds them to a browser.
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        with self._db.read() as session:
            row = session.get(LtiLaunchData, self._prepare_key(key))
            if row is None or _aware(row.expires_at) <= utcnow():
                return None
            return row.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        lifetime = timedelta(seconds=exp) if exp else LAUNCH_DATA_LIFETIME
        with self._db.write() as session:
            session.execute(delete(LtiLaunchData).where(LtiLaunchData.expires_at <= utcnow()))
            session.merge(
                LtiLaunchData(
                    key=self._prepare_key(key), value=value, expires_at=utcnow() + lifetime
                )
            )

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def consume(self, key: str) -> bool:
        """Delete a live key; True only for the one caller that deleted it (single use)."""
        with self._db.write() as session:
            result = session.execute(
                delete(LtiLaunchData).where(
                    LtiLaunchData.key == self._prepare_key(key),
                    LtiLaunchData.expires_at > utcnow(),
                )
            )
            return bool(getattr(result, "rowcount", 0))


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone columns: they are UTC."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class NonceSessionService(SessionService):
    """pylti1p3's session service on the database storage, with nonces that work once."""

    _launch_data_lifetime = int(LAUNCH_DATA_LIFETIME.total_seconds())

    def __init__(self, request: Any, storage: DbLaunchDataStorage) -> None:
        super().__init__(request)
        self.set_data_storage(storage)
        self._storage = storage

    def consume_nonce(self, nonce: str) -> bool:
        """Use a nonce up: a second launch with the same nonce is a replay."""
        return self._storage.consume(self._get_key("nonce", nonce))


# ---------------------------------------------------------------- users and attempts


def is_instructor(roles: list[str]) -> bool:
    """Whether any LTI role URI names a teaching role (its last part after ``#`` or ``/``)."""
    for role in roles:
        name = role.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in INSTRUCTOR_ROLES:
            return True
    return False


def display_name_of(claims: dict[str, Any], platform_title: str) -> str:
    """The person's name as the platform sends it, else a neutral label."""
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(
            str(claims.get(part) or "").strip() for part in ("given_name", "family_name")
        ).strip()
    return name[:120] or f"Utente {platform_title}"[:120]


def provision_user(session: Session, platform: LtiPlatform, claims: dict[str, Any]) -> User:
    """The account a platform's user logs in (created on the first launch, no password to know).

    The role follows the platform's roles at every launch: a teacher there is an instructor here.
    """
    subject = str(claims["sub"])
    role = "instructor" if is_instructor(list(claims.get(CLAIM + "roles") or [])) else "trainee"
    name = display_name_of(claims, platform.title)
    identity = session.scalar(
        select(LtiIdentity).where(
            LtiIdentity.platform_id == platform.id, LtiIdentity.subject == subject
        )
    )
    if identity is not None:
        user = session.get(User, identity.user_id)
        assert user is not None
        user.display_name = name
        if user.role != role:
            user.role = role
            if role == "trainee" and session.get(Accommodation, user.id) is None:
                session.add(Accommodation(user_id=user.id))
        session.flush()
        return user
    digest = hashlib.sha256(f"{platform.id}|{subject}".encode()).hexdigest()
    user = accounts.create_user(
        session,
        username=f"lti-{digest[:16]}",
        display_name=name,
        # Nobody knows this password: the platform's login is the only way in.
        password=secrets.token_urlsafe(32),
        role=role,
    )
    session.add(LtiIdentity(platform_id=platform.id, subject=subject, user_id=user.id))
    session.flush()
    return user


def link_attempt(
    session: Session,
    attempt_id: int,
    *,
    platform_id: int,
    subject: str,
    resource_link_id: str,
    ags_endpoint: dict[str, Any],
) -> LtiAttemptLink:
    """Remember that an attempt came from a launch, and where its grade goes (the AGS claim)."""
    link = LtiAttemptLink(
        attempt_id=attempt_id,
        platform_id=platform_id,
        subject=subject,
        resource_link_id=resource_link_id,
        lineitem_url=ags_endpoint.get("lineitem"),
        ags_scopes=[str(scope) for scope in ags_endpoint.get("scope") or []],
    )
    session.add(link)
    session.flush()
    return link
