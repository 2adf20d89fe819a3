"""The demo tells a story: three weeks of history before today, relative to today, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from huddles.agenda import planning as agenda_planning
from huddles.agenda.models import Agenda
from huddles.attendance.models import Attendance
from huddles.auth.models import User
from huddles.demo.data import load_demo
from huddles.demo.history import DAYS, NO_AGENDA
from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.kudos.service import kudos_for_huddle
from huddles.org.models import Location, Shift
from huddles.reports import service
from huddles.reports.period import Period

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_three_weeks_of_history_before_today(app):
    assert load_demo("demo password 123", now=NOW).created
    hotel = db.session.scalar(sa.select(Location).where(Location.name == "Harbour Hotel"))
    today = NOW.astimezone(ZoneInfo(hotel.timezone)).date()
    days = db.session.execute(sa.select(sa.func.min(Agenda.day), sa.func.max(Agenda.day))).one()
    assert days == (today - timedelta(days=DAYS), today - timedelta(days=1))
    statuses = dict(
        db.session.execute(sa.select(Agenda.status, sa.func.count()).group_by(Agenda.status)).all()
    )
    assert set(statuses) == {"done", "ended", "missed"}
    assert statuses["done"] > 10 * (statuses["ended"] + statuses["missed"])
    lead = db.session.scalar(sa.select(User).where(User.email == "lead@example.com"))
    done = db.session.scalars(
        sa.select(Agenda).join(Shift).where(Agenda.status == "done", Shift.location_id == hotel.id)
    ).all()
    assert all(a.started_by_id == lead.id and a.started_at < a.finished_at for a in done)
    assert all(a.finished_at - a.started_at < timedelta(minutes=10) for a in done)
    assert {a.topic_feedback for a in done} == {"up", "down", None}
    assert all(item.topic_id for a in done[:5] for item in a.items if item.fill == "rotation")


def test_the_reports_tell_the_story(app):
    load_demo("demo password 123", now=NOW)
    hotel = db.session.scalar(sa.select(Location).where(Location.name == "Harbour Hotel"))
    today = NOW.astimezone(ZoneInfo(hotel.timezone)).date()
    period = Period(today - timedelta(days=DAYS), today - timedelta(days=1))
    [coverage] = service.coverage_for([hotel], period, NOW)
    night = next(shift for shift in coverage.shifts if shift.name == "Night")
    [gap] = NO_AGENDA["Night"]
    assert dict(night.days)[today - timedelta(days=gap)] == "missed"  # no agenda was ever made
    assert 0.8 < coverage.held_share < 1
    attendance = service.attendance_report(hotel, period)
    assert {p.name for p in attendance.habitual} == {"Jonas Becker", "Yusuf Demir"}
    assert 0.8 < attendance.rate < 0.95
    kudos = service.kudos_report(hotel, period)
    assert kudos.top_share > 0.5
    assert {"Tomasz Nowak", "Liam O'Connor"} <= {p.name for p in kudos.never_thanked}
    # Today's huddles read out the thank-yous of yesterday evening.
    shifts = db.session.scalars(sa.select(Shift).where(Shift.location_id == hotel.id)).all()
    agendas = [agenda_planning.get_agenda(shift, today, now=NOW) for shift in shifts]
    assert any(kudos_for_huddle(agenda) for agenda in agendas)


def test_loading_again_changes_nothing(app):
    load_demo("demo password 123", now=NOW)
    before = (count(Agenda), count(Attendance), count(Kudos), count(User))
    assert not load_demo("demo password 123", now=NOW + timedelta(days=1)).created
    assert (count(Agenda), count(Attendance), count(Kudos), count(User)) == before


def test_the_comparison_counts_agree_with_the_grids(app):
    """coverage_totals counts in SQL what coverage_for draws cell by cell."""
    load_demo("demo password 123", now=NOW)
    db.session.execute(sa.update(Shift).where(Shift.name == "Lunch").values(weekday_mask=0b0011111))
    db.session.execute(sa.update(Shift).where(Shift.name == "Night").values(active=False))
    db.session.commit()
    locations = db.session.scalars(sa.select(Location).order_by(Location.id)).all()
    today = NOW.date()
    for period in (
        Period(today - timedelta(days=40), today + timedelta(days=10)),
        Period(today - timedelta(days=3), today - timedelta(days=1)),
        Period(today, today + timedelta(days=6)),
    ):
        grids = service.coverage_for(locations, period, NOW)
        totals = service.coverage_totals(locations, period, NOW)
        for grid in grids:
            counted = totals[grid.location.id]
            assert counted.counts == {
                **grid.counts,
                # An inactive shift without agendas is left out of the grid: all its days off.
                "off": counted.counts["off"],
            }, (grid.location.name, period)
            assert counted.held_share == grid.held_share


def test_the_comparison_rates_agree_with_each_locations_report(app):
    load_demo("demo password 123", now=NOW)
    locations = db.session.scalars(sa.select(Location).order_by(Location.id)).all()
    period = Period(NOW.date() - timedelta(days=DAYS), NOW.date())
    for row in service.compare_locations(locations, period, NOW):
        report = service.attendance_report(row.location, period)
        assert (row.expected, row.attended) == (report.expected, report.attended)
        assert row.expected > 100
