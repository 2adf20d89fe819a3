"""Three weeks of plausible history before today, so the reports, the wall and the thank-you slot
tell a story on first sight: most huddles held by the lead, a few missed or left running, a
couple of habitual absentees, thank-yous concentrated on a few people, the room's feedback.

Deterministic (a seeded random generator) and relative to today; written in bulk.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from huddles.agenda import planning as agenda_planning
from huddles.agenda.models import Agenda
from huddles.attendance.models import Attendance, CatchUp
from huddles.auth.models import User
from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.kudos.service import VALUES
from huddles.org.models import Location, RosterEntry, Shift
from huddles.topics import service as topics_service
from huddles.topics.models import Topic

DAYS = 21
SEED = 20261123
# Per location (by position): who keeps missing huddles, who is thanked most, who never is.
ABSENTEES = [("Jonas Becker", "Yusuf Demir"), ("Dmitri Volkov",)]
FAVOURITES = [("Amira Haddad", "Olga Smirnova"), ("Fatima Zahra", "Leila Mansour")]
OVERLOOKED = [("Tomasz Nowak", "Liam O'Connor"), ("Ivan Sokolov",)]
# (shift name, days ago): a huddle never started (missed) or left running (ended).
MISSED = {"Night": (3, 11, 17), "Late": (8,), "Lunch": (5,), "Dinner": (13,)}
ENDED = {"Early": (6,), "Dinner": (2,)}
# Days that have no agenda at all: the scheduler was down; coverage still shows them missed.
NO_AGENDA = {"Night": (10,), "Lunch": (16,)}
NOTES = [
    "Full house tonight: a wedding party of 40 arrives at 18:00.",
    "The lift on the east side is out until noon; offer the stairs with a smile.",
    "New menu card from today: taste the soup before service.",
    "VIP in 412: anniversary, champagne at 20:00.",
    "",
    "",
]


def ensure_library(now: datetime) -> None:
    """The content library, when none is loaded yet: the agendas need topics."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Topic)):
        return
    directory = Path(current_app.config["HUDDLES_CONTENT_DIR"])
    if directory.is_dir():
        topics_service.import_library(directory, None, now)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, zone).astimezone(ZoneInfo("UTC"))


def load_history(now: datetime) -> int:
    """The history of every demo location (its shifts, rosters and leads exist); commits.

    Returns the number of huddles held.
    """
    rng = random.Random(SEED)  # noqa: S311  (a repeatable story, not a secret)
    ensure_library(now)
    locations = list(db.session.scalars(sa.select(Location).order_by(Location.id)))
    held = 0
    for index, location in enumerate(locations):
        held += _location_history(location, index, now, rng)
    db.session.commit()
    return held


