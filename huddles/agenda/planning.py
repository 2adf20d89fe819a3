"""Agendas: made once per (shift, day) from the scope's choices, frozen, opened, swapped, shown.

Concurrency rests on unique keys, never on check-then-insert: `INSERT .. ON CONFLICT DO NOTHING`
on `agendas (shift_id, day)`, then a re-read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from huddles import rotation
from huddles.agenda.choosing import (
    Choice,
    ensure_choices,
    insert_ignoring_conflicts,
    plan_request,
    record_usage,
)
from huddles.agenda.days import local_today
from huddles.agenda.models import Agenda, AgendaItem
from huddles.agenda.templates import scope_key_for, template_for
from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import Shift
from huddles.topics.models import current_titles
from huddles.validation import FieldError

# The default template's titles, translated when shown (an admin's own titles are shown as typed).
DEFAULT_TITLES = {
    "Welcome and roll call": _l("Welcome and roll call"),
    "Thank-yous": _l("Thank-yous"),
    "Topic of the day": _l("Topic of the day"),
    "Phrase of the day": _l("Phrase of the day"),
    "Today and close": _l("Today and close"),
}
# The key under app.extensions where the kudos feature puts `fn(agenda) -> list[dict]`.
KUDOS_PROVIDER = "huddles.agenda_kudos"


class AgendaLocked(FieldError):
    """The huddle has started (or finished): its agenda can no longer change (HTTP 409)."""

    status = 409


def _load(shift_id: int, day: date) -> Agenda | None:
    return db.session.scalar(
        sa.select(Agenda)
        .where(Agenda.shift_id == shift_id, Agenda.day == day)
        .options(selectinload(Agenda.items))
        .execution_options(populate_existing=True)
    )


def make_agenda(shift: Shift, day: date, *, now: datetime) -> tuple[Agenda, bool]:
    """The agenda of (shift, day), made if missing; True when this call made it. Commits."""
    agenda = _load(shift.id, day)
    if agenda is not None:
        return agenda, False
    location = shift.location
    settings = template_for(location.id)
    scope_key = scope_key_for(shift, settings.scope, location.organisation_id)
    choices = ensure_choices(settings.template, shift, location.organisation_id, scope_key, day)
    inserted = db.session.scalar(
        insert_ignoring_conflicts(
            Agenda.__table__,
            [
                {
                    "shift_id": shift.id,
                    "day": day,
                    "scope_key": scope_key,
                    "status": "planned",
                    "notes": "",
                    "created_at": now,
                }
            ],
        ).returning(Agenda.__table__.c.id)
    )
    if inserted is not None:
        items = []
        for position, slot in enumerate(settings.template.slots, start=1):
            choice = choices.get(slot.key)
            items.append(
                {
                    "agenda_id": inserted,
                    "position": position,
                    "slot_key": slot.key,
                    "slot_title": slot.title,
                    "fill": slot.fill,
                    "kind": choice.kind if choice else None,
                    "minutes": slot.minutes,
                    "topic_id": choice.topic_id if choice else None,
                    "topic_revision_id": choice.revision_id if choice else None,
                    "reason": choice.reason if choice else "fixed",
                }
            )
        db.session.execute(sa.insert(AgendaItem.__table__), items)
    db.session.commit()
    agenda = _load(shift.id, day)
    assert agenda is not None
    return agenda, inserted is not None


def get_agenda(shift: Shift, day: date, *, now: datetime) -> Agenda:
    """The agenda of (shift, day), made once and frozen; concurrent callers get the same one."""
    return make_agenda(shift, day, now=now)[0]


def open_agenda(shift: Shift, day: date, *, now: datetime, actor: User | None) -> Agenda:
    """The agenda, marked opened the first time: from then on it ignores library changes."""
    agenda = get_agenda(shift, day, now=now)
    if agenda.opened_at is None:
        db.session.execute(
            sa.update(Agenda)
            .where(Agenda.id == agenda.id, Agenda.opened_at.is_(None))
            .values(opened_at=now)
        )
        db.session.commit()
        reloaded = _load(shift.id, day)
        assert reloaded is not None
        return reloaded
    return agenda


def _title(slot_title: str) -> str:
    translated = DEFAULT_TITLES.get(slot_title)
    return str(translated) if translated is not None else slot_title


def agenda_json(
    agenda: Agenda, locale: str | None, *, kudos: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The contract's JSON of an agenda in a language; `kudos` is filled by the kudos feature."""
    from huddles.agenda.rendered import rendered_revisions
    from huddles.topics.rendering import render_markdown

    revision_ids = [item.topic_revision_id for item in agenda.items if item.topic_revision_id]
    revisions = rendered_revisions(revision_ids, locale) if revision_ids else {}
    topic_prompt = ""
    items: list[dict[str, Any]] = []
    for item in agenda.items:
        entry: dict[str, Any] = {
            "position": item.position,
            "slot": item.slot_key,
            "slot_title": _title(item.slot_title),
            "fill": item.fill,
            "kind": item.kind,
            "title": _title(item.slot_title),
            "minutes": item.minutes,
            "topic_slug": None,
            "body_html": "",
            "prompt": "",
            "avoid": None,
            "say_instead": None,
            "lang": None,
            "reason": item.reason,
            "swapped": item.swapped_at is not None,
        }
        text = revisions.get(item.topic_revision_id or 0)
        if text is not None:
            entry.update(
                title=text.title,
                topic_slug=text.slug,
                body_html=text.body_html,
                prompt=text.prompt,
                avoid=text.avoid,
                say_instead=text.say_instead,
                lang=text.lang,
            )
            if item.fill == "rotation" and not topic_prompt and item.kind != "lexicon":
                topic_prompt = text.prompt
        items.append(entry)
    for entry in items:
        # The close carries the lead's notes and the topic's closing question.
        if entry["fill"] == "notes":
            entry["body_html"] = str(render_markdown(agenda.notes)) if agenda.notes else ""
            entry["prompt"] = topic_prompt
    return {
        "id": agenda.id,
        "shift_id": agenda.shift_id,
        "date": agenda.day.isoformat(),
        "status": agenda.status,
        "scope": agenda.scope_key,
        "opened": agenda.opened_at is not None,
        "minutes": sum(item.minutes for item in agenda.items),
        "items": items,
        "kudos": list(kudos or []),
        # How many more thank-yous there are than the huddle reads out (they stay on the wall).
        "kudos_more": getattr(kudos, "more", 0),
    }


