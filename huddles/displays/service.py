"""Use cases of break-room screens: codes, pairing, the credential, and what a screen shows.

A screen that opens /display gets a random credential (an HttpOnly cookie scoped to /display,
stored here as SHA-256) and a six-character code. A lead or admin pairs the code with a
location; from then on the credential opens that location's screen and nothing else.
Unpairing deletes the row: the credential dies at once and the screen asks for a new code.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from huddles.agenda import days as agenda_days
from huddles.agenda import planning as agenda_planning
from huddles.agenda.models import Agenda
from huddles.attendance import service as attendance_service
from huddles.attendance.models import Attendance
from huddles.auth.models import User
from huddles.displays.models import Display, DisplayState
from huddles.extensions import db, upsert
from huddles.kudos import service as kudos_service
from huddles.kudos.models import Kudos
from huddles.org.models import Location, Shift
from huddles.validation import FieldError

# Capital letters and digits without the look-alikes 0/O, 1/I/L, 5/S, 2/Z, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
CODE_LIFETIME = timedelta(minutes=15)
# A planned huddle is on the screen from 30 minutes before its shift to an hour after it began.
WINDOW_BEFORE = timedelta(minutes=30)
WINDOW_AFTER = timedelta(minutes=60)
LATEST_KUDOS = 3
# After the lead finishes, the screen says so (and thanks the room) for a while.
DONE_SHOWN = timedelta(minutes=10)
# Unpaired screens nobody has looked at for this long are forgotten.
UNPAIRED_KEPT = timedelta(days=2)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: Any) -> str:
    """The code as typed (spaces, dashes and case forgiven), or a FieldError naming `code`."""
    code = "".join(str(raw or "").split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise FieldError(
            "code",
            _("A pairing code is %(n)s letters and digits, as shown on the screen.", n=CODE_LENGTH),
        )
    return code


def first_name(name: str) -> str:
    """What a screen shows of a person: the first word of their name."""
    parts = name.split()
    return parts[0] if parts else ""


# --- The screen's credential -------------------------------------------------------------------


def _fresh_code(display: Display, now: datetime) -> None:
    display.code = new_code()
    display.code_expires_at = now + CODE_LIFETIME


def _commit_with_fresh_code(display: Display, now: datetime) -> None:
    """Commit; on the rare clash of a code with another screen's, draw again."""
    for _attempt in range(5):
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            db.session.add(display)
            _fresh_code(display, now)
    raise RuntimeError("could not draw a free pairing code")


def new_display(*, now: datetime) -> tuple[Display, str]:
    """A new unpaired screen with its code; returns it and its credential in clear. Commits."""
    token = secrets.token_urlsafe(32)
    display = Display(token_hash=hash_token(token), created_at=now, last_seen_at=now)
    _fresh_code(display, now)
    db.session.add(display)
    _commit_with_fresh_code(display, now)
    return display, token


def display_for_token(token: str | None) -> Display | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(sa.select(Display).where(Display.token_hash == hash_token(token)))


def poll_key(token: str | None) -> tuple[Any, ...] | None:
    """What a screen's poll depends on, in one indexed query: None for an unknown credential.

    Besides the screen and its location's version, the huddle the lead is showing: its status
    and its attendance marks, so a start, a finish or a tap shows without anyone announcing it.
    """
    if not token or len(token) > 200:
        return None
    marks = sa.select(sa.func.count()).where(Attendance.agenda_id == DisplayState.agenda_id)
    last_mark = sa.select(sa.func.max(Attendance.marked_at)).where(
        Attendance.agenda_id == DisplayState.agenda_id
    )
    row = db.session.execute(
        sa.select(
            Display.id,
            Display.location_id,
            Display.code,
            Display.code_expires_at,
            DisplayState.version,
            Agenda.status,
            marks.scalar_subquery(),
            last_mark.scalar_subquery(),
        )
        .outerjoin(DisplayState, DisplayState.location_id == Display.location_id)
        .outerjoin(Agenda, Agenda.id == DisplayState.agenda_id)
        .where(Display.token_hash == hash_token(token))
    ).first()
    return tuple(row) if row is not None else None


