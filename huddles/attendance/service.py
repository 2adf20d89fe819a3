"""Ticking the roster of a huddle, self check-in by phone, and catching up on a missed huddle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from huddles import signals
from huddles.agenda import planning
from huddles.agenda.models import Agenda
from huddles.attendance.models import STATUSES, Attendance, CatchUp
from huddles.auth.models import User
from huddles.extensions import db, upsert
from huddles.huddle import lifecycle
from huddles.org.models import RosterEntry, Shift
from huddles.validation import FieldError

# How far from today a huddle's attendance may be read or changed.
DAYS_BACK = 60
DAYS_AHEAD = 14
ATTENDED = ("present", "late")
# Where a lead's mark may come from (the screen's taps, or the API); corrections are named so.
LEAD_VIAS = ("screen", "api")
SELF_VIAS = ("qr", "today", "api")


class HuddleConflict(FieldError):
    """The huddle is not in a state (or its window not at a time) that allows this (HTTP 409)."""

    status = 409


class NoHuddle(FieldError):
    """No huddle was planned for that day, and none is made after the fact (HTTP 404)."""

    status = 404


def window_of(shift: Shift, day: date) -> lifecycle.Window:
    """The window of the huddle of (shift, day) in the location's time zone."""
    return lifecycle.window_for(shift, shift.location.timezone, day)


def local_time(shift: Shift, moment: datetime) -> str:
    """A moment as HH:MM on the location's wall clock."""
    return moment.astimezone(ZoneInfo(shift.location.timezone)).strftime("%H:%M")


def local_moment(shift: Shift, moment: datetime) -> str:
    """A moment as YYYY-MM-DD HH:MM on the location's wall clock."""
    return moment.astimezone(ZoneInfo(shift.location.timezone)).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class RosterRow:
    """One person of a huddle's roster (or a visitor) and their attendance, None = not marked."""

    user_id: int
    name: str
    status: str | None
    visitor: bool = False
    self_check_in: bool = False
    caught_up: bool = False
    method: str | None = None
    via: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "status": self.status,
            "visitor": self.visitor,
            "self_check_in": self.self_check_in,
            "caught_up": self.caught_up,
            "method": self.method,
            "via": self.via,
        }


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


def find_agenda(shift: Shift, day: date, *, items: bool = True) -> Agenda | None:
    """The agenda of (shift, day) if it was made; never makes one. Without `items`, its items
    are not loaded with it (a mark needs only the agenda's id and status)."""
    query = sa.select(Agenda).where(Agenda.shift_id == shift.id, Agenda.day == day)
    return db.session.scalar(query.options(selectinload(Agenda.items)) if items else query)


def check_person(shift: Shift, user_id: Any) -> tuple[User, bool]:
    """The person and whether they are a visitor, or a FieldError naming `user_id`."""
    found = None
    if isinstance(user_id, int):
        # The person and whether they are on the shift's roster, in one statement.
        rostered = sa.exists().where(
            RosterEntry.shift_id == shift.id, RosterEntry.user_id == User.id
        )
        found = db.session.execute(
            sa.select(User, rostered).where(User.id == sa.bindparam("id", user_id))
        ).first()
    user, on_roster = found if found is not None else (None, False)
    if user is None or user.organisation_id != shift.location.organisation_id or not user.active:
        raise FieldError("user_id", _("There is no person with user_id %(id)s.", id=user_id))
    if not on_roster and user.location_id != shift.location_id:
        # Never name a person of another location to someone who cannot see them.
        raise FieldError(
            "user_id",
            _(
                "user_id %(id)s is neither on the roster of %(shift)s nor at %(location)s.",
                id=user.id,
                shift=shift.name,
                location=shift.location.name,
            ),
        )
    return user, not on_roster


def roster(shift: Shift, agenda: Agenda | None) -> list[RosterRow]:
    """The shift's roster by name, then visitors, with each one's status; two queries at most."""
    return roster_and_candidates(shift, agenda, candidates=False)[0]


