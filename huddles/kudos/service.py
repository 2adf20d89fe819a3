"""Use cases of kudos: give, list, moderate, read out at a huddle, and who has not been thanked."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.util import identity_key

from huddles import signals
from huddles.agenda.models import Agenda
from huddles.auth.models import User
from huddles.extensions import commit_keeping_loaded, db
from huddles.i18n import current_translations
from huddles.kudos.models import MAX_MESSAGE_LENGTH, MAX_REASON_LENGTH, Kudos
from huddles.org.models import Location, RosterEntry, Shift
from huddles.validation import FieldError

# The service values a kudos can name (slug -> label), in the order the form offers them.
VALUES: dict[str, Any] = {
    "default-of-yes": _l("Default of yes"),
    "wow": _l("A wow moment"),
    "last-word": _l("The last word"),
    "recovery": _l("Service recovery"),
    "teamwork-under-stress": _l("Teamwork under stress"),
    "greeting": _l("A great greeting"),
    "extra-mile": _l("Going the extra mile"),
    "colleague-as-customer": _l("Serving a colleague"),
}

Item = TypeVar("Item")

# With no earlier huddle of the shift, the thank-yous of this many days are read out.
HUDDLE_LOOKBACK_DAYS = 7
# The most thank-yous a huddle reads out, oldest first: about what the one-minute Thank-yous slot
# has time for, read aloud at five or six seconds each. The rest stay on the wall, and the screen
# says how many there are.
HUDDLE_KUDOS_MAX = 10
_CAP_RETRIES = 5
# `since` before this means "from the start" (and keeps far-past dates inside datetime's range).
EPOCH = date(2000, 1, 1)


class KudosCapReached(FieldError):
    """The giver has used up today's thank-yous."""

    code = "kudos_daily_cap"

    def __init__(self, cap: int) -> None:
        super().__init__(
            "daily_cap",
            _(
                "You have thanked %(n)s people today; that is the daily limit, so that each "
                "thank-you stays special. You can thank more colleagues tomorrow.",
                n=cap,
            ),
        )
        self.cap = cap


def value_labels() -> dict[str, str]:
    """Every service value's label in the request's language (slug -> label), in form order."""
    return _labels_of(current_translations())


@functools.lru_cache(maxsize=16)
def _labels_of(translations: object) -> dict[str, str]:
    # Once per catalogue, not once a kudos: the huddle reads a hundred out, and a lazy string
    # finds Flask-Babel's context, locale and catalogue anew each time it is made text. The
    # labels are made text under the language whose catalogue is the key.
    return {key: str(label) for key, label in VALUES.items()}


def value_label(value: str | None) -> str:
    """The translated label of a service value ('' for none)."""
    return value_labels().get(value or "", "")


def local_day(location: Location | None, now: datetime) -> date:
    """The date at `now` in the location's time zone (UTC without a location)."""
    zone = ZoneInfo(location.timezone) if location is not None else UTC
    return now.astimezone(zone).date()


def _check_receiver(giver: User, to_user_id: int | None) -> User:
    if to_user_id is None:
        raise FieldError("to_user_id", _("Choose the colleague you want to thank."))
    receiver = db.session.get(User, to_user_id)
    if receiver is None or receiver.organisation_id != giver.organisation_id:
        raise FieldError("to_user_id", _("There is no colleague %(id)s.", id=to_user_id))
    if receiver.id == giver.id:
        raise FieldError(
            "to_user_id", _("You cannot thank yourself; thank a colleague who helped you.")
        )
    if not receiver.active:
        raise FieldError("to_user_id", _("%(name)s no longer works here.", name=receiver.name))
    if receiver.location_id is None:
        raise FieldError(
            "to_user_id",
            _(
                "%(name)s does not work at a location, so cannot be thanked here.",
                name=receiver.name,
            ),
        )
    if not giver.is_admin and receiver.location_id != giver.location_id:
        raise FieldError("to_user_id", _("%(name)s works at another location.", name=receiver.name))
    return receiver


