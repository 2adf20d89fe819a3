"""The reports part of `make bench`: a year of data for 20 locations, then every report timed.

    python -m tests.bench_reports data [URL]   # build the data (a progress bar), PostgreSQL
    python -m tests.bench_reports time [URL]   # time every report over a year (goal < 300 ms)
    python -m tests.bench_reports [URL]        # both (`make bench` runs both after its own)

URL defaults to HUDDLES_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/huddles_bench.
The data is written in bulk, straight into the tables: the reports only read it.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask_migrate import upgrade

from huddles import create_app
from huddles.agenda.models import Agenda, AgendaItem
from huddles.attendance.models import Attendance, CatchUp
from huddles.auth.models import User
from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.org.models import Location, Organisation, RosterEntry, Shift
from huddles.reports import service
from huddles.reports.period import Period
from huddles.topics.models import Topic
from tests.pg import ensure_database
from tests.pg_available import main as pg_answers

LOCATIONS = 20
SHIFTS = ("Early", "Late", "Night")
STAFF_PER_SHIFT = 8
DAYS = 365
KUDOS_PER_DAY = 5
GOAL_MS = 300
ROUNDS = 5
END = date(2026, 10, 31)
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/huddles_bench"
SLOTS = [
    ("welcome", "Welcome and roll call", "roster", None, 0.5),
    ("thanks", "Thank-yous", "kudos", None, 1.0),
    ("topic", "Topic of the day", "rotation", "tip", 2.0),
    ("phrase", "Phrase of the day", "rotation", "lexicon", 0.5),
    ("close", "Today and close", "notes", None, 1.0),
]


def app_for(url: str):
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40, "TESTING": True}
    )


def build(url: str) -> None:
    """A fresh database with a year of huddles, attendance and kudos for 20 locations."""
    ensure_database(url)
    app = app_for(url)
    rng = random.Random(7)  # noqa: S311  (bench data)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        db.session.execute(
            sa.insert(Topic),
            [
                {
                    "slug": f"bench-{kind}-{n}",
                    "kind": kind,
                    "status": "published",
                    "title": f"{kind} {n}",
                    "rank": n,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for kind in ("tip", "lexicon")
                for n in range(40)
            ],
        )
        tips = list(db.session.scalars(sa.select(Topic.id).where(Topic.kind == "tip")))
        phrases = list(db.session.scalars(sa.select(Topic.id).where(Topic.kind == "lexicon")))
        organisation = Organisation(name="Bench Hotels")
        db.session.add(organisation)
        db.session.flush()
        first = END - timedelta(days=DAYS - 1)
        since = datetime.combine(first - timedelta(days=1), time(), UTC)
        with click.progressbar(range(LOCATIONS), label="A year for 20 locations") as bar:
            for number in bar:
                _location(organisation, number, first, since, tips, phrases, rng)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _location(organisation, number, first, since, tips, phrases, rng) -> None:
    location = Location(
        organisation_id=organisation.id,
        name=f"Bench {number + 1:02d}",
        timezone="Europe/Berlin",
        created_at=since,
    )
    db.session.add(location)
    db.session.flush()
    people = [
        {
            "organisation_id": organisation.id,
            "name": f"Person {number}-{index}",
            "email": f"p{number}-{index}@bench.test",
            "role": "lead" if index == 0 else "staff",
            "location_id": location.id,
            "created_at": since,
        }
        for index in range(len(SHIFTS) * STAFF_PER_SHIFT)
    ]
    db.session.execute(sa.insert(User), people)
    user_ids = list(
        db.session.scalars(
            sa.select(User.id).where(User.location_id == location.id).order_by(User.id)
        )
    )
    rosters: dict[int, list[int]] = {}
    for position, name in enumerate(SHIFTS):
        shift = Shift(
            location_id=location.id,
            name=name,
            starts_at=time(6 + 8 * position, 30),
            duration_minutes=480,
            created_at=since,
        )
        db.session.add(shift)
        db.session.flush()
        rosters[shift.id] = user_ids[position * STAFF_PER_SHIFT : (position + 1) * STAFF_PER_SHIFT]
        db.session.execute(
            sa.insert(RosterEntry),
            [{"shift_id": shift.id, "user_id": u, "created_at": since} for u in rosters[shift.id]],
        )
    agendas = []
    for shift_id in rosters:
        for offset in range(DAYS):
            day = first + timedelta(days=offset)
            roll = rng.random()
            status = "missed" if roll < 0.04 else "ended" if roll < 0.06 else "done"
            start = datetime.combine(day, time(6, 25), UTC)
            agendas.append(
                {
                    "shift_id": shift_id,
                    "day": day,
                    "scope_key": f"location:{location.id}",
                    "status": status,
                    "notes": "",
                    "created_at": start - timedelta(days=1),
                    "started_at": None if status == "missed" else start,
                    "finished_at": start + timedelta(minutes=rng.choice((4, 5, 6, 8))),
                    "closed_reason": "",
                    "topic_feedback": rng.choice(("up", "up", "down", None)),
                }
            )
    db.session.execute(sa.insert(Agenda), agendas)
    rows = db.session.execute(
        sa.select(Agenda.id, Agenda.shift_id, Agenda.day, Agenda.status)
        .join(Shift)
        .where(Shift.location_id == location.id)
    ).all()
    items, marks, catch_ups = [], [], []
    for agenda_id, shift_id, day, status in rows:
        for position, (key, title, fill, kind, minutes) in enumerate(SLOTS, start=1):
            topic = None
            if kind == "tip":
                topic = tips[(day.toordinal() + location.id) % len(tips)]
            elif kind == "lexicon":
                topic = phrases[(day.toordinal() * 3 + location.id) % len(phrases)]
            items.append(
                {
                    "agenda_id": agenda_id,
                    "position": position,
                    "slot_key": key,
                    "slot_title": title,
                    "fill": fill,
                    "kind": kind,
                    "minutes": minutes,
                    "topic_id": topic,
                    "reason": "fresh" if topic else "fixed",
                }
            )
        if status == "missed":
            continue
        for user_id in rosters[shift_id]:
            roll = rng.random()
            mark = "absent" if roll < 0.1 else "late" if roll < 0.18 else "present"
            marks.append(
                {
                    "agenda_id": agenda_id,
                    "user_id": user_id,
                    "status": mark,
                    "visitor": False,
                    "self_check_in": False,
                    "method": "lead",
                    "via": "screen",
                    "marked_at": NOW,
                }
            )
            if mark == "absent" and rng.random() < 0.5:
                catch_ups.append({"agenda_id": agenda_id, "user_id": user_id, "read_at": NOW})
    db.session.execute(sa.insert(AgendaItem), items)
    db.session.execute(sa.insert(Attendance), marks)
    if catch_ups:
        db.session.execute(sa.insert(CatchUp), catch_ups)
    kudos = []
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        for number_today in range(1, KUDOS_PER_DAY + 1):
            giver, receiver = rng.sample(user_ids, 2)
            kudos.append(
                {
                    "location_id": location.id,
                    "from_user_id": giver,
                    "to_user_id": receiver,
                    "message": "Thank you!",
                    "value": rng.choice(("wow", "recovery", "greeting", None)),
                    "created_at": datetime.combine(day, time(12), UTC),
                    "given_on": day,
                    "daily_number": number_today,
                }
            )
    db.session.execute(sa.insert(Kudos), kudos)
    db.session.commit()


def timings(url: str) -> dict[str, float]:
    """The best of ROUNDS runs of every report over the year, for one location, in ms."""
    app = app_for(url)
    with app.app_context():
        locations = list(db.session.scalars(sa.select(Location).order_by(Location.id)))
        location = locations[len(locations) // 2]
        year = Period(END - timedelta(days=DAYS - 1), END)
        reports = {
            "coverage": lambda: service.coverage_for([location], year, NOW),
            "attendance": lambda: service.attendance_report(location, year),
            "topics (content)": lambda: service.content_report(location, year, END),
            "kudos": lambda: service.kudos_report(location, year),
            "comparison of 20 locations": lambda: service.compare_locations(locations, year, NOW),
        }
        best = {}
        for name, run in reports.items():
            times = []
            for _round in range(ROUNDS):
                db.session.expire_all()
                started = clock.perf_counter()
                run()
                times.append(clock.perf_counter() - started)
            best[name] = 1000 * min(times)
        db.session.remove()
        db.engine.dispose()
    return best


def report(url: str) -> bool:
    best = timings(url)
    print(f"Reports over a year for one of {LOCATIONS} locations (PostgreSQL, best of {ROUNDS}):")
    for name, ms in best.items():
        print(f"  {name}: {ms:.1f} ms (goal < {GOAL_MS} ms) = {ms / GOAL_MS:.2f}x goal")
    return all(ms < GOAL_MS for ms in best.values())


def run_if_postgresql() -> bool:
    """For `make bench`: the data and the timings when a PostgreSQL server answers."""
    url = os.environ.get("HUDDLES_BENCH_DATABASE_URL", DEFAULT_URL)
    if pg_answers(url) != 0:
        print("Reports: no PostgreSQL server answers; the report timings were skipped.")
        return True
    build(url)
    return report(url)


def main(argv: list[str]) -> int:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    command = argv[0] if argv and argv[0] in ("data", "time") else "both"
    rest = argv[1:] if command != "both" else argv
    url = rest[0] if rest else os.environ.get("HUDDLES_BENCH_DATABASE_URL", DEFAULT_URL)
    if command in ("data", "both"):
        started = clock.perf_counter()
        build(url)
        print(f"bench data: {clock.perf_counter() - started:.1f} s")
    if command in ("time", "both"):
        return 0 if report(url) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