def _location_history(location: Location, index: int, now: datetime, rng: random.Random) -> int:
    zone = ZoneInfo(location.timezone)
    today = now.astimezone(zone).date()
    people = list(
        db.session.scalars(sa.select(User).where(User.location_id == location.id).order_by(User.id))
    )
    lead = next(user for user in people if user.role == "lead")
    staff = [user for user in people if user.role == "staff"]
    by_name = {user.name: user for user in staff}
    absentees = {by_name[n].id for n in ABSENTEES[index % len(ABSENTEES)] if n in by_name}
    favourites = {by_name[n].id for n in FAVOURITES[index % len(FAVOURITES)] if n in by_name}
    overlooked = {by_name[n].id for n in OVERLOOKED[index % len(OVERLOOKED)] if n in by_name}
    rosters: dict[int, list[int]] = {}
    for shift_id, user_id in db.session.execute(
        sa.select(RosterEntry.shift_id, RosterEntry.user_id)
        .join(Shift, Shift.id == RosterEntry.shift_id)
        .where(Shift.location_id == location.id)
    ):
        rosters.setdefault(shift_id, []).append(user_id)

    updates, marks, catch_ups = [], [], []
    held = 0
    for shift in location.shifts:
        for days_ago in range(DAYS, 0, -1):
            day = today - timedelta(days=days_ago)
            if not shift.runs_on(day.weekday()) or days_ago in NO_AGENDA.get(shift.name, ()):
                continue
            starts = _at(day, shift.starts_at, zone)
            # Made the day before, as the scheduler does; the rotation keeps its order.
            agenda = agenda_planning.get_agenda(shift, day, now=starts - timedelta(hours=20))
            if days_ago in MISSED.get(shift.name, ()):
                updates.append(
                    {
                        "id": agenda.id,
                        "status": "missed",
                        "finished_at": starts + timedelta(minutes=shift.duration_minutes),
                        "closed_reason": "The shift ended and the huddle never started.",
                    }
                )
                continue
            held += 1
            started = starts - timedelta(minutes=rng.randint(2, 9))
            ended = days_ago in ENDED.get(shift.name, ())
            minutes = rng.choice((4, 5, 5, 5, 5, 6, 6, 8))
            finished = (
                starts + timedelta(hours=2) if ended else started + timedelta(minutes=minutes)
            )
            row = {
                "id": agenda.id,
                "status": "ended" if ended else "done",
                "opened_at": started - timedelta(minutes=15),
                "started_at": started,
                "started_by_id": lead.id,
                "finished_at": finished,
                "finished_by_id": None if ended else lead.id,
                "closed_reason": "Left running; closed by the scheduler." if ended else "",
                "notes": rng.choice(NOTES),
            }
            if not ended and rng.random() < 0.8:
                row.update(
                    topic_feedback="up" if rng.random() < 0.75 else "down",
                    feedback_by_id=lead.id,
                    feedback_at=finished,
                )
            updates.append(row)
            for user_id in rosters.get(shift.id, []):
                status = _status(rng, user_id == lead.id, user_id in absentees)
                self_check_in = status in ("present", "late") and rng.random() < 0.3
                marks.append(
                    {
                        "agenda_id": agenda.id,
                        "user_id": user_id,
                        "status": status,
                        "visitor": False,
                        "self_check_in": self_check_in,
                        "marked_by_id": user_id if self_check_in else lead.id,
                        "marked_at": started + timedelta(minutes=1),
                        "method": "self" if self_check_in else "lead",
                        "via": "qr" if self_check_in else "screen",
                    }
                )
                reads = 0.1 if user_id in absentees else 0.5
                if status == "absent" and rng.random() < reads:
                    catch_ups.append(
                        {
                            "agenda_id": agenda.id,
                            "user_id": user_id,
                            "read_at": finished + timedelta(hours=rng.randint(2, 20)),
                        }
                    )
    if updates:
        db.session.execute(sa.update(Agenda), updates)
    if marks:
        db.session.execute(sa.insert(Attendance), marks)
    if catch_ups:
        db.session.execute(sa.insert(CatchUp), catch_ups)
    _kudos(location, today, zone, staff + [lead], favourites, overlooked, rng)
    return held


def _status(rng: random.Random, is_lead: bool, habitual: bool) -> str:
    if is_lead:
        return "present"
    roll = rng.random()
    if habitual:
        return "absent" if roll < 0.55 else "late" if roll < 0.65 else "present"
    return (
        "absent"
        if roll < 0.04
        else "excused"
        if roll < 0.08
        else "late"
        if roll < 0.16
        else ("present")
    )


def _kudos(
    location: Location,
    today: date,
    zone: ZoneInfo,
    people: list[User],
    favourites: set[int],
    overlooked: set[int],
    rng: random.Random,
) -> None:
    """About three thank-yous a day, most of them to the favourites, none to the overlooked."""
    values = list(VALUES)
    weights = [0 if p.id in overlooked else 6 if p.id in favourites else 1 for p in people]
    numbers: dict[tuple[int, date], int] = {}
    rows = []
    for days_ago in range(DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        for _n in range(rng.randint(1, 5)):
            giver = rng.choice(people)
            receiver = rng.choices(people, weights)[0]
            if receiver.id == giver.id:
                continue
            number = numbers.get((giver.id, day), 0) + 1
            numbers[(giver.id, day)] = number
            # The last day's kudos come late in the evening, after the huddles: today's
            # thank-you slot reads them out.
            hour = rng.randint(20, 22) if days_ago == 1 else rng.randint(9, 21)
            rows.append(
                {
                    "location_id": location.id,
                    "from_user_id": giver.id,
                    "to_user_id": receiver.id,
                    "message": rng.choice(MESSAGES),
                    "value": rng.choice(values),
                    "created_at": _at(day, time(hour, rng.randint(0, 59)), zone),
                    "given_on": day,
                    "daily_number": number,
                }
            )
    if rows:
        db.session.execute(sa.insert(Kudos), rows)


MESSAGES = [
    "You turned the guest's lost booking into a room upgrade and a smile. Thank you!",
    "Thanks for covering the bar when we were two short tonight.",
    "You said yes to the late check-out and found a way. That is our default of yes.",
    "The birthday candle on table 7 was a real wow. Thank you!",
    "You stayed calm with the angry caller and solved the real problem.",
    "Thank you for showing the new colleague the closing ritual.",
    "Your greeting at the door set the tone for the whole evening.",
    "You found the guest's glasses in the lobby and ran after the taxi. Wow.",
]