def _check_not_started(agenda: Agenda) -> None:
    if agenda.started_at is not None or agenda.status != "planned":
        raise AgendaLocked(
            "slot", _("The huddle has already started; its agenda can no longer change.")
        )


class NoSuchSlot(FieldError):
    """The agenda has no slot of that key (HTTP 404)."""

    status = 404


def swappable_item(agenda: Agenda, slot_key: str) -> AgendaItem:
    """The item of a slot its lead may swap now, else why not: AgendaLocked once the huddle
    has started, NoSuchSlot, or a FieldError for a slot not filled by the rotation or pinned."""
    _check_not_started(agenda)
    item = next((item for item in agenda.items if item.slot_key == slot_key), None)
    if item is None:
        raise NoSuchSlot("slot", _("This agenda has no slot %(slot)s.", slot=slot_key))
    if item.fill != "rotation":
        raise FieldError("slot", _("Only topic slots can be swapped."))
    if item.reason == "pin":
        raise FieldError("slot", _("An admin pinned this topic; it cannot be swapped."))
    return item


def swappable_slots(agenda: Agenda) -> frozenset[str]:
    """The slots its lead may swap now (none once the huddle has started)."""
    if agenda.started_at is not None or agenda.status != "planned":
        return frozenset()
    return frozenset(
        item.slot_key for item in agenda.items if item.fill == "rotation" and item.reason != "pin"
    )


def _named_choice(
    request: rotation.PlanRequest, item: AgendaItem, topic_slug: str
) -> tuple[str, str]:
    """The named topic and its reason, if the slot could hold it; else a FieldError."""
    kind = item.kind or ""
    pick = next(
        (
            candidate
            for candidate in rotation.ranked(
                request.candidates, kind, request.day, request.scope_key, request.exclude
            )
            if candidate.slug == topic_slug
        ),
        None,
    )
    if pick is None:
        raise FieldError(
            "topic_slug",
            _(
                "%(slug)s cannot be swapped in here; choose one of the topics offered.",
                slug=topic_slug,
            ),
        )
    cooling = rotation.is_cooling(pick, request.day, request.template.cooldown_days)
    return pick.slug, "repeat" if cooling else "fresh"


@dataclass(frozen=True)
class SwapOption:
    """A topic a lead may swap into a slot: the best first, those that fit the setting first."""

    slug: str
    title: str
    fits: bool
    last_used: date | None


