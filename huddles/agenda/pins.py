"""Pins: an admin's topic for a slot on a day, for a shift, a location or the organisation."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from huddles.agenda.choosing import rechoose, unopened_future
from huddles.agenda.models import Agenda, Pin, ScopeChoice
from huddles.agenda.templates import (
    SCOPE_LABELS,
    SCOPE_PREFIX,
    location_scope_keys,
    template_for,
)
from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import Location, Shift
from huddles.topics.models import Topic
from huddles.validation import FieldError


def _pin_scope_key(location: Location, scope: str, shift_id: int | None) -> str:
    if scope == "organisation":
        return f"org:{location.organisation_id}"
    if scope == "shift":
        if shift_id is None or shift_id not in {shift.id for shift in location.shifts}:
            raise FieldError("shift_id", _("Choose one of this location's shifts."))
        return f"shift:{shift_id}"
    if scope == "location":
        return f"location:{location.id}"
    raise FieldError("scope", _("Choose a scope: a shift, the location or the organisation."))


def pin_topic(
    location: Location,
    *,
    day: date,
    slot_key: str,
    topic_slug: str,
    scope: str,
    shift_id: int | None = None,
    actor: User | None,
    now: datetime,
) -> Pin:
    """An admin's pin of a topic to a slot on a day in a scope; unopened agendas follow. Commits."""
    settings = template_for(location.id)
    slot = next((slot for slot in settings.template.slots if slot.key == slot_key), None)
    if slot is None or slot.fill != "rotation":
        raise FieldError("slot_key", _("Choose one of the template's topic slots."))
    widths = list(SCOPE_PREFIX)
    if scope in widths and widths.index(scope) < widths.index(settings.scope):
        raise FieldError(
            "scope",
            _(
                "This location shares its topics at the level “%(scope)s”; pin for it or wider.",
                scope=SCOPE_LABELS[settings.scope],
            ),
        )
    scope_key = _pin_scope_key(location, scope, shift_id)
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == topic_slug.strip()))
    if topic is None:
        raise FieldError("topic_slug", _("There is no topic %(slug)s.", slug=topic_slug))
    if topic.status != "published":
        raise FieldError("topic_slug", _("Only published topics can be pinned."))
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {
        "scope_key": scope_key,
        "day": day,
        "slot_key": slot_key,
        "topic_id": topic.id,
        "created_at": now,
        "created_by_id": actor.id if actor else None,
    }
    statement = insert(Pin.__table__).values(values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["scope_key", "day", "slot_key"],
            set_={
                "topic_id": statement.excluded.topic_id,
                "created_at": statement.excluded.created_at,
                "created_by_id": statement.excluded.created_by_id,
            },
        )
    )
    _refresh_slot(location, scope_key, day, slot_key, now)
    db.session.commit()
    pin = db.session.scalar(
        sa.select(Pin).where(Pin.scope_key == scope_key, Pin.day == day, Pin.slot_key == slot_key)
    )
    assert pin is not None
    return pin


def unpin(location: Location, pin_id: int, *, now: datetime) -> None:
    """Remove a pin of this location (or its organisation); unopened agendas follow. Commits."""
    pin = db.session.get(Pin, pin_id)
    if pin is None or pin.scope_key not in location_scope_keys(location):
        raise FieldError("pin_id", _("There is no such pin here."))
    scope_key, day, slot_key = pin.scope_key, pin.day, pin.slot_key
    db.session.delete(pin)
    db.session.flush()
    _refresh_slot(location, scope_key, day, slot_key, now)
    db.session.commit()


def _refresh_slot(
    location: Location, scope_key: str, day: date, slot_key: str, now: datetime
) -> None:
    """After a pin changed: the slot of the pin's day is chosen again where no one opened it."""
    kind, _sep, ident = scope_key.partition(":")
    if kind == "org":
        covered = sa.select(Shift.id).join(Location).where(Location.organisation_id == int(ident))
    elif kind == "location":
        covered = sa.select(Shift.id).where(Shift.location_id == int(ident))
    else:
        covered = sa.select(Shift.id).where(Shift.id == int(ident))
    agendas = unopened_future(sa.and_(Agenda.day == day, Agenda.shift_id.in_(covered)), now)
    if not agendas:
        return
    db.session.execute(
        sa.delete(ScopeChoice).where(
            ScopeChoice.scope_key.in_({agenda.scope_key for agenda in agendas}),
            ScopeChoice.day == day,
            ScopeChoice.slot_key == slot_key,
        )
    )
    rechoose([(agenda, slot_key) for agenda in agendas])


def pins_for(location: Location, *, since: date, limit: int = 50) -> list[tuple[Pin, Topic]]:
    """The pins that reach a location from `since` on, soonest first (bounded)."""
    rows = db.session.execute(
        sa.select(Pin, Topic)
        .join(Topic, Topic.id == Pin.topic_id)
        .where(Pin.scope_key.in_(location_scope_keys(location)), Pin.day >= since)
        .order_by(Pin.day, Pin.slot_key)
        .limit(limit)
    )
    return [(pin, topic) for pin, topic in rows]
