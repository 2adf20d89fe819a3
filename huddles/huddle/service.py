"""Use cases of the huddle screen: show it, start and finish it, notes, feedback, QR check-in.

Every change follows the rules of `lifecycle`, commits, and then sends its signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import segno
import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from huddles import signals
from huddles.agenda import planning
from huddles.agenda import window as agenda_window
from huddles.agenda.models import CLOSED_STATUSES, FEEDBACK_VALUES, Agenda
from huddles.attendance import service as attendance_service
from huddles.attendance.service import Headcount, HuddleConflict, NoHuddle, RosterRow
from huddles.auth.models import User
from huddles.extensions import db
from huddles.huddle import lifecycle
from huddles.kudos import service as kudos_service
from huddles.org.models import Location, Shift
from huddles.validation import FieldError

MAX_NOTES_LENGTH = 2000
CHECK_IN_MAX_AGE = 15 * 60
_CHECK_IN_SALT = "huddle-check-in"


@dataclass
class HuddleScreen:
    """Everything the huddle page shows, gathered in a constant number of queries."""

    shift: Shift
    day: date
    now: datetime
    agenda: Agenda
    data: dict[str, Any]
    kudos: list[dict[str, Any]]
    roster: list[RosterRow]
    can_lead: bool
    window: lifecycle.Window
    headcount: Headcount
    visitors: list[tuple[int, str]] = field(default_factory=list)
    started_by: str | None = None
    finished_by: str | None = None
    viewer_row: RosterRow | None = None

    @property
    def can_start(self) -> bool:
        return lifecycle.can_start(self.window, self.now, self.agenda.status)

    @property
    def phase(self) -> lifecycle.Phase:
        """Where attendance stands: not open yet, open, corrections only, or closed."""
        return lifecycle.attendance_phase(self.window, self.now)

    @property
    def opens_at(self) -> str:
        """When the window opens, HH:MM in the location's time zone."""
        return attendance_service.local_time(self.shift, self.window.opens_at)

    @property
    def closes_at(self) -> str:
        return attendance_service.local_time(self.shift, self.window.closes_at)

    @property
    def check_in_open(self) -> bool:
        return lifecycle.check_in_open(self.window, self.now, self.agenda.status)

    @property
    def is_past(self) -> bool:
        """The shift is over and so is the huddle: its page is its record."""
        return self.window.is_over(self.now) and self.agenda.status in CLOSED_STATUSES

    @property
    def feedback_open(self) -> bool:
        return self.agenda.status in ("running", "done")

    @property
    def topic_index(self) -> int | None:
        """The position (from 0) of the topic of the day, after which the room gives feedback."""
        items = self.data.get("items", [])
        for index, item in enumerate(items):
            if item.get("slot") == "topic":
                return index
        for index, item in enumerate(items):
            if item.get("fill") == "rotation" and item.get("kind") != "lexicon":
                return index
        return None

    @property
    def items_brief(self) -> list[dict[str, Any]]:
        """The slots as the screen's script needs them (the texts are in the page already)."""
        keys = ("position", "slot", "fill", "kind", "title", "minutes", "topic_slug")
        return [{key: item.get(key) for key in keys} for item in self.data.get("items", [])]

    @property
    def roster_json(self) -> list[dict[str, Any]]:
        return [row.to_json() for row in self.roster]

    @property
    def attended_count(self) -> int:
        return self.headcount.here

    @property
    def duration_seconds(self) -> int | None:
        if self.agenda.started_at and self.agenda.finished_at:
            return int((self.agenda.finished_at - self.agenda.started_at).total_seconds())
        return None

    @property
    def finished_time(self) -> str | None:
        """When it finished, HH:MM in the location's time zone."""
        if self.agenda.finished_at is None:
            return None
        zone = ZoneInfo(self.shift.location.timezone)
        return self.agenda.finished_at.astimezone(zone).strftime("%H:%M")

    @property
    def missed(self) -> list[RosterRow]:
        """People on the roster who were not there (not present or late, not excused)."""
        return [
            row
            for row in self.roster
            if not row.visitor and row.status not in ("present", "late", "excused")
        ]