def swap_options(
    agenda: Agenda, slot_key: str, *, locale: str = "en", limit: int = 5
) -> list[SwapOption]:
    """The few topics the engine would pick next for a slot of an unstarted agenda, each titled
    in `locale` where its current revision has that translation (else as written)."""
    if slot_key not in swappable_slots(agenda):
        return []
    item = next(item for item in agenda.items if item.slot_key == slot_key)
    shift = db.session.get(Shift, agenda.shift_id)
    assert shift is not None
    location = shift.location
    template = template_for(location.id).template
    if slot_key not in {slot.key for slot in template.slots}:
        return []
    others = {
        other.slot_key: Choice(other.slot_key, other.kind, other.topic_id, other.reason)
        for other in agenda.items
        if other.fill == "rotation" and other.slot_key != slot_key
    }
    request, _rows = plan_request(
        template,
        shift,
        location.organisation_id,
        agenda.scope_key,
        agenda.day,
        others,
        [item.topic_id] if item.topic_id else [],
    )
    best = rotation.ranked(
        request.candidates, item.kind or "", agenda.day, agenda.scope_key, request.exclude, limit
    )
    titles = current_titles(locale, [candidate.slug for candidate in best])
    return [
        SwapOption(
            slug=candidate.slug,
            title=titles.get(candidate.slug, candidate.slug),
            fits=candidate.fits,
            last_used=candidate.last_used,
        )
        for candidate in best
    ]


def swap_slot(
    agenda: Agenda,
    slot_key: str,
    *,
    actor: User | None,
    now: datetime,
    topic_slug: str | None = None,
) -> Agenda:
    """A lead's swap of one rotation slot, before the huddle starts: for the next best topic,
    or for `topic_slug`, one of the topics the slot could hold (see `swap_options`)."""
    item = swappable_item(agenda, slot_key)
    shift = db.session.get(Shift, agenda.shift_id)
    assert shift is not None
    location = shift.location
    settings = template_for(location.id)
    template = settings.template
    if slot_key not in {slot.key for slot in template.slots}:
        raise FieldError("slot", _("The template no longer has this slot."))
    others = {
        other.slot_key: Choice(other.slot_key, other.kind, other.topic_id, other.reason)
        for other in agenda.items
        if other.fill == "rotation" and other.slot_key != slot_key
    }
    exclude = [item.topic_id] if item.topic_id else []
    request, rows = plan_request(
        template,
        shift,
        location.organisation_id,
        agenda.scope_key,
        agenda.day,
        others,
        exclude,
    )
    if topic_slug is None:
        plan = rotation.plan_agenda(request)
        chosen = plan.item(slot_key)
        if chosen.slug is None:
            raise FieldError("slot", _("There is no other topic of this kind to swap in."))
        slug, reason = chosen.slug, chosen.reason
    else:
        slug, reason = _named_choice(request, item, topic_slug)
    row = rows[slug]
    result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        sa.update(AgendaItem)
        .where(
            AgendaItem.id == item.id,
            AgendaItem.agenda_id.in_(
                sa.select(Agenda.id).where(Agenda.id == agenda.id, Agenda.started_at.is_(None))
            ),
        )
        .values(
            topic_id=row.id,
            topic_revision_id=row.current_revision_id,
            kind=row.kind,
            reason=reason,
            swapped_at=now,
            swapped_by_id=actor.id if actor else None,
        )
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise AgendaLocked(
            "slot", _("The huddle has already started; its agenda can no longer change.")
        )
    db.session.execute(
        sa.update(Agenda)
        .where(Agenda.id == agenda.id, Agenda.opened_at.is_(None))
        .values(opened_at=now)
    )
    record_usage(agenda.scope_key, agenda.day, [(row.id, row.kind)])
    db.session.commit()
    fresh = _load(agenda.shift_id, agenda.day)
    assert fresh is not None
    return fresh


def generate_agendas(days: int, *, now: datetime) -> list[Agenda]:
    """Make every active shift's agendas for today .. today+days-1 (idempotent); the new ones."""
    if days < 1:
        raise FieldError("days", _("Make agendas for at least one day."))
    shifts = db.session.scalars(
        sa.select(Shift).where(Shift.active.is_(True)).order_by(Shift.location_id, Shift.id)
    ).all()
    made: list[Agenda] = []
    for shift in shifts:
        start = local_today(shift.location, now)
        for offset in range(days):
            day = start + timedelta(days=offset)
            if not shift.runs_on(day.weekday()):
                continue
            agenda, created = make_agenda(shift, day, now=now)
            if created:
                made.append(agenda)
    return made
