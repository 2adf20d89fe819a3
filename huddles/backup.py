"""`flask db backup PATH`: a consistent copy of the database while the app keeps writing."""

from __future__ import annotations

import os
import shlex
import sqlite3
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from huddles.extensions import db


def backup_sqlite(source: str, target: Path) -> int:
    """Copy with SQLite's online backup API into a temporary file, then rename: the copy is one
    consistent snapshot (writers keep going under WAL) and PATH is never half-written."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # every page in one step: no writer can slip in between steps
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"the copy failed its integrity check: {check}")
    os.replace(partial, target)
    return target.stat().st_size


def pg_dump_command(url: str, target: str) -> str:
    """The pg_dump command for the configured URL (password left to PGPASSWORD / ~/.pgpass)."""
    parsed = make_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)
    return f"pg_dump --format=custom --file {shlex.quote(target)} {shlex.quote(plain)}"


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: str, force: bool) -> None:
    """A consistent online copy of the database at PATH (SQLite), or how to make one with
    pg_dump (PostgreSQL)."""
    url = db.engine.url
    target = Path(path)
    if url.get_backend_name() == "postgresql":
        command = pg_dump_command(url.render_as_string(hide_password=False), path)
        password = " (give the password in PGPASSWORD or ~/.pgpass)" if url.password else ""
        click.echo(
            "PostgreSQL is backed up with its own tool, pg_dump, which takes a consistent "
            f"snapshot while the app keeps serving{password}:\n\n  {command}\n\n"
            "Restore into an empty database with:\n\n"
            f"  pg_restore --no-owner --dbname DATABASE_URL {shlex.quote(path)}\n",
            err=True,
        )
        raise SystemExit(1)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(f"cannot back up the database {url.render_as_string()}")
    if target.exists() and not force:
        raise click.ClickException(f"{path} exists; choose a new file or pass --force")
    if target.resolve() == Path(url.database).resolve():
        raise click.ClickException("PATH is the database itself")
    size = backup_sqlite(url.database, target)
    click.echo(f"Backed up the database to {path} ({size} bytes).")
