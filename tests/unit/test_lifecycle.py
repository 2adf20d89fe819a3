"""The pure rules of a huddle's life: its window, starting, check-in, corrections, closing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from huddles.huddle import lifecycle

BERLIN = "Europe/Berlin"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_day_shift_window_in_the_location_zone():
    # 07:00 in Berlin in winter is 06:00 UTC; the window opens 30 minutes earlier.
    win = lifecycle.window(time(7, 0), 480, BERLIN, date(2026, 12, 2))
    assert win.opens_at == utc(2026, 12, 2, 5, 30)
    assert win.shift_starts_at == utc(2026, 12, 2, 6, 0)
    assert win.closes_at == utc(2026, 12, 2, 14, 0)


def test_night_shift_window_crosses_midnight():
    win = lifecycle.window(time(22, 30), 480, BERLIN, date(2026, 12, 1))
    assert win.opens_at == utc(2026, 12, 1, 21, 0)
    assert win.closes_at == utc(2026, 12, 2, 5, 30)
    # At 02:40 local the night huddle of the 1st is still open.
    assert win.is_open(utc(2026, 12, 2, 1, 40))


def test_window_across_a_dst_change_lasts_real_time():
    # The night of 28 to 29 March 2026 loses an hour in Berlin.
    win = lifecycle.window(time(22, 0), 480, BERLIN, date(2026, 3, 28))
    assert win.closes_at - win.shift_starts_at == timedelta(hours=8)


@pytest.mark.parametrize(
    ("minutes_from_start", "status", "expected"),
    [
        (-31, "planned", False),
        (-30, "planned", True),
        (0, "planned", True),
        (479, "planned", True),
        (480, "planned", False),
        (10, "running", False),
        (10, "done", False),
        (10, "missed", False),
    ],
)
def test_can_start_only_a_planned_huddle_inside_its_window(minutes_from_start, status, expected):
    win = lifecycle.window(time(7, 0), 480, BERLIN, date(2026, 12, 2))
    now = win.shift_starts_at + timedelta(minutes=minutes_from_start)
    assert lifecycle.can_start(win, now, status) is expected


@pytest.mark.parametrize(
    ("minutes_from_start", "status", "expected"),
    [
        (-31, "planned", False),
        (-30, "planned", True),
        (20, "running", True),
        (20, "done", False),
        (20, "ended", False),
        (480, "running", False),
    ],
)
def test_check_in_from_the_window_opening_until_the_huddle_is_over(
    minutes_from_start, status, expected
):
    win = lifecycle.window(time(7, 0), 480, BERLIN, date(2026, 12, 2))
    now = win.shift_starts_at + timedelta(minutes=minutes_from_start)
    assert lifecycle.check_in_open(win, now, status) is expected


@pytest.mark.parametrize(
    ("offset", "phase"),
    [
        (timedelta(minutes=-31), "not-open"),
        (timedelta(minutes=-30), "open"),
        (timedelta(hours=7, minutes=59), "open"),
        (timedelta(hours=8), "correction"),
        (timedelta(days=7, hours=7, minutes=59), "correction"),
        (timedelta(days=7, hours=8), "closed"),
    ],
)
def test_attendance_phase(offset, phase):
    win = lifecycle.window(time(7, 0), 480, BERLIN, date(2026, 12, 2))
    assert lifecycle.attendance_phase(win, win.shift_starts_at + offset) == phase


def test_only_leads_correct_and_only_in_the_correction_week():
    win = lifecycle.window(time(7, 0), 480, BERLIN, date(2026, 12, 2))
    after = win.closes_at + timedelta(days=1)
    assert lifecycle.can_correct(win, after, is_lead=True)
    assert not lifecycle.can_correct(win, after, is_lead=False)
    assert not lifecycle.can_correct(win, win.shift_starts_at, is_lead=True)
    assert not lifecycle.can_correct(win, win.closes_at + timedelta(days=8), is_lead=True)


def test_planned_length_is_the_sum_of_the_slots():
    assert lifecycle.planned_length([0.5, 1, 2, 0.5, 1]) == timedelta(minutes=5)
    assert lifecycle.planned_length([]) == timedelta(0)


def test_end_reason_after_three_times_the_length_or_the_shift_end():
    win = lifecycle.window(time(7, 0), 480, BERLIN, date(2026, 12, 2))
    started = win.shift_starts_at
    five = timedelta(minutes=5)
    assert lifecycle.end_reason(win, started + timedelta(minutes=14), started, five) is None
    assert lifecycle.end_reason(win, started + timedelta(minutes=15), started, five) == "overran"
    ten = timedelta(minutes=10)
    assert lifecycle.end_reason(win, started + timedelta(minutes=29), started, ten) is None
    assert lifecycle.end_reason(win, started + timedelta(minutes=30), started, ten) == "overran"
    assert lifecycle.end_reason(win, win.closes_at, None, five) == "shift-over"


def test_missed_once_the_shift_is_over_and_it_never_started():
    win = lifecycle.window(time(7, 0), 480, BERLIN, date(2026, 12, 2))
    assert not lifecycle.is_missed(win, win.closes_at - timedelta(seconds=1), "planned")
    assert lifecycle.is_missed(win, win.closes_at, "planned")
    assert not lifecycle.is_missed(win, win.closes_at, "done")
