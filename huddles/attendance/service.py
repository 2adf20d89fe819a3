"""Ticking the roster of a huddle, self check-in by phone, and catching up on a missed huddle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from huddles.agenda import planning
from huddles.agenda.models import Agenda
from huddles.attendance.models import STATUSES, Attendance, CatchUp
from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import RosterEntry, Shift
from huddles.validation import FieldError

# How far from today a huddle's attendance may be read or changed.
DAYS_BACK = 60
DAYS_AHEAD = 14
ATTENDED = ("present", "late")


@dataclass(frozen=True)
class RosterRow:
    """One person of a huddle's roster (or a visitor) and their attendance, None = not marked."""

    user_id: int
    name: str
    status: str | None
    visitor: bool = False
    self_check_in: bool = False
    caught_up: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "status": self.status,
            "visitor": self.visitor,
            "self_check_in": self.self_check_in,
            "caught_up": self.caught_up,
        }


def _insert(table: Any) -> Any:
    """INSERT for the session's dialect, with ON CONFLICT support (SQLite or PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def check_day(shift: Shift, day: date, now: datetime) -> date:
    """The day if a huddle of it may be read or changed now, else a FieldError naming `date`."""
    today = now.astimezone(ZoneInfo(shift.location.timezone)).date()
    if day < today - timedelta(days=DAYS_BACK) or day > today + timedelta(days=DAYS_AHEAD):
        raise FieldError(
            "date",
            _(
                "The date %(day)s is too far away: choose a day from %(first)s to %(last)s.",
                day=day.isoformat(),
                first=(today - timedelta(days=DAYS_BACK)).isoformat(),
                last=(today + timedelta(days=DAYS_AHEAD)).isoformat(),
            ),
        )
    return day


def check_status(status: Any) -> str:
    """The status if it is one we know, else a FieldError naming `status`."""
    if not isinstance(status, str) or status not in STATUSES:
        raise FieldError(
            "status",
            _(
                "The status %(status)s does not exist; use one of: %(choices)s.",
                status=repr(status),
                choices=", ".join(STATUSES),
            ),
        )
    return status


def find_agenda(shift: Shift, day: date) -> Agenda | None:
    """The agenda of (shift, day) if it was made; never makes one."""
    return db.session.scalar(
        sa.select(Agenda).where(Agenda.shift_id == shift.id, Agenda.day == day)
    )


def check_person(shift: Shift, user_id: Any) -> tuple[User, bool]:
    """The person and whether they are a visitor, or a FieldError naming `user_id`."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.organisation_id != shift.location.organisation_id or not user.active:
        raise FieldError("user_id", _("There is no person with user_id %(id)s.", id=user_id))
    on_roster = db.session.scalar(
        sa.select(RosterEntry.id).where(
            RosterEntry.shift_id == shift.id, RosterEntry.user_id == user.id
        )
    )
    if on_roster is None and user.location_id != shift.location_id:
        raise FieldError(
            "user_id",
            _(
                "%(name)s (user_id %(id)s) does not work at %(location)s.",
                name=user.name,
                id=user.id,
                location=shift.location.name,
            ),
        )
    return user, on_roster is None


def roster(shift: Shift, agenda: Agenda | None) -> list[RosterRow]:
    """The shift's roster by name, then visitors, with each one's status; three queries at most."""
    marks: dict[int, tuple[Attendance, str]] = {}
    caught_up: set[int] = set()
    if agenda is not None:
        rows = db.session.execute(
            sa.select(Attendance, User.name)
            .join(User, User.id == Attendance.user_id)
            .where(Attendance.agenda_id == agenda.id)
        )
        marks = {attendance.user_id: (attendance, name) for attendance, name in rows}
        caught_up = set(
            db.session.scalars(sa.select(CatchUp.user_id).where(CatchUp.agenda_id == agenda.id))
        )
    people = db.session.execute(
        sa.select(User.id, User.name)
        .join(RosterEntry, RosterEntry.user_id == User.id)
        .where(RosterEntry.shift_id == shift.id, User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    on_roster = {user_id for user_id, _name in people}
    result = []
    for user_id, name in people:
        mark = marks.get(user_id)
        result.append(
            RosterRow(
                user_id,
                name,
                mark[0].status if mark else None,
                False,
                bool(mark and mark[0].self_check_in),
                user_id in caught_up,
            )
        )
    visitors = sorted(
        (mark for user_id, mark in marks.items() if user_id not in on_roster),
        key=lambda mark: (mark[1], mark[0].user_id),
    )
    for attendance, name in visitors:
        result.append(
            RosterRow(
                attendance.user_id,
                name,
                attendance.status,
                True,
                attendance.self_check_in,
                attendance.user_id in caught_up,
            )
        )
    return result


def possible_visitors(shift: Shift, exclude: set[int]) -> list[tuple[int, str]]:
    """People of the shift's location who may be added as visitors: (id, name), by name."""
    rows = db.session.execute(
        sa.select(User.id, User.name)
        .where(
            User.location_id == shift.location_id,
            User.active.is_(True),
            User.role != "admin",
        )
        .order_by(User.name, User.id)
    )
    return [(user_id, name) for user_id, name in rows if user_id not in exclude]


def _record(agenda: Agenda, user_id: int) -> Attendance:
    return db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.agenda_id == agenda.id, Attendance.user_id == user_id)
        .execution_options(populate_existing=True)
    ).one()


