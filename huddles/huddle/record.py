"""A huddle's record: what was covered, who led it, when, who was there and how each mark was made.

`build_record` gathers it in a constant number of queries; `record_json` is the API's shape;
`records_pdf` binds one or more records into a PDF sign-in sheet (fpdf2 with HarfBuzz shaping and
the DejaVu Sans font shipped in `fonts/`, so Latin, Cyrillic and Arabic all render).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from huddles.agenda.models import Agenda, AgendaItem
from huddles.agenda.service import DEFAULT_TITLES
from huddles.attendance.models import Attendance
from huddles.attendance.service import Headcount, headcounts
from huddles.auth.models import User
from huddles.extensions import db
from huddles.huddle import lifecycle
from huddles.i18n import text_direction
from huddles.org.models import Location, RosterEntry, Shift
from huddles.topics.models import Topic, TopicRevision
from huddles.topics.rendering import localized

FONTS = Path(__file__).resolve().parent / "fonts"

STATUS_LABELS = {
    "planned": _l("Planned"),
    "running": _l("Running"),
    "done": _l("Done"),
    "ended": _l("Ended (left running)"),
    "missed": _l("Missed (never started)"),
}
REASON_LABELS = {
    lifecycle.REASON_OVERRAN: _l("closed automatically: it ran far past its planned length"),
    lifecycle.REASON_SHIFT_OVER: _l("closed automatically: its shift was over"),
    lifecycle.REASON_NEVER_STARTED: _l("its shift ended and it never started"),
}
MARK_LABELS = {
    "present": _l("Present"),
    "late": _l("Late"),
    "excused": _l("Excused"),
    "absent": _l("Absent"),
    None: _l("Not marked"),
}
METHOD_LABELS = {
    "lead": _l("lead's tap"),
    "self": _l("self check-in"),
    "visitor": _l("visitor, added by the lead"),
}
VIA_LABELS = {
    "screen": _l("huddle screen"),
    "qr": _l("QR code"),
    "today": _l("Today page"),
    "api": _l("API"),
    "correction": _l("correction afterwards"),
}
# In words: the PDF's font has no emoji, and not every screen has them.
FEEDBACK_WORDS = {
    "up": _l("Up: it landed"),
    "down": _l("Down: it did not land"),
    None: _l("not given"),
}


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str


@dataclass(frozen=True)
class RecordItem:
    position: int
    slot: str
    slot_title: str
    title: str
    kind: str | None
    minutes: float
    topic_slug: str | None
    revision: int | None


@dataclass(frozen=True)
class RecordMark:
    user_id: int
    name: str
    status: str | None
    visitor: bool
    self_check_in: bool
    method: str | None
    via: str | None
    marked_by: Person | None
    marked_at: datetime | None


@dataclass(frozen=True)
class HuddleRecord:
    """Everything a manager or an auditor reads about one huddle."""

    agenda_id: int
    location_id: int
    location: str
    timezone: str
    shift_id: int
    shift: str
    day: date
    status: str
    closed_reason: str
    planned_start: datetime
    planned_minutes: float
    started_at: datetime | None
    finished_at: datetime | None
    led_by: Person | None
    finished_by: Person | None
    items: tuple[RecordItem, ...]
    attendance: tuple[RecordMark, ...]
    headcount: Headcount
    notes: str
    feedback: str | None
    feedback_by: Person | None
    feedback_at: datetime | None

    @property
    def record_id(self) -> str:
        return f"HR-{self.agenda_id:06d}"

    @property
    def planned_end(self) -> datetime:
        return self.planned_start + timedelta(minutes=self.planned_minutes)

    @property
    def duration_s(self) -> int | None:
        """How long it ran; unknown (None) when it was left running and closed automatically."""
        if self.status != "done" or self.started_at is None or self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds())

    @property
    def fingerprint(self) -> str:
        """A short digest of the record's content: two prints with the same one say the same."""
        payload = json.dumps(asdict(self), default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def local(self, moment: datetime | None, pattern: str = "%H:%M") -> str:
        """A moment on the location's wall clock; '—' when there is none."""
        if moment is None:
            return "—"
        return moment.astimezone(ZoneInfo(self.timezone)).strftime(pattern)

    def mark_time(self, mark: RecordMark) -> str:
        """When a mark was made: HH:MM on the huddle's day, else with its date."""
        if mark.marked_at is None:
            return ""
        local = mark.marked_at.astimezone(ZoneInfo(self.timezone))
        return local.strftime("%H:%M" if local.date() == self.day else "%Y-%m-%d %H:%M")

    @property
    def roster_marks(self) -> list[RecordMark]:
        return [mark for mark in self.attendance if not mark.visitor]

    @property
    def visitors(self) -> list[RecordMark]:
        return [mark for mark in self.attendance if mark.visitor]


def _person(people: dict[int, str], user_id: int | None) -> Person | None:
    if user_id is None or user_id not in people:
        return None
    return Person(user_id, people[user_id])


def build_record(agenda: Agenda, locale: str | None = None) -> HuddleRecord:
    """The record of one huddle, in a constant number of queries (topic titles in `locale`)."""
    shift, location = db.session.execute(
        sa.select(Shift, Location)
        .join(Location, Location.id == Shift.location_id)
        .where(Shift.id == agenda.shift_id)
    ).one()
    items = list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.agenda_id == agenda.id)
            .order_by(AgendaItem.position)
        )
    )
    revision_ids = [item.topic_revision_id for item in items if item.topic_revision_id]
    revisions: dict[int, tuple[TopicRevision, str]] = {}
    if revision_ids:
        rows = db.session.execute(
            sa.select(TopicRevision, Topic.slug)
            .join(Topic, Topic.id == TopicRevision.topic_id)
            .where(TopicRevision.id.in_(revision_ids))
        )
        revisions = {revision.id: (revision, slug) for revision, slug in rows}
    record_items = []
    for item in items:
        slot_title = str(DEFAULT_TITLES.get(item.slot_title, item.slot_title))
        found = revisions.get(item.topic_revision_id or 0)
        record_items.append(
            RecordItem(
                position=item.position,
                slot=item.slot_key,
                slot_title=slot_title,
                title=localized(found[0], locale).title if found else slot_title,
                kind=item.kind,
                minutes=item.minutes,
                topic_slug=found[1] if found else None,
                revision=found[0].number if found else None,
            )
        )

    marker = aliased(User)
    marks = db.session.execute(
        sa.select(Attendance, User.name, marker.name)
        .join(User, User.id == Attendance.user_id)
        .outerjoin(marker, marker.id == Attendance.marked_by_id)
        .where(Attendance.agenda_id == agenda.id)
    ).all()
    by_user = {attendance.user_id: (attendance, name, by) for attendance, name, by in marks}
    roster = db.session.execute(
        sa.select(User.id, User.name)
        .join(RosterEntry, RosterEntry.user_id == User.id)
        .where(RosterEntry.shift_id == shift.id, User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    on_roster = {user_id for user_id, _name in roster}
    attendance: list[RecordMark] = []
    for user_id, name in roster:
        attendance.append(_mark(user_id, name, by_user.get(user_id), visitor=False))
    for user_id, (mark, name, by) in sorted(by_user.items(), key=lambda row: (row[1][1], row[0])):
        if user_id not in on_roster:
            attendance.append(_mark(user_id, name, (mark, name, by), visitor=True))

    wanted = {agenda.started_by_id, agenda.finished_by_id, agenda.feedback_by_id} - {None}
    people: dict[int, str] = {}
    if wanted:
        people = dict(
            db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted)))
            .tuples()
            .all()
        )
    win = lifecycle.window_for(shift, location.timezone, agenda.day)
    return HuddleRecord(
        agenda_id=agenda.id,
        location_id=location.id,
        location=location.name,
        timezone=location.timezone,
        shift_id=shift.id,
        shift=shift.name,
        day=agenda.day,
        status=agenda.status,
        closed_reason=agenda.closed_reason or "",
        planned_start=win.shift_starts_at,
        planned_minutes=sum(item.minutes for item in items),
        started_at=agenda.started_at,
        finished_at=agenda.finished_at,
        led_by=_person(people, agenda.started_by_id),
        finished_by=_person(people, agenda.finished_by_id),
        items=tuple(record_items),
        attendance=tuple(attendance),
        headcount=headcounts([agenda.id])[agenda.id],
        notes=agenda.notes or "",
        feedback=agenda.topic_feedback,
        feedback_by=_person(people, agenda.feedback_by_id),
        feedback_at=agenda.feedback_at,
    )