def roster_and_candidates(
    shift: Shift, agenda: Agenda | None, *, candidates: bool = True
) -> tuple[list[RosterRow], list[tuple[int, str]]]:
    """The roster (as `roster`) and, with `candidates`, the possible visitors; one query.

    One statement brings each active person on the shift's roster, everyone marked at the
    huddle (a visitor, or someone since deactivated, still shows), and with `candidates` the
    rest of the location who may be added as visitors: each with their mark, if any, and
    whether they caught up.
    """
    on_shift = sa.exists().where(RosterEntry.shift_id == shift.id, RosterEntry.user_id == User.id)
    if agenda is not None:
        caught_up: sa.ColumnElement[bool] = sa.exists().where(
            CatchUp.agenda_id == agenda.id, CatchUp.user_id == User.id
        )
        marked_here: sa.ColumnElement[bool] = sa.and_(
            Attendance.agenda_id == agenda.id, Attendance.user_id == User.id
        )
    else:
        caught_up = marked_here = sa.false()
    who: sa.ColumnElement[bool] = on_shift
    if candidates:
        who = sa.or_(on_shift, sa.and_(User.location_id == shift.location_id, User.role != "admin"))
    people = db.session.execute(
        sa.select(
            User.id,
            User.name,
            sa.and_(User.active.is_(True), on_shift),
            caught_up,
            User.location_id,
            User.role,
            User.active,
            Attendance.id,
            Attendance.status,
            Attendance.self_check_in,
            Attendance.method,
            Attendance.via,
        )
        .select_from(User)
        .outerjoin(Attendance, marked_here)
        .where(sa.or_(Attendance.id.is_not(None), sa.and_(User.active.is_(True), who)))
        .order_by(User.name, User.id)
    ).all()
    result: list[RosterRow] = []
    visitors: list[RosterRow] = []
    others: list[tuple[int, str]] = []
    for user_id, name, rostered, up, location_id, role, active, mark, *fields in people:
        status, self_check_in, method, via = fields
        if rostered:
            result.append(
                RosterRow(user_id, name, status, False, bool(self_check_in), bool(up), method, via)
            )
        elif mark is not None:
            visitors.append(
                RosterRow(user_id, name, status, True, self_check_in, bool(up), method, via)
            )
        elif candidates and active and location_id == shift.location_id and role != "admin":
            others.append((user_id, name))
    return result + visitors, others


def headcount_of(rows: Iterable[RosterRow]) -> Headcount:
    """The headcount of a roster as `roster` gives it: the same rule as `headcounts`."""
    here = expected = 0
    for row in rows:
        attended = row.status in ATTENDED
        here += attended
        expected += attended if row.visitor else row.status != "excused"
    return Headcount(here, expected)


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


def _record(agenda_id: int, user_id: int) -> Attendance:
    return db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.agenda_id == agenda_id, Attendance.user_id == user_id)
        .execution_options(populate_existing=True)
    ).one()


def _write_mark(statement: Any, agenda: Agenda, user: User, shift: Shift) -> Attendance:
    """Run one mark's upsert and commit; tell the screens; the mark as it now stands.

    The ids are taken before the commit, which expires every loaded object: reading one again
    afterwards would cost a statement each (the agenda, its items, the person). A mark that
    changed nothing (the same status again) moves no screen on.
    """
    agenda_id, user_id, location_id = agenda.id, user.id, shift.location_id
    # The dialects count an INSERT's rows only when asked to (psycopg's -1 otherwise).
    result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        statement.execution_options(preserve_rowcount=True)
    )
    if result.rowcount:
        signals.huddle_changing(agenda_id=agenda_id, location_id=location_id)
    db.session.commit()
    return _record(agenda_id, user_id)


def _marking_agenda(shift: Shift, day: date, *, now: datetime) -> tuple[Agenda, str]:
    """The agenda marks go to now and the phase they are in, or a 4xx error saying why not."""
    win = window_of(shift, day)
    phase = lifecycle.attendance_phase(win, now)
    if phase == "not-open":
        raise HuddleConflict(
            "date",
            _(
                "Attendance opens 30 minutes before the shift: from %(time)s on %(day)s.",
                time=local_time(shift, win.opens_at),
                day=local_moment(shift, win.opens_at)[:10],
            ),
        )
    if phase == "closed":
        raise HuddleConflict(
            "date",
            _(
                "This huddle's attendance can no longer change: corrections ended on %(when)s.",
                when=local_moment(shift, win.corrections_until),
            ),
        )
    found = find_agenda(shift, day, items=False)
    if found is None and phase == "open":
        agenda = planning.get_agenda(shift, day, now=now)
    else:
        if found is None:
            raise NoHuddle("date", _("No huddle was planned for %(day)s.", day=day.isoformat()))
        agenda = found
    if agenda.status == "missed":
        raise HuddleConflict(
            "date", _("This huddle never took place, so it has no attendance to correct.")
        )
    return agenda, phase


