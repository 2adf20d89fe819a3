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
