"""Agendas: made once per (shift, day) from the rotation engine, frozen, swapped, pinned, refreshed.

Concurrency rests on unique keys, never on check-then-insert: `INSERT .. ON CONFLICT DO NOTHING`
on `agendas (shift_id, day)` and on `scope_choices (scope_key, day, slot_key)`, then a re-read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from huddles import rotation
from huddles.agenda.models import (
    Agenda,
    AgendaItem,
    AgendaTemplate,
    Pin,
    ScopeChoice,
    TopicUsage,
)
from huddles.auth.models import User
from huddles.db import utcnow
from huddles.extensions import db
from huddles.org.models import Location, Shift
from huddles.topics.models import Topic, TopicRevision
from huddles.validation import FieldError

# How many candidates of each kind are read per window (never used / least recently used).
WINDOW = 8
# The scope values an admin picks, and the prefix of their keys.
SCOPE_PREFIX = {"shift": "shift", "location": "location", "organisation": "org"}
SCOPE_LABELS = {
    "shift": _l("Each shift"),
    "location": _l("The location"),
    "organisation": _l("The whole organisation"),
}
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


# --- Templates and scopes -------------------------------------------------------------------


@dataclass(frozen=True)
class LocationTemplate:
    """A location's agenda template as the engine wants it, with its scope."""

    template: rotation.Template
    scope: str


def template_from_row(row: AgendaTemplate | None) -> LocationTemplate:
    """The engine template of a stored row; the default of DESIGN.md when there is none."""
    if row is None:
        return LocationTemplate(rotation.DEFAULT_TEMPLATE, "location")
    slots = tuple(
        rotation.SlotTemplate(
            key=slot["key"],
            title=slot["title"],
            minutes=slot["minutes"],
            fill=slot["fill"],
            kind=slot.get("kind"),
        )
        for slot in row.slots
    )
    template = rotation.Template(
        slots=slots, weekday_themes=tuple(row.weekday_themes), cooldown_days=row.cooldown_days
    )
    return LocationTemplate(template, row.scope)


def template_for(location_id: int) -> LocationTemplate:
    """The agenda template of a location."""
    row = db.session.scalar(
        sa.select(AgendaTemplate).where(AgendaTemplate.location_id == location_id)
    )
    return template_from_row(row)


def scope_key_for(shift: Shift, scope: str, organisation_id: int | None = None) -> str:
    """'shift:<id>', 'location:<id>' or 'org:<id>' for a shift under a template scope."""
    if scope == "shift":
        return f"shift:{shift.id}"
    if scope == "organisation":
        org_id = organisation_id if organisation_id is not None else shift.location.organisation_id
        return f"org:{org_id}"
    return f"location:{shift.location_id}"


def _covering_scope_keys(shift: Shift, organisation_id: int) -> list[str]:
    """The scope keys whose pins reach a shift, narrowest first."""
    return [f"shift:{shift.id}", f"location:{shift.location_id}", f"org:{organisation_id}"]


# --- Time --------------------------------------------------------------------------------------


def shift_start(shift: Shift, day: date, zone: ZoneInfo) -> datetime:
    """When the shift of `day` starts, as an aware UTC datetime (wall clock in its zone)."""
    local = datetime.combine(day, shift.starts_at, tzinfo=zone)
    return local.astimezone(UTC)


def shift_day(shift: Shift, now: datetime) -> date:
    """The date of the shift's current or next occurrence in its location's zone.

    A shift belongs to the date it starts on, so a night shift running past midnight is still
    the previous day's. It lasts `duration_minutes` of real time, across DST changes too.
    """
    zone = ZoneInfo(shift.location.timezone)
    today = now.astimezone(zone).date()
    length = timedelta(minutes=shift.duration_minutes)
    runs_some_day = shift.weekday_mask != 0
    for offset in range(-1, 8):
        day = today + timedelta(days=offset)
        if runs_some_day and not shift.runs_on(day.weekday()):
            continue
        start = shift_start(shift, day, zone)
        if now < start + length:
            return day
    return today


def local_today(location: Location, now: datetime) -> date:
    """Today's date in the location's zone."""
    return now.astimezone(ZoneInfo(location.timezone)).date()


# --- Choosing topics ---------------------------------------------------------------------------


