"""Wow stories from the floor: told by anyone from their phone, curated into the library."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huddles.db import utcnow
from huddles.extensions import db

if TYPE_CHECKING:
    from huddles.auth.models import User
    from huddles.org.models import Location
    from huddles.topics.models import Topic

STORY_STATUSES = ("submitted", "published", "declined")
MAX_TITLE = 200
MAX_BODY = 3000
MAX_REASON = 500


class Story(db.Model):
    """A wow story a person told; an admin publishes it as a topic or declines it with a reason."""

    __tablename__ = "stories"
    __table_args__ = (
        sa.CheckConstraint("status IN ('submitted', 'published', 'declined')", name="status"),
        # A published story is a topic; a declined one says why.
        sa.CheckConstraint("status <> 'published' OR topic_id IS NOT NULL", name="published_topic"),
        sa.CheckConstraint("status <> 'declined' OR decline_reason <> ''", name="declined_reason"),
        sa.Index(
            "ix_stories_organisation_status_created", "organisation_id", "status", "created_at"
        ),
        sa.Index("ix_stories_teller_created", "teller_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    # The teller's location when they told it (none for an admin without one).
    location_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="SET NULL")
    )
    teller_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The colleague who did it (optional).
    about_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted")
    decline_reason: Mapped[str] = mapped_column(sa.String(MAX_REASON), default="")
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="SET NULL"), unique=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    teller: Mapped[User] = relationship(foreign_keys=[teller_id])
    about: Mapped[User | None] = relationship(foreign_keys=[about_user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    location: Mapped[Location | None] = relationship()
    topic: Mapped[Topic | None] = relationship()