def huddle_screen(
    shift: Shift, day: date, *, viewer: User, can_lead: bool, now: datetime, locale: str
) -> HuddleScreen:
    """Open the huddle of (shift, day) and gather what its screen shows.

    A day whose shift is over and that had no agenda never had a huddle: NoHuddle (404).
    """
    agenda = _agenda(shift, day, now, viewer)
    kudos = kudos_service.huddle_kudos_json(agenda)
    data = planning.agenda_json(agenda, locale, kudos=kudos)
    rows, others = attendance_service.roster_and_candidates(shift, agenda)
    counts = attendance_service.headcount_of(rows)
    window = attendance_service.window_of(shift, day)
    screen = HuddleScreen(shift, day, now, agenda, data, kudos, rows, can_lead, window, counts)
    if can_lead:
        screen.visitors = others
    screen.viewer_row = next((row for row in rows if row.user_id == viewer.id), None)
    people = {agenda.started_by_id, agenda.finished_by_id} - {None}
    if people:
        # The lead who ran it is nearly always among the people just loaded.
        names: dict[int | None, str] = {row.user_id: row.name for row in rows}
        names.update(others)
        names[viewer.id] = viewer.name
        missing = people - set(names)
        if missing:
            names.update(
                db.session.execute(sa.select(User.id, User.name).where(User.id.in_(missing)))
                .tuples()
                .all()
            )
        screen.started_by = names.get(agenda.started_by_id)
        screen.finished_by = names.get(agenda.finished_by_id)
    return screen


def _agenda(shift: Shift, day: date, now: datetime, actor: User) -> Agenda:
    """The agenda of (shift, day): made (and opened) only while its day has not passed."""
    attendance_service.check_day(shift, day, now)
    found = (
        db.session.scalars(
            agenda_window.agenda_query(fresh=True), {"shift_id": shift.id, "day": day}
        )
        .unique()
        .first()
    )
    if found is None and attendance_service.window_of(shift, day).is_over(now):
        raise NoHuddle("date", _("No huddle was planned for %(day)s.", day=day.isoformat()))
    if found is not None and found.opened_at is not None:
        return found
    return planning.open_agenda(shift, day, now=now, actor=actor)


def _send(signal: Any, **kwargs: Any) -> None:
    signal.send(current_app._get_current_object(), **kwargs)  # type: ignore[attr-defined]


def _not_startable(shift: Shift, day: date, agenda_status: str, now: datetime) -> HuddleConflict:
    win = attendance_service.window_of(shift, day)
    if agenda_status in CLOSED_STATUSES:
        return HuddleConflict("status", _("This huddle is over; it cannot be started again."))
    if not win.has_opened(now):
        return HuddleConflict(
            "date",
            _(
                "Too early: this huddle can be started from %(time)s on %(day)s "
                "(30 minutes before the shift).",
                time=attendance_service.local_time(shift, win.opens_at),
                day=attendance_service.local_moment(shift, win.opens_at)[:10],
            ),
        )
    return HuddleConflict(
        "date",
        _(
            "Too late: this shift ended at %(time)s; its huddle can no longer be started.",
            time=attendance_service.local_moment(shift, win.closes_at),
        ),
    )


def start_huddle(shift: Shift, day: date, *, actor: User, now: datetime) -> Agenda:
    """Start the huddle (who, when), only inside its window; starting it again changes nothing."""
    attendance_service.check_day(shift, day, now)
    found = attendance_service.find_agenda(shift, day)
    status = found.status if found is not None else "planned"
    if status == "running" and found is not None:
        return found
    if not lifecycle.can_start(attendance_service.window_of(shift, day), now, status):
        raise _not_startable(shift, day, status, now)
    agenda = _agenda(shift, day, now, actor)
    result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        sa.update(Agenda)
        .where(Agenda.id == agenda.id, Agenda.status == "planned")
        .values(status="running", started_at=now, started_by_id=actor.id)
    )
    if result.rowcount:
        signals.huddle_changing(agenda_id=agenda.id, location_id=shift.location_id)
    db.session.commit()
    db.session.refresh(agenda)
    if result.rowcount:
        _send(signals.huddle_started, agenda_id=agenda.id, actor_id=actor.id)
    return agenda


