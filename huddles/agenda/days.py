"""A shift's days: when it starts, which day it is on now, and today in a location's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from huddles.org.models import Location, Shift


def shift_start(shift: Shift, day: date, zone: ZoneInfo) -> datetime:
    """When the shift of `day` starts, as an aware UTC datetime (wall clock in its zone)."""
    local = datetime.combine(day, shift.starts_at, tzinfo=zone)
    return local.astimezone(UTC)


def shift_day(shift: Shift, now: datetime) -> date:
    """The date of the shift's current or next occurrence in its location's zone.

    A shift belongs to the date it starts on, so a night shift running past midnight is still
    the previous day's. It lasts `duration_minutes` of real time, across DST changes too.
    """
    zone = ZoneInfo(shift.location.timezone)
    today = now.astimezone(zone).date()
    length = timedelta(minutes=shift.duration_minutes)
    runs_some_day = shift.weekday_mask != 0
    for offset in range(-1, 8):
        day = today + timedelta(days=offset)
        if runs_some_day and not shift.runs_on(day.weekday()):
            continue
        start = shift_start(shift, day, zone)
        if now < start + length:
            return day
    return today


def local_today(location: Location, now: datetime) -> date:
    """Today's date in the location's zone."""
    return now.astimezone(ZoneInfo(location.timezone)).date()
