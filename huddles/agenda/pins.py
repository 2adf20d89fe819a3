"""Pins: an admin's topic for a slot on a day, for a shift, a location or the organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from huddles.agenda.choosing import rechoose, unopened_future
from huddles.agenda.days import local_today
from huddles.agenda.models import Agenda, AgendaItem, Pin, ScopeChoice
from huddles.agenda.templates import (
    SCOPE_LABELS,
    SCOPE_PREFIX,
    location_scope_keys,
    scope_key_for,
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


# Suggestions offered by the topic picker (a <datalist>); more are found by typing a slug.
MAX_SUGGESTIONS = 1000


def topic_suggestions() -> list[tuple[str, Topic]]:
    """The published topics by title, each with the text the picker puts in the box: its title,
    or "title [slug]" where two topics share a title."""
    topics = db.session.scalars(
        sa.select(Topic)
        .where(Topic.status == "published", Topic.current_revision_id.is_not(None))
        .order_by(sa.func.lower(Topic.title), Topic.slug)
        .limit(MAX_SUGGESTIONS)
    ).all()
    seen: dict[str, int] = {}
    for topic in topics:
        seen[topic.title.casefold()] = seen.get(topic.title.casefold(), 0) + 1
    return [
        (
            topic.title if seen[topic.title.casefold()] == 1 else f"{topic.title} [{topic.slug}]",
            topic,
        )
        for topic in topics
    ]


def find_topic(text: str) -> Topic:
    """The published topic an admin picked: by title (as suggested), "title [slug]" or slug."""
    wanted = " ".join(text.split())
    if not wanted:
        raise FieldError("topic", _("Choose a topic: start typing its title."))
    slug = wanted
    if wanted.endswith("]") and "[" in wanted:
        slug = wanted[wanted.rindex("[") + 1 : -1].strip()
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == slug))
    if topic is None:
        matches = db.session.scalars(
            sa.select(Topic)
            .where(sa.func.lower(Topic.title) == wanted.lower())
            .order_by(Topic.status != "published", Topic.slug)
        ).all()
        published = [match for match in matches if match.status == "published"]
        if len(published) > 1:
            raise FieldError(
                "topic",
                _(
                    "Several topics are called “%(title)s”; choose one of the suggestions.",
                    title=wanted,
                ),
            )
        candidates = published or list(matches)
        topic = candidates[0] if candidates else None
    if topic is None:
        raise FieldError(
            "topic",
            _(
                "No topic is called “%(title)s”. Start typing and choose one of the suggestions.",
                title=wanted,
            ),
        )
    if topic.status != "published" or topic.current_revision_id is None:
        raise FieldError("topic", _("Only published topics can be pinned."))
    return topic


def pin_topic(
    location: Location,
    *,
    day: date,
    slot_key: str,
    topic: str,
    scope: str,
    shift_id: int | None = None,
    actor: User | None,
    now: datetime,
) -> Pin:
    """An admin's pin of a topic (picked by title) to a slot on a day in a scope; agendas nobody
    opened follow, and so do those made later. Commits. `pin_report` tells what happened."""
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
    if day < local_today(location, now):
        raise FieldError("day", _("Choose today or a later day; that day has passed."))
    scope_key = _pin_scope_key(location, scope, shift_id)
    chosen = find_topic(topic)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {
        "scope_key": scope_key,
        "day": day,
        "slot_key": slot_key,
        "topic_id": chosen.id,
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


def _covered_shifts(scope_key: str) -> sa.Select[tuple[int]]:
    """The ids of the shifts a pin's scope reaches."""
    kind, _sep, ident = scope_key.partition(":")
    if kind == "org":
        return sa.select(Shift.id).join(Location).where(Location.organisation_id == int(ident))
    if kind == "location":
        return sa.select(Shift.id).where(Shift.location_id == int(ident))
    return sa.select(Shift.id).where(Shift.id == int(ident))


