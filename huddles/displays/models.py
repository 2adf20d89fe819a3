"""Paired break-room screens and what the lead's phone tells them to show."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from huddles.db import utcnow
from huddles.extensions import db


class Display(db.Model):
    """A screen: unpaired it shows a code; paired it holds a credential for one location."""

    __tablename__ = "displays"
    __table_args__ = (
        # Exactly one of the two: a code to pair with, or the location it is paired to.
        sa.CheckConstraint(
            "(location_id IS NULL AND code IS NOT NULL)"
            " OR (location_id IS NOT NULL AND code IS NULL)",
            name="paired_or_code",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the screen's random credential (kept in an HttpOnly cookie scoped to /display).
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    code: Mapped[str | None] = mapped_column(sa.String(6), unique=True)
    code_expires_at: Mapped[datetime | None]
    location_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80), default="")
    paired_at: Mapped[datetime | None]
    paired_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]


class DisplayState(db.Model):
    """Per location: the huddle and slot the lead is showing, and a version that moves on change.

    The screens' polls compare the version (one indexed read) and get a 304 while it holds.
    """

    __tablename__ = "display_states"

    location_id: Mapped[int] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(default=1)
    agenda_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agendas.id", ondelete="SET NULL"))
    slot: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