def mark(
    shift: Shift,
    day: date,
    user_id: Any,
    status: Any,
    *,
    actor: User,
    now: datetime,
    via: str = "screen",
) -> Attendance:
    """Set one person's status at a huddle (an upsert); the same status again changes nothing.

    Marks are ticked while the huddle's window is open; for 7 days after it closes they are
    corrections (the caller has checked that the actor leads the location). Everything is
    checked before anything is written, so bad input saves nothing.
    """
    check_day(shift, day, now)
    status = check_status(status)
    user, visitor = check_person(shift, user_id)
    if via not in LEAD_VIAS:
        raise FieldError("via", _("via must be one of: %(choices)s.", choices=", ".join(LEAD_VIAS)))
    agenda, phase = _marking_agenda(shift, day, now=now)
    via = "correction" if phase == "correction" else via
    method = "visitor" if visitor else "lead"
    table = Attendance.__table__
    insert = upsert(table)
    statement = insert.values(
        agenda_id=agenda.id,
        user_id=user.id,
        status=status,
        visitor=visitor,
        self_check_in=False,
        marked_by_id=actor.id,
        marked_at=now,
        method=method,
        via=via,
    ).on_conflict_do_update(
        index_elements=["agenda_id", "user_id"],
        set_={
            "status": insert.excluded.status,
            "self_check_in": False,
            "marked_by_id": actor.id,
            "marked_at": now,
            "method": method,
            "via": via,
        },
        where=table.c.status != insert.excluded.status,
    )
    return _write_mark(statement, agenda, user, shift)


def unmark(shift: Shift, day: date, user_id: Any, *, now: datetime) -> None:
    """Undo: the person is no longer marked at this huddle (nothing happens if they were not)."""
    check_day(shift, day, now)
    user, _visitor = check_person(shift, user_id)
    win = window_of(shift, day)
    if lifecycle.attendance_phase(win, now) in ("not-open", "closed"):
        _marking_agenda(shift, day, now=now)  # raises the reason
    agenda = find_agenda(shift, day)
    if agenda is None or agenda.status == "missed":
        return
    agenda_id, location_id = agenda.id, shift.location_id
    removed: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        sa.delete(Attendance).where(
            Attendance.user_id == user.id, Attendance.agenda_id == agenda_id
        )
    )
    if removed.rowcount:
        signals.huddle_changing(agenda_id=agenda_id, location_id=location_id)
    db.session.commit()


def roster_for_day(shift: Shift, day: date, *, now: datetime) -> list[RosterRow]:
    """The roster of the huddle of (shift, day) with each status; makes no agenda."""
    check_day(shift, day, now)
    return roster(shift, find_agenda(shift, day))


def on_roster(shift: Shift, user: User) -> bool:
    """Whether the person is on the shift's roster."""
    found = db.session.scalar(
        sa.select(RosterEntry.id).where(
            RosterEntry.shift_id == shift.id, RosterEntry.user_id == user.id
        )
    )
    return found is not None


def check_in_allowed(shift: Shift, agenda_status: str, day: date, *, now: datetime) -> None:
    """Nothing if people may check in to the huddle of (shift, day) now, else a HuddleConflict."""
    win = window_of(shift, day)
    if lifecycle.check_in_open(win, now, agenda_status):
        return
    if not win.has_opened(now):
        raise HuddleConflict(
            "date",
            _(
                "Check-in opens 30 minutes before the shift: from %(time)s on %(day)s.",
                time=local_time(shift, win.opens_at),
                day=local_moment(shift, win.opens_at)[:10],
            ),
        )
    raise HuddleConflict("date", _("This huddle is over; ask your lead to mark you."))


def check_in_self(
    shift: Shift, agenda: Agenda, user: User, *, now: datetime, via: str = "qr"
) -> Attendance:
    """A person on the roster checks themselves in: present, unless the lead already marked them.

    Only while the huddle's check-in window is open: from 30 minutes before the shift until the
    huddle is over.
    """
    if via not in SELF_VIAS:
        raise FieldError("via", _("via must be one of: %(choices)s.", choices=", ".join(SELF_VIAS)))
    if not on_roster(shift, user):
        raise FieldError(
            "user_id",
            _("You are not on the roster of %(shift)s; ask your lead.", shift=shift.name),
        )
    check_in_allowed(shift, agenda.status, agenda.day, now=now)
    table = Attendance.__table__
    insert = upsert(table)
    statement = insert.values(
        agenda_id=agenda.id,
        user_id=user.id,
        status="present",
        visitor=False,
        self_check_in=True,
        marked_by_id=user.id,
        marked_at=now,
        method="self",
        via=via,
    ).on_conflict_do_update(
        index_elements=["agenda_id", "user_id"],
        set_={
            "status": "present",
            "self_check_in": True,
            "marked_by_id": user.id,
            "marked_at": now,
            "method": "self",
            "via": via,
        },
        # Someone the lead marked absent who then turns up is present; any other mark stands.
        where=table.c.status == "absent",
    )
    return _write_mark(statement, agenda, user, shift)


