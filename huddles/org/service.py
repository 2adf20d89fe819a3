"""Use cases of locations, shifts and rosters. Each validates, changes and commits, or raises."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import gettext as _

from huddles.auth.models import User
from huddles.config import LOCALES
from huddles.extensions import db
from huddles.org.models import Location, Organisation, RosterEntry, Shift
from huddles.validation import FieldError, commit_or_field_error


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_location(
    organisation: Organisation, name: str, timezone: str, locale: str, location: Location | None
) -> str:
    name = name.strip()
    if not name:
        raise FieldError("name", _("A name is required."))
    if timezone not in known_timezones():
        raise FieldError(
            "timezone",
            _("Unknown time zone %(tz)s: use an IANA name such as Europe/Berlin.", tz=timezone),
        )
    if locale not in LOCALES:
        raise FieldError("locale", _("Unknown language %(code)s.", code=locale))
    clash = db.session.scalar(
        sa.select(Location.id).where(
            Location.organisation_id == organisation.id, Location.name == name
        )
    )
    if clash is not None and (location is None or clash != location.id):
        raise FieldError("name", _("There is already a location named %(name)s.", name=name))
    return name


def create_location(
    organisation: Organisation, *, name: str, timezone: str, locale: str
) -> Location:
    name = _check_location(organisation, name, timezone, locale, None)
    location = Location(organisation=organisation, name=name, timezone=timezone, locale=locale)
    db.session.add(location)
    commit_or_field_error("name", _("There is already a location named %(name)s.", name=name))
    return location


def update_location(location: Location, *, name: str, timezone: str, locale: str) -> Location:
    name = _check_location(location.organisation, name, timezone, locale, location)
    location.name, location.timezone, location.locale = name, timezone, locale
    commit_or_field_error("name", _("There is already a location named %(name)s.", name=name))
    return location


def shift_length(starts_at: time, ends_at: time, overnight: bool) -> int:
    """Minutes from start to end; an end before the start is an error unless overnight."""
    day = datetime(2000, 1, 1)
    start, end = datetime.combine(day, starts_at), datetime.combine(day, ends_at)
    if end <= start:
        if not overnight:
            raise FieldError(
                "ends_at",
                _("The end is before the start. Tick 'ends the next day' for a night shift."),
            )
        end += timedelta(days=1)
    elif overnight:
        raise FieldError("ends_at", _("A shift that ends the next day must end before it starts."))
    return int((end - start).total_seconds() // 60)


def _check_shift(location: Location, name: str, weekdays: list[int], shift: Shift | None) -> str:
    name = name.strip()
    if not name:
        raise FieldError("name", _("A name is required."))
    if not weekdays or any(day not in range(7) for day in weekdays):
        raise FieldError("weekdays", _("Pick at least one weekday."))
    clash = db.session.scalar(
        sa.select(Shift.id).where(Shift.location_id == location.id, Shift.name == name)
    )
    if clash is not None and (shift is None or clash != shift.id):
        raise FieldError("name", _("This location already has a shift named %(name)s.", name=name))
    return name


def save_shift(
    location: Location,
    shift: Shift | None,
    *,
    name: str,
    starts_at: time,
    ends_at: time,
    overnight: bool,
    weekdays: list[int],
    active: bool,
) -> Shift:
    """Create a shift (shift=None) or change one; commits."""
    name = _check_shift(location, name, weekdays, shift)
    length = shift_length(starts_at, ends_at, overnight)
    if shift is None:
        shift = Shift(location=location)
        db.session.add(shift)
    shift.name, shift.starts_at, shift.duration_minutes = name, starts_at, length
    shift.weekdays, shift.active = weekdays, active
    commit_or_field_error("name", _("This location already has a shift named %(name)s.", name=name))
    return shift


def location_people(location: Location, *, active_only: bool = True) -> list[User]:
    query = sa.select(User).where(User.location_id == location.id)
    if active_only:
        query = query.where(User.active.is_(True))
    return list(db.session.scalars(query.order_by(User.name)))


def set_roster(shift: Shift, user_ids: list[int]) -> None:
    """Make the roster exactly these people, who must belong to the shift's location; commits."""
    wanted = set(user_ids)
    people = {user.id: user for user in location_people(shift.location, active_only=False)}
    strangers = wanted - people.keys()
    if strangers:
        raise FieldError(
            "people",
            _("Only people of %(location)s can be on its shifts.", location=shift.location.name),
        )
    current = {entry.user_id: entry for entry in shift.roster}
    for user_id in current.keys() - wanted:
        shift.roster.remove(current[user_id])
    for user_id in wanted - current.keys():
        shift.roster.append(RosterEntry(user_id=user_id))
    db.session.commit()


def roster_people(shift: Shift) -> list[User]:
    """The active people on a shift's roster, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(RosterEntry, RosterEntry.user_id == User.id)
            .where(RosterEntry.shift_id == shift.id, User.active.is_(True))
            .order_by(User.name)
        )
    )