def _check_message(message: str | None) -> str:
    message = (message or "").strip()
    if not message:
        raise FieldError("message", _("Write a few words: what did they do?"))
    if len(message) > MAX_MESSAGE_LENGTH:
        raise FieldError(
            "message",
            _(
                "A kudos is at most %(max)s characters; this one has %(n)s.",
                max=MAX_MESSAGE_LENGTH,
                n=len(message),
            ),
        )
    return message


def _check_value(value: str | None) -> str | None:
    value = (value or "").strip() or None
    if value is not None and value not in VALUES:
        raise FieldError("value", _("Unknown service value %(value)s.", value=value))
    return value


def give_kudos(
    giver: User,
    *,
    to_user_id: int | None,
    message: str | None,
    value: str | None,
    now: datetime,
    daily_cap: int,
) -> Kudos:
    """Thank a colleague; raises FieldError (KudosCapReached when today's cap is used up)."""
    receiver = _check_receiver(giver, to_user_id)
    text = _check_message(message)
    value = _check_value(value)
    giver_id, receiver_id, location_id = giver.id, receiver.id, receiver.location_id
    assert location_id is not None
    day = local_day(giver.location, now)
    for _attempt in range(_CAP_RETRIES):
        used: int = (
            db.session.scalar(
                sa.select(sa.func.max(Kudos.daily_number)).where(
                    Kudos.from_user_id == giver_id, Kudos.given_on == day
                )
            )
            or 0
        )
        if used >= daily_cap:
            raise KudosCapReached(daily_cap)
        kudos = Kudos(
            location_id=location_id,
            from_user_id=giver_id,
            to_user_id=receiver_id,
            message=text,
            value=value,
            created_at=now,
            given_on=day,
            daily_number=used + 1,
        )
        db.session.add(kudos)
        try:
            # The location's screens show its thank-yous. Their version is one more statement:
            # it flushes the thank-you first.
            signals.huddle_changing(location_id=location_id)
            # The answer is the thank-you just written, with its giver and receiver as loaded.
            commit_keeping_loaded()
        except IntegrityError:
            # Another request of the same giver took that place in the day: count again.
            db.session.rollback()
            continue
        return kudos
    raise KudosCapReached(daily_cap)


@dataclass(frozen=True)
class KudosPage(Generic[Item]):
    items: list[Item]
    page: int
    per_page: int
    total: int
    # True when `total` stopped at the count's bound: there are more than that.
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class WallKudos:
    """A kudos as the wall shows it, its people's names in it: nothing is left to load."""

    id: int
    giver_name: str
    receiver_name: str
    message: str
    value: str | None
    created_at: datetime
    read_out_at: datetime | None
    hidden_at: datetime | None
    hidden_by_name: str | None
    hidden_reason: str | None


@functools.cache
def _conditions(
    *, include_hidden: bool, by_person: bool, by_value: bool, since: bool
) -> tuple[sa.ColumnElement[bool], ...]:
    """Which kudos of a location a wall lists, its values bound (see `_parameters`); each
    filter has an index (see models.Kudos). Built once per shape, as the statements are."""
    kudos = Kudos.__table__.c
    conditions: list[sa.ColumnElement[bool]] = [kudos.location_id == sa.bindparam("location_id")]
    if not include_hidden:
        conditions.append(kudos.hidden_at.is_(None))
    if by_person:
        person: sa.BindParameter[int] = sa.bindparam("person_id")
        conditions.append(sa.or_(kudos.to_user_id == person, kudos.from_user_id == person))
    if by_value:
        conditions.append(kudos.value == sa.bindparam("value"))
    if since:
        conditions.append(kudos.created_at >= sa.bindparam("since_at"))
    return tuple(conditions)


@dataclass(frozen=True)
class _Shape:
    """What a request asks of a wall, as far as the statement's form depends on it."""

    include_hidden: bool
    by_person: bool
    by_value: bool
    since: bool
    bounded: bool

    @property
    def conditions(self) -> tuple[sa.ColumnElement[bool], ...]:
        return _conditions(
            include_hidden=self.include_hidden,
            by_person=self.by_person,
            by_value=self.by_value,
            since=self.since,
        )


