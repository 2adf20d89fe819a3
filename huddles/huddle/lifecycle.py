"""The rules of a huddle's life, as pure functions of time: no Flask, no database.

planned → running → done; `ended` when it was left running, `missed` when its shift ended and it
never started. A huddle's **window** opens 30 minutes before its shift starts and closes when the
shift ends (a night shift's window crosses midnight; the shift belongs to the day it starts on).
Inside the window the lead may start the huddle, tick attendance, and people may check in (until
the huddle is over). After it closes, a lead or admin may correct attendance for 7 days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

OPENS_BEFORE = timedelta(minutes=30)
CORRECTION_PERIOD = timedelta(days=7)
# A running huddle is closed as `ended` once it ran this many times its planned length
# (never sooner than MIN_OVERRUN after it started), or when its shift is over.
OVERRUN_FACTOR = 3
MIN_OVERRUN = timedelta(minutes=15)

CLOSED = ("done", "ended", "missed")

# Why the scheduler closed a huddle (Agenda.closed_reason); shown translated.
REASON_OVERRAN = "overran"
REASON_SHIFT_OVER = "shift-over"
REASON_NEVER_STARTED = "never-started"

Phase = Literal["not-open", "open", "correction", "closed"]


class ShiftLike(Protocol):
    """What the rules need of a shift (huddles.org.models.Shift fits)."""

    @property
    def starts_at(self) -> time: ...

    @property
    def duration_minutes(self) -> int: ...


@dataclass(frozen=True)
class Window:
    """When a huddle of one (shift, day) may happen, as aware UTC datetimes."""

    opens_at: datetime
    shift_starts_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        """True from 30 minutes before the shift until its end."""
        return self.opens_at <= now < self.closes_at

    def has_opened(self, now: datetime) -> bool:
        return now >= self.opens_at

    def is_over(self, now: datetime) -> bool:
        """True once the shift has ended."""
        return now >= self.closes_at

    @property
    def corrections_until(self) -> datetime:
        return self.closes_at + CORRECTION_PERIOD


def window(starts_at: time, duration_minutes: int, timezone: str, day: date) -> Window:
    """The window of the huddle of a shift starting at `starts_at` (local wall clock) on `day`.

    The shift lasts `duration_minutes` of real time, across midnight and DST changes too.
    """
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, starts_at, tzinfo=zone).astimezone(UTC)
    return Window(
        opens_at=start - OPENS_BEFORE,
        shift_starts_at=start,
        closes_at=start + timedelta(minutes=duration_minutes),
    )


def window_for(shift: ShiftLike, timezone: str, day: date) -> Window:
    """The window of a shift's huddle on `day` in its location's `timezone`."""
    return window(shift.starts_at, shift.duration_minutes, timezone, day)


def planned_length(slot_minutes: Iterable[float]) -> timedelta:
    """The planned length of a huddle: the sum of its slots' minutes."""
    return timedelta(minutes=sum(slot_minutes))


def can_start(win: Window, now: datetime, status: str) -> bool:
    """A planned huddle may be started inside its window."""
    return status == "planned" and win.is_open(now)


def check_in_open(win: Window, now: datetime, status: str) -> bool:
    """People may check in from the window's opening until the huddle is over (or the shift)."""
    return status not in CLOSED and win.is_open(now)


def attendance_phase(win: Window, now: datetime) -> Phase:
    """Whether marks are not yet allowed, ticked live, corrections only, or closed for good."""
    if not win.has_opened(now):
        return "not-open"
    if win.is_open(now):
        return "open"
    if now < win.corrections_until:
        return "correction"
    return "closed"


def can_correct(win: Window, now: datetime, *, is_lead: bool) -> bool:
    """After the window closes, a lead (or admin) may correct attendance for 7 days."""
    return is_lead and attendance_phase(win, now) == "correction"


def end_reason(
    win: Window, now: datetime, started_at: datetime | None, length: timedelta
) -> str | None:
    """Why a running huddle should be closed as `ended` now, or None while it may still run."""
    if win.is_over(now):
        return REASON_SHIFT_OVER
    if started_at is not None and now >= started_at + max(OVERRUN_FACTOR * length, MIN_OVERRUN):
        return REASON_OVERRAN
    return None


def is_missed(win: Window, now: datetime, status: str) -> bool:
    """A planned huddle whose shift is over never happened."""
    return status == "planned" and win.is_over(now)
