"""The demo organisation: two locations, two or more shifts each, a lead and a dozen staff each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from huddles.auth.models import User
from huddles.demo.history import DAYS, load_history
from huddles.extensions import db
from huddles.org.models import Location, Organisation, RosterEntry, Shift

ORGANISATION = "Harbour & Old Town Hospitality"

LOCATIONS = [
    # name, time zone, language, setting, shifts (name, start, minutes, weekdays)
    (
        "Harbour Hotel",
        "Europe/Berlin",
        "en",
        "hotel",
        [
            ("Early", time(6, 30), 480, range(7)),
            ("Late", time(14, 30), 480, range(7)),
            ("Night", time(22, 30), 480, range(7)),
        ],
    ),
    (
        "Old Town Bistro",
        "Europe/Warsaw",
        "pl",
        "restaurant",
        [
            ("Lunch", time(10, 30), 330, range(6)),
            ("Dinner", time(16, 30), 390, range(7)),
        ],
    ),
]

STAFF_NAMES = [
    "Amira Haddad",
    "Jonas Becker",
    "Olga Smirnova",
    "Piotr Kowalski",
    "Lucía Fernández",
    "Tomasz Nowak",
    "Yusuf Demir",
    "Hannah Schmidt",
    "Nadia Petrova",
    "Samir Khalil",
    "Ewa Wiśniewska",
    "Liam O'Connor",
    "Fatima Zahra",
    "Mateusz Lewandowski",
    "Anna Müller",
    "Dmitri Volkov",
    "Leila Mansour",
    "Katarzyna Zielińska",
    "Felix Wagner",
    "Sofia Rossi",
    "Omar Farouk",
    "Marta Kamińska",
    "Ivan Sokolov",
    "Lena Hoffmann",
]
STAFF_PER_LOCATION = 12


@dataclass
class DemoResult:
    created: bool
    emails: list[str]


def load_demo(password: str, now: datetime | None = None) -> DemoResult:
    """Create the demo organisation and its history unless it exists (idempotent); commits."""
    existing = db.session.scalar(sa.select(User).where(User.email == "admin@example.com"))
    if existing is not None:
        return DemoResult(created=False, emails=[])
    organisation = db.session.scalar(sa.select(Organisation).order_by(Organisation.id))
    if organisation is None:
        organisation = Organisation(name=ORGANISATION)
        db.session.add(organisation)
    emails: list[str] = []
    now = now or datetime.now(UTC)
    # The organisation was set up just before its three weeks of history.
    since = now - timedelta(days=DAYS, hours=1)
    # One slow hash for everyone: the demo people share their password anyway.
    password_hash = generate_password_hash(password, method="scrypt")

    def person(name: str, email: str, role: str, location: Location | None) -> User:
        user = User(
            organisation=organisation,
            name=name,
            email=email,
            role=role,
            location=location,
            password_hash=password_hash,
            session_version=1,
            created_at=since,
        )
        db.session.add(user)
        emails.append(email)
        return user

    person("Alex Admin", "admin@example.com", "admin", None)
    names = iter(STAFF_NAMES)
    staff_number = 0
    for index, (name, timezone, locale, setting, shifts) in enumerate(LOCATIONS):
        location = Location(
            organisation=organisation,
            name=name,
            timezone=timezone,
            locale=locale,
            setting=setting,
            created_at=since,
        )
        db.session.add(location)
        lead_email = "lead@example.com" if index == 0 else f"lead{index + 1}@example.com"
        lead_name = "Lena Lead" if index == 0 else "Leo Lead"
        lead = person(lead_name, lead_email, "lead", location)
        shift_rows = []
        for shift_name, starts_at, minutes, weekdays in shifts:
            shift = Shift(
                location=location,
                name=shift_name,
                starts_at=starts_at,
                duration_minutes=minutes,
                created_at=since,
            )
            shift.weekdays = list(weekdays)
            db.session.add(shift)
            shift_rows.append(shift)
            shift.roster.append(RosterEntry(user=lead, created_at=since))
        for number in range(STAFF_PER_LOCATION):
            staff_number += 1
            staff = person(next(names), f"staff{staff_number}@example.com", "staff", location)
            # Spread people over the shifts; the first two of each location work two shifts.
            shift_rows[number % len(shift_rows)].roster.append(
                RosterEntry(user=staff, created_at=since)
            )
            if number < 2:
                shift_rows[(number + 1) % len(shift_rows)].roster.append(
                    RosterEntry(user=staff, created_at=since)
                )
    db.session.commit()
    load_history(now)
    return DemoResult(created=True, emails=emails)
