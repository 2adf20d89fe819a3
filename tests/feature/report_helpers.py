"""Helpers for the report tests: history straight into the database, dates relative to today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from huddles.agenda.models import Agenda, AgendaItem
from huddles.attendance.models import Attendance, CatchUp
from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.org.models import RosterEntry, Shift


def today_in(timezone: str = "Europe/Berlin") -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()


def backdate(shift: Shift, days: int = 90) -> None:
    """The shift and its roster existed `days` ago (tests make them today)."""
    then = datetime.now(UTC) - timedelta(days=days)
    db.session.execute(sa.update(Shift).where(Shift.id == shift.id).values(created_at=then))
    db.session.execute(
        sa.update(RosterEntry).where(RosterEntry.shift_id == shift.id).values(created_at=then)
    )
    db.session.commit()
    db.session.expire_all()


def add_huddle(
    shift: Shift,
    day: date,
    status: str = "done",
    *,
    minutes: float | None = 5,
    topic=None,
    feedback: str | None = None,
    marks: dict | None = None,
    caught_up: tuple = (),
    lead=None,
) -> Agenda:
    """An agenda of (shift, day) with one topic item and a welcome item, and its attendance."""
    started = datetime.combine(day, shift.starts_at, ZoneInfo("UTC")) - timedelta(minutes=5)
    agenda = Agenda(
        shift_id=shift.id,
        day=day,
        scope_key=f"location:{shift.location_id}",
        status=status,
        topic_feedback=feedback,
    )
    if status in ("running", "done", "ended"):
        agenda.started_at = started
        agenda.started_by_id = lead.id if lead is not None else None
    if status in ("done", "ended") and minutes is not None:
        agenda.finished_at = started + timedelta(minutes=minutes)
    agenda.items.append(
        AgendaItem(position=1, slot_key="welcome", slot_title="Welcome", fill="roster", minutes=1.0)
    )
    agenda.items.append(
        AgendaItem(
            position=2,
            slot_key="topic",
            slot_title="Topic of the day",
            fill="rotation",
            kind=topic.kind if topic is not None else "tip",
            minutes=4.0,
            topic_id=topic.id if topic is not None else None,
            topic_revision_id=topic.current_revision_id if topic is not None else None,
            reason="fresh",
        )
    )
    db.session.add(agenda)
    db.session.flush()
    for user, status_of in (marks or {}).items():
        db.session.add(Attendance(agenda_id=agenda.id, user_id=user.id, status=status_of))
    for user in caught_up:
        db.session.add(CatchUp(agenda_id=agenda.id, user_id=user.id))
    db.session.commit()
    return agenda


_numbers = iter(range(1, 10_000_000))


def add_kudos(giver, receiver, day: date, value: str | None = None, *, hidden: bool = False):
    kudos = Kudos(
        location_id=receiver.location_id,
        from_user_id=giver.id,
        to_user_id=receiver.id,
        message="Thank you!",
        value=value,
        given_on=day,
        daily_number=next(_numbers),
        created_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12),
        hidden_at=datetime.now(UTC) if hidden else None,
    )
    db.session.add(kudos)
    db.session.commit()
    return kudos