def _refresh_slot(
    location: Location, scope_key: str, day: date, slot_key: str, now: datetime
) -> None:
    """After a pin changed: the slot of the pin's day is chosen again where no one opened it,
    and agendas not made yet will choose it afresh (the scopes' old choices are dropped)."""
    covered = _covered_shifts(scope_key)
    agendas = unopened_future(sa.and_(Agenda.day == day, Agenda.shift_id.in_(covered)), now)
    shifts = db.session.scalars(sa.select(Shift).where(Shift.id.in_(covered))).all()
    scope_keys = {agenda.scope_key for agenda in agendas}
    scopes: dict[int, str] = {}
    for shift in shifts:
        if shift.location_id not in scopes:
            scopes[shift.location_id] = template_for(shift.location_id).scope
        scope_keys.add(
            scope_key_for(shift, scopes[shift.location_id], shift.location.organisation_id)
        )
    db.session.execute(
        sa.delete(ScopeChoice).where(
            ScopeChoice.scope_key.in_(scope_keys),
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


class PinClosed(FieldError):
    """The pin can no longer be applied (its day passed, its topic was retired): HTTP 409."""

    status = 409


# --- What a pin reached ------------------------------------------------------------------------


@dataclass(frozen=True)
class PinnedHuddle:
    """One huddle a pin reaches: where, when, its status and the topic its slot has now."""

    agenda_id: int
    location_name: str
    shift_name: str
    day: date
    status: str
    opened: bool
    topic_title: str | None


@dataclass(frozen=True)
class PinReport:
    """Truthfully, what a pin changed: the huddles that follow it and those that kept their topic
    (opened or previewed but not started: the pin can still be applied; started or over: not)."""

    pin: Pin
    topic: Topic
    following: list[PinnedHuddle] = field(default_factory=list)
    can_apply: list[PinnedHuddle] = field(default_factory=list)
    kept: list[PinnedHuddle] = field(default_factory=list)


def _pin_here(location: Location, pin_id: int) -> Pin:
    pin = db.session.get(Pin, pin_id)
    if pin is None or pin.scope_key not in location_scope_keys(location):
        raise FieldError("pin_id", _("There is no such pin here."))
    return pin


def _reached(pin: Pin) -> list[tuple[Agenda, AgendaItem, Shift, str]]:
    rows = db.session.execute(
        sa.select(Agenda, AgendaItem, Shift, Location.name)
        .join(AgendaItem, AgendaItem.agenda_id == Agenda.id)
        .join(Shift, Shift.id == Agenda.shift_id)
        .join(Location, Location.id == Shift.location_id)
        .where(
            Agenda.day == pin.day,
            Agenda.shift_id.in_(_covered_shifts(pin.scope_key)),
            AgendaItem.slot_key == pin.slot_key,
        )
        .order_by(Location.name, Shift.starts_at, Shift.name)
    ).all()
    return [(agenda, item, shift, name) for agenda, item, shift, name in rows]


def _may_still_change(agenda: Agenda) -> bool:
    return agenda.status == "planned" and agenda.started_at is None


def pin_report(location: Location, pin_id: int) -> PinReport:
    """Which huddles of the pin's day follow it, which kept their topic and why."""
    pin = _pin_here(location, pin_id)
    topic = db.session.get(Topic, pin.topic_id)
    assert topic is not None
    reached = _reached(pin)
    titles = dict(
        db.session.execute(
            sa.select(Topic.id, Topic.title).where(
                Topic.id.in_({item.topic_id for _a, item, _s, _n in reached if item.topic_id})
            )
        )
        .tuples()
        .all()
    )
    report = PinReport(pin, topic)
    for agenda, item, shift, location_name in reached:
        entry = PinnedHuddle(
            agenda.id,
            location_name,
            shift.name,
            agenda.day,
            agenda.status,
            agenda.opened_at is not None,
            titles.get(item.topic_id) if item.topic_id else None,
        )
        if item.topic_id == pin.topic_id:
            report.following.append(entry)
        elif _may_still_change(agenda):
            report.can_apply.append(entry)
        else:
            report.kept.append(entry)
    return report


def apply_pin(location: Location, pin_id: int, *, actor: User | None, now: datetime) -> int:
    """Put a pin's topic into the huddles that were opened (previewed) but not started. Commits.

    Huddles that have started or are over keep theirs. Returns how many changed."""
    pin = _pin_here(location, pin_id)
    topic = db.session.get(Topic, pin.topic_id)
    if topic is None or topic.status != "published" or topic.current_revision_id is None:
        raise PinClosed("pin_id", _("The pinned topic is no longer published."))
    if pin.day < local_today(location, now):
        raise PinClosed("pin_id", _("That day has passed; its huddles stay as they were."))
    targets = [
        item.id
        for agenda, item, _shift, _name in _reached(pin)
        if item.topic_id != pin.topic_id and _may_still_change(agenda)
    ]
    if not targets:
        return 0
    result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        sa.update(AgendaItem)
        .where(
            AgendaItem.id.in_(targets),
            # A huddle that starts meanwhile keeps its topic.
            AgendaItem.agenda_id.in_(
                sa.select(Agenda.id).where(Agenda.started_at.is_(None), Agenda.status == "planned")
            ),
        )
        .values(
            topic_id=topic.id,
            topic_revision_id=topic.current_revision_id,
            kind=topic.kind,
            reason="pin",
            swapped_at=now,
            swapped_by_id=actor.id if actor else None,
        )
    )
    db.session.commit()
    return int(result.rowcount)
