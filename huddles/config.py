"""Configuration: defaults, then the environment, then instance/config.py."""

from __future__ import annotations

import math
import os
import re
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("en", "de", "ru", "pl", "ar")
RTL_LOCALES = frozenset({"ar"})
MIN_SECRET_KEY_LENGTH = 32
ENVIRONMENTS = ("development", "production")
HOUR = 3600
# Words of the placeholders that tutorials, templates and .env examples ship with.
PLACEHOLDER_WORDS = (
    "changeme",
    "replaceme",
    "secretkey",
    "yoursecret",
    "mysecret",
    "notsecret",
    "notasecret",
    "insecure",
    "example",
    "password",
    "default",
    "devkey",
    "testkey",
    "huddles",
)
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"


class ConfigError(RuntimeError):
    """The configuration cannot run the app safely."""


def defaults(instance_path: str) -> dict[str, Any]:
    """Safe development defaults."""
    return {
        "HUDDLES_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "huddles.db"),
        # No ping before each request's first statement (a round trip every request); a
        # connection dropped by a database restart fails once and the pool starts afresh.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "pool_recycle": 3600},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        # The server-side row decides when a session ends; re-signing and re-sending an
        # unchanged cookie on every request would only cost time. A "keep me signed in" cookie
        # lasts from sign-in as long as its row may (HUDDLES_REMEMBER_MAX_AGE).
        "SESSION_REFRESH_EACH_REQUEST": False,
        # A session ends after 2 idle hours (a shared break-room screen left signed in after the
        # huddle is closed long before the next shift arrives) and 12 hours after sign-in (the
        # longest shift); "keep me signed in" lasts 14 days from sign-in, idle or not.
        "HUDDLES_SESSION_IDLE": 2 * HOUR,
        "HUDDLES_SESSION_MAX_AGE": 12 * HOUR,
        "HUDDLES_REMEMBER_MAX_AGE": 14 * 24 * HOUR,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_CHECK_DEFAULT": False,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "huddles" / "translations"),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # The longest text any one field takes (a topic's body is 80-200 words).
        "HUDDLES_MAX_TEXT": 50_000,
        "HUDDLES_CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "HUDDLES_INVITE_MAX_AGE": 7 * 24 * 3600,
        "HUDDLES_KUDOS_DAILY_CAP": 5,
        "HUDDLES_PER_PAGE": 20,
        "HUDDLES_MAX_PER_PAGE": 100,
        "HUDDLES_PROXY_COUNT": 0,
        # The address phones reach this app at (QR codes, links); empty = the request's own.
        "HUDDLES_PUBLIC_URL": "",
        "HUDDLES_LOGIN_LIMIT": "10 per minute;100 per hour",
        # Whole answers of the busiest pages kept in each worker while nothing was written
        # (huddles/page_cache.py); off under `flask --debug`, where templates reload.
        "HUDDLES_KEEP_PAGES": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Mail (the "forgot your password?" link) is off until MAIL_SERVER is set.
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_DEFAULT_SENDER": "huddles@localhost",
    }


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// (or postgres://) URLs and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _coerce(value: str) -> Any:
    lowered = value.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if value.isdigit():
        return int(value)
    return value


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Settings from the environment: a few plain names and every FLASK_/HUDDLES_ prefixed one."""
    found: dict[str, Any] = {}
    for name, value in environ.items():
        if name.startswith("FLASK_") and name not in ("FLASK_APP", "FLASK_DEBUG", "FLASK_RUN_PORT"):
            found[name.removeprefix("FLASK_")] = _coerce(value)
        elif name.startswith(("HUDDLES_", "RATELIMIT_", "MAIL_")):
            plain = name in ("HUDDLES_PASSWORD", "MAIL_PASSWORD", "MAIL_USERNAME")
            found[name] = value if plain else _coerce(value)
    if environ.get("SECRET_KEY"):
        found["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    return found


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill app.config in order: defaults, environment, instance/config.py, explicit overrides."""
    app.config.update(defaults(app.instance_path))
    app.config.update(from_environment(os.environ))
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    environment = app.config["HUDDLES_ENV"]
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"HUDDLES_ENV={environment!r} is not known: use 'production' or 'development' "
            "(lower case)."
        )
    for name in ("HUDDLES_SESSION_IDLE", "HUDDLES_SESSION_MAX_AGE", "HUDDLES_REMEMBER_MAX_AGE"):
        if not str(app.config[name]).isdigit() or int(app.config[name]) <= 0:
            raise ConfigError(f"{name} must be a number of seconds, not {app.config[name]!r}.")
    # "Keep me signed in" cookies last as long as their server-side session may.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        seconds=int(app.config["HUDDLES_REMEMBER_MAX_AGE"])
    )
    key = app.config.get("SECRET_KEY")
    if environment == "production":
        problem = secret_key_problem(key)
        if problem:
            raise ConfigError(
                f"HUDDLES_ENV=production needs a strong SECRET_KEY: {problem}. "
                f"Make one with {MAKE_A_KEY} and keep it stable."
            )
        if app.debug or app.config.get("DEBUG") or _truthy(os.environ.get("FLASK_DEBUG", "")):
            raise ConfigError(
                "HUDDLES_ENV=production refuses to run with debug on (flask --debug, FLASK_DEBUG): "
                "the debugger runs code for whoever reaches it."
            )
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    elif not key:
        # A throwaway key: sessions end when the process does, nothing is built in.
        app.config["SECRET_KEY"] = secrets.token_hex(32)


def _truthy(value: str) -> bool:
    return value.strip().lower() not in ("", "0", "false", "no", "off")


def shannon_bits_per_char(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _repeats(text: str) -> bool:
    """Whether the text is a shorter piece over and over ("abcabcab", "change-me-change-me-")."""
    for period in range(1, len(text) // 2 + 1):
        if all(text[i] == text[i + period] for i in range(len(text) - period)):
            return True
    return False


def secret_key_problem(key: object) -> str | None:
    """Why this key is too weak to sign sessions in production, or None if it will do."""
    if not key:
        return "it is not set"
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    if len(text) < MIN_SECRET_KEY_LENGTH:
        return f"it has {len(text)} characters, fewer than {MIN_SECRET_KEY_LENGTH}"
    letters = re.sub(r"[^a-z0-9]", "", text.lower())
    for word in PLACEHOLDER_WORDS:
        if word in letters:
            return f"it contains the placeholder word {word!r}"
    if _repeats(text):
        return "it repeats a short pattern"
    if len(set(text)) < 12:
        return f"it uses only {len(set(text))} different characters"
    # 64 random hex digits carry about 3.9 bits per character; typed phrases far less.
    if shannon_bits_per_char(text) < 3.0:
        return "it is too predictable (low entropy per character)"
    return None
