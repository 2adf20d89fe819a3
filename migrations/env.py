"""Alembic environment for Huddles: the app's engine and metadata, batch mode for SQLite."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from huddles.page_cache import MIGRATING

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def _options():
    return {
        "target_metadata": target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": True,
        "compare_type": True,
    }


def run_migrations_offline():
    url = db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in the schema.")

    with db.engine.connect() as connection:
        # The schema's own writes leave the kept pages' version alone (its table may not exist yet).
        connection.info[MIGRATING] = True
        try:
            context.configure(
                connection=connection, process_revision_directives=skip_empty, **_options()
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.info.pop(MIGRATING, None)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
