"""Server-side sessions: every signed-in browser is a row; ending the row ends the sign-in.

The cookie (Flask's signed session) holds only a random key; the table keeps its SHA-256, so a
copy of the table signs no one in. Each request checks the key and its person in one indexed
SQL statement; `last_seen_at` is written at most once a minute.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from huddles import page_cache
from huddles.auth.models import ApiToken, User, UserSession, hash_token
from huddles.extensions import db

SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    """How long sessions last: idle and absolute, and the absolute limit of "keep me signed in"."""

    idle: timedelta
    max_age: timedelta
    remember_max_age: timedelta

    @classmethod
    def from_config(cls, config: dict[str, object]) -> Lifetimes:
        def seconds(name: str) -> timedelta:
            return timedelta(seconds=int(str(config[name])))

        return cls(
            seconds("HUDDLES_SESSION_IDLE"),
            seconds("HUDDLES_SESSION_MAX_AGE"),
            seconds("HUDDLES_REMEMBER_MAX_AGE"),
        )


def start_session(
    user: User,
    *,
    now: datetime,
    lifetimes: Lifetimes,
    remember: bool = False,
    user_agent: str = "",
    ip_address: str = "",
) -> str:
    """Record a new session of the person and return its key (for the cookie only). Commits."""
    key = secrets.token_urlsafe(32)
    max_age = lifetimes.remember_max_age if remember else lifetimes.max_age
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=hash_token(key),
            remember=remember,
            created_at=now,
            last_seen_at=now,
            expires_at=now + max_age,
            user_agent=user_agent[:300],
            ip_address=ip_address[:64],
        )
    )
    db.session.commit()
    user.session_key = key
    return key


def still_live(
    *,
    expires_at: datetime,
    remember: bool,
    last_seen_at: datetime,
    now: datetime,
    lifetimes: Lifetimes,
) -> bool:
    """`_live` for one session's values already read (the kept pages' check, `page_cache`)."""
    return expires_at > now and (remember or last_seen_at > now - lifetimes.idle)


def _live(now: datetime, lifetimes: Lifetimes) -> sa.ColumnElement[bool]:
    # "Keep me signed in" is the person's choice for their own device: only the absolute limit
    # applies to it; every other session also ends after the idle time.
    return sa.and_(
        UserSession.expires_at > now,
        sa.or_(UserSession.remember, UserSession.last_seen_at > now - lifetimes.idle),
    )


@functools.cache
def _session_query() -> sa.Select[tuple[UserSession, str]]:
    """Every request's statement, built once (its values are bound parameters). The version of
    the kept pages rides along: it must be read before any of a page's data (`page_cache`)."""
    return (
        sa.select(UserSession, page_cache.version_column())
        .join(UserSession.user)
        # The person's location rides along (an outer join): pages read it on every request.
        .options(contains_eager(UserSession.user).joinedload(User.location))
        .where(
            UserSession.key_hash == sa.bindparam("key_hash"),
            User.active,
            UserSession.expires_at > sa.bindparam("now", type_=UserSession.expires_at.type),
            sa.or_(
                UserSession.remember,
                UserSession.last_seen_at
                > sa.bindparam("idle_since", type_=UserSession.last_seen_at.type),
            ),
        )
    )


def load_session(key: str, *, now: datetime, lifetimes: Lifetimes) -> UserSession | None:
    """The live session of this key with its active person (one statement), else None.

    The same rule as `_live`: "keep me signed in" lasts to its absolute limit, any other
    session also ends after the idle time.
    """
    return load_session_and_version(key, now=now, lifetimes=lifetimes)[0]


def load_session_and_version(
    key: str, *, now: datetime, lifetimes: Lifetimes
) -> tuple[UserSession | None, str | None]:
    """`load_session`, with the version of the kept pages read in the same statement."""
    if not key or len(key) > 100:
        return None, None
    found = db.session.execute(
        _session_query(),
        {"key_hash": hash_token(key), "now": now, "idle_since": now - lifetimes.idle},
    ).first()
    if found is None:
        return None, None
    row, version = found
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
        db.session.commit()
    row.user.session_key = key
    return row, version


def end_session(key: str) -> None:
    """Sign out: the row goes, so the cookie (or a copy of it) signs no one in again. Commits."""
    db.session.execute(sa.delete(UserSession).where(UserSession.key_hash == hash_token(key)))
    db.session.commit()


def live_sessions(user: User, *, now: datetime, lifetimes: Lifetimes) -> list[UserSession]:
    """The person's sessions that still work, most recently seen first."""
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(UserSession.user_id == user.id, _live(now, lifetimes))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def end_other_sessions(user: User, keep_key: str) -> int:
    """Sign the person out everywhere but here; the number ended. Commits."""
    result = db.session.execute(
        sa.delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.key_hash != hash_token(keep_key)
        )
    )
    db.session.commit()
    return int(result.rowcount or 0)


def end_everything(user: User, now: datetime) -> None:
    """Every session and API token of the person ends (no commit: the caller's change does)."""
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def prune_sessions(now: datetime, lifetimes: Lifetimes) -> int:
    """Forget sessions that can no longer be used. Commits."""
    result = db.session.execute(sa.delete(UserSession).where(sa.not_(_live(now, lifetimes))))
    db.session.commit()
    return int(result.rowcount or 0)


def describe_device(user_agent: str) -> str:
    """A short "browser on system" from a User-Agent header, for the list of sessions."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("SamsungBrowser", "Samsung Internet"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"),
                ("Safari/", "Safari"),
                ("curl/", "curl"),
            )
            if token in ua
        ),
        "",
    )
    system = next(
        (
            name
            for token, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        "",
    )
    if browser and system:
        return f"{browser} / {system}"
    return browser or system or ua[:60]
