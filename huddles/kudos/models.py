"""Thank-yous between colleagues, read out at the next huddle."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huddles.db import utcnow
from huddles.extensions import db

if TYPE_CHECKING:
    from huddles.auth.models import User

MAX_MESSAGE_LENGTH = 500
MAX_REASON_LENGTH = 300


class Kudos(db.Model):
    __tablename__ = "kudos"
    __table_args__ = (
        sa.CheckConstraint("from_user_id <> to_user_id", name="not_to_self"),
        sa.CheckConstraint("daily_number >= 1", name="daily_number"),
        # The daily cap holds under concurrency: each kudos takes a numbered place in its giver's
        # day, and two requests that race for the same place cannot both win.
        sa.UniqueConstraint("from_user_id", "given_on", "daily_number"),
        sa.Index("ix_kudos_location_created", "location_id", "created_at"),
        sa.Index("ix_kudos_to_user_created", "to_user_id", "created_at"),
        # The wall's filters: by person (given or received) and by value, newest first.
        sa.Index("ix_kudos_from_user_created", "from_user_id", "created_at"),
        sa.Index("ix_kudos_location_value_created", "location_id", "value", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id", ondelete="CASCADE"))
    from_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    to_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(sa.String(MAX_MESSAGE_LENGTH))
    value: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The giver's local day (UTC for admins, who have no location) and the kudos' place in it.
    given_on: Mapped[date] = mapped_column(sa.Date)
    daily_number: Mapped[int]
    read_out_agenda_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agendas.id", ondelete="SET NULL"), index=True
    )
    read_out_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(MAX_REASON_LENGTH))

    giver: Mapped[User] = relationship(foreign_keys=[from_user_id])
    receiver: Mapped[User] = relationship(foreign_keys=[to_user_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None
