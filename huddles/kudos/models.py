"""Thank-yous between colleagues, read out at the next huddle."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from huddles.db import utcnow
from huddles.extensions import db

MAX_MESSAGE_LENGTH = 500


class Kudos(db.Model):
    __tablename__ = "kudos"
    __table_args__ = (
        sa.CheckConstraint("from_user_id <> to_user_id", name="not_to_self"),
        sa.Index("ix_kudos_location_created", "location_id", "created_at"),
        sa.Index("ix_kudos_to_user_created", "to_user_id", "created_at"),
        sa.Index("ix_kudos_from_user_created", "from_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id", ondelete="CASCADE"))
    from_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    to_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(sa.String(MAX_MESSAGE_LENGTH))
    value: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_out_agenda_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agendas.id", ondelete="SET NULL"), index=True
    )
    read_out_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(300))
