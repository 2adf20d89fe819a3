"""Which date a shift's huddle belongs to, in the location's zone, across DST nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from huddles.agenda.days import shift_day, shift_start
from huddles.scheduler import JOBS, build_scheduler


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now_utc", "expected"),
    [
        # Spring forward, Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
        ("2026-03-28T20:59", date(2026, 3, 28)),  # 21:59 CET, before the start: tonight
        ("2026-03-28T23:30", date(2026, 3, 28)),  # 00:30 CET on Sunday: still Saturday's night
        ("2026-03-29T01:30", date(2026, 3, 28)),  # 03:30 CEST: the short night goes on
        ("2026-03-29T04:59", date(2026, 3, 28)),  # eight real hours end at 05:00 UTC
        ("2026-03-29T05:01", date(2026, 3, 29)),  # over: the next one is Sunday's
        # Fall back, Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET.
        ("2026-10-25T00:30", date(2026, 10, 24)),  # 02:30 CEST, the first time
        ("2026-10-25T01:30", date(2026, 10, 24)),  # 02:30 CET, the second time
        ("2026-10-25T03:59", date(2026, 10, 24)),  # 04:59 CET: the long night's last minute
        ("2026-10-25T04:01", date(2026, 10, 25)),
    ],
)
def test_a_night_shift_belongs_to_the_date_it_starts(app, world, make_shift, now_utc, expected):
    night = make_shift(world.here, "Night", time(22, 0), minutes=480)
    assert shift_day(night, at(now_utc)) == expected


def test_a_shift_starting_in_the_skipped_hour_still_has_a_start(app, world, make_shift):
    early = make_shift(world.here, "Bakery", time(2, 30), minutes=240)
    from zoneinfo import ZoneInfo

    start = shift_start(early, date(2026, 3, 29), ZoneInfo("Europe/Berlin"))
    assert at("2026-03-29T00:00") < start < at("2026-03-29T02:00")
    assert shift_day(early, at("2026-03-28T23:00")) == date(2026, 3, 29)


@pytest.mark.parametrize(
    ("now_utc", "expected"),
    [
        ("2026-03-02T05:00", date(2026, 3, 2)),  # 06:00 in Berlin, before the 07:00 start
        ("2026-03-02T10:00", date(2026, 3, 2)),  # during the shift
        ("2026-03-02T15:00", date(2026, 3, 3)),  # 16:00, after the end: tomorrow's
    ],
)
def test_a_day_shift_is_today_until_it_ends(app, world, now_utc, expected):
    assert shift_day(world.shift, at(now_utc)) == expected


def test_a_weekday_shift_skips_the_weekend(app, world, make_shift):
    office = make_shift(world.here, "Office", time(9, 0), minutes=480, weekdays=[0, 1, 2, 3, 4])
    assert shift_day(office, at("2026-03-07T12:00")) == date(2026, 3, 9)  # Saturday -> Monday


def test_the_zone_is_the_locations(app, world, make_location, make_shift):
    tokyo = make_location("Tokyo Tower", "Asia/Tokyo")
    shift = make_shift(tokyo, "Morning", time(7, 0), minutes=300)
    # 23:00 UTC on 1 March is 08:00 on 2 March in Tokyo.
    assert shift_day(shift, at("2026-03-01T23:00")) == date(2026, 3, 2)


def test_the_scheduler_holds_every_job_of_the_table(app):
    scheduler = build_scheduler(app)
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(job.name for job in JOBS)
    assert not scheduler.running


def test_flask_scheduler_once_runs_a_job_once_per_period(app, world, runner):
    first = runner.invoke(args=["scheduler", "once", "make-agendas"])
    assert first.exit_code == 0 and first.output.startswith("made 28 agenda(s)")
    again = runner.invoke(args=["scheduler", "once", "make-agendas"])
    assert "already ran" in again.output