@dataclass(frozen=True)
class _Asked:
    """A request of a wall's page: its shape and the values bound into its statements."""

    shape: _Shape
    parameters: dict[str, Any]
    page: int
    per_page: int
    bound: int | None


def _asked(
    location: Location,
    *,
    include_hidden: bool,
    person_id: int | None,
    value: str | None,
    since: date | None,
    page: int,
    per_page: int,
    count_bound: int | None,
) -> _Asked:
    since_at = None
    if since is not None and since > EPOCH:
        since_at = datetime.combine(since, time(), ZoneInfo(location.timezone))
    # The count stops this far: `count_bound` kudos past the page (None: it counts them all).
    bound = None if count_bound is None else page * per_page + count_bound
    shape = _Shape(
        include_hidden, person_id is not None, bool(value), since_at is not None, bound is not None
    )
    parameters = {
        "location_id": location.id,
        "person_id": person_id,
        "value": value,
        "since_at": since_at,
        "limit": per_page,
        "offset": (page - 1) * per_page,
        "count_limit": None if bound is None else bound + 1,
    }
    return _Asked(shape, parameters, page, per_page, bound)


@functools.cache
def _count_statement(shape: _Shape) -> sa.Select[tuple[int]]:
    """How many kudos the wall lists, stopping one past the bound when it has one."""
    ids = sa.select(Kudos.__table__.c.id).where(*shape.conditions)
    if shape.bounded:
        ids = ids.limit(sa.bindparam("count_limit"))
    return sa.select(sa.func.count()).select_from(ids.subquery())


def _page_of(asked: _Asked, items: list[Item], total: int | None) -> KudosPage[Item]:
    """The page; `total` rode in its rows (None: there were none, so a page past the end
    counts apart, in the only second statement a page ever takes)."""
    if total is None:
        total = 0
        if asked.page > 1:
            count = _count_statement(asked.shape)
            total = db.session.connection().execute(count, asked.parameters).scalar() or 0
    if asked.bound is not None and total > asked.bound:
        return KudosPage(items, asked.page, asked.per_page, asked.bound, more=True)
    return KudosPage(items, asked.page, asked.per_page, total)


