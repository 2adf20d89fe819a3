"""What the Today page shows each role, right at every hour, in a constant number of queries.

Each huddle is a (shift, day): the day its shift starts on, in the location's time zone, so a night
shift running past midnight belongs to the evening it started. Its status on the page is what it
is *now*: a huddle left running past its end shows as ended, one whose shift is over without a
start as missed, even before the scheduler has closed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from huddles.agenda.days import shift_start
from huddles.agenda.models import CLOSED_STATUSES, Agenda
from huddles.attendance import service as attendance_service
from huddles.attendance.models import Attendance
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
# The planned length of a huddle whose agenda is not made yet.
DEFAULT_MINUTES = 5.0


def effective_status(agenda: Agenda | None, win: lifecycle.Window, now: datetime) -> str:
    """The huddle's status as it is now: the stored one, or ended/missed once its time is up."""
    stored = agenda.status if agenda is not None else "planned"
    if stored in CLOSED_STATUSES:
        return stored
    if stored == "running":
        assert agenda is not None
        length = lifecycle.planned_length(item.minutes for item in agenda.items)
        if lifecycle.end_reason(win, now, agenda.started_at, length) is not None:
            return "ended"
        return "running"
    return "missed" if lifecycle.is_missed(win, now, "planned") else "planned"


@dataclass
class HuddleCard:
    """One shift's huddle on one day, as a line on the Today page."""

    shift: Shift
    day: date
    timezone: str
    now: datetime
    agenda: Agenda | None = None
    here: int = 0
    expected: int = 0
    caught_up: int = 0
    mine: bool = False
    # The viewer's own mark on this huddle ("present", "late", ...), when they are on its roster.
    my_status: str | None = None

    @property
    def window(self) -> lifecycle.Window:
        return lifecycle.window_for(self.shift, self.timezone, self.day)

    @property
    def starts(self) -> datetime:
        return shift_start(self.shift, self.day, ZoneInfo(self.timezone))

    @property
    def status(self) -> str:
        return effective_status(self.agenda, self.window, self.now)

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
        agenda = self.agenda
        if agenda is not None and agenda.started_at and agenda.finished_at:
            return int((agenda.finished_at - agenda.started_at).total_seconds())
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
    """Leads and admins: the huddles of their locations; staff: their next huddle and kudos."""

    locations: list[LocationDay] = field(default_factory=list)
    next_huddle: HuddleCard | None = None
    # Staff: whether they are on any active shift's roster at all.
    on_a_roster: bool = False
    missed: list[tuple[Agenda, Shift]] = field(default_factory=list)
    kudos: list[Kudos] = field(default_factory=list)
    unthanked: list[User] = field(default_factory=list)