def check_in_day(shift: Shift, day: date, user: User, *, now: datetime, via: str) -> Attendance:
    """Check a person in to the huddle of (shift, day), made if its window is open now."""
    check_day(shift, day, now)
    if not on_roster(shift, user):
        raise FieldError(
            "user_id",
            _("You are not on the roster of %(shift)s; ask your lead.", shift=shift.name),
        )
    existing = find_agenda(shift, day)
    check_in_allowed(shift, existing.status if existing else "planned", day, now=now)
    agenda = existing or planning.get_agenda(shift, day, now=now)
    return check_in_self(shift, agenda, user, now=now, via=via)


def mark_caught_up(agenda: Agenda, user: User, *, now: datetime) -> None:
    """Record that a person read a huddle they missed (once; repeating changes nothing)."""
    insert = upsert(CatchUp.__table__)
    db.session.execute(
        insert.values(agenda_id=agenda.id, user_id=user.id, read_at=now).on_conflict_do_nothing(
            index_elements=["agenda_id", "user_id"]
        )
    )
    db.session.commit()


def missed_huddles(user: User, *, now: datetime, days: int = 7) -> list[tuple[Agenda, Shift]]:
    """Huddles that took place on the person's shifts in the last `days` they neither attended
    nor read."""
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
            # It took place: finished by the lead, or left running and closed automatically.
            Agenda.status.in_(("done", "ended")),
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


@dataclass(frozen=True)
class Headcount:
    """ "N of M here": the one way of counting, on the huddle screen, its record and Today.

    expected = the shift's (active) roster not marked excused, plus visitors marked present or
    late; here = everyone marked present or late.
    """

    here: int
    expected: int


def active_roster_count(shift_id: Any, *, less_excused: bool = False) -> Any:
    """SQL: how many active people are on a shift's roster, a correlated count; `less_excused`:
    not counting those marked excused at the outer statement's agenda (`Agenda`)."""
    roster, person = aliased(RosterEntry), aliased(User)
    query = (
        sa.select(sa.func.count(roster.id))
        .join(person, person.id == roster.user_id)
        .where(roster.shift_id == shift_id, person.active.is_(True))
    )
    if less_excused:
        excused = aliased(Attendance)
        query = query.where(
            ~sa.exists()
            .where(
                excused.agenda_id == Agenda.id,
                excused.user_id == roster.user_id,
                excused.status == "excused",
            )
            # SQLAlchemy correlates by itself only to the enclosing SELECT; the agenda is the
            # outer statement's, two levels up.
            .correlate(Agenda, roster)
        )
    return query.scalar_subquery()


def headcount_columns() -> tuple[Any, Any, Any]:
    """SQL, per row of an outer statement over `Agenda`: (here, visitors, roster expected), each
    a correlated count on indexed columns. The headcount is here of (roster expected + visitors):
    here = marked present or late; expected = the active roster not marked excused, plus those
    who came without being on it (visitors). The one rule of every "N of M here"."""
    attended, visitor_roster, visitor = aliased(Attendance), aliased(RosterEntry), aliased(User)
    came = (attended.agenda_id == Agenda.id, attended.status.in_(ATTENDED))
    on_active_roster = (
        sa.exists()
        .where(
            visitor_roster.shift_id == Agenda.shift_id,
            visitor_roster.user_id == attended.user_id,
            visitor.id == visitor_roster.user_id,
            visitor.active.is_(True),
        )
        .correlate(Agenda, attended)  # two levels up, and one (see active_roster_count)
    )
    return (
        sa.select(sa.func.count(attended.id)).where(*came).scalar_subquery().label("here"),
        sa.select(sa.func.count(attended.id))
        .where(*came, ~on_active_roster)
        .scalar_subquery()
        .label("visitors"),
        active_roster_count(Agenda.shift_id, less_excused=True).label("roster_expected"),
    )


def headcounts(agenda_ids: Iterable[int]) -> dict[int, Headcount]:
    """The headcount of each agenda (see `headcount_columns`), in one query whatever their
    number."""
    ids = sorted(set(agenda_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Agenda.id, *headcount_columns()).where(Agenda.id.in_(ids))
    ).tuples()
    return {
        agenda_id: Headcount(here, expected + visitors)
        for agenda_id, here, visitors, expected in rows
    }