@functools.cache
def _kudos_page_statement(shape: _Shape) -> sa.Select[tuple[Kudos, int]]:
    kudos = Kudos.__table__.c
    return (
        sa.select(Kudos, _count_statement(shape).scalar_subquery().label("total"))
        .where(*shape.conditions)
        .options(joinedload(Kudos.giver), joinedload(Kudos.receiver), joinedload(Kudos.hidden_by))
        .order_by(kudos.created_at.desc(), kudos.id.desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


def kudos_page(
    location: Location,
    *,
    include_hidden: bool,
    person_id: int | None = None,
    value: str | None = None,
    since: date | None = None,
    page: int = 1,
    per_page: int = 20,
    count_bound: int | None = None,
) -> KudosPage[Kudos]:
    """One page of a location's kudos, newest first, names loaded, the count in it (one query).

    With `count_bound` the count stops after that many kudos beyond the page (a wall with years
    of thank-yous is not counted in full on every view): `more` says there are more.
    """
    asked = _asked(
        location,
        include_hidden=include_hidden,
        person_id=person_id,
        value=value,
        since=since,
        page=page,
        per_page=per_page,
        count_bound=count_bound,
    )
    rows = db.session.execute(_kudos_page_statement(asked.shape), asked.parameters).all()
    return _page_of(asked, [kudos for kudos, _total in rows], rows[0][1] if rows else None)


@functools.cache
def _wall_statement(shape: _Shape) -> sa.Select[Any]:
    """The wall's one statement: the page is cut first and the names are joined to its kudos
    alone; the count (stopping at the bound) rides in every row. Plain columns, no entities."""
    kudos, users = Kudos.__table__.c, User.__table__
    shown = (
        sa.select(
            kudos.id,
            kudos.from_user_id,
            kudos.to_user_id,
            kudos.message,
            kudos.value,
            kudos.created_at,
            kudos.read_out_at,
            kudos.hidden_at,
            kudos.hidden_by_id,
            kudos.hidden_reason,
        )
        .where(*shape.conditions)
        .order_by(kudos.created_at.desc(), kudos.id.desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
        .subquery("shown")
    )
    giver, receiver, hider = users.alias("giver"), users.alias("receiver"), users.alias("hider")
    return (
        sa.select(
            shown.c.id,
            giver.c.name,
            receiver.c.name,
            shown.c.message,
            shown.c.value,
            shown.c.created_at,
            shown.c.read_out_at,
            shown.c.hidden_at,
            hider.c.name,
            shown.c.hidden_reason,
            _count_statement(shape).scalar_subquery(),
        )
        .join(giver, giver.c.id == shown.c.from_user_id)
        .join(receiver, receiver.c.id == shown.c.to_user_id)
        .outerjoin(hider, hider.c.id == shown.c.hidden_by_id)
        .order_by(shown.c.created_at.desc(), shown.c.id.desc())
    )


def wall_page(
    location: Location,
    *,
    include_hidden: bool,
    person_id: int | None = None,
    value: str | None = None,
    page: int = 1,
    per_page: int = 20,
    count_bound: int | None = None,
) -> KudosPage[WallKudos]:
    """The kudos_page of the wall with only what it shows: one statement."""
    asked = _asked(
        location,
        include_hidden=include_hidden,
        person_id=person_id,
        value=value,
        since=None,
        page=page,
        per_page=per_page,
        count_bound=count_bound,
    )
    # A Core statement: straight on the session's connection, past the ORM's execution steps
    # (its statements are built once, not per request: building them cost more than running).
    statement = _wall_statement(asked.shape)
    rows = db.session.connection().execute(statement, asked.parameters).all()
    return _page_of(asked, [WallKudos(*row[:-1]) for row in rows], rows[0][-1] if rows else None)


_COLLEAGUES = (
    sa.select(User.__table__.c.id, User.__table__.c.name)
    .where(
        User.__table__.c.location_id == sa.bindparam("location_id"),
        User.__table__.c.active.is_(True),
    )
    .order_by(User.__table__.c.name, User.__table__.c.id)
)


def colleagues(location: Location) -> list[sa.Row[tuple[int, str]]]:
    """The active people of a location (id and name), by name: whom one can thank there."""
    return list(db.session.connection().execute(_COLLEAGUES, {"location_id": location.id}))


def _kudos_at(location: Location, kudos_id: int) -> Kudos:
    kudos = db.session.get(Kudos, kudos_id)
    if kudos is None or kudos.location_id != location.id:
        raise FieldError("kudos_id", _("There is no kudos %(id)s here.", id=kudos_id))
    return kudos


def hide_kudos(
    actor: User, location: Location, kudos_id: int, *, reason: str | None, now: datetime
) -> Kudos:
    """Hide a kudos from staff and the huddle, recording who and why (the caller checks rights)."""
    kudos = _kudos_at(location, kudos_id)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", _("Say why this kudos is hidden."))
    if len(reason) > MAX_REASON_LENGTH:
        raise FieldError(
            "reason", _("The reason is at most %(max)s characters.", max=MAX_REASON_LENGTH)
        )
    kudos.hidden_at, kudos.hidden_by_id, kudos.hidden_reason = now, actor.id, reason
    signals.huddle_changing(location_id=location.id)
    db.session.commit()
    return kudos


def unhide_kudos(actor: User, location: Location, kudos_id: int) -> Kudos:
    """Show a hidden kudos again (the caller checks rights)."""
    kudos = _kudos_at(location, kudos_id)
    kudos.hidden_at, kudos.hidden_by_id, kudos.hidden_reason = None, None, None
    signals.huddle_changing(location_id=location.id)
    db.session.commit()
    return kudos


def _timezone_of_shift(shift_id: int) -> str:
    """The shift's time zone: from the session when a page has loaded it, else one query."""
    shift = db.session.identity_map.get(identity_key(Shift, shift_id))
    if shift is not None:
        state: sa.orm.InstanceState[Shift] = sa.inspect(shift)
        location = state.attrs.location.loaded_value if "location" not in state.unloaded else None
        if isinstance(location, Location) and "timezone" not in sa.inspect(location).unloaded:
            return location.timezone
    return str(
        db.session.scalar(
            sa.select(Location.timezone)
            .join(Shift, Shift.location_id == Location.id)
            .where(Shift.id == shift_id)
        )
    )


def _for_huddle() -> list[sa.ColumnElement[bool]]:
    """Which kudos a huddle reads out: to the shift's roster since its previous huddle, unread
    and not hidden, and those already read out at this very agenda (so a huddle screen shown
    again after mark_read_out still lists them). The cut-off (the previous huddle's start, else
    a week back) is a subquery, so it all stays one statement. Its values are bound parameters
    (`_huddle_parameters`): the statements are built once."""
    shift_id = sa.bindparam("shift_id", type_=Agenda.shift_id.type)
    previous_start = (
        sa.select(sa.func.max(sa.func.coalesce(Agenda.started_at, Agenda.finished_at)))
        .where(
            Agenda.shift_id == shift_id,
            Agenda.day < sa.bindparam("day", type_=Agenda.day.type),
            sa.or_(Agenda.started_at.is_not(None), Agenda.finished_at.is_not(None)),
        )
        .scalar_subquery()
    )
    since = sa.func.coalesce(previous_start, sa.bindparam("lookback", type_=Kudos.created_at.type))
    unread = sa.and_(Kudos.read_out_agenda_id.is_(None), Kudos.created_at >= since)
    agenda_id = sa.bindparam("agenda_id", type_=Kudos.read_out_agenda_id.type)
    return [
        Kudos.to_user_id.in_(
            sa.select(RosterEntry.user_id).where(RosterEntry.shift_id == shift_id)
        ),
        Kudos.hidden_at.is_(None),
        sa.or_(unread, Kudos.read_out_agenda_id == agenda_id),
    ]


def _huddle_parameters(agenda: Agenda) -> dict[str, Any]:
    first_day = agenda.day - timedelta(days=HUDDLE_LOOKBACK_DAYS)
    zone = ZoneInfo(_timezone_of_shift(agenda.shift_id))
    return {
        "shift_id": agenda.shift_id,
        "day": agenda.day,
        "agenda_id": agenda.id,
        "lookback": datetime.combine(first_day, time(), zone),
    }


@functools.cache
def _huddle_kudos_query() -> sa.Select[tuple[Kudos]]:
    return (
        sa.select(Kudos)
        .options(joinedload(Kudos.giver), joinedload(Kudos.receiver))
        .where(*_for_huddle())
        .order_by(Kudos.created_at, Kudos.id)
        .limit(HUDDLE_KUDOS_MAX)
    )


# Made once: a new alias each call would cost more than loading both people whole.
_GIVER, _RECEIVER = aliased(User, name="giver"), aliased(User, name="receiver")


@functools.cache
def _huddle_kudos_names_query() -> sa.Select[tuple[Kudos, str, str, int]]:
    # With how many there are in all (a window count, in the same statement).
    return (
        sa.select(Kudos, _GIVER.name, _RECEIVER.name, sa.func.count().over())
        .join(_GIVER, _GIVER.id == Kudos.from_user_id)
        .join(_RECEIVER, _RECEIVER.id == Kudos.to_user_id)
        .where(*_for_huddle())
        .order_by(Kudos.created_at, Kudos.id)
        .limit(HUDDLE_KUDOS_MAX)
    )


class ReadOut(list[dict[str, Any]]):
    """The JSON of the thank-yous a huddle reads out, and `more`: how many others it has no time
    for (they stay on the wall)."""

    more: int = 0


def kudos_for_huddle(agenda: Agenda) -> list[Kudos]:
    """The kudos a huddle reads out (see `_for_huddle`), oldest first, at most
    HUDDLE_KUDOS_MAX; one query."""
    query = _huddle_kudos_query()
    return list(db.session.scalars(query, _huddle_parameters(agenda)).unique())


def huddle_kudos_json(agenda: Agenda) -> ReadOut:
    """`kudos_json` of the kudos a huddle reads out, oldest first, at most HUDDLE_KUDOS_MAX, and
    how many more there are: one query that brings only the names of giver and receiver, not
    the whole of both people (the huddle page and the agenda API ask for it on every view)."""
    rows = db.session.execute(_huddle_kudos_names_query(), _huddle_parameters(agenda)).all()
    read_out = ReadOut(
        kudos_json(kudos, names=(given_by, given_to)) for kudos, given_by, given_to, _ in rows
    )
    read_out.more = rows[0][3] - len(rows) if rows else 0
    return read_out


def mark_read_out(agenda: Agenda, kudos_ids: list[int], now: datetime) -> None:
    """Record that these kudos were read out at this huddle; repeating it changes nothing."""
    if not kudos_ids:
        return
    ids = sorted(set(kudos_ids))
    location_id = sa.select(Shift.location_id).where(Shift.id == agenda.shift_id).scalar_subquery()
    known = set(
        db.session.scalars(
            sa.select(Kudos.id).where(Kudos.id.in_(ids), Kudos.location_id == location_id)
        )
    )
    unknown = [kudos_id for kudos_id in ids if kudos_id not in known]
    if unknown:
        raise FieldError(
            "kudos_ids",
            _("There is no kudos %(ids)s at this location.", ids=", ".join(map(str, unknown))),
        )
    db.session.execute(
        sa.update(Kudos)
        .where(Kudos.id.in_(ids), Kudos.read_out_agenda_id.is_(None))
        .values(read_out_agenda_id=agenda.id, read_out_at=now)
    )
    db.session.commit()


@functools.cache
def _unthanked_query() -> sa.Select[tuple[int, str]]:
    """Active people on some shifts' rosters, but one, whom nobody thanked since a moment
    (hidden thank-yous do not count), by name: built once, its values bound."""
    thanked = sa.exists().where(
        Kudos.to_user_id == User.id,
        Kudos.created_at >= sa.bindparam("since", type_=Kudos.created_at.type),
        Kudos.hidden_at.is_(None),
    )
    on_shifts = sa.select(RosterEntry.user_id).where(
        RosterEntry.shift_id.in_(sa.bindparam("shift_ids", type_=sa.Integer, expanding=True))
    )
    return (
        sa.select(User.id, User.name)
        .where(
            User.id.in_(on_shifts),
            User.active.is_(True),
            User.id != sa.bindparam("leaving_out", type_=sa.Integer),
            ~thanked,
        )
        .order_by(User.name, User.id)
    )


def unthanked_people(
    shift_ids: list[int], now: datetime, days: int = 30, *, leaving_out: int | None = None
) -> list[sa.Row[tuple[int, str]]]:
    """(id, name) of the active people on these shifts' rosters whom nobody has thanked in
    `days` days, by name, leaving out one person (the viewer) if named; one statement."""
    if not shift_ids:
        return []
    values = {
        "shift_ids": shift_ids,
        "since": now - timedelta(days=days),
        "leaving_out": leaving_out if leaving_out is not None else 0,
    }
    return list(db.session.execute(_unthanked_query(), values))


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def kudos_json(
    kudos: Kudos, *, moderation: bool = False, names: tuple[str, str] | None = None
) -> dict[str, Any]:
    """The JSON of a kudos; with moderation, who hid it and why (for leads and admins).
    `names` are the giver's and receiver's names when the caller loaded them already."""
    from_name, to_name = names if names is not None else (kudos.giver.name, kudos.receiver.name)
    data: dict[str, Any] = {
        "id": kudos.id,
        "location_id": kudos.location_id,
        "from_user_id": kudos.from_user_id,
        "from_name": from_name,
        "to_user_id": kudos.to_user_id,
        "to_name": to_name,
        "message": kudos.message,
        "value": kudos.value,
        "value_label": value_label(kudos.value) or None,
        "created_at": _iso(kudos.created_at),
        "read_out_at": _iso(kudos.read_out_at),
        "read_out_agenda_id": kudos.read_out_agenda_id,
    }
    if moderation:
        data["hidden"] = kudos.hidden
        data["hidden_at"] = _iso(kudos.hidden_at)
        data["hidden_by_id"] = kudos.hidden_by_id
        data["hidden_reason"] = kudos.hidden_reason
    return data