def _mark(
    user_id: int, name: str, found: tuple[Attendance, str, str | None] | None, *, visitor: bool
) -> RecordMark:
    if found is None:
        return RecordMark(user_id, name, None, visitor, False, None, None, None, None)
    mark, _name, marked_by = found
    by = Person(mark.marked_by_id, marked_by) if mark.marked_by_id and marked_by else None
    return RecordMark(
        user_id,
        name,
        mark.status,
        visitor,
        mark.self_check_in,
        mark.method,
        mark.via,
        by,
        mark.marked_at,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _person_json(person: Person | None) -> dict[str, Any] | None:
    return {"user_id": person.user_id, "name": person.name} if person else None


def record_json(record: HuddleRecord) -> dict[str, Any]:
    """The contract's JSON of a huddle's record (and a few more fields an auditor wants)."""
    return {
        "record_id": record.record_id,
        "fingerprint": record.fingerprint,
        "location_id": record.location_id,
        "location": record.location,
        "shift_id": record.shift_id,
        "shift": record.shift,
        "date": record.day.isoformat(),
        "status": record.status,
        "closed_reason": record.closed_reason or None,
        "planned_start": _iso(record.planned_start),
        "planned_minutes": record.planned_minutes,
        "started_at": _iso(record.started_at),
        "finished_at": _iso(record.finished_at),
        "duration_s": record.duration_s,
        "led_by": _person_json(record.led_by),
        "finished_by": _person_json(record.finished_by),
        "items": [
            {
                "position": item.position,
                "slot": item.slot,
                "title": item.title,
                "topic_slug": item.topic_slug,
                "revision": item.revision,
            }
            for item in record.items
        ],
        "attendance": [
            {
                "user_id": mark.user_id,
                "name": mark.name,
                "status": mark.status,
                "self_check_in": mark.self_check_in,
                "visitor": mark.visitor,
                "method": mark.method,
                "via": mark.via,
                "marked_by": _person_json(mark.marked_by),
                "marked_at": _iso(mark.marked_at),
            }
            for mark in record.attendance
        ],
        "here": record.headcount.here,
        "expected": record.headcount.expected,
        "notes": record.notes,
        "feedback": record.feedback,
        "feedback_by": _person_json(record.feedback_by),
        "feedback_at": _iso(record.feedback_at),
    }


def mmss(seconds: int | float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def how_recorded(mark: RecordMark) -> str:
    """'self check-in · QR code', in the current language."""
    if mark.status is None:
        return ""
    parts = [str(METHOD_LABELS.get(mark.method or "", mark.method or ""))]
    if mark.via:
        parts.append(str(VIA_LABELS.get(mark.via, mark.via)))
    return " · ".join(part for part in parts if part)


def records_pdf(records: Sequence[HuddleRecord], locale: str) -> bytes:
    """One PDF with the sign-in sheet of each record, a page (or more) each, in `locale`."""
    from huddles.huddle.pdf import RecordSheet

    with force_locale(locale):
        sheet = RecordSheet(rtl=text_direction(locale) == "rtl", fonts=FONTS)
        for record in records:
            sheet.add_record(record)
        if not records:
            sheet.add_nothing(_("No huddle records in this period."))
        return sheet.output_bytes()


def topic_feedback_counts(topic_id: int, organisation_id: int) -> tuple[int, int]:
    """(up, down): the room's verdicts over the huddles of an organisation that used a topic."""
    row = db.session.execute(
        sa.select(
            sa.func.count(sa.case((Agenda.topic_feedback == "up", 1))),
            sa.func.count(sa.case((Agenda.topic_feedback == "down", 1))),
        )
        .select_from(Agenda)
        .join(Shift, Shift.id == Agenda.shift_id)
        .join(Location, Location.id == Shift.location_id)
        .where(
            Location.organisation_id == organisation_id,
            Agenda.topic_feedback.is_not(None),
            sa.exists().where(AgendaItem.agenda_id == Agenda.id, AgendaItem.topic_id == topic_id),
        )
    ).one()
    return int(row[0]), int(row[1])