def _in_season(day: date) -> sa.ColumnElement[bool]:
    month_day = day.strftime("%m-%d")
    start, end = Topic.season_start, Topic.season_end
    return sa.or_(
        start.is_(None),
        end.is_(None),
        sa.and_(start <= end, start <= month_day, end >= month_day),
        sa.and_(start > end, sa.or_(start <= month_day, end >= month_day)),
    )


def _candidate_rows(
    scope_key: str, day: date, kinds: dict[str, int], topic_ids: Iterable[int]
) -> list[sa.Row[Any]]:
    """One query: per kind a bounded window of never-used topics (by rank) and of the least
    recently used ones in the scope (by last use), plus the named topics (pins)."""
    columns = (
        Topic.id,
        Topic.slug,
        Topic.kind,
        Topic.status,
        Topic.current_revision_id,
    )
    usable = sa.and_(Topic.status == "published", Topic.current_revision_id.is_not(None))
    selects: list[sa.Select[Any]] = []
    for kind, extra in sorted(kinds.items()):
        limit = WINDOW + extra
        used = (
            sa.select(TopicUsage.topic_id)
            .where(
                TopicUsage.scope_key == scope_key,
                TopicUsage.topic_id == Topic.id,
                TopicUsage.kind == Topic.kind,
            )
            .exists()
        )
        never = (
            sa.select(*columns, sa.cast(sa.null(), sa.Date).label("last_used_on"))
            .where(Topic.kind == kind, usable, _in_season(day), ~used)
            .order_by(Topic.rank, Topic.id)
            .limit(limit)
        )
        least_recent = (
            sa.select(*columns, TopicUsage.last_used_on)
            .join(TopicUsage, TopicUsage.topic_id == Topic.id)
            .where(
                TopicUsage.scope_key == scope_key,
                TopicUsage.kind == kind,
                Topic.kind == kind,
                usable,
                _in_season(day),
            )
            .order_by(TopicUsage.last_used_on, Topic.rank)
            .limit(limit)
        )
        selects += [never, least_recent]
    ids = sorted(set(topic_ids))
    if ids:
        usage = sa.select(TopicUsage.last_used_on).where(
            TopicUsage.scope_key == scope_key, TopicUsage.topic_id == Topic.id
        )
        selects.append(
            sa.select(*columns, usage.scalar_subquery().label("last_used_on")).where(
                Topic.id.in_(ids)
            )
        )
    if not selects:
        return []
    subqueries = [select.subquery().select() for select in selects]
    return list(db.session.execute(sa.union_all(*subqueries)))


@dataclass(frozen=True)
class Choice:
    """The topic of one rotation slot for a scope and day."""

    slot_key: str
    kind: str | None
    topic_id: int | None
    reason: str
    revision_id: int | None = None
    slug: str | None = None


def _read_choices(scope_key: str, day: date) -> dict[str, Choice]:
    rows = db.session.execute(
        sa.select(ScopeChoice, Topic.current_revision_id, Topic.slug)
        .outerjoin(Topic, Topic.id == ScopeChoice.topic_id)
        .where(ScopeChoice.scope_key == scope_key, ScopeChoice.day == day)
    )
    return {
        choice.slot_key: Choice(
            choice.slot_key, choice.kind, choice.topic_id, choice.reason, revision_id, slug
        )
        for choice, revision_id, slug in rows
    }


def _insert_ignoring_conflicts(table: sa.Table, rows: list[dict[str, Any]]) -> Any:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(rows).on_conflict_do_nothing()


def _record_usage(scope_key: str, day: date, used: Sequence[tuple[int, str]]) -> None:
    """Mark topics as used in the scope on `day` (the later of that and any earlier mark)."""
    if not used:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = TopicUsage.__table__
    statement = insert(table).values(
        [
            {"scope_key": scope_key, "topic_id": topic_id, "kind": kind, "last_used_on": day}
            for topic_id, kind in sorted(set(used))
        ]
    )
    later = sa.func.greatest if dialect == "postgresql" else sa.func.max
    statement = statement.on_conflict_do_update(
        index_elements=["scope_key", "topic_id"],
        set_={
            "kind": statement.excluded.kind,
            "last_used_on": later(table.c.last_used_on, statement.excluded.last_used_on),
            "uses": table.c.uses + 1,
        },
    )
    db.session.execute(statement)


