"""Seasons that move with another calendar: Ramadan follows the Hijri (Islamic lunar) year.

The dates come from hijridate's Umm al-Qura tables (a lookup in memory, no I/O); the rotation
engine never sees that calendar, only the date windows resolved here (`rotation.Dates`).
The tables cover 1343-1500 AH, that is 1 August 1924 to 16 November 2077; outside them a
movable season has no window, so its topic is simply never in season there (nothing guesses).
Umm al-Qura is Saudi Arabia's published calendar: where the month begins with a local sighting
of the new moon it can start a day later, which is what `before` and `after` absorb.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from hijridate import Gregorian, Hijri

from huddles import rotation

# name -> the Hijri month it is (Ramadan is the ninth month of the Hijri year).
MOVABLE: dict[str, int] = {"ramadan": 9}
MOVABLE_NAMES: tuple[str, ...] = tuple(MOVABLE)
# Days a topic may come up before the season starts or after it ends.
MAX_OFFSET_DAYS = 60
FIRST_HIJRI_YEAR = 1343
LAST_HIJRI_YEAR = 1500
FIRST_DAY = date(1924, 8, 1)
LAST_DAY = date(2077, 11, 16)


@functools.lru_cache(maxsize=512)
def _month(name: str, hijri_year: int) -> tuple[date, date] | None:
    """The first and last Gregorian day of the season's month in `hijri_year`, if tabled."""
    if not FIRST_HIJRI_YEAR <= hijri_year <= LAST_HIJRI_YEAR:
        return None
    month = MOVABLE[name]
    first = Hijri(hijri_year, month, 1)
    last = Hijri(hijri_year, month, first.month_length()).to_gregorian()
    start = first.to_gregorian()
    # Plain dates: hijridate's Gregorian is a date subclass of its own.
    return date(start.year, start.month, start.day), date(last.year, last.month, last.day)


def _hijri_year(day: date) -> int:
    day = min(max(day, FIRST_DAY), LAST_DAY)
    return int(Gregorian(day.year, day.month, day.day).to_hijri().year)


def months(name: str, start: date, end: date) -> tuple[tuple[date, date], ...]:
    """The first and last days of the season's months that overlap the days `start` to `end`.

    Empty past the tables (before 1 August 1924, after 16 November 2077)."""
    if name not in MOVABLE:
        raise ValueError(f"unknown movable season {name!r} (known: {', '.join(MOVABLE_NAMES)})")
    # A Hijri year is 354 or 355 days: one year either side covers any overlap.
    found: list[tuple[date, date]] = []
    for year in range(_hijri_year(start) - 1, _hijri_year(end) + 2):
        month = _month(name, year)
        if month is not None and month[0] <= end and month[1] >= start:
            found.append(month)
    return tuple(found)


@dataclass(frozen=True)
class MovableSeason:
    """A named season of a moving calendar, widened by days before its start and after its end."""

    name: str
    before: int = 0
    after: int = 0

    def __post_init__(self) -> None:
        if self.name not in MOVABLE:
            raise ValueError(
                f"unknown movable season {self.name!r} (known: {', '.join(MOVABLE_NAMES)})"
            )
        for what, days in (("before", self.before), ("after", self.after)):
            if isinstance(days, bool) or not isinstance(days, int):
                raise ValueError(f"season {what} must be a whole number of days, got {days!r}")
            if not 0 <= days <= MAX_OFFSET_DAYS:
                raise ValueError(f"season {what} must be 0 to {MAX_OFFSET_DAYS} days, got {days}")

    def windows(self, start: date, end: date) -> tuple[tuple[date, date], ...]:
        """The inclusive windows (offsets applied) that overlap the days `start` to `end`."""
        widened = months(
            self.name, start - timedelta(days=self.after), end + timedelta(days=self.before)
        )
        return tuple(
            (first - timedelta(days=self.before), last + timedelta(days=self.after))
            for first, last in widened
        )

    def contains(self, day: date) -> bool:
        """Whether `day` falls inside the season of its year (offsets included)."""
        return bool(self.windows(day, day))

    def resolved(self, start: date, end: date) -> rotation.Dates:
        """The season as the rotation engine takes it, for the days `start` to `end`."""
        return rotation.Dates(self.windows(start, end))


# A topic's season: days of the year (the engine's own) or one that moves.
TopicSeason = rotation.Season | MovableSeason


def season_of(
    start: str | None,
    end: str | None,
    name: str | None = None,
    before: int = 0,
    after: int = 0,
) -> TopicSeason | None:
    """A topic's stored season; None when it has none (always in season). ValueError if broken."""
    if name:
        return MovableSeason(name, before, after)
    if start and end:
        return rotation.Season(start, end)
    return None


class Stored(Protocol):
    """What carries a season: a topic, a revision, a topic file's data."""

    @property
    def season_start(self) -> str | None: ...
    @property
    def season_end(self) -> str | None: ...
    @property
    def season_name(self) -> str | None: ...
    @property
    def season_before(self) -> int: ...
    @property
    def season_after(self) -> int: ...


def stored(row: Stored) -> TopicSeason | None:
    """The season `row` stores (see `season_of`)."""
    return season_of(
        row.season_start,
        row.season_end,
        row.season_name,
        row.season_before or 0,
        row.season_after or 0,
    )


def stored_json(row: Stored) -> dict[str, Any] | None:
    """The season `row` stores as the file and the API write it: `{"from", "to"}` (MM-DD),
    `{"name", "before", "after"}` (movable) or None (always in season)."""
    if row.season_name:
        return {
            "name": row.season_name,
            "before": row.season_before or 0,
            "after": row.season_after or 0,
        }
    if row.season_start and row.season_end:
        return {"from": row.season_start, "to": row.season_end}
    return None


def in_season_during(season: TopicSeason | None, start: date, end: date) -> bool:
    """Whether a topic of `season` could be picked on some day from `start` to `end`."""
    if season is None:
        return True
    if isinstance(season, MovableSeason):
        return bool(season.windows(start, end))
    # Four years hold every day of the year, a 29 February too.
    days = min((end - start).days + 1, 4 * 366)
    return any(season.contains(start + timedelta(days=n)) for n in range(days))


def for_engine(season: TopicSeason | None, start: date, end: date) -> rotation.AnySeason | None:
    """A topic's season as the engine takes it while it plans the days `start` to `end`."""
    if isinstance(season, MovableSeason):
        return season.resolved(start, end)
    return season
