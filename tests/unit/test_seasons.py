"""Seasons that move with the Hijri calendar: Ramadan's dates, the days around it, the limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddles import rotation, seasons
from huddles.rotation import Candidate, Dates, choose

# The first day of Ramadan (Umm al-Qura, as Saudi Arabia announced it) and the day after its
# last: 2017 and 2023 as reported at the time (Al Jazeera, 23 and 25 May 2017: fasting from
# Saturday 27 May; NationalWorld, 13 March 2023: from Thursday 23 March), 2026-2028 as the
# hijridate tables give them, which match the dates announced ahead: about 18 February 2026,
# 8 February 2027 and 28 January 2028.
RAMADAN = [
    (date(2017, 5, 27), date(2017, 6, 25)),
    (date(2023, 3, 23), date(2023, 4, 21)),
    (date(2025, 3, 1), date(2025, 3, 30)),
    (date(2026, 2, 18), date(2026, 3, 20)),
    (date(2027, 2, 8), date(2027, 3, 9)),
    (date(2028, 1, 28), date(2028, 2, 26)),
]


@pytest.mark.parametrize(("first", "eid"), RAMADAN)
def test_ramadan_is_the_month_of_its_hijri_year(first, eid) -> None:
    ramadan = seasons.MovableSeason("ramadan")
    assert ramadan.windows(first, first) == ((first, eid - timedelta(days=1)),)
    assert ramadan.contains(first) and ramadan.contains(eid - timedelta(days=1))
    assert not ramadan.contains(first - timedelta(days=1)) and not ramadan.contains(eid)


def test_ramadan_comes_ten_to_twelve_days_earlier_each_year() -> None:
    firsts = [
        first for first, _last in seasons.months("ramadan", date(2020, 1, 1), date(2036, 1, 1))
    ]
    assert len(firsts) == 17  # two in 2030 (5 January and 26 December)
    for earlier, later in zip(firsts, firsts[1:], strict=False):
        assert (later - earlier).days in (354, 355)  # a lunar year: 10 to 11 days short


def test_days_before_and_after_widen_every_year_alike() -> None:
    season = seasons.MovableSeason("ramadan", before=3, after=1)
    assert season.windows(date(2026, 1, 1), date(2027, 12, 31)) == (
        (date(2026, 2, 15), date(2026, 3, 20)),
        (date(2027, 2, 5), date(2027, 3, 9)),
    )
    assert season.contains(date(2027, 2, 5)) and not season.contains(date(2027, 2, 4))
    assert season.contains(date(2027, 3, 9)) and not season.contains(date(2027, 3, 10))


def test_a_year_whose_gregorian_span_meets_two_ramadans() -> None:
    # Ramadan 2030 begins on 5 January and Ramadan 2030/1451 again on 26 December.
    windows = seasons.months("ramadan", date(2030, 1, 1), date(2030, 12, 31))
    assert [first for first, _last in windows] == [date(2030, 1, 5), date(2030, 12, 26)]


def test_past_the_calendars_tables_a_movable_season_never_comes() -> None:
    season = seasons.MovableSeason("ramadan", before=10)
    assert season.windows(date(2078, 1, 1), date(2090, 12, 31)) == ()
    assert not season.contains(date(2080, 8, 1))
    assert season.windows(date(1900, 1, 1), date(1924, 7, 31)) == ()
    # The last Ramadan the tables hold (1500 AH) is still there.
    assert season.windows(date(2077, 1, 1), date(2077, 12, 31))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("easter",), "unknown movable season"),
        (("ramadan", -1), "0 to 60"),
        (("ramadan", 0, 61), "0 to 60"),
        (("ramadan", True), "whole number"),
        (("ramadan", 1.5), "whole number"),
    ],
)
def test_a_broken_movable_season_is_refused(args, message) -> None:
    with pytest.raises(ValueError, match=message):
        seasons.MovableSeason(*args)


def test_season_of_keeps_the_fixed_days_and_prefers_a_name() -> None:
    assert seasons.season_of("12-01", "01-06") == rotation.Season("12-01", "01-06")
    assert seasons.season_of(None, None, "ramadan", 2, 0) == seasons.MovableSeason("ramadan", 2)
    assert seasons.season_of(None, None) is None


def test_the_engine_takes_the_resolved_dates_only() -> None:
    span = (date(2027, 1, 1), date(2027, 12, 31))
    season = seasons.for_engine(seasons.MovableSeason("ramadan", before=3), *span)
    assert season == Dates(((date(2027, 2, 5), date(2027, 3, 8)),))
    candidates = [Candidate("ramadan-tip", "tip", None, season=season)]
    assert choose(candidates, "tip", date(2027, 2, 5), "s", 28) == ("ramadan-tip", "fresh")
    assert choose(candidates, "tip", date(2027, 2, 4), "s", 28) is None
    assert choose(candidates, "tip", date(2027, 3, 8), "s", 28) == ("ramadan-tip", "fresh")
    assert choose(candidates, "tip", date(2027, 3, 9), "s", 28) is None
    fixed = rotation.Season("12-01", "12-31")
    assert seasons.for_engine(fixed, *span) is fixed


def test_dates_refuse_a_window_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="later one"):
        Dates(((date(2027, 3, 1), date(2027, 2, 1)),))


@settings(max_examples=60, deadline=None, database=None)
@given(
    # From 1344 AH: the tables' first year (1343) has a Ramadan of 28 days.
    day=st.dates(min_value=date(1927, 1, 1), max_value=date(2077, 6, 30)),
    before=st.integers(0, 60),
    after=st.integers(0, 60),
)
def test_contains_agrees_with_the_windows_of_any_span(day, before, after) -> None:
    season = seasons.MovableSeason("ramadan", before, after)
    span = season.windows(day - timedelta(days=400), day + timedelta(days=400))
    assert season.contains(day) == Dates(span).contains(day)
    # Every window is the month (29 or 30 days) widened by the days before and after.
    for first, last in span:
        assert (last - first).days + 1 - before - after in (29, 30)


@pytest.mark.parametrize(
    ("season", "start", "end", "expected"),
    [
        (None, date(2026, 6, 1), date(2026, 6, 30), True),
        (rotation.Season("12-01", "12-26"), date(2026, 6, 1), date(2026, 6, 30), False),
        (rotation.Season("12-01", "12-26"), date(2026, 11, 20), date(2026, 12, 1), True),
        # A season that wraps round the new year, seen from either side of it.
        (rotation.Season("12-20", "01-06"), date(2027, 1, 6), date(2027, 1, 31), True),
        (rotation.Season("12-20", "01-06"), date(2027, 1, 7), date(2027, 12, 19), False),
        # 29 February is met only in a leap year; four years always hold one.
        (rotation.Season("02-29", "02-29"), date(2026, 1, 1), date(2027, 12, 31), False),
        (rotation.Season("02-29", "02-29"), date(2026, 1, 1), date(2030, 1, 1), True),
        (seasons.MovableSeason("ramadan"), date(2026, 6, 1), date(2026, 6, 30), False),
        (seasons.MovableSeason("ramadan"), date(2026, 3, 19), date(2026, 3, 31), True),
        (seasons.MovableSeason("ramadan", after=3), date(2026, 3, 21), date(2026, 3, 31), True),
    ],
)
def test_in_season_during_tells_whether_any_day_of_a_span_is_in_season(
    season, start, end, expected
) -> None:
    assert seasons.in_season_during(season, start, end) is expected
