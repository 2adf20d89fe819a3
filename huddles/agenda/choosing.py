"""Choosing topics: the scope's choices for a day, made once by the rotation engine and shared.

Concurrency rests on unique keys, never on check-then-insert: `INSERT .. ON CONFLICT DO NOTHING`
on `scope_choices (scope_key, day, slot_key)`, then a re-read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from huddles import rotation, seasons
from huddles.agenda.models import Agenda, AgendaItem, Pin, ScopeChoice, TopicUsage
from huddles.agenda.templates import covering_scope_keys, template_for
from huddles.db import utcnow
from huddles.extensions import db
from huddles.org.models import Location, Shift
from huddles.topics.models import Topic, fits_setting, in_rotation

# How many candidates of each kind are read per window (never used / least recently used).
WINDOW = 8


def _in_season(day: date) -> sa.ColumnElement[bool]:
    """SQL: the topic is in season on `day`.

    A fixed season compares MM-DD text. A movable one (Ramadan) is resolved here to the dates
    of its months around `day`; the database then only compares each topic's days before and
    after with how far `day` lies from them: in season when `before >= first - day` and
    `after >= day - last` (both are at most 0 inside the month)."""
    month_day = day.strftime("%m-%d")
    start, end = Topic.season_start, Topic.season_end
    fixed = sa.and_(
        Topic.season_name.is_(None),
        sa.or_(
            start.is_(None),
            end.is_(None),
            sa.and_(start <= end, start <= month_day, end >= month_day),
            sa.and_(start > end, sa.or_(start <= month_day, end >= month_day)),
        ),
    )
    reach = timedelta(days=seasons.MAX_OFFSET_DAYS)
    movable = [
        sa.and_(
            Topic.season_name == name,
            Topic.season_before >= (first - day).days,
            Topic.season_after >= (day - last).days,
        )
        for name in seasons.MOVABLE_NAMES
        for first, last in seasons.months(name, day - reach, day + reach)
    ]
    return sa.or_(fixed, *movable)


def _candidate_rows(
    scope_key: str, day: date, kinds: dict[str, int], topic_ids: Iterable[int], setting: str
) -> list[sa.Row[Any]]:
    """One query: per kind a bounded window of never-used topics (by rank) and of the least
    recently used ones in the scope (by last use), plus the named topics (pins).

    Both windows put the topics that fit the location's setting first, so that the engine
    always sees the fitting ones it would prefer (the others only fill a short window)."""
    fits = sa.case((fits_setting(setting), 1), else_=0)
    columns = (
        Topic.id,
        Topic.slug,
        Topic.kind,
        Topic.status,
        Topic.current_revision_id,
        fits.label("fits"),
    )
    usable = in_rotation()
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
            .order_by(fits.desc(), Topic.rank, Topic.id)
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
            .order_by(fits.desc(), TopicUsage.last_used_on, Topic.rank)
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


def insert_ignoring_conflicts(table: sa.Table, rows: list[dict[str, Any]]) -> Any:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(rows).on_conflict_do_nothing()


def record_usage(scope_key: str, day: date, used: Sequence[tuple[int, str]]) -> None:
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


def plan_request(
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
            Pin.scope_key.in_(covering_scope_keys(shift, organisation_id)),
            Pin.day == day,
            Pin.slot_key.in_([slot.key for slot in open_slots] or [""]),
        )
    ).all()
    order = {key: rank for rank, key in enumerate(covering_scope_keys(shift, organisation_id))}
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
    rows = _candidate_rows(
        scope_key, day, kinds, [*pin_topic.values(), *excluded_ids], shift.location.setting
    )
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
            fits=bool(row.fits),
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


def ensure_choices(
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
        request, rows = plan_request(template, shift, organisation_id, scope_key, day, choices)
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
        statement = insert_ignoring_conflicts(ScopeChoice.__table__, values).returning(
            ScopeChoice.__table__.c.slot_key
        )
        inserted = set(db.session.scalars(statement))
        record_usage(
            scope_key,
            day,
            [
                (rows[item.slug].id, rows[item.slug].kind)
                for item in new
                if item.slug and item.slot_key in inserted
            ],
        )
    return _read_choices(scope_key, day)


# --- Filling slots again ------------------------------------------------------------------


def update_item_from_choice(item: AgendaItem, choice: Choice | None) -> None:
    item.topic_id = choice.topic_id if choice else None
    item.topic_revision_id = choice.revision_id if choice else None
    item.kind = choice.kind if choice else item.kind
    item.reason = choice.reason if choice else "empty"


def rechoose(targets: Sequence[tuple[Agenda, str]]) -> None:
    """Fill one slot of each unopened agenda again from its scope's (refreshed) choices."""
    for agenda, slot_key in targets:
        shift = db.session.get(Shift, agenda.shift_id)
        assert shift is not None
        location = shift.location
        settings = template_for(location.id)
        choices = ensure_choices(
            settings.template, shift, location.organisation_id, agenda.scope_key, agenda.day
        )
        for item in agenda.items:
            if item.slot_key == slot_key:
                update_item_from_choice(item, choices.get(slot_key))


def unopened_future(where: sa.ColumnElement[bool], now: datetime) -> list[Agenda]:
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
