"""What the Today page shows each role, gathered in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from huddles.agenda.days import shift_day, shift_start
from huddles.agenda.models import Agenda
from huddles.attendance import service as attendance_service
from huddles.auth.access import visible_locations
from huddles.auth.models import User
from huddles.extensions import db
from huddles.kudos import service as kudos_service
from huddles.kudos.models import Kudos
from huddles.org.models import Location, RosterEntry, Shift

RECENT_KUDOS = 5


@dataclass
class HuddleCard:
    """One shift's huddle on one day, as a line on the Today page."""

    shift: Shift
    day: date
    agenda: Agenda | None = None
    roster_size: int = 0
    attended: int = 0
    caught_up: int = 0
    mine: bool = False

    @property
    def status(self) -> str:
        return self.agenda.status if self.agenda is not None else "planned"

    @property
    def duration_seconds(self) -> int | None:
        agenda = self.agenda
        if agenda is not None and agenda.started_at and agenda.finished_at:
            return int((agenda.finished_at - agenda.started_at).total_seconds())
        return None

    @property
    def missed(self) -> int:
        return max(0, self.roster_size - self.attended)


@dataclass
class LocationDay:
    location: Location
    today: date
    cards: list[HuddleCard] = field(default_factory=list)


@dataclass
class TodayView:
    """Leads and admins: the huddles of their locations; staff: their next huddle and kudos."""

    locations: list[LocationDay] = field(default_factory=list)
    next_huddle: HuddleCard | None = None
    missed: list[tuple[Agenda, Shift]] = field(default_factory=list)
    kudos: list[Kudos] = field(default_factory=list)
    unthanked: list[User] = field(default_factory=list)


def _fill_cards(cards: list[HuddleCard]) -> None:
    """Attach each card's agenda, roster size and attendance: four queries for any number."""
    if not cards:
        return
    shift_ids = {card.shift.id for card in cards}
    days = {card.day for card in cards}
    agendas = {
        (agenda.shift_id, agenda.day): agenda
        for agenda in db.session.scalars(
            sa.select(Agenda).where(Agenda.shift_id.in_(shift_ids), Agenda.day.in_(days))
        )
    }
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
    counts = attendance_service.attendance_counts([agenda.id for agenda in agendas.values()])
    for card in cards:
        card.agenda = agendas.get((card.shift.id, card.day))
        card.roster_size = sizes.get(card.shift.id, 0)
        if card.agenda is not None:
            card.attended, card.caught_up = counts.get(card.agenda.id, (0, 0))


def _location_days(user: User, now: datetime) -> list[LocationDay]:
    """Every active shift of the visible locations, on its current day and the day after."""
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
        today = now.astimezone(ZoneInfo(location.timezone)).date()
        entry = LocationDay(location, today)
        for offset in (0, 1):
            for shift in shifts:
                if shift.location_id != location.id:
                    continue
                day = today + timedelta(days=offset)
                if offset == 0:
                    # A night shift still running after midnight belongs to yesterday.
                    day = min(shift_day(shift, now), day)
                if shift.runs_on(day.weekday()):
                    entry.cards.append(HuddleCard(shift, day, mine=shift.id in mine))
        cards.extend(entry.cards)
        result.append(entry)
    _fill_cards(cards)
    return result


def _next_huddle(user: User, now: datetime) -> HuddleCard | None:
    """The huddle of the person's next shift (or the one they are on now)."""
    shifts = db.session.scalars(
        sa.select(Shift)
        .join(RosterEntry, RosterEntry.shift_id == Shift.id)
        .where(RosterEntry.user_id == user.id, Shift.active)
    ).all()
    best: tuple[datetime, Shift, date] | None = None
    for shift in shifts:
        if shift.weekday_mask == 0:
            continue
        day = shift_day(shift, now)
        starts = shift_start(shift, day, ZoneInfo(shift.location.timezone))
        if best is None or starts < best[0]:
            best = (starts, shift, day)
    if best is None:
        return None
    card = HuddleCard(best[1], best[2], mine=True)
    _fill_cards([card])
    return card


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
        view.next_huddle = _next_huddle(user, now)
        view.missed = attendance_service.missed_huddles(user, now=now)
    if user.location is not None:
        view.kudos = kudos_service.kudos_page(
            user.location, include_hidden=False, person_id=user.id, per_page=RECENT_KUDOS
        ).items
    return view