def keep_code_fresh(display: Display, *, now: datetime) -> Display:
    """An unpaired screen whose code expired gets a new one; notes when the screen was seen."""
    changed = False
    if display.location_id is None and (
        display.code_expires_at is None or display.code_expires_at <= now
    ):
        _fresh_code(display, now)
        changed = True
    if display.last_seen_at is None or now - display.last_seen_at > timedelta(minutes=1):
        display.last_seen_at = now
        changed = True
    if changed:
        _commit_with_fresh_code(display, now)
    return display


# --- Pairing -----------------------------------------------------------------------------------


def pair(code: Any, location: Location, *, actor: User, now: datetime, name: str = "") -> Display:
    """Pair the screen showing `code` with the location; FieldError('code') if unknown or old."""
    wanted = normalise_code(code)
    display = db.session.scalar(sa.select(Display).where(Display.code == wanted).with_for_update())
    if display is None:
        raise FieldError(
            "code",
            _("No screen shows the code %(code)s, or it was already used.", code=wanted),
        )
    if display.code_expires_at is None or display.code_expires_at <= now:
        raise FieldError(
            "code",
            _("The code %(code)s has expired: the screen now shows a new one.", code=wanted),
        )
    name = name.strip()
    if len(name) > 80:
        raise FieldError("name", _("Keep the screen's name under %(n)s characters.", n=80))
    display.location_id = location.id
    display.code = None
    display.code_expires_at = None
    display.paired_at = now
    display.paired_by_id = actor.id
    display.name = name or _("Break room")
    _bump(location.id, now)
    db.session.commit()
    return display


def displays_of(location_ids: list[int]) -> list[Display]:
    """The paired screens of these locations, newest first."""
    if not location_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Display)
            .where(Display.location_id.in_(location_ids))
            .order_by(Display.paired_at.desc(), Display.id.desc())
        )
    )


def unpair(display: Display) -> None:
    """Forget the screen: its credential stops working at once and it shows a new code. Commits."""
    db.session.delete(display)
    db.session.commit()


def prune_unpaired(now: datetime) -> int:
    """Forget unpaired screens unseen for two days; commits."""
    result = db.session.execute(
        sa.delete(Display).where(
            Display.location_id.is_(None),
            sa.func.coalesce(Display.last_seen_at, Display.created_at) < now - UNPAIRED_KEPT,
        )
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def display_json(display: Display) -> dict[str, Any]:
    return {
        "id": display.id,
        "location_id": display.location_id,
        "name": display.name,
        "paired_at": display.paired_at.isoformat() if display.paired_at else None,
        "last_seen_at": display.last_seen_at.isoformat() if display.last_seen_at else None,
    }


# --- Following the lead ------------------------------------------------------------------------


def _bump(location_id: int, now: datetime, **values: Any) -> None:
    """Move the location's screen version on, setting `values` too: one upsert in the session's
    transaction (the first one makes the row; two first ones at once cannot both make it)."""
    table = DisplayState.__table__
    insert = upsert(table).values(location_id=location_id, version=1, updated_at=now, **values)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["location_id"],
            set_={"version": table.c.version + 1, "updated_at": now, **values},
        )
    )


def stage_change(location_id: int | None, *, agenda_id: int | None = None, now: datetime) -> None:
    """Something the screens show is changing in the session's transaction (a huddle started, a
    mark): the location's screens look again once it commits. It does not commit: the change and
    the screens' version are one transaction. Without the location, the agenda's is found."""
    if location_id is None and agenda_id is not None:
        location_id = db.session.scalar(
            sa.select(Shift.location_id)
            .join(Agenda, Agenda.shift_id == Shift.id)
            .where(Agenda.id == agenda_id)
        )
    if location_id is not None:
        _bump(location_id, now)


