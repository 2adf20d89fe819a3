"""A report's period: from and to (inclusive), at most MAX_DAYS long, and the weeks in it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches."""
        first = week_of(self.start)
        return [
            first + timedelta(weeks=n) for n in range((week_of(self.end) - first).days // 7 + 1)
        ]


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def month_of(day: date) -> Period:
    """The calendar month of a day."""
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def last_weeks(day: date, weeks: int = 4) -> Period:
    """The day's week and the weeks before it, Monday to Sunday: past huddles and the next days."""
    monday = week_of(day)
    return Period(monday - timedelta(weeks=weeks - 1), monday + timedelta(days=6))


def week_period(day: date) -> Period:
    monday = week_of(day)
    return Period(monday, monday + timedelta(days=6))
