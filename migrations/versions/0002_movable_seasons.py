"""movable seasons: a topic's season may be named (Ramadan), with days before and after it

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 14:30:00

A database made by 0001 gets the three columns on both tables; existing topics keep their
MM-DD seasons (no name, no days around it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("topics", "topic_revisions")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("season_name", sa.String(length=32), nullable=True))
            batch.add_column(
                sa.Column("season_before", sa.SmallInteger(), nullable=False, server_default="0")
            )
            batch.add_column(
                sa.Column("season_after", sa.SmallInteger(), nullable=False, server_default="0")
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("season_after")
            batch.drop_column("season_before")
            batch.drop_column("season_name")