def follow(shift: Shift, day: date, slot: Any, *, now: datetime) -> DisplayState:
    """The lead's phone moved to `slot` of the huddle of (shift, day): the screens follow."""
    if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < 50:
        raise FieldError("slot", _("slot must be the number of a slot of the huddle."))
    agenda = attendance_service.find_agenda(shift, day)
    if agenda is None:
        raise FieldError("date", _("There is no huddle of %(shift)s that day.", shift=shift.name))
    _bump(shift.location_id, now, agenda_id=agenda.id, slot=slot)
    db.session.commit()
    state = db.session.get(DisplayState, shift.location_id)
    assert state is not None
    return state


# --- What the screen shows ---------------------------------------------------------------------


@dataclass
class Moment:
    """The huddle a screen shows now, or None between huddles, and what the idle screen needs."""

    location: Location
    now: datetime
    mode: str  # "huddle", "done" (for a while after the lead finished) or "idle"
    shift: Shift | None = None
    day: date | None = None
    agenda: Agenda | None = None
    slot: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    roster: list[dict[str, Any]] = field(default_factory=list)
    here: int = 0

    @property
    def duration(self) -> str | None:
        """How long the huddle ran, M:SS."""
        agenda = self.agenda
        if agenda is None or agenda.started_at is None or agenda.finished_at is None:
            return None
        seconds = int((agenda.finished_at - agenda.started_at).total_seconds())
        return f"{seconds // 60}:{seconds % 60:02d}"

    next_start: str | None = None
    next_shift: str | None = None
    next_day: date | None = None
    topic_title: str | None = None
    kudos: list[dict[str, Any]] = field(default_factory=list)


def _occurrences(shifts: list[Shift], now: datetime) -> list[tuple[datetime, Shift, date]]:
    """Each active shift's current or next occurrence: (start, shift, day), soonest first."""
    found = []
    for shift in shifts:
        if not shift.active or shift.weekday_mask == 0:
            continue
        zone = ZoneInfo(shift.location.timezone)
        day = agenda_days.shift_day(shift, now)
        found.append((agenda_days.shift_start(shift, day, zone), shift, day))
    return sorted(found, key=lambda entry: (entry[0], entry[1].name))


def _in_window(start: datetime, now: datetime) -> bool:
    return start - WINDOW_BEFORE <= now < start + WINDOW_AFTER


def _choose(
    location: Location, shifts: list[Shift], now: datetime
) -> tuple[Shift, date, Agenda | None, int] | None:
    """The huddle of the moment: the lead's current one, a running one, or one in its window."""
    by_id = {shift.id: shift for shift in shifts}
    today = agenda_days.local_today(location, now)
    agendas = list(
        db.session.scalars(
            sa.select(Agenda).where(
                Agenda.shift_id.in_(list(by_id) or [0]),
                Agenda.day.in_([today - timedelta(days=1), today]),
            )
        )
    )
    state = db.session.get(DisplayState, location.id)
    chosen = next((a for a in agendas if state and a.id == state.agenda_id), None)
    if (
        chosen is not None
        and chosen.status == "done"
        and chosen.finished_at is not None
        and now - chosen.finished_at < DONE_SHOWN
    ):
        return by_id[chosen.shift_id], chosen.day, chosen, 0
    if chosen is not None and chosen.status in ("planned", "running"):
        shift = by_id[chosen.shift_id]
        zone = ZoneInfo(location.timezone)
        start = agenda_days.shift_start(shift, chosen.day, zone)
        if chosen.status == "running" or _in_window(start, now):
            return shift, chosen.day, chosen, state.slot if state else 0
    running = [a for a in agendas if a.status == "running"]
    if running:
        latest = max(running, key=lambda a: (a.started_at or now, a.id))
        return by_id[latest.shift_id], latest.day, latest, 0
    found = {(a.shift_id, a.day): a for a in agendas}
    for start, shift, day in _occurrences(shifts, now):
        if not _in_window(start, now):
            continue
        planned = found.get((shift.id, day))
        if planned is None or planned.status == "planned":
            return shift, day, planned, 0
    return None


