"""Library changes reach unopened agendas: an edited topic is followed, a retired one replaced."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from huddles.agenda.choosing import rechoose, unopened_future
from huddles.agenda.models import Agenda, AgendaItem, ScopeChoice
from huddles.db import utcnow
from huddles.extensions import db
from huddles.org.models import Location, Shift
from huddles.signals import topic_changed
from huddles.topics.models import Topic


def _topic_fits(topic: Topic, kind: str | None, day: date) -> bool:
    if topic.status != "published" or topic.current_revision_id is None or topic.kind != kind:
        return False
    try:
        season = topic.season
    except ValueError:
        return False
    return season is None or season.contains(day)


def _scope_ids(scope_keys: set[str], prefix: str) -> set[int]:
    ids = (key.removeprefix(prefix) for key in scope_keys if key.startswith(prefix))
    return {int(value) for value in ids if value.isdigit()}


def _scope_settings(scope_keys: set[str]) -> dict[str, str | None]:
    """The setting of each location or shift scope (None for an organisation's: it is mixed)."""
    location_ids = _scope_ids(scope_keys, "location:")
    shift_ids = _scope_ids(scope_keys, "shift:")
    found: dict[str, str | None] = dict.fromkeys(scope_keys)
    if location_ids:
        for location_id, setting in db.session.execute(
            sa.select(Location.id, Location.setting).where(Location.id.in_(location_ids))
        ):
            found[f"location:{location_id}"] = setting
    if shift_ids:
        for shift_id, setting in db.session.execute(
            sa.select(Shift.id, Location.setting)
            .join(Location, Location.id == Shift.location_id)
            .where(Shift.id.in_(shift_ids))
        ):
            found[f"shift:{shift_id}"] = setting
    return found


def _fits_setting(topic: Topic, setting: str | None) -> bool:
    return setting is None or not topic.settings or setting in topic.settings


def refresh_unopened_agendas(topic: Topic, now: datetime) -> int:
    """Make future agendas nobody has opened follow a topic's edit or retirement. Commits.

    The topics feature calls this after it commits a change to a topic. An edited topic's
    unopened agendas point at its new revision; a retired one (or one that no longer fits the
    slot's kind, season or the location's setting) is replaced there by the rotation. Opened
    agendas never change.
    Returns how many agenda items changed.
    """
    cutoff = (now - timedelta(days=1)).date()
    agendas = unopened_future(
        Agenda.id.in_(sa.select(AgendaItem.agenda_id).where(AgendaItem.topic_id == topic.id)),
        now,
    )
    # The scopes' choices for days to come drop the topic where it no longer fits.
    choices = db.session.scalars(
        sa.select(ScopeChoice).where(ScopeChoice.topic_id == topic.id, ScopeChoice.day >= cutoff)
    ).all()
    settings = _scope_settings(
        {agenda.scope_key for agenda in agendas} | {choice.scope_key for choice in choices}
    )
    follow: list[AgendaItem] = []
    replace: list[tuple[Agenda, str]] = []
    for agenda in agendas:
        for item in agenda.items:
            if item.topic_id != topic.id:
                continue
            fits = _topic_fits(topic, item.kind, agenda.day) and _fits_setting(
                topic, settings[agenda.scope_key]
            )
            if fits or item.reason == "pin":
                follow.append(item)
            else:
                replace.append((agenda, item.slot_key))
    for choice in choices:
        fits = _topic_fits(topic, choice.kind, choice.day) and _fits_setting(
            topic, settings[choice.scope_key]
        )
        if not fits and choice.reason != "pin":
            db.session.delete(choice)
    db.session.flush()
    for item in follow:
        item.topic_revision_id = topic.current_revision_id
    rechoose(replace)
    db.session.commit()
    return len(follow) + len(replace)


def on_topic_changed(sender: object, *, topic_ids: list[int], now: datetime | None = None) -> int:
    """The `topic_changed` receiver: every named topic's unopened agendas follow it."""
    moment = now or utcnow()
    topics = db.session.scalars(
        sa.select(Topic).where(Topic.id.in_(sorted(set(topic_ids)))).order_by(Topic.id)
    ).all()
    return sum(refresh_unopened_agendas(topic, moment) for topic in topics)


def subscribe() -> None:
    """Connect the agenda feature to the library's changes (once per process is enough)."""
    topic_changed.connect(on_topic_changed)
