"""Use cases of people and sign-in: create, authenticate, invite links, API tokens."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from huddles import page_cache
from huddles.auth.models import ROLES, ApiToken, User, hash_token
from huddles.auth.sessions import end_everything
from huddles.config import LOCALES
from huddles.db import utcnow
from huddles.extensions import db
from huddles.org.models import Location, Organisation
from huddles.validation import FieldError, commit_or_field_error

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "hud_"  # noqa: S105 (a label, not a secret)
# Checked against when the email is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def normalise_email(email: str) -> str:
    """A syntactically valid, lower-cased address, or FieldError('email')."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise FieldError(
            "email", _("This is not a valid email address: %(why)s", why=error)
        ) from None
    return checked.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldError(field, _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))


def _check_person(role: str, location: Location | None, locale: str | None) -> None:
    if role not in ROLES:
        raise FieldError("role", _("Unknown role %(role)s: use admin, lead or staff.", role=role))
    if role != "admin" and location is None:
        raise FieldError("location_id", _("Leads and staff need a location."))
    if locale and locale not in LOCALES:
        raise FieldError("locale", _("Unknown language %(code)s.", code=locale))


def create_user(
    organisation: Organisation,
    *,
    name: str,
    email: str,
    role: str,
    location: Location | None = None,
    locale: str | None = None,
    password: str | None = None,
) -> User:
    """Create a person (without a password: they get an invite link); commits."""
    name = name.strip()
    if not name:
        raise FieldError("name", _("A name is required."))
    email = normalise_email(email)
    _check_person(role, location, locale)
    if location is not None and location.organisation_id != organisation.id:
        raise FieldError("location_id", _("That location belongs to another organisation."))
    if find_user_by_email(email) is not None:
        raise FieldError("email", _("Someone already uses the email %(email)s.", email=email))
    user = User(
        organisation=organisation,
        name=name,
        email=email,
        role=role,
        location=location,
        locale=locale or None,
    )
    if password is not None:
        check_password_strength(password)
        user.set_password(password)
    db.session.add(user)
    commit_or_field_error("email", _("Someone already uses the email %(email)s.", email=email))
    return user


def update_user(
    user: User,
    *,
    name: str,
    email: str,
    role: str,
    location: Location | None,
    locale: str | None,
) -> User:
    """Change a person's details; commits."""
    name = name.strip()
    if not name:
        raise FieldError("name", _("A name is required."))
    email = normalise_email(email)
    _check_person(role, location, locale)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise FieldError("email", _("Someone already uses the email %(email)s.", email=email))
    user.name, user.email, user.role = name, email, role
    user.location, user.locale = location, locale or None
    commit_or_field_error("email", _("Someone already uses the email %(email)s.", email=email))
    return user


def set_active(user: User, active: bool, now: datetime | None = None) -> None:
    """Deactivate or reactivate a person; commits.

    Deactivation ends every session and revokes every API token for good: reactivating the
    person brings none of them back.
    """
    user.active = active
    if not active:
        user.session_version = (user.session_version or 0) + 1
        end_everything(user, now or utcnow())
    db.session.commit()


def change_password(user: User, password: str, now: datetime | None = None) -> None:
    """Set a new password; every session and API token of the person ends. Commits."""
    check_password_strength(password)
    user.set_password(password)
    end_everything(user, now or utcnow())
    db.session.commit()


def reset_password(user: User, now: datetime | None = None) -> None:
    """Clear the password, end every session and token; a link sets a new one. Commits."""
    user.password_hash = None
    user.session_version = (user.session_version or 0) + 1
    end_everything(user, now or utcnow())
    db.session.commit()


def record_login(user: User, now: datetime) -> None:
    user.last_login_at = now
    db.session.commit()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="huddles.set-password")


def make_set_password_token(user: User, secret_key: str) -> str:
    """A signed link token; it stops working once the password changes (session_version moves)."""
    return _serializer(secret_key).dumps({"id": user.id, "v": user.session_version})


def user_for_set_password_token(token: str, secret_key: str, max_age: int) -> User | None:
    """The person the token was made for, if it is genuine, fresh and not yet used."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.active or user.session_version != data.get("v"):
        return None
    return user


def allow_api_tokens(user: User, allowed: bool, now: datetime) -> None:
    """Let a staff member make API tokens, or stop them: their tokens are revoked. Commits."""
    user.api_tokens_allowed = allowed
    if not allowed and user.role == "staff":
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    db.session.commit()


def issue_api_token(user: User, name: str = "") -> str:
    """Create a token and return it in clear text: this is the only time it is shown. Commits."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user=user, token_hash=hash_token(token), prefix=token[:12], name=name.strip())
    )
    db.session.commit()
    return token


# How often a token's `last_used_at` is written.
TOKEN_USED_EVERY = timedelta(minutes=1)


@functools.cache
def _token_query() -> sa.Select[tuple[ApiToken, str]]:
    """Every API request's statement, built once (the hash is a bound parameter), with the
    version of the kept pages (`page_cache`)."""
    return (
        sa.select(ApiToken, page_cache.version_column())
        .where(ApiToken.token_hash == sa.bindparam("token_hash"))
        .options(joinedload(ApiToken.user))
    )


def user_for_api_token(token: str, now: datetime | None = None) -> User | None:
    """The active owner of a valid, unrevoked token; notes when it was last used."""
    return token_owner_and_version(token, now)[0]


def token_owner_and_version(
    token: str, now: datetime | None = None
) -> tuple[User | None, str | None]:
    """`user_for_api_token`, with the version of the kept pages read in the same statement."""
    found = db.session.execute(_token_query(), {"token_hash": hash_token(token)}).first()
    if found is None:
        return None, None
    row, version = found
    if row.revoked_at is not None or not row.user.active:
        return None, None
    now = now or utcnow()
    # Write at most once a minute per token, not on every request.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USED_EVERY:
        row.last_used_at = now
        db.session.commit()
    return row.user, version


def revoke_api_token(token_id: int, owner: User) -> bool:
    """Revoke one of the owner's tokens; commits. False if there is no such token."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != owner.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.commit()
    return True
