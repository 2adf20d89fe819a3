"""Queued webhook deliveries: one row per (location, event, key), retried with backoff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from huddles.db import utcnow
from huddles.extensions import db

EVENTS = ("agenda", "summary", "test")
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The day's agenda and a huddle's summary are queued once, however many schedulers run.
        sa.UniqueConstraint("location_id", "event", "event_key"),
        sa.CheckConstraint("event IN ('agenda', 'summary', 'test')", name="event"),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(sa.String(16))
    event_key: Mapped[str] = mapped_column(sa.String(80))
    url: Mapped[str] = mapped_column(sa.String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    response_status: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
