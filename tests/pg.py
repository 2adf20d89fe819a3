"""Helpers to reach a PostgreSQL server for the tests: the server URL and a fresh test database."""

from urllib.parse import urlsplit, urlunsplit

import psycopg


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def server_url(url: str) -> str:
    """The same server, its maintenance database `postgres`."""
    parts = urlsplit(_plain(url))
    return urlunsplit(parts._replace(path="/postgres"))


def with_worker_suffix(url: str, worker: str) -> str:
    """The URL with its database name suffixed by a pytest-xdist worker id (`_gw0`), if any."""
    if not worker:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{worker}"))


def ensure_database(url: str) -> None:
    """Create the URL's database when it does not exist."""
    name = urlsplit(_plain(url)).path.lstrip("/")
    with psycopg.connect(server_url(url), autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')
