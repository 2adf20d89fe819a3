"""Use cases of the huddle screen: show it, start and finish it, the lead's notes, QR check-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup

from huddles.agenda import planning
from huddles.agenda.models import Agenda
from huddles.attendance import service as attendance_service
from huddles.attendance.service import RosterRow
from huddles.auth.models import User
from huddles.extensions import db
from huddles.kudos import service as kudos_service
from huddles.org.models import Shift
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
    visitors: list[tuple[int, str]] = field(default_factory=list)
    started_by: str | None = None
    finished_by: str | None = None
    viewer_row: RosterRow | None = None

    @property
    def roster_json(self) -> list[dict[str, Any]]:
        return [row.to_json() for row in self.roster]

    @property
    def attended_count(self) -> int:
        return sum(1 for row in self.roster if row.status in attendance_service.ATTENDED)

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
    """Open the huddle of (shift, day) and gather what its screen shows."""
    attendance_service.check_day(shift, day, now)
    agenda = planning.open_agenda(shift, day, now=now, actor=viewer)
    kudos = [kudos_service.kudos_json(k) for k in kudos_service.kudos_for_huddle(agenda)]
    data = planning.agenda_json(agenda, locale, kudos=kudos)
    rows = attendance_service.roster(shift, agenda)
    screen = HuddleScreen(shift, day, now, agenda, data, kudos, rows, can_lead)
    if can_lead:
        screen.visitors = attendance_service.possible_visitors(shift, {row.user_id for row in rows})
    screen.viewer_row = next((row for row in rows if row.user_id == viewer.id), None)
    people = {agenda.started_by_id, agenda.finished_by_id} - {None}
    if people:
        names: dict[int | None, str] = dict(
            db.session.execute(sa.select(User.id, User.name).where(User.id.in_(people)))
            .tuples()
            .all()
        )
        screen.started_by = names.get(agenda.started_by_id)
        screen.finished_by = names.get(agenda.finished_by_id)
    return screen


def _agenda(shift: Shift, day: date, now: datetime, actor: User) -> Agenda:
    attendance_service.check_day(shift, day, now)
    return planning.open_agenda(shift, day, now=now, actor=actor)


def start_huddle(shift: Shift, day: date, *, actor: User, now: datetime) -> Agenda:
    """Record that the huddle started (who, when); starting it again changes nothing."""
    agenda = _agenda(shift, day, now, actor)
    db.session.execute(
        sa.update(Agenda)
        .where(Agenda.id == agenda.id, Agenda.status == "planned")
        .values(status="running", started_at=now, started_by_id=actor.id)
    )
    db.session.commit()
    db.session.refresh(agenda)
    return agenda


def finish_huddle(
    shift: Shift, day: date, kudos_ids: list[int], *, actor: User, now: datetime
) -> Agenda:
    """Record that the huddle finished and which kudos were read out; finishing again is a no-op."""
    agenda = _agenda(shift, day, now, actor)
    if agenda.status == "done":
        return agenda
    kudos_service.mark_read_out(agenda, kudos_ids, now)
    db.session.execute(
        sa.update(Agenda)
        .where(Agenda.id == agenda.id, Agenda.status != "done")
        .values(
            status="done",
            started_at=sa.func.coalesce(Agenda.started_at, now),
            started_by_id=sa.func.coalesce(Agenda.started_by_id, actor.id),
            finished_at=now,
            finished_by_id=actor.id,
        )
    )
    db.session.commit()
    db.session.refresh(agenda)
    return agenda


def save_notes(shift: Shift, day: date, notes: str, *, actor: User, now: datetime) -> Agenda:
    """The lead's notes for the day, shown on the close slot; they can change until it is done."""
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
    if agenda.status == "done":
        raise FieldError("notes", _("This huddle is over; its notes can no longer change."))
    agenda.notes = notes
    db.session.commit()
    return agenda


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


def check_in_target(token: str, user: User) -> tuple[Agenda, Shift]:
    """The huddle a check-in token is for, or a FieldError naming `token` (bad, old, not yours)."""
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
    if agenda.status == "done":
        raise FieldError("token", _("This huddle is over; ask your lead to mark you."))
    return agenda, shift


def check_in(token: str, user: User, *, now: datetime) -> tuple[Agenda, Shift]:
    """Check a person in with a token from the screen: they must be on the shift's roster."""
    agenda, shift = check_in_target(token, user)
    attendance_service.check_in_self(shift, agenda, user, now=now)
    return agenda, shift


def catch_up(shift: Shift, day: date, user: User, *, now: datetime) -> Agenda:
    """Record that a person read a huddle they missed."""
    agenda = _agenda(shift, day, now, user)
    attendance_service.mark_caught_up(agenda, user, now=now)
    return agenda
