"""Agenda templates, the frozen agendas of each (shift, day), their items, pins and topic usage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huddles.db import utcnow
from huddles.extensions import db

SCOPES = ("shift", "location", "organisation")
# planned → running → done; "ended" when left running (closed by the scheduler), "missed" when
# its shift ended and it never started.
AGENDA_STATUSES = ("planned", "running", "done", "ended", "missed")
CLOSED_STATUSES = ("done", "ended", "missed")
FEEDBACK_VALUES = ("up", "down")


class AgendaTemplate(db.Model):
    """A location's agenda template; a location without one uses the default of DESIGN.md."""

    __tablename__ = "agenda_templates"
    __table_args__ = (
        sa.CheckConstraint("scope IN ('shift', 'location', 'organisation')", name="scope"),
        sa.CheckConstraint("cooldown_days >= 0", name="cooldown"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="CASCADE"), unique=True
    )
    # [{"key", "title", "minutes", "fill", "kind"}, ...]
    slots: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    # Seven kinds, Monday first.
    weekday_themes: Mapped[list[str]] = mapped_column(sa.JSON)
    cooldown_days: Mapped[int] = mapped_column(default=28)
    scope: Mapped[str] = mapped_column(sa.String(16), default="location")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class Agenda(db.Model):
    """The huddle of one shift on one day; frozen once made."""

    __tablename__ = "agendas"
    __table_args__ = (
        sa.UniqueConstraint("shift_id", "day"),
        sa.CheckConstraint(
            "status IN ('planned', 'running', 'done', 'ended', 'missed')", name="status"
        ),
        sa.CheckConstraint(
            "topic_feedback IS NULL OR topic_feedback IN ('up', 'down')", name="topic_feedback"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    scope_key: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16), default="planned")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # First time anyone looked at it: from then on it no longer follows library edits.
    opened_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    finished_at: Mapped[datetime | None]
    finished_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Why and when the scheduler closed it ("ended" or "missed"); finished_at holds the when.
    closed_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    # The room's verdict on the topic of the day: "up", "down" or None; repeating replaces it.
    topic_feedback: Mapped[str | None] = mapped_column(sa.String(8))
    feedback_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    feedback_at: Mapped[datetime | None]

    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="agenda", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (sa.UniqueConstraint("agenda_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(sa.ForeignKey("agendas.id", ondelete="CASCADE"))
    position: Mapped[int]
    slot_key: Mapped[str] = mapped_column(sa.String(40))
    slot_title: Mapped[str] = mapped_column(sa.String(120))
    fill: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str | None] = mapped_column(sa.String(32))
    minutes: Mapped[float] = mapped_column(sa.Float)
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="RESTRICT"), index=True
    )
    topic_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topic_revisions.id", ondelete="RESTRICT")
    )
    reason: Mapped[str] = mapped_column(sa.String(16), default="fixed")
    swapped_at: Mapped[datetime | None]
    swapped_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    agenda: Mapped[Agenda] = relationship(back_populates="items")


class Pin(db.Model):
    """An admin's choice of a topic for a slot on a day, in a scope."""

    __tablename__ = "pins"
    __table_args__ = (sa.UniqueConstraint("scope_key", "day", "slot_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(sa.String(40))
    day: Mapped[date] = mapped_column(sa.Date)
    slot_key: Mapped[str] = mapped_column(sa.String(40))
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class ScopeChoice(db.Model):
    """The topic a scope discusses in a slot on a day: the first agenda of the scope decides it."""

    __tablename__ = "scope_choices"
    __table_args__ = (sa.PrimaryKeyConstraint("scope_key", "day", "slot_key"),)

    scope_key: Mapped[str] = mapped_column(sa.String(40))
    day: Mapped[date] = mapped_column(sa.Date)
    slot_key: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str | None] = mapped_column(sa.String(32))
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicUsage(db.Model):
    """When a topic was last used in a scope, so picking one is an index lookup, not a scan."""

    __tablename__ = "topic_usage"
    __table_args__ = (
        sa.PrimaryKeyConstraint("scope_key", "topic_id"),
        sa.Index("ix_topic_usage_scope_kind_last", "scope_key", "kind", "last_used_on"),
    )

    scope_key: Mapped[str] = mapped_column(sa.String(40))
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    last_used_on: Mapped[date] = mapped_column(sa.Date)
    uses: Mapped[int] = mapped_column(default=1)


class JobRun(db.Model):
    """One run of a periodic job for one key: the unique constraint makes each run happen once."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.UniqueConstraint("job", "run_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(60))
    run_key: Mapped[str] = mapped_column(sa.String(60))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(sa.Text, default="")