def _reaches_into(shift: Shift, day: date, zone: ZoneInfo) -> bool:
    """True when the shift of `day` is still on after the midnight that ends `day`."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return shift_start(shift, day, zone) + timedelta(minutes=shift.duration_minutes) > midnight


def _fill_cards(cards: list[HuddleCard], viewer: User | None = None) -> None:
    """Attach agendas, headcounts, catch-ups and the viewer's own marks: a fixed number of
    queries for any number of cards."""
    if not cards:
        return
    shift_ids = {card.shift.id for card in cards}
    days = {card.day for card in cards}
    agendas = {
        (agenda.shift_id, agenda.day): agenda
        for agenda in db.session.scalars(
            sa.select(Agenda)
            .where(Agenda.shift_id.in_(shift_ids), Agenda.day.in_(days))
            .options(selectinload(Agenda.items))
        )
    }
    # Without an agenda nobody is marked: M is the active roster, as headcounts would say.
    sizes: dict[int, int] = dict(
        db.session.execute(
            sa.select(RosterEntry.shift_id, sa.func.count())
            .join(User, User.id == RosterEntry.user_id)
            .where(RosterEntry.shift_id.in_(shift_ids), User.active.is_(True))
            .group_by(RosterEntry.shift_id)
        )
        .tuples()
        .all()
    )
    agenda_ids = [agenda.id for agenda in agendas.values()]
    counts = attendance_service.headcounts(agenda_ids)
    caught_up = attendance_service.attendance_counts(agenda_ids)
    mine: dict[int, str] = {}
    if viewer is not None and agenda_ids:
        mine = dict(
            db.session.execute(
                sa.select(Attendance.agenda_id, Attendance.status).where(
                    Attendance.agenda_id.in_(agenda_ids), Attendance.user_id == viewer.id
                )
            )
            .tuples()
            .all()
        )
    for card in cards:
        card.agenda = agendas.get((card.shift.id, card.day))
        if card.agenda is None:
            card.here, card.expected = 0, sizes.get(card.shift.id, 0)
            continue
        count = counts.get(card.agenda.id)
        card.here, card.expected = (count.here, count.expected) if count else (0, 0)
        card.caught_up = caught_up.get(card.agenda.id, (0, 0))[1]
        card.my_status = mine.get(card.agenda.id)


def _location_days(user: User, now: datetime) -> list[LocationDay]:
    """Every active shift of the visible locations: last night's still reaching into today,
    today's and tomorrow's."""
    locations = visible_locations(user)
    shifts = db.session.scalars(
        sa.select(Shift)
        .where(Shift.location_id.in_([location.id for location in locations]), Shift.active)
        .order_by(Shift.starts_at, Shift.name)
    ).all()
    mine = set(
        db.session.scalars(sa.select(RosterEntry.shift_id).where(RosterEntry.user_id == user.id))
    )
    result = []
    cards: list[HuddleCard] = []
    for location in locations:
        zone = ZoneInfo(location.timezone)
        today = now.astimezone(zone).date()
        entry = LocationDay(location, today)
        for shift in (shift for shift in shifts if shift.location_id == location.id):
            for offset in (-1, 0, 1):
                day = today + timedelta(days=offset)
                if not shift.runs_on(day.weekday()):
                    continue
                if offset == -1 and not _reaches_into(shift, day, zone):
                    continue
                card = HuddleCard(shift, day, location.timezone, now, mine=shift.id in mine)
                entry.cards.append(card)
        entry.cards.sort(key=lambda card: (card.starts, card.shift.name))
        cards.extend(entry.cards)
        result.append(entry)
    _fill_cards(cards, user)
    return result


def _next_huddle(user: User, now: datetime) -> tuple[HuddleCard | None, bool]:
    """The person's next huddle that has not ended (running, about to be, or still to come), and
    whether they are on any active shift's roster."""
    rows = db.session.execute(
        sa.select(Shift, Location.timezone)
        .join(RosterEntry, RosterEntry.shift_id == Shift.id)
        .join(Location, Location.id == Shift.location_id)
        .where(RosterEntry.user_id == user.id, Shift.active)
    ).all()
    candidates: list[HuddleCard] = []
    for shift, timezone in rows:
        today = now.astimezone(ZoneInfo(timezone)).date()
        for offset in range(-1, NEXT_HUDDLE_DAYS):
            day = today + timedelta(days=offset)
            if shift.runs_on(day.weekday()):
                candidates.append(HuddleCard(shift, day, timezone, now, mine=True))
    candidates = [card for card in candidates if not card.window.is_over(now)]
    if not candidates:
        return None, bool(rows)
    _load_agendas(candidates)
    upcoming = sorted(
        (card for card in candidates if not card.is_over),
        key=lambda card: (card.starts, card.shift.name),
    )
    if not upcoming:
        return None, True
    card = upcoming[0]
    _fill_cards([card], user)
    return card, True


def _load_agendas(cards: list[HuddleCard]) -> None:
    """Attach the agendas of many cards in one query (for their status only)."""
    pairs = {(card.shift.id, card.day) for card in cards}
    found = {
        (agenda.shift_id, agenda.day): agenda
        for agenda in db.session.scalars(
            sa.select(Agenda)
            .where(
                Agenda.shift_id.in_({shift_id for shift_id, _day in pairs}),
                Agenda.day.in_({day for _shift_id, day in pairs}),
            )
            .options(selectinload(Agenda.items))
        )
    }
    for card in cards:
        card.agenda = found.get((card.shift.id, card.day))


def today_for(user: User, *, now: datetime) -> TodayView:
    """What the Today page shows this person now."""
    view = TodayView()
    if user.role in ("admin", "lead"):
        view.locations = _location_days(user, now)
    if user.is_lead:
        shift_ids = sorted({card.shift.id for place in view.locations for card in place.cards})
        view.unthanked = [
            person
            for person in kudos_service.unthanked_people(shift_ids, now)
            if person.id != user.id
        ]
    if user.role == "staff":
        view.next_huddle, view.on_a_roster = _next_huddle(user, now)
        view.missed = attendance_service.missed_huddles(user, now=now)
    if user.location is not None:
        view.kudos = kudos_service.kudos_page(
            user.location,
            include_hidden=False,
            person_id=user.id,
            per_page=RECENT_KUDOS,
            count_bound=0,  # only the few newest are shown: never count them all
        ).items
    return view


def check_in_here(user: User, shift: Shift, day: date, *, now: datetime) -> Attendance:
    """I'm here, from Today: the attendance feature's self check-in, recorded as via Today.

    FieldError when they are not on the roster; HuddleConflict (409) outside the check-in window
    or once the huddle is over. Nothing is written then.
    """
    return attendance_service.check_in_day(shift, day, user, now=now, via="today")