def _plan_request(
    template: rotation.Template,
    shift: Shift,
    organisation_id: int,
    scope_key: str,
    day: date,
    taken: dict[str, Choice],
    extra_exclude: Iterable[int] = (),
) -> tuple[rotation.PlanRequest, dict[str, sa.Row[Any]]]:
    """The engine's request for the slots of `template` not in `taken`, read in two queries."""
    open_slots = [
        slot for slot in template.slots if slot.fill == "rotation" and slot.key not in taken
    ]
    pin_rows = db.session.execute(
        sa.select(Pin.scope_key, Pin.slot_key, Pin.topic_id).where(
            Pin.scope_key.in_(_covering_scope_keys(shift, organisation_id)),
            Pin.day == day,
            Pin.slot_key.in_([slot.key for slot in open_slots] or [""]),
        )
    ).all()
    order = {key: rank for rank, key in enumerate(_covering_scope_keys(shift, organisation_id))}
    pin_topic: dict[str, int] = {}
    for _pin_scope, slot_key, topic_id in sorted(pin_rows, key=lambda row: -order[row[0]]):
        pin_topic[slot_key] = topic_id  # the narrowest scope is written last and wins
    kinds: dict[str, int] = {}
    excluded_ids = {choice.topic_id for choice in taken.values() if choice.topic_id} | set(
        extra_exclude
    )
    for slot in open_slots:
        kind = template.kind_for(slot, day)
        assert kind is not None
        kinds[kind] = kinds.get(kind, 0) + len(open_slots) + len(excluded_ids)
    rows = _candidate_rows(scope_key, day, kinds, [*pin_topic.values(), *excluded_ids])
    by_slug: dict[str, rotation.Candidate] = {}
    row_by_slug: dict[str, sa.Row[Any]] = {}
    slug_of_id: dict[int, str] = {}
    for row in rows:
        slug_of_id[row.id] = row.slug
        candidate = rotation.Candidate(
            slug=row.slug,
            kind=row.kind,
            last_used=_as_date(row.last_used_on),
            published=row.status == "published" and row.current_revision_id is not None,
        )
        known = by_slug.get(row.slug)
        # A topic may come twice (in a window and as a pin): keep the version that knows its use.
        if known is None or (known.last_used is None and candidate.last_used is not None):
            by_slug[row.slug] = candidate
            row_by_slug[row.slug] = row
    pins = tuple(
        rotation.Pin(slot_key, slug_of_id[topic_id])
        for slot_key, topic_id in pin_topic.items()
        if topic_id in slug_of_id
    )
    exclude = frozenset(slug_of_id[topic_id] for topic_id in excluded_ids if topic_id in slug_of_id)
    request = rotation.PlanRequest(
        template=template,
        candidates=tuple(by_slug.values()),
        day=day,
        scope_key=scope_key,
        pins=pins,
        exclude=exclude,
    )
    return request, row_by_slug


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _ensure_choices(
    template: rotation.Template,
    shift: Shift,
    organisation_id: int,
    scope_key: str,
    day: date,
) -> dict[str, Choice]:
    """The scope's choices for the day: the first agenda of the scope decides, the rest reuse."""
    rotation_keys = {slot.key for slot in template.slots if slot.fill == "rotation"}
    for _attempt in range(3):
        choices = _read_choices(scope_key, day)
        if rotation_keys <= choices.keys():
            return choices
        request, rows = _plan_request(template, shift, organisation_id, scope_key, day, choices)
        plan = rotation.plan_agenda(request)
        new = [item for item in plan.items if item.slot_key in rotation_keys - choices.keys()]
        values = [
            {
                "scope_key": scope_key,
                "day": day,
                "slot_key": item.slot_key,
                "kind": item.kind,
                "topic_id": rows[item.slug].id if item.slug else None,
                "reason": item.reason,
                "created_at": utcnow(),
            }
            for item in new
        ]
        statement = _insert_ignoring_conflicts(ScopeChoice.__table__, values).returning(
            ScopeChoice.__table__.c.slot_key
        )
        inserted = set(db.session.scalars(statement))
        _record_usage(
            scope_key,
            day,
            [
                (rows[item.slug].id, rows[item.slug].kind)
                for item in new
                if item.slug and item.slot_key in inserted
            ],
        )
    return _read_choices(scope_key, day)