def mark(
    shift: Shift, day: date, user_id: Any, status: Any, *, actor: User, now: datetime
) -> Attendance:
    """Set one person's status at a huddle (an upsert); the same status again changes nothing.

    Everything is checked before anything is written, so bad input saves nothing (not even the
    agenda, which is made here on the first tick of a day).
    """
    check_day(shift, day, now)
    status = check_status(status)
    user, visitor = check_person(shift, user_id)
    agenda = planning.get_agenda(shift, day, now=now)
    insert = _insert(Attendance.__table__)
    statement = insert.values(
        agenda_id=agenda.id,
        user_id=user.id,
        status=status,
        visitor=visitor,
        self_check_in=False,
        marked_by_id=actor.id,
        marked_at=now,
    ).on_conflict_do_update(
        index_elements=["agenda_id", "user_id"],
        set_={
            "status": insert.excluded.status,
            "self_check_in": False,
            "marked_by_id": actor.id,
            "marked_at": now,
        },
        where=Attendance.__table__.c.status != insert.excluded.status,
    )
    db.session.execute(statement)
    db.session.commit()
    return _record(agenda, user.id)


def unmark(shift: Shift, day: date, user_id: Any, *, now: datetime) -> None:
    """Undo: the person is no longer marked at this huddle (nothing happens if they were not)."""
    check_day(shift, day, now)
    user, _visitor = check_person(shift, user_id)
    db.session.execute(
        sa.delete(Attendance).where(
            Attendance.user_id == user.id,
            Attendance.agenda_id.in_(
                sa.select(Agenda.id).where(Agenda.shift_id == shift.id, Agenda.day == day)
            ),
        )
    )
    db.session.commit()


def roster_for_day(shift: Shift, day: date, *, now: datetime) -> list[RosterRow]:
    """The roster of the huddle of (shift, day) with each status; makes no agenda."""
    check_day(shift, day, now)
    return roster(shift, find_agenda(shift, day))


def check_in_self(shift: Shift, agenda: Agenda, user: User, *, now: datetime) -> Attendance:
    """A person on the roster checks themselves in: present, unless the lead already marked them."""
    on_roster = db.session.scalar(
        sa.select(RosterEntry.id).where(
            RosterEntry.shift_id == shift.id, RosterEntry.user_id == user.id
        )
    )
    if on_roster is None:
        raise FieldError(
            "user_id",
            _("You are not on the roster of %(shift)s; ask your lead.", shift=shift.name),
        )
    insert = _insert(Attendance.__table__)
    statement = insert.values(
        agenda_id=agenda.id,
        user_id=user.id,
        status="present",
        visitor=False,
        self_check_in=True,
        marked_by_id=user.id,
        marked_at=now,
    ).on_conflict_do_update(
        index_elements=["agenda_id", "user_id"],
        set_={
            "status": "present",
            "self_check_in": True,
            "marked_by_id": user.id,
            "marked_at": now,
        },
        # Someone the lead marked absent who then turns up is present; any other mark stands.
        where=Attendance.__table__.c.status == "absent",
    )
    db.session.execute(statement)
    db.session.commit()
    return _record(agenda, user.id)


def mark_caught_up(agenda: Agenda, user: User, *, now: datetime) -> None:
    """Record that a person read a huddle they missed (once; repeating changes nothing)."""
    insert = _insert(CatchUp.__table__)
    db.session.execute(
        insert.values(agenda_id=agenda.id, user_id=user.id, read_at=now).on_conflict_do_nothing(
            index_elements=["agenda_id", "user_id"]
        )
    )
    db.session.commit()


def missed_huddles(user: User, *, now: datetime, days: int = 7) -> list[tuple[Agenda, Shift]]:
    """Finished huddles of the person's shifts in the last `days` they neither attended nor read."""
    since = (now - timedelta(days=days + 1)).date()
    went = sa.select(Attendance.id).where(
        Attendance.agenda_id == Agenda.id,
        Attendance.user_id == user.id,
        Attendance.status.in_(ATTENDED + ("excused",)),
    )
    read = sa.select(CatchUp.id).where(CatchUp.agenda_id == Agenda.id, CatchUp.user_id == user.id)
    rows = db.session.execute(
        sa.select(Agenda, Shift)
        .join(Shift, Shift.id == Agenda.shift_id)
        .join(RosterEntry, RosterEntry.shift_id == Shift.id)
        .where(
            RosterEntry.user_id == user.id,
            Agenda.status == "done",
            Agenda.day >= since,
            ~sa.exists(went),
            ~sa.exists(read),
        )
        .order_by(Agenda.day.desc(), Shift.starts_at)
    )
    return [(agenda, shift) for agenda, shift in rows.tuples()]


def attendance_counts(agenda_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each agenda: (people attended, people caught up), in one query each."""
    if not agenda_ids:
        return {}
    present: dict[int, int] = dict(
        db.session.execute(
            sa.select(Attendance.agenda_id, sa.func.count())
            .where(Attendance.agenda_id.in_(agenda_ids), Attendance.status.in_(ATTENDED))
            .group_by(Attendance.agenda_id)
        )
        .tuples()
        .all()
    )
    read: dict[int, int] = dict(
        db.session.execute(
            sa.select(CatchUp.agenda_id, sa.func.count())
            .where(CatchUp.agenda_id.in_(agenda_ids))
            .group_by(CatchUp.agenda_id)
        )
        .tuples()
        .all()
    )
    return {
        agenda_id: (present.get(agenda_id, 0), read.get(agenda_id, 0)) for agenda_id in agenda_ids
    }