def moment(location: Location, *, now: datetime, locale: str) -> Moment:
    """What the location's screens show now."""
    shifts = list(
        db.session.scalars(
            sa.select(Shift).where(Shift.location_id == location.id, Shift.active.is_(True))
        )
    )
    chosen = _choose(location, shifts, now)
    if chosen is not None:
        shift, day, agenda, slot = chosen
        try:
            attendance_service.check_day(shift, day, now)
            if agenda is None or not agenda.items:
                agenda = agenda_planning.get_agenda(shift, day, now=now)
        except FieldError:
            agenda = None
        if agenda is not None:
            return _huddle_moment(location, now, locale, shift, day, agenda, slot)
    return _idle_moment(location, now, locale, shifts)


def _huddle_moment(
    location: Location,
    now: datetime,
    locale: str,
    shift: Shift,
    day: date,
    agenda: Agenda,
    slot: int,
) -> Moment:
    # The ten the lead's screen reads out, and how many more wait on the wall, from one statement
    # that brings only the two names.
    read_out = kudos_service.huddle_kudos_json(agenda)
    kudos = [
        {
            "to_name": first_name(k["to_name"]),
            "from_name": first_name(k["from_name"]),
            "message": k["message"],
            "value_label": k["value_label"],
        }
        for k in read_out
    ]
    data = agenda_planning.agenda_json(agenda, locale)
    items = data.get("items", [])
    rows = attendance_service.roster(shift, agenda)
    roster = [{"name": first_name(row.name), "status": row.status} for row in rows]
    here = sum(1 for row in rows if row.status in attendance_service.ATTENDED)
    return Moment(
        location,
        now,
        "done" if agenda.status == "done" else "huddle",
        shift=shift,
        day=day,
        agenda=agenda,
        slot=max(0, min(slot, len(items) - 1)) if items else 0,
        data={**data, "kudos": kudos, "kudos_more": read_out.more},
        roster=roster,
        here=here,
    )


def _idle_moment(location: Location, now: datetime, locale: str, shifts: list[Shift]) -> Moment:
    view = Moment(location, now, "idle")
    zone = ZoneInfo(location.timezone)
    upcoming = [entry for entry in _occurrences(shifts, now) if entry[0] > now]
    if upcoming:
        start, shift, day = upcoming[0]
        view.next_start = start.astimezone(zone).strftime("%H:%M")
        view.next_shift = shift.name
        view.next_day = day
    today = agenda_days.local_today(location, now)
    agenda = None
    if upcoming and upcoming[0][2] == today:
        # The next huddle's topic: its agenda is made now if the scheduler has not yet.
        agenda = agenda_planning.get_agenda(upcoming[0][1], today, now=now)
    else:
        agenda = db.session.scalar(
            sa.select(Agenda)
            .join(Shift, Shift.id == Agenda.shift_id)
            .where(Shift.location_id == location.id, Agenda.day == today)
            .order_by(Shift.starts_at, Shift.id)
            .limit(1)
        )
    if agenda is not None:
        items = agenda_planning.agenda_json(agenda, locale).get("items", [])
        topic = next(
            (
                item
                for item in items
                if item.get("fill") == "rotation" and item.get("kind") != "lexicon"
            ),
            None,
        )
        view.topic_title = topic["title"] if topic else None
    rows = db.session.execute(
        sa.select(Kudos.message, Kudos.value, User.name)
        .join(User, User.id == Kudos.to_user_id)
        .where(Kudos.location_id == location.id, Kudos.hidden_at.is_(None))
        .order_by(Kudos.created_at.desc(), Kudos.id.desc())
        .limit(LATEST_KUDOS)
    ).all()
    view.kudos = [
        {
            "to_name": first_name(name),
            "message": message,
            "value_label": kudos_service.value_label(value) or None,
        }
        for message, value, name in rows
    ]
    return view