def finish_huddle(
    shift: Shift, day: date, kudos_ids: list[int], *, actor: User, now: datetime
) -> Agenda:
    """Finish a running huddle and record which kudos were read out; finishing again is a no-op."""
    attendance_service.check_day(shift, day, now)
    agenda = attendance_service.find_agenda(shift, day)
    if agenda is not None and agenda.status == "done":
        return agenda
    if agenda is None or agenda.status == "planned":
        raise HuddleConflict("status", _("This huddle has not started; start it first."))
    if agenda.status != "running":
        raise HuddleConflict(
            "status", _("This huddle was closed automatically; it can no longer be finished.")
        )
    kudos_service.mark_read_out(agenda, kudos_ids, now)
    result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        sa.update(Agenda)
        .where(Agenda.id == agenda.id, Agenda.status == "running")
        .values(status="done", finished_at=now, finished_by_id=actor.id)
    )
    if result.rowcount:
        signals.huddle_changing(agenda_id=agenda.id, location_id=shift.location_id)
    db.session.commit()
    db.session.refresh(agenda)
    if result.rowcount:
        _send(signals.huddle_finished, agenda_id=agenda.id, actor_id=actor.id)
    return agenda


def save_notes(shift: Shift, day: date, notes: str, *, actor: User, now: datetime) -> Agenda:
    """The lead's notes for the day, shown on the close slot; they can change until it is over."""
    notes = (notes or "").strip().replace("\r\n", "\n")
    if len(notes) > MAX_NOTES_LENGTH:
        raise FieldError(
            "notes",
            _(
                "Keep the notes under %(n)s characters (these have %(m)s).",
                n=MAX_NOTES_LENGTH,
                m=len(notes),
            ),
        )
    agenda = _agenda(shift, day, now, actor)
    if agenda.status in CLOSED_STATUSES:
        raise HuddleConflict("notes", _("This huddle is over; its notes can no longer change."))
    agenda.notes = notes
    signals.huddle_changing(agenda_id=agenda.id, location_id=shift.location_id)
    db.session.commit()
    return agenda


def record_feedback(shift: Shift, day: date, value: Any, *, actor: User, now: datetime) -> Agenda:
    """The room's verdict on the topic ("up" or "down"); repeating replaces it.

    It is given after the topic slot, so only once the huddle has started, and until the
    7 days of corrections after its shift are over.
    """
    if not isinstance(value, str) or value not in FEEDBACK_VALUES:
        raise FieldError(
            "topic",
            _(
                "topic must be one of: %(choices)s (not %(value)s).",
                choices=", ".join(FEEDBACK_VALUES),
                value=repr(value),
            ),
        )
    attendance_service.check_day(shift, day, now)
    agenda = attendance_service.find_agenda(shift, day)
    if agenda is None or agenda.status in ("planned", "missed"):
        raise HuddleConflict(
            "status", _("The room's feedback comes after the topic: start the huddle first.")
        )
    win = attendance_service.window_of(shift, day)
    if now >= win.corrections_until:
        raise HuddleConflict(
            "date", _("This huddle is more than 7 days past; its feedback can no longer change.")
        )
    agenda.topic_feedback = value
    agenda.feedback_by_id = actor.id
    agenda.feedback_at = now
    signals.huddle_changing(agenda_id=agenda.id, location_id=shift.location_id)
    db.session.commit()
    return agenda


@dataclass(frozen=True)
class Closed:
    """A huddle the scheduler closed."""

    agenda_id: int
    status: str
    reason: str


