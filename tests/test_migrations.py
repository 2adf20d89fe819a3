"""The committed migrations build exactly the schema the models describe, on either database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from huddles.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_connections_use_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_a_database_of_the_first_schema_upgrades_keeping_its_topics(tmp_path):
    """A database made by 0001, with a topic in it, upgrades to the movable seasons (0002): the
    topic keeps its season and has no days around it. On SQLite, in a database of its own."""
    from pathlib import Path

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from huddles import create_app

    url = "sqlite:///" + str(tmp_path / "old.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    directory = str(Path(__file__).resolve().parent.parent / "migrations")
    with app.app_context():
        upgrade(directory=directory, revision="0001")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO topics (slug, kind, status, title, season_start, season_end,"
                    " settings_key, rank, created_at, updated_at) VALUES ('winter', 'tip',"
                    " 'published', 'Winter', '12-01', '02-28', '', 1, '2026-01-01', '2026-01-01')"
                )
            )
        upgrade(directory=directory)
        with db.engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT season_start, season_name, season_before, season_after FROM topics")
            ).one()
        db.engine.dispose()
    assert tuple(row) == ("12-01", None, 0, 0)
