"""Organisation, locations, shifts and rosters."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huddles.db import utcnow
from huddles.extensions import db

if TYPE_CHECKING:
    from huddles.auth.models import User

WEEKDAYS = range(7)  # Monday = 0, as date.weekday()
ALL_WEEKDAYS_MASK = 0b1111111


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    locations: Mapped[list[Location]] = relationship(
        back_populates="organisation", order_by="Location.name"
    )


# What kind of place a location is; topics say which settings they fit (none = all).
SETTINGS = ("hotel", "restaurant", "retail", "contact-centre", "other")


class Location(db.Model):
    __tablename__ = "locations"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name"),
        sa.CheckConstraint(
            "setting IN ('hotel', 'restaurant', 'retail', 'contact-centre', 'other')",
            name="setting",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    setting: Mapped[str] = mapped_column(sa.String(20), default="other")
    # Where the day's agenda and each huddle's summary are posted, and the key that signs them.
    webhook_url: Mapped[str | None] = mapped_column(sa.String(500))
    webhook_secret: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="locations")
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="location", order_by="(Shift.starts_at, Shift.name)"
    )

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "timezone": self.timezone, "locale": self.locale}


class Shift(db.Model):
    __tablename__ = "shifts"
    __table_args__ = (
        sa.UniqueConstraint("location_id", "name"),
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440", name="duration"),
        sa.CheckConstraint("weekday_mask >= 0 AND weekday_mask <= 127", name="weekday_mask"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(
        sa.ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    starts_at: Mapped[time] = mapped_column(sa.Time)
    duration_minutes: Mapped[int]
    # Bit n set = the shift runs on weekday n (Monday = 0).
    weekday_mask: Mapped[int] = mapped_column(default=ALL_WEEKDAYS_MASK)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    location: Mapped[Location] = relationship(back_populates="shifts")
    roster: Mapped[list[RosterEntry]] = relationship(
        back_populates="shift", cascade="all, delete-orphan"
    )

    @property
    def weekdays(self) -> list[int]:
        return [day for day in WEEKDAYS if self.weekday_mask & (1 << day)]

    @weekdays.setter
    def weekdays(self, days: list[int]) -> None:
        self.weekday_mask = sum(1 << day for day in set(days))

    def runs_on(self, weekday: int) -> bool:
        return bool(self.weekday_mask & (1 << weekday))

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "location_id": self.location_id,
            "name": self.name,
            "starts_at": self.starts_at.strftime("%H:%M"),
            "duration_minutes": self.duration_minutes,
            "weekdays": self.weekdays,
            "active": self.active,
        }


class RosterEntry(db.Model):
    """A person who works a shift."""

    __tablename__ = "roster_entries"
    __table_args__ = (sa.UniqueConstraint("shift_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    shift: Mapped[Shift] = relationship(back_populates="roster")
    user: Mapped[User] = relationship()
