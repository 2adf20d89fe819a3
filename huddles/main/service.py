"""What the Today page shows each role, right at every hour, in a few statements whatever the size.

Each huddle is a (shift, day): the day its shift starts on, in the location's time zone, so a night
shift running past midnight belongs to the evening it started. Its status on the page is what it
is *now*: a huddle left running past its end shows as ended, one whose shift is over without a
start as missed, even before the scheduler has closed it.

A lead's page takes three statements after the sign-in: the shifts with their agendas and every
count a line shows (the database counts), the people nobody has thanked, and the newest kudos.
Staff: the same shifts statement for their rosters, the huddles they missed, their kudos. Each
statement is built once per process and reads plain columns, not ORM objects: building and
loading cost more than the database does here. Nothing is kept between requests, so nothing shown
can be stale.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from huddles.agenda.models import CLOSED_STATUSES, Agenda, AgendaItem
from huddles.attendance import service as attendance_service
from huddles.attendance.models import Attendance, CatchUp
from huddles.auth.access import visible_locations
from huddles.auth.models import User
from huddles.extensions import db
from huddles.huddle import lifecycle
from huddles.kudos import service as kudos_service
from huddles.kudos.models import Kudos
from huddles.org.models import Location, RosterEntry, Shift

RECENT_KUDOS = 5
# How far ahead "Your next huddle" looks for a shift that runs.
NEXT_HUDDLE_DAYS = 8
# Whom the lead is nudged to thank: nobody thanked them in this many days (the page says 30).
UNTHANKED_DAYS = 30
# A location's date is never more than a day from the UTC date (zones run from -12 to +14 hours).
ZONE_MARGIN = timedelta(days=1)

# The parameters of the prepared statements below, bound at each execution.
VIEWER = sa.bindparam("viewer", type_=sa.Integer)
FIRST = sa.bindparam("first", type_=sa.Date)
LAST = sa.bindparam("last", type_=sa.Date)
LOCATION = sa.bindparam("location", type_=sa.Integer)
LOCATION_IDS = sa.bindparam("location_ids", type_=sa.Integer, expanding=True)
SHIFT_IDS = sa.bindparam("shift_ids", type_=sa.Integer, expanding=True)


def effective_status(
    stored: str,
    win: lifecycle.Window,
    now: datetime,
    started_at: datetime | None,
    length: timedelta,
) -> str:
    """The huddle's status as it is now: the stored one, or ended/missed once its time is up.

    `length` is the agenda's planned length (the sum of its slots' minutes).
    """
    if stored in CLOSED_STATUSES:
        return stored
    if stored == "running":
        if lifecycle.end_reason(win, now, started_at, length) is not None:
            return "ended"
        return "running"
    return "missed" if lifecycle.is_missed(win, now, "planned") else "planned"


@dataclass(frozen=True)
class ShiftLine:
    """What Today needs of an active shift: the columns of Shift it reads, and `runs_on` as
    Shift has it."""

    id: int
    location_id: int
    name: str
    starts_at: time
    duration_minutes: int
    weekday_mask: int

    def runs_on(self, weekday: int) -> bool:
        return bool(self.weekday_mask & (1 << weekday))


@dataclass(frozen=True)
class HuddleCard:
    """One shift's huddle on one day, as a line on the Today page: made complete (its agenda's
    state and counts attached), so what it derives is worked out once."""

    shift: ShiftLine
    day: date
    timezone: str
    now: datetime
    # The agenda's stored state; "planned" with no times while no agenda is made.
    stored_status: str = "planned"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The sum of the agenda's slots' minutes (how long a running huddle may take).
    planned_minutes: float = 0.0
    here: int = 0
    expected: int = 0
    caught_up: int = 0
    mine: bool = False
    # The viewer's own mark on this huddle ("present", "late", ...), when they are on its roster.
    my_status: str | None = None

    @cached_property
    def window(self) -> lifecycle.Window:
        return lifecycle.window_for(self.shift, self.timezone, self.day)

    @property
    def starts(self) -> datetime:
        return self.window.shift_starts_at

    @cached_property
    def status(self) -> str:
        length = lifecycle.planned_length([self.planned_minutes])
        return effective_status(self.stored_status, self.window, self.now, self.started_at, length)

    @property
    def is_open(self) -> bool:
        """Inside its window (30 minutes before the shift until its end)."""
        return self.window.is_open(self.now)

    @property
    def is_over(self) -> bool:
        """Done, ended or missed: nothing more will happen in this huddle."""
        return self.status in CLOSED_STATUSES

    @property
    def can_check_in(self) -> bool:
        """The viewer may say "I'm here" now (on the roster, window open, not yet marked)."""
        return (
            self.mine
            and self.my_status is None
            and lifecycle.check_in_open(self.window, self.now, self.status)
        )

    @property
    def checked_in(self) -> bool:
        return self.my_status in attendance_service.ATTENDED

    @property
    def counting(self) -> bool:
        """Show "N of M here" (from the window's opening, or once someone is marked)."""
        return self.here > 0 or self.window.has_opened(self.now)

    @property
    def duration_seconds(self) -> int | None:
        if self.started_at and self.finished_at:
            return int((self.finished_at - self.started_at).total_seconds())
        return None

    @property
    def missed(self) -> int:
        return max(0, self.expected - self.here)


@dataclass
class LocationDay:
    location: Location
    today: date
    cards: list[HuddleCard] = field(default_factory=list)

    @property
    def todays(self) -> list[HuddleCard]:
        """Last night's huddles still reaching into today, then today's, by start."""
        return [card for card in self.cards if card.day <= self.today]

    @property
    def tomorrows(self) -> list[HuddleCard]:
        return [card for card in self.cards if card.day > self.today]


@dataclass
class TodayView:
    """Leads and admins: the huddles of their locations; staff: their next huddle and kudos.

    `kudos` rows have to_user_id, giver_name, receiver_name, message and created_at;
    `unthanked` rows id and name.
    """

    locations: list[LocationDay] = field(default_factory=list)
    next_huddle: HuddleCard | None = None
    # Staff: whether they are on any active shift's roster at all.
    on_a_roster: bool = False
    missed: list[tuple[Agenda, Shift]] = field(default_factory=list)
    kudos: list[sa.Row[Any]] = field(default_factory=list)
    unthanked: list[sa.Row[Any]] = field(default_factory=list)


@dataclass
class _ShiftRow:
    """An active shift as the cards need it: its zone, the viewer's place on it, its roster."""

    shift: ShiftLine
    timezone: str
    mine: bool
    roster_size: int


def _card_columns() -> list[Any]:
    """Per (shift, agenda) row: mine, roster size, planned minutes, here, visitors, expected of
    the roster, caught up and the viewer's mark, each a correlated subquery on indexed columns.

    "N of M here" is the attendance service's one rule (`headcount_columns`), counted in the same
    statement.
    """
    mine, item, read = aliased(RosterEntry), aliased(AgendaItem), aliased(CatchUp)
    mark = aliased(Attendance)
    return [
        sa.exists().where(mine.shift_id == Shift.id, mine.user_id == VIEWER).label("mine"),
        attendance_service.active_roster_count(Shift.id).label("roster_size"),
        sa.select(sa.func.coalesce(sa.func.sum(item.minutes), 0.0))
        .where(item.agenda_id == Agenda.id)
        .scalar_subquery()
        .label("planned_minutes"),
        *attendance_service.headcount_columns(),
        sa.select(sa.func.count(read.id))
        .where(read.agenda_id == Agenda.id)
        .scalar_subquery()
        .label("caught_up"),
        sa.select(mark.status)
        .where(mark.agenda_id == Agenda.id, mark.user_id == VIEWER)
        .scalar_subquery()
        .label("my_status"),
    ]


@functools.cache
def _cards_statement(of: Literal["locations", "roster"]) -> sa.Select[Any]:
    """The active shifts of some locations or on the viewer's roster, by start and name, each with
    its agendas from FIRST to LAST and everything their lines count.

    Built once per process (a statement is a value): building this one, its aliases and its
    cache key, costs more than the database takes to run it.
    """
    which = (
        Shift.location_id.in_(LOCATION_IDS)
        if of == "locations"
        else Shift.id.in_(sa.select(RosterEntry.shift_id).where(RosterEntry.user_id == VIEWER))
    )
    return (
        sa.select(
            Shift.id,
            Shift.location_id,
            Shift.name,
            Shift.starts_at,
            Shift.duration_minutes,
            Shift.weekday_mask,
            Location.timezone,
            Agenda.day,
            Agenda.status,
            Agenda.started_at,
            Agenda.finished_at,
            *_card_columns(),
        )
        .join(Location, Location.id == Shift.location_id)
        .outerjoin(Agenda, sa.and_(Agenda.shift_id == Shift.id, Agenda.day.between(FIRST, LAST)))
        .where(Shift.active, which)
        .order_by(Shift.starts_at, Shift.name, Shift.id)
    )


def _shifts_and_cards(
    viewer: User, now: datetime, first: date, last: date, *, location_ids: list[int] | None = None
) -> tuple[list[_ShiftRow], functools.partial[HuddleCard]]:
    """The active shifts of these locations (else on the viewer's roster), and a maker of their
    lines from `first` to `last`, counted: one statement whatever the roster or history."""
    params: dict[str, Any] = {"viewer": viewer.id, "first": first, "last": last}
    if location_ids is not None:
        params["location_ids"] = location_ids
    statement = _cards_statement("roster" if location_ids is None else "locations")
    shifts: dict[int, _ShiftRow] = {}
    agendas: dict[tuple[int, date], Any] = {}
    for row in db.session.connection().execute(statement, params):
        if row.id not in shifts:
            line = ShiftLine(
                row.id,
                row.location_id,
                row.name,
                row.starts_at,
                row.duration_minutes,
                row.weekday_mask,
            )
            shifts[row.id] = _ShiftRow(line, row.timezone, bool(row.mine), row.roster_size)
        if row.day is not None:
            agendas[(row.id, row.day)] = row
    return list(shifts.values()), functools.partial(_card, agendas=agendas, now=now)


def _card(shift: _ShiftRow, day: date, *, now: datetime, agendas: dict[Any, Any]) -> HuddleCard:
    """The line of (shift, day) with its agenda's counts; without an agenda nobody is marked, and
    M is the active roster, as the headcount would say."""
    agenda = agendas.get((shift.shift.id, day))
    if agenda is None:
        return HuddleCard(
            shift.shift, day, shift.timezone, now, mine=shift.mine, expected=shift.roster_size
        )
    return HuddleCard(
        shift.shift,
        day,
        shift.timezone,
        now,
        stored_status=agenda.status,
        started_at=agenda.started_at,
        finished_at=agenda.finished_at,
        planned_minutes=float(agenda.planned_minutes),
        here=agenda.here,
        expected=agenda.roster_expected + agenda.visitors,
        caught_up=agenda.caught_up,
        mine=shift.mine,
        my_status=agenda.my_status,
    )


def _reaches_into(card: HuddleCard, zone: ZoneInfo) -> bool:
    """True when the card's shift is still on after the midnight that ends its day."""
    midnight = datetime.combine(card.day + timedelta(days=1), time(0), tzinfo=zone)
    return card.window.closes_at > midnight


def _locations_of(user: User) -> list[Location]:
    """The locations whose huddles the person sees: a lead's own (loaded with the sign-in), an
    admin's every one."""
    if user.is_admin:
        return visible_locations(user)
    location = user.location
    if location is None or location.organisation_id != user.organisation_id:
        return []
    return [location]


def _location_days(user: User, now: datetime) -> list[LocationDay]:
    """Every active shift of the visible locations: last night's still reaching into today,
    today's and tomorrow's."""
    locations = _locations_of(user)
    if not locations:
        return []
    todays = {
        location.id: now.astimezone(ZoneInfo(location.timezone)).date() for location in locations
    }
    shifts, card = _shifts_and_cards(
        user,
        now,
        min(todays.values()) - timedelta(days=1),
        max(todays.values()) + timedelta(days=1),
        location_ids=list(todays),
    )
    result = []
    for location in locations:
        zone = ZoneInfo(location.timezone)
        today = todays[location.id]
        entry = LocationDay(location, today)
        for shift in (shift for shift in shifts if shift.shift.location_id == location.id):
            for offset in (-1, 0, 1):
                day = today + timedelta(days=offset)
                if not shift.shift.runs_on(day.weekday()):
                    continue
                line = card(shift, day)
                if offset == -1 and not _reaches_into(line, zone):
                    continue
                entry.cards.append(line)
        entry.cards.sort(key=lambda line: (line.starts, line.shift.name))
        result.append(entry)
    return result


def _next_huddle(user: User, now: datetime) -> tuple[HuddleCard | None, bool]:
    """The person's next huddle that has not ended (running, about to be, or still to come), and
    whether they are on any active shift's roster."""
    utc_today = now.astimezone(UTC).date()
    shifts, card = _shifts_and_cards(
        user,
        now,
        utc_today - ZONE_MARGIN - timedelta(days=1),
        utc_today + ZONE_MARGIN + timedelta(days=NEXT_HUDDLE_DAYS - 1),
    )
    upcoming: list[HuddleCard] = []
    for shift in shifts:
        today = now.astimezone(ZoneInfo(shift.timezone)).date()
        for offset in range(-1, NEXT_HUDDLE_DAYS):
            day = today + timedelta(days=offset)
            if shift.shift.runs_on(day.weekday()):
                line = card(shift, day)
                if not line.window.is_over(now) and not line.is_over:
                    upcoming.append(line)
    if not upcoming:
        return None, bool(shifts)
    return min(upcoming, key=lambda line: (line.starts, line.shift.name)), True


def _unthanked(user: User, shift_ids: list[int], now: datetime) -> list[sa.Row[Any]]:
    return kudos_service.unthanked_people(shift_ids, now, UNTHANKED_DAYS, leaving_out=user.id)


@functools.cache
def _recent_kudos_statement() -> sa.Select[Any]:
    """The newest visible thank-yous the viewer gave or received at LOCATION, with both names."""
    giver, receiver = aliased(User), aliased(User)
    return (
        sa.select(
            Kudos.to_user_id,
            Kudos.message,
            Kudos.created_at,
            giver.name.label("giver_name"),
            receiver.name.label("receiver_name"),
        )
        .join(giver, giver.id == Kudos.from_user_id)
        .join(receiver, receiver.id == Kudos.to_user_id)
        .where(
            Kudos.location_id == LOCATION,
            Kudos.hidden_at.is_(None),
            sa.or_(Kudos.to_user_id == VIEWER, Kudos.from_user_id == VIEWER),
        )
        .order_by(Kudos.created_at.desc(), Kudos.id.desc())
        .limit(RECENT_KUDOS)
    )


def today_for(user: User, *, now: datetime) -> TodayView:
    """What the Today page shows this person now."""
    view = TodayView()
    if user.role in ("admin", "lead"):
        view.locations = _location_days(user, now)
    if user.is_lead:
        shift_ids = sorted({card.shift.id for place in view.locations for card in place.cards})
        view.unthanked = _unthanked(user, shift_ids, now)
    if user.role == "staff":
        view.next_huddle, view.on_a_roster = _next_huddle(user, now)
        view.missed = attendance_service.missed_huddles(user, now=now)
    # Everyone but admins sees their kudos.
    if user.location_id is not None and not user.is_admin:
        params = {"location": user.location_id, "viewer": user.id}
        view.kudos = list(db.session.connection().execute(_recent_kudos_statement(), params))
    return view


def check_in_here(user: User, shift: Shift, day: date, *, now: datetime) -> Attendance:
    """I'm here, from Today: the attendance feature's self check-in, recorded as via Today.

    FieldError when they are not on the roster; HuddleConflict (409) outside the check-in window
    or once the huddle is over. Nothing is written then.
    """
    return attendance_service.check_in_day(shift, day, user, now=now, via="today")
