"""`flask db backup PATH`: a consistent copy while the app writes; restored, the app runs on it."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from huddles import create_app
from huddles.extensions import db
from huddles.org.models import Organisation

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/live.db", "TESTING": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    return app


def test_backup_while_writing_then_restore_and_boot(sqlite_app, tmp_path):
    live = tmp_path / "live.db"
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        connection = sqlite3.connect(live, timeout=30)
        number = 0
        while not stop.is_set():
            number += 1
            connection.execute(
                "INSERT INTO organisations (name, created_at) VALUES (?, CURRENT_TIMESTAMP)",
                (f"Org {number}",),
            )
            connection.commit()
            written.append(number)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(written) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        copies = []
        for number in range(3):
            target = tmp_path / f"copy{number}.db"
            result = sqlite_app.test_cli_runner().invoke(args=["db", "backup", str(target)])
            assert result.exit_code == 0, result.output
            assert "Backed up" in result.output
            copies.append(target)
    finally:
        stop.set()
        thread.join()

    for copy in copies:
        with sqlite3.connect(copy) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            names = [row[0] for row in check.execute("SELECT name FROM organisations ORDER BY id")]
        check.close()
        # A snapshot: rows 1..n with no gap, taken while the writer was going.
        assert names == [f"Org {n}" for n in range(1, len(names) + 1)]
        assert 50 <= len(names) <= len(written)

    restored = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copies[-1]}", "TESTING": True})
    with restored.app_context():
        upgrade(directory=MIGRATIONS)  # already at head: nothing to do
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
        assert count >= 50
        db.engine.dispose()
    health = restored.test_client().get("/api/v1/health")
    assert health.get_json() == {"status": "ok", "database": "ok"}


def test_backup_refuses_to_overwrite_without_force(sqlite_app, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    runner = sqlite_app.test_cli_runner()
    refused = runner.invoke(args=["db", "backup", str(target)])
    assert refused.exit_code != 0
    assert "exists" in refused.output
    assert target.read_text() == "keep me"
    assert runner.invoke(args=["db", "backup", "--force", str(target)]).exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_on_postgresql_it_says_the_exact_pg_dump_command(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql://huddles:s3cret@db.internal:5433/huddles"}
    )
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    expected = (
        f"pg_dump --format=custom --file {tmp_path / 'x.dump'} "
        "postgresql://huddles@db.internal:5433/huddles"
    )
    assert expected in result.output
    assert "s3cret" not in result.output
    assert "PGPASSWORD" in result.output
    assert not (tmp_path / "x.dump").exists()
