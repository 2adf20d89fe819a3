"""Roster import: people and their shifts from a CSV (`name,email,role,location,shifts`).

Each line creates a person (by email) or updates one of the same organisation, and puts them on
the named shifts of their location. `shifts` holds shift names separated by `;` (or `|`); it
is the person's whole set of shifts at that location, and an empty cell leaves their shifts as
they are. A rejected line writes nothing; every accepted line is saved together in one commit
at the end (a dry run rolls it all back). Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from huddles.auth import service as auth_service
from huddles.auth.models import ROLES, User
from huddles.extensions import db
from huddles.org.models import Location, Organisation, RosterEntry, Shift
from huddles.validation import FieldError

COLUMNS = ("name", "email", "role", "location", "shifts")
MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 5000
SHIFT_SEPARATORS = re.compile(r"[;|]")


@dataclass
class LineResult:
    line: int
    email: str
    outcome: str  # created, updated, unchanged, rejected
    message: str = ""
    user_id: int | None = None


@dataclass
class ImportReport:
    lines: list[LineResult] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {
            outcome: self.count(outcome)
            for outcome in ("created", "updated", "unchanged", "rejected")
        }

    @property
    def created(self) -> list[LineResult]:
        return [line for line in self.lines if line.outcome == "created"]


def decode(data: bytes) -> str:
    """The file as text: UTF-8 (a byte-order mark is fine), else FieldError('file')."""
    if len(data) > MAX_BYTES:
        raise FieldError(
            "file", _("The file is larger than %(n)s MB.", n=MAX_BYTES // 1024 // 1024)
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FieldError(
            "file",
            _(
                "The file is not UTF-8 (line %(line)s). Save it as 'CSV UTF-8' and try again.",
                line=line,
            ),
        ) from None


def _rows(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(line number, row) for each data line, and the ignored columns; FieldError('file')."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FieldError("file", _("The file is empty.")) from None
    except csv.Error as error:
        raise FieldError("file", _("Line 1 is not valid CSV: %(why)s", why=error)) from None
    names = [cell.strip().lower() for cell in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise FieldError(
            "file",
            _(
                "Line 1 must name the columns %(all)s; missing: %(missing)s.",
                all=",".join(COLUMNS),
                missing=", ".join(missing),
            ),
        )
    positions = {column: names.index(column) for column in COLUMNS}
    ignored = [name for name in names if name and name not in COLUMNS]
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_LINES:
                raise FieldError(
                    "file", _("The file has more than %(n)s people; split it.", n=MAX_LINES)
                )
            row = {
                column: cells[index].strip() if index < len(cells) else ""
                for column, index in positions.items()
            }
            rows.append((line, row))
    except csv.Error as error:
        raise FieldError(
            "file", _("Line %(line)s is not valid CSV: %(why)s", line=reader.line_num, why=error)
        ) from None
    return rows, ignored


@dataclass
class _Plan:
    """A checked line: who, and what they become."""

    name: str
    email: str
    role: str
    location: Location | None
    shifts: list[Shift] | None


def _check(
    row: dict[str, str],
    organisation: Organisation,
    locations: dict[str, Location],
    shifts: dict[tuple[int, str], Shift],
) -> _Plan:
    name = " ".join(row["name"].split())
    if not name:
        raise FieldError("name", _("The name is empty."))
    if len(name) > 120:
        raise FieldError("name", _("The name is longer than %(n)s characters.", n=120))
    # A person already on file is matched by the address as stored; a new one must be valid.
    known = auth_service.find_user_by_email(row["email"]) if row["email"] else None
    email = known.email if known is not None else auth_service.normalise_email(row["email"])
    role = row["role"].strip().lower()
    if role not in ROLES:
        raise FieldError(
            "role", _("Unknown role %(role)s: use admin, lead or staff.", role=row["role"])
        )
    location = None
    if row["location"]:
        location = locations.get(row["location"].casefold())
        if location is None:
            raise FieldError(
                "location", _("There is no location named %(name)s.", name=row["location"])
            )
    elif role != "admin":
        raise FieldError("location", _("Leads and staff need a location."))
    wanted = [part.strip() for part in SHIFT_SEPARATORS.split(row["shifts"]) if part.strip()]
    chosen: list[Shift] | None = None
    if wanted:
        if location is None:
            raise FieldError("shifts", _("Shifts need a location."))
        chosen = []
        for shift_name in wanted:
            shift = shifts.get((location.id, shift_name.casefold()))
            if shift is None:
                raise FieldError(
                    "shifts",
                    _(
                        "%(location)s has no shift named %(shift)s.",
                        location=location.name,
                        shift=shift_name,
                    ),
                )
            if shift not in chosen:
                chosen.append(shift)
    return _Plan(name, email, role, location, chosen)


def _apply(plan: _Plan, organisation: Organisation, person: User | None) -> tuple[str, User]:
    """Make the change in the session (no commit): created, updated or unchanged."""
    outcome = "unchanged"
    if person is None:
        person = User(
            organisation=organisation,
            name=plan.name,
            email=plan.email,
            role=plan.role,
            location=plan.location,
        )
        db.session.add(person)
        db.session.flush()
        outcome = "created"
    else:
        if (person.name, person.role, person.location_id, person.active) != (
            plan.name,
            plan.role,
            plan.location.id if plan.location else None,
            True,
        ):
            person.name, person.role, person.location = plan.name, plan.role, plan.location
            person.active = True
            outcome = "updated"
    if plan.shifts is not None and plan.location is not None:
        current = {
            entry.shift_id: entry
            for entry in db.session.scalars(
                sa.select(RosterEntry)
                .join(Shift, Shift.id == RosterEntry.shift_id)
                .where(RosterEntry.user_id == person.id, Shift.location_id == plan.location.id)
            )
        }
        wanted = {shift.id for shift in plan.shifts}
        for shift_id in current.keys() - wanted:
            db.session.delete(current[shift_id])
        for shift_id in wanted - current.keys():
            db.session.add(RosterEntry(shift_id=shift_id, user_id=person.id))
        if current.keys() != wanted and outcome == "unchanged":
            outcome = "updated"
    db.session.flush()
    return outcome, person


def import_people(organisation: Organisation, text: str, *, dry_run: bool) -> ImportReport:
    """Check every line, apply the good ones, commit them together (or roll back a dry run).

    A file-level problem (columns, CSV syntax, size) is a FieldError('file') and writes nothing.
    """
    rows, ignored = _rows(text)
    report = ImportReport(ignored_columns=ignored, dry_run=dry_run)
    locations = {
        location.name.casefold(): location
        for location in db.session.scalars(
            sa.select(Location).where(Location.organisation_id == organisation.id)
        )
    }
    shifts = {
        (shift.location_id, shift.name.casefold()): shift
        for shift in db.session.scalars(
            sa.select(Shift).where(Shift.location_id.in_([loc.id for loc in locations.values()]))
        )
    }
    seen: dict[str, int] = {}
    try:
        for line, row in rows:
            email = row["email"]
            try:
                plan = _check(row, organisation, locations, shifts)
                email = plan.email
                if plan.email in seen:
                    raise FieldError(
                        "email",
                        _(
                            "%(email)s is already on line %(line)s.",
                            email=email,
                            line=seen[plan.email],
                        ),
                    )
                person = auth_service.find_user_by_email(plan.email)
                if person is not None and person.organisation_id != organisation.id:
                    raise FieldError(
                        "email", _("Someone already uses the email %(email)s.", email=email)
                    )
                seen[plan.email] = line
                # Every check is done above, so applying the line cannot half-fail.
                outcome, person = _apply(plan, organisation, person)
            except FieldError as error:
                report.lines.append(LineResult(line, email, "rejected", error.message))
                continue
            report.lines.append(LineResult(line, plan.email, outcome, user_id=person.id))
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except IntegrityError:  # someone added one of these people meanwhile
        db.session.rollback()
        raise FieldError(
            "file", _("The people changed while the file was imported; import it again.")
        ) from None
    except BaseException:
        db.session.rollback()
        raise
    return report


def created_people(report: ImportReport) -> list[User]:
    """The people a (real) import created, for their invite links."""
    ids = [line.user_id for line in report.created if line.user_id is not None]
    if report.dry_run or not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.name)))