# --- Agendas -----------------------------------------------------------------------------------


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
    choices = _ensure_choices(settings.template, shift, location.organisation_id, scope_key, day)
    inserted = db.session.scalar(
        _insert_ignoring_conflicts(
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
    from huddles.topics.rendering import localized, render_markdown

    revision_ids = [item.topic_revision_id for item in agenda.items if item.topic_revision_id]
    revisions: dict[int, tuple[TopicRevision, str]] = {}
    if revision_ids:
        rows = db.session.execute(
            sa.select(TopicRevision, Topic.slug)
            .join(Topic, Topic.id == TopicRevision.topic_id)
            .where(TopicRevision.id.in_(revision_ids))
        )
        revisions = {revision.id: (revision, slug) for revision, slug in rows}
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
        found = revisions.get(item.topic_revision_id or 0)
        if found is not None:
            revision, slug = found
            text = localized(revision, locale)
            entry.update(
                title=text.title,
                topic_slug=slug,
                body_html=str(render_markdown(text.body)),
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
    }


def _check_not_started(agenda: Agenda) -> None:
    if agenda.started_at is not None or agenda.status != "planned":
        raise AgendaLocked(
            "slot", _("The huddle has already started; its agenda can no longer change.")
        )


def swap_slot(agenda: Agenda, slot_key: str, *, actor: User | None, now: datetime) -> Agenda:
    """A lead's swap of one rotation slot for the next best topic, before the huddle starts."""
    _check_not_started(agenda)
    item = next((item for item in agenda.items if item.slot_key == slot_key), None)
    if item is None:
        raise FieldError("slot", _("This agenda has no slot %(slot)s.", slot=slot_key))
    if item.fill != "rotation":
        raise FieldError("slot", _("Only topic slots can be swapped."))
    if item.reason == "pin":
        raise FieldError("slot", _("An admin pinned this topic; it cannot be swapped."))
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
    request, rows = _plan_request(
        template,
        shift,
        location.organisation_id,
        agenda.scope_key,
        agenda.day,
        others,
        exclude,
    )
    plan = rotation.plan_agenda(request)
    chosen = plan.item(slot_key)
    if chosen.slug is None:
        raise FieldError("slot", _("There is no other topic of this kind to swap in."))
    row = rows[chosen.slug]
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
            reason=chosen.reason,
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
    _record_usage(agenda.scope_key, agenda.day, [(row.id, row.kind)])
    db.session.commit()
    fresh = _load(agenda.shift_id, agenda.day)
    assert fresh is not None
    return fresh


# --- Library changes, pins ----------------------------------------------------------------------


def _update_item_from_choice(item: AgendaItem, choice: Choice | None) -> None:
    item.topic_id = choice.topic_id if choice else None
    item.topic_revision_id = choice.revision_id if choice else None
    item.kind = choice.kind if choice else item.kind
    item.reason = choice.reason if choice else "empty"


def _rechoose(targets: Sequence[tuple[Agenda, str]]) -> None:
    """Fill one slot of each unopened agenda again from its scope's (refreshed) choices."""
    for agenda, slot_key in targets:
        shift = db.session.get(Shift, agenda.shift_id)
        assert shift is not None
        location = shift.location
        settings = template_for(location.id)
        choices = _ensure_choices(
            settings.template, shift, location.organisation_id, agenda.scope_key, agenda.day
        )
        for item in agenda.items:
            if item.slot_key == slot_key:
                _update_item_from_choice(item, choices.get(slot_key))


def _unopened_future(where: sa.ColumnElement[bool], now: datetime) -> list[Agenda]:
    """Agendas no one has opened yet, from today on in their location's zone."""
    rows = db.session.execute(
        sa.select(Agenda, Location.timezone)
        .join(Shift, Shift.id == Agenda.shift_id)
        .join(Location, Location.id == Shift.location_id)
        .where(
            where,
            Agenda.opened_at.is_(None),
            Agenda.started_at.is_(None),
            Agenda.day >= (now - timedelta(days=1)).date(),
        )
        .options(selectinload(Agenda.items))
        .order_by(Agenda.day, Agenda.id)
    ).all()
    return [agenda for agenda, zone in rows if agenda.day >= now.astimezone(ZoneInfo(zone)).date()]


def _topic_fits(topic: Topic, kind: str | None, day: date) -> bool:
    if topic.status != "published" or topic.current_revision_id is None or topic.kind != kind:
        return False
    if topic.season_start and topic.season_end:
        try:
            return rotation.Season(topic.season_start, topic.season_end).contains(day)
        except ValueError:
            return False
    return True


def refresh_unopened_agendas(topic: Topic, now: datetime) -> int:
    """Make future agendas nobody has opened follow a topic's edit or retirement. Commits.

    The topics feature calls this after it commits a change to a topic. An edited topic's
    unopened agendas point at its new revision; a retired one (or one that no longer fits the
    slot's kind or season) is replaced there by the rotation. Opened agendas never change.
    Returns how many agenda items changed.
    """
    cutoff = (now - timedelta(days=1)).date()
    agendas = _unopened_future(
        Agenda.id.in_(sa.select(AgendaItem.agenda_id).where(AgendaItem.topic_id == topic.id)),
        now,
    )
    follow: list[AgendaItem] = []
    replace: list[tuple[Agenda, str]] = []
    for agenda in agendas:
        for item in agenda.items:
            if item.topic_id != topic.id:
                continue
            if _topic_fits(topic, item.kind, agenda.day) or item.reason == "pin":
                follow.append(item)
            else:
                replace.append((agenda, item.slot_key))
    # The scopes' choices for days to come drop the topic where it no longer fits.
    choices = db.session.scalars(
        sa.select(ScopeChoice).where(ScopeChoice.topic_id == topic.id, ScopeChoice.day >= cutoff)
    ).all()
    for choice in choices:
        if not _topic_fits(topic, choice.kind, choice.day) and choice.reason != "pin":
            db.session.delete(choice)
    db.session.flush()
    for item in follow:
        item.topic_revision_id = topic.current_revision_id
    _rechoose(replace)
    db.session.commit()
    return len(follow) + len(replace)


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
    if pin is None or pin.scope_key not in _location_scope_keys(location):
        raise FieldError("pin_id", _("There is no such pin here."))
    scope_key, day, slot_key = pin.scope_key, pin.day, pin.slot_key
    db.session.delete(pin)
    db.session.flush()
    _refresh_slot(location, scope_key, day, slot_key, now)
    db.session.commit()


def _location_scope_keys(location: Location) -> list[str]:
    return [
        f"org:{location.organisation_id}",
        f"location:{location.id}",
        *(f"shift:{shift.id}" for shift in location.shifts),
    ]


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
    agendas = _unopened_future(sa.and_(Agenda.day == day, Agenda.shift_id.in_(covered)), now)
    if not agendas:
        return
    db.session.execute(
        sa.delete(ScopeChoice).where(
            ScopeChoice.scope_key.in_({agenda.scope_key for agenda in agendas}),
            ScopeChoice.day == day,
            ScopeChoice.slot_key == slot_key,
        )
    )
    _rechoose([(agenda, slot_key) for agenda in agendas])


def pins_for(location: Location, *, since: date, limit: int = 50) -> list[tuple[Pin, Topic]]:
    """The pins that reach a location from `since` on, soonest first (bounded)."""
    rows = db.session.execute(
        sa.select(Pin, Topic)
        .join(Topic, Topic.id == Pin.topic_id)
        .where(Pin.scope_key.in_(_location_scope_keys(location)), Pin.day >= since)
        .order_by(Pin.day, Pin.slot_key)
        .limit(limit)
    )
    return [(pin, topic) for pin, topic in rows]


# --- Making agendas ahead, the week view -------------------------------------------------------


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


@dataclass(frozen=True)
class WeekDay:
    """One day of the week view: the agendas of the shifts that run that day."""

    day: date
    agendas: list[tuple[Shift, dict[str, Any]]]


def week(location: Location, start: date, *, now: datetime, locale: str | None) -> list[WeekDay]:
    """The seven days from `start` of a location's active shifts, made where missing."""
    shifts = [shift for shift in location.shifts if shift.active]
    days = [start + timedelta(days=offset) for offset in range(7)]
    existing = {
        (agenda.shift_id, agenda.day): agenda
        for agenda in db.session.scalars(
            sa.select(Agenda)
            .where(
                Agenda.shift_id.in_([shift.id for shift in shifts] or [0]),
                Agenda.day >= days[0],
                Agenda.day <= days[-1],
            )
            .options(selectinload(Agenda.items))
        )
    }
    result = []
    for day in days:
        entries = []
        for shift in shifts:
            if not shift.runs_on(day.weekday()):
                continue
            agenda = existing.get((shift.id, day)) or get_agenda(shift, day, now=now)
            entries.append((shift, agenda_json(agenda, locale)))
        result.append(WeekDay(day, entries))
    return result


# --- The template --------------------------------------------------------------------------------

SLOT_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_HUDDLE_MINUTES = 15


def save_template(
    location: Location,
    *,
    slots: list[dict[str, Any]],
    weekday_themes: list[str],
    cooldown_days: int | None,
    scope: str,
    actor: User | None,
    now: datetime,
) -> AgendaTemplate:
    """Validate and store a location's template; a FieldError names the field at fault. Commits.

    Slot fields are named `slots-<n>-<name>` as in the form. Agendas already made keep theirs.
    """
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, slot in enumerate(slots):
        key = (slot.get("key") or "").strip().lower()
        if not key:
            continue
        where = f"slots-{number}-"
        if len(key) > 40 or not set(key) <= SLOT_KEY_CHARS:
            raise FieldError(
                where + "key", _("Use up to 40 lower-case letters, digits, '-' or '_'.")
            )
        if key in seen:
            raise FieldError(where + "key", _("Each slot needs its own key."))
        seen.add(key)
        title = (slot.get("title") or "").strip()
        if not title or len(title) > 120:
            raise FieldError(where + "title", _("Give the slot a title of up to 120 characters."))
        fill = slot.get("fill") or ""
        if fill not in rotation.FILLS:
            raise FieldError(where + "fill", _("Choose what fills the slot."))
        kind = slot.get("kind") or None
        if kind is not None and kind not in rotation.KINDS:
            raise FieldError(where + "kind", _("Choose a kind of topic."))
        if kind is not None and fill != "rotation":
            raise FieldError(
                where + "kind", _("Only a slot filled by the rotation draws a kind of topic.")
            )
        minutes = slot.get("minutes")
        if minutes is None or isinstance(minutes, bool) or not 0 <= float(minutes) <= 10:
            raise FieldError(where + "minutes", _("Minutes must be between 0 and 10."))
        cleaned.append(
            {"key": key, "title": title, "minutes": float(minutes), "fill": fill, "kind": kind}
        )
    if not cleaned:
        raise FieldError("slots", _("A huddle needs at least one slot."))
    total = sum(slot["minutes"] for slot in cleaned)
    if total <= 0 or total > MAX_HUDDLE_MINUTES:
        raise FieldError(
            "slots",
            _(
                "The slots add up to %(total)s minutes; a huddle lasts more than 0 and at most "
                "%(max)s.",
                total=f"{total:g}",
                max=MAX_HUDDLE_MINUTES,
            ),
        )
    if len(weekday_themes) != 7:
        raise FieldError("weekday_themes", _("Choose a theme for each of the seven days."))
    for weekday, theme in enumerate(weekday_themes):
        if theme not in rotation.KINDS:
            raise FieldError(f"theme_{weekday}", _("Choose a kind of topic for this day."))
    if cooldown_days is None or not 0 <= cooldown_days <= 365:
        raise FieldError("cooldown_days", _("The cool-down is a number of days from 0 to 365."))
    if scope not in SCOPE_PREFIX:
        raise FieldError("scope", _("Choose who shares a topic on a day."))
    # The engine has the last word on what a template may be.
    try:
        rotation.Template(
            slots=tuple(rotation.SlotTemplate(**slot) for slot in cleaned),
            weekday_themes=tuple(weekday_themes),
            cooldown_days=cooldown_days,
        )
    except ValueError as error:
        raise FieldError("slots", str(error)) from None
    values = {
        "location_id": location.id,
        "slots": cleaned,
        "weekday_themes": list(weekday_themes),
        "cooldown_days": cooldown_days,
        "scope": scope,
        "updated_at": now,
        "updated_by_id": actor.id if actor else None,
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AgendaTemplate.__table__).values(values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["location_id"],
            set_={name: statement.excluded[name] for name in values if name != "location_id"},
        )
    )
    db.session.commit()
    row = db.session.scalar(
        sa.select(AgendaTemplate)
        .where(AgendaTemplate.location_id == location.id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


def template_row_values(location: Location) -> dict[str, Any]:
    """The location's template as plain values for the form (the default when none is saved)."""
    settings = template_for(location.id)
    return {
        "slots": [
            {
                "key": slot.key,
                "title": slot.title,
                "minutes": slot.minutes,
                "fill": slot.fill,
                "kind": slot.kind,
            }
            for slot in settings.template.slots
        ],
        "weekday_themes": list(settings.template.weekday_themes),
        "cooldown_days": settings.template.cooldown_days,
        "scope": settings.scope,
    }
