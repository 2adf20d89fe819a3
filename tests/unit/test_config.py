"""Configuration from the environment, and production refusing to start unsafely."""

import secrets

import pytest

from huddles import create_app
from huddles.config import ConfigError, normalise_database_url, secret_key_problem

GOOD_KEY = "9f1c2e7a4b8d3f60a5e1c9b7d2f48a3e6c1b0d9f7e2a5c8b4d1e3f6a9c0b2d7e"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_get_their_driver(given, expected):
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize("key", [None, "", "short"])
def test_production_refuses_to_start_without_a_strong_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = {
        "HUDDLES_ENV": "production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
    }
    if key is not None:
        settings["SECRET_KEY"] = key
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(settings)


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("HUDDLES_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert not app.debug


def test_development_makes_a_throwaway_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


def test_create_app_touches_no_database(tmp_path):
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/never.db"})
    assert not (tmp_path / "never.db").exists()


WEAK_KEYS = [
    "a" * 32,
    "change-me-change-me-change-me-change-me",
    "0" * 64,
    "abcdabcdabcdabcdabcdabcdabcdabcdabcd",
    "your-secret-key-goes-here-please-1234567890",
    "CHANGEME_" + "9f1c2e7a4b8d3f60a5e1c9b7d2f48a3e",
    "insecure-" + "9f1c2e7a4b8d3f60a5e1c9b7d2f48a3e",
    "0123456701234567012345670123456789",
    "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd",
    "short",
]


@pytest.mark.parametrize("key", WEAK_KEYS)
def test_production_refuses_weak_or_well_known_keys_and_says_how_to_make_one(monkeypatch, key):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert secret_key_problem(key) is not None
    with pytest.raises(ConfigError, match=r"secrets\.token_hex\(32\)"):
        create_app({"HUDDLES_ENV": "production", "SECRET_KEY": key})


@pytest.mark.parametrize(
    "key",
    [GOOD_KEY, "Zq8_vR3kLp0xN7wT-b2YfC5mJ9hD4sGaEu1oIiKe6Wc", secrets.token_hex(32)],
    # Stable ids: pytest-xdist workers must collect the same tests, and the last key is fresh.
    ids=["hex", "urlsafe", "fresh-token_hex"],
)
def test_random_keys_are_accepted(key):
    assert secret_key_problem(key) is None


@pytest.mark.parametrize("environment", ["Production", "prod", "PRODUCTION", "staging", ""])
def test_an_unknown_environment_is_refused_not_taken_for_development(environment):
    with pytest.raises(ConfigError, match="HUDDLES_ENV"):
        create_app({"HUDDLES_ENV": environment, "SECRET_KEY": GOOD_KEY})


def test_production_refuses_debug_from_flask_debug(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="debug"):
        create_app({"HUDDLES_ENV": "production", "SECRET_KEY": GOOD_KEY})


def test_production_refuses_debug_from_the_config(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="debug"):
        create_app({"HUDDLES_ENV": "production", "SECRET_KEY": GOOD_KEY, "DEBUG": True})


def test_flask_debug_run_in_production_does_not_start(tmp_path):
    """`flask --debug run` itself: the command fails before it serves anything."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "HUDDLES_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "FLASK_APP": str(root / "app.py"),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--debug", "run", "--port", "5103", "--no-reload"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )
    assert result.returncode != 0
    assert "debug" in result.stderr


def test_session_lifetimes_come_from_the_environment(monkeypatch):
    from huddles.auth.sessions import Lifetimes

    monkeypatch.setenv("HUDDLES_SESSION_IDLE", "600")
    monkeypatch.setenv("HUDDLES_SESSION_MAX_AGE", "3600")
    app = create_app({"SECRET_KEY": GOOD_KEY})
    lifetimes = Lifetimes.from_config(app.config)
    assert (lifetimes.idle.total_seconds(), lifetimes.max_age.total_seconds()) == (600, 3600)
    assert lifetimes.remember_max_age.days == 14
    assert app.config["PERMANENT_SESSION_LIFETIME"].days == 14


@pytest.mark.parametrize("value", ["12h", "0", "-5"])
def test_a_session_lifetime_that_is_not_seconds_is_refused(monkeypatch, value):
    monkeypatch.setenv("HUDDLES_SESSION_IDLE", value)
    with pytest.raises(ConfigError, match="HUDDLES_SESSION_IDLE"):
        create_app({"SECRET_KEY": GOOD_KEY})


def test_production_sends_hsts_and_a_strict_base_uri(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app(
        {
            "HUDDLES_ENV": "production",
            "SECRET_KEY": GOOD_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
        }
    )
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "base-uri 'none'" in response.headers["Content-Security-Policy"]
    development = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert "Strict-Transport-Security" not in development.test_client().get("/login").headers