def close_open_huddles(*, now: datetime) -> list[Closed]:
    """Close what was left open: running huddles well past their length become `ended`, planned
    huddles whose shift is over `missed`; each records when (finished_at) and why (closed_reason).

    Idempotent and safe with two schedulers: each update is guarded by the status it expects,
    and only the process whose update took effect sends `huddle_closed`.
    """
    horizon = now.date() + timedelta(days=1)  # no zone is more than a day ahead of UTC
    rows = db.session.execute(
        sa.select(Agenda, Shift, Location.timezone)
        .join(Shift, Shift.id == Agenda.shift_id)
        .join(Location, Location.id == Shift.location_id)
        .where(Agenda.status.in_(("planned", "running")), Agenda.day <= horizon)
        .options(selectinload(Agenda.items))
    ).all()
    decisions: list[tuple[int, int, str, str, str]] = []
    for agenda, shift, timezone in rows:
        win = lifecycle.window_for(shift, timezone, agenda.day)
        if agenda.status == "running":
            length = lifecycle.planned_length(item.minutes for item in agenda.items)
            reason = lifecycle.end_reason(win, now, agenda.started_at, length)
            if reason is not None:
                decisions.append((agenda.id, shift.location_id, "running", "ended", reason))
        elif lifecycle.is_missed(win, now, agenda.status):
            decisions.append(
                (agenda.id, shift.location_id, "planned", "missed", lifecycle.REASON_NEVER_STARTED)
            )
    closed: list[Closed] = []
    for agenda_id, location_id, old, new, reason in decisions:
        result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
            sa.update(Agenda)
            .where(Agenda.id == agenda_id, Agenda.status == old)
            .values(status=new, finished_at=now, closed_reason=reason)
        )
        if result.rowcount:
            closed.append(Closed(agenda_id, new, reason))
            signals.huddle_changing(agenda_id=agenda_id, location_id=location_id)
    db.session.commit()
    for item in closed:
        _send(signals.huddle_closed, agenda_id=item.agenda_id, status=item.status)
    return closed


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CHECK_IN_SALT)


def check_in_token(agenda: Agenda) -> str:
    """A signed token that lets people on the roster check themselves in to this huddle only."""
    return str(_serializer().dumps({"agenda": agenda.id}))


def check_in_token_for(shift: Shift, day: date, *, actor: User, now: datetime) -> str:
    """A fresh check-in token for the huddle of (shift, day)."""
    return check_in_token(_agenda(shift, day, now, actor))


def check_in_qr_svg(url: str) -> Markup:
    """The URL as a QR code, an SVG element (dark on white, with a quiet zone around)."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)  # noqa: S704  (segno's own markup; the URL is encoded as modules)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for phones: under HUDDLES_PUBLIC_URL when set, else this request's host."""
    base = str(current_app.config.get("HUDDLES_PUBLIC_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def check_in_target(token: str, user: User, *, now: datetime) -> tuple[Agenda, Shift]:
    """The huddle a check-in token is for, or a FieldError naming `token` (bad, old, not yours).

    The link is bound to that huddle's check-in window: once the huddle is over it fails.
    """
    try:
        payload = _serializer().loads(token, max_age=CHECK_IN_MAX_AGE)
    except SignatureExpired:
        raise FieldError(
            "token", _("This check-in code has expired. Scan the code on the screen again.")
        ) from None
    except BadSignature:
        raise FieldError("token", _("This check-in link is not valid.")) from None
    agenda_id = payload.get("agenda") if isinstance(payload, dict) else None
    agenda = db.session.get(Agenda, agenda_id) if isinstance(agenda_id, int) else None
    shift = db.session.get(Shift, agenda.shift_id) if agenda is not None else None
    if agenda is None or shift is None or shift.location.organisation_id != user.organisation_id:
        raise FieldError("token", _("This check-in link is not valid."))
    try:
        attendance_service.check_in_allowed(shift, agenda.status, agenda.day, now=now)
    except HuddleConflict as error:
        raise HuddleConflict("token", error.message) from None
    return agenda, shift


def check_in(token: str, user: User, *, now: datetime) -> tuple[Agenda, Shift]:
    """Check a person in with a token from the screen: they must be on the shift's roster."""
    agenda, shift = check_in_target(token, user, now=now)
    attendance_service.check_in_self(shift, agenda, user, now=now, via="qr")
    return agenda, shift


def catch_up(shift: Shift, day: date, user: User, *, now: datetime) -> Agenda:
    """Record that a person read a huddle they missed."""
    agenda = _agenda(shift, day, now, user)
    attendance_service.mark_caught_up(agenda, user, now=now)
    return agenda
