"""page version: the number every committed write changes, so kept pages know they are old

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:10:00

One row (id 1); its number is random, so a database restored from a backup never brings back
a number an answer was kept under.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "page_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_version")),
    )
    op.bulk_insert(table, [{"id": 1, "n": secrets.randbits(62)}])


def downgrade():
    op.drop_table("page_version")
