"""Configuration: defaults, then the environment, then instance/config.py."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("en", "de", "ru", "pl", "ar")
RTL_LOCALES = frozenset({"ar"})
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot run the app safely."""


def defaults(instance_path: str) -> dict[str, Any]:
    """Safe development defaults."""
    return {
        "HUDDLES_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "huddles.db"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
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
        "HUDDLES_CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "HUDDLES_INVITE_MAX_AGE": 7 * 24 * 3600,
        "HUDDLES_KUDOS_DAILY_CAP": 5,
        "HUDDLES_PER_PAGE": 20,
        "HUDDLES_MAX_PER_PAGE": 100,
        "HUDDLES_RUN_SCHEDULER": False,
        "HUDDLES_PROXY_COUNT": 0,
        # The address phones reach this app at (QR codes, links); empty = the request's own.
        "HUDDLES_PUBLIC_URL": "",
        "HUDDLES_LOGIN_LIMIT": "10 per minute;100 per hour",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
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
        elif name.startswith(("HUDDLES_", "RATELIMIT_")):
            found[name] = value if name == "HUDDLES_PASSWORD" else _coerce(value)
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
    production = app.config["HUDDLES_ENV"] == "production"
    key = app.config.get("SECRET_KEY")
    if production:
        if not key or len(str(key)) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"HUDDLES_ENV=production needs SECRET_KEY of at least {MIN_SECRET_KEY_LENGTH} "
                "random characters (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["DEBUG"] = False
    elif not key:
        # A throwaway key: sessions end when the process does, nothing is built in.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
