"""Who attended a huddle, and who caught up on one they missed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from huddles.db import utcnow
from huddles.extensions import db

STATUSES = ("present", "late", "excused", "absent")
# How a mark was made: the lead's tap, the person's own check-in, or adding a visitor.
METHODS = ("lead", "self", "visitor")


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("agenda_id", "user_id"),
        sa.CheckConstraint("status IN ('present', 'late', 'excused', 'absent')", name="status"),
        sa.CheckConstraint("method IN ('lead', 'self', 'visitor')", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(sa.ForeignKey("agendas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    # True when the person is not on the shift's roster (a visitor from another shift).
    visitor: Mapped[bool] = mapped_column(default=False)
    self_check_in: Mapped[bool] = mapped_column(default=False)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    method: Mapped[str] = mapped_column(sa.String(16), default="lead")
    # Where the mark came from: "screen" (the huddle screen), "qr" (the check-in code),
    # "today" (the I'm-here button), "api", "correction" (after the huddle).
    via: Mapped[str] = mapped_column(sa.String(40), default="screen")


class CatchUp(db.Model):
    """A person who missed a huddle and read it afterwards."""

    __tablename__ = "catch_ups"
    __table_args__ = (sa.UniqueConstraint("agenda_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(sa.ForeignKey("agendas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
