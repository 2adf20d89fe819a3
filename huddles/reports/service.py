"""The four reports as SQL aggregates: coverage, attendance, content (topics) and kudos.

Every report runs a fixed handful of statements whatever the size of the history: rows are
grouped in the database; Python only folds at most one row per (shift or kind, day) into weeks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from huddles import seasons
from huddles.agenda.models import Agenda, AgendaItem
from huddles.attendance.models import Attendance, CatchUp
from huddles.auth.models import User
from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.org.models import Location, RosterEntry, Shift
from huddles.reports.period import Period, week_of
from huddles.topics.models import Topic, current_titles, offered_at
from huddles.topics.rendering import language_of

# A huddle that took place: started, whether closed by the lead or by the scheduler.
HELD = ("running", "done", "ended")
ATTENDED = ("present", "late")
# Longer than planned by more than this counts as an overrun.
OVERRUN_GRACE_S = 60
# Who "keeps missing huddles": at least this many misses and attending at most this share.
HABITUAL_MISSES = 3
HABITUAL_RATE = 0.6


def local_today(location: Location, now: datetime) -> date:
    return now.astimezone(ZoneInfo(location.timezone)).date()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


# --- coverage ----------------------------------------------------------------------------------


@dataclass
class ShiftCoverage:
    shift_id: int
    name: str
    days: list[tuple[date, str]]
    counts: dict[str, int]

    @property
    def due(self) -> int:
        """Days the huddle was due and is past or under way: held, ended or missed."""
        return sum(self.counts[s] for s in ("done", "ended", "running", "missed"))

    @property
    def held_share(self) -> float | None:
        return _share(self.counts["done"] + self.counts["ended"] + self.counts["running"], self.due)


@dataclass
class Coverage:
    location: Location
    period: Period
    today: date
    shifts: list[ShiftCoverage]

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = defaultdict(int)
        for shift in self.shifts:
            for status, count in shift.counts.items():
                total[status] += count
        return {s: total[s] for s in COVERAGE_STATUSES}

    @property
    def due(self) -> int:
        return sum(shift.due for shift in self.shifts)

    @property
    def held(self) -> int:
        counts = self.counts
        return counts["done"] + counts["ended"] + counts["running"]

    @property
    def held_share(self) -> float | None:
        return _share(self.held, self.due)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "location_id": self.location.id,
            "held_share": self.held_share,
            "shifts": [
                {
                    "shift_id": shift.shift_id,
                    "name": shift.name,
                    "held_share": shift.held_share,
                    "days": [{"date": d.isoformat(), "status": s} for d, s in shift.days],
                }
                for shift in self.shifts
            ],
        }


COVERAGE_STATUSES = ("done", "ended", "running", "missed", "planned", "off")


def _shift_local_start(shift: Shift, zone: ZoneInfo) -> date:
    return shift.created_at.astimezone(zone).date()


def coverage_for(locations: list[Location], period: Period, now: datetime) -> list[Coverage]:
    """Each location's grid of shifts × days; two statements for any number of locations."""
    if not locations:
        return []
    by_location = {location.id: location for location in locations}
    shifts = list(
        db.session.scalars(
            sa.select(Shift)
            .where(Shift.location_id.in_(by_location))
            .order_by(Shift.location_id, Shift.starts_at, Shift.name)
        )
    )
    statuses = {
        (shift_id, day): status
        for shift_id, day, status in db.session.execute(
            sa.select(Agenda.shift_id, Agenda.day, Agenda.status)
            .join(Shift, Shift.id == Agenda.shift_id)
            .where(
                Shift.location_id.in_(by_location),
                Agenda.day >= period.start,
                Agenda.day <= period.end,
            )
        )
    }
    result = {
        location.id: Coverage(location, period, local_today(location, now), [])
        for location in locations
    }
    days = period.each_day()
    for shift in shifts:
        report = result[shift.location_id]
        zone = ZoneInfo(report.location.timezone)
        began = _shift_local_start(shift, zone)
        has_any = False
        cells: list[tuple[date, str]] = []
        counts = dict.fromkeys(COVERAGE_STATUSES, 0)
        for day in days:
            status = statuses.get((shift.id, day))
            if status is not None:
                has_any = True
            elif not shift.active or not shift.runs_on(day.weekday()) or day < began:
                status = "off"
            elif day < report.today:
                # The shift ran and no huddle was ever made for it: agendas are not made
                # after the fact, so this day was missed.
                status = "missed"
            else:
                status = "planned"
            counts[status] += 1
            cells.append((day, status))
        if shift.active or has_any:
            report.shifts.append(ShiftCoverage(shift.id, shift.name, cells, counts))
    return [result[location.id] for location in locations]


# --- attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftAttendance:
    shift_id: int
    name: str
    huddles: int
    expected: int
    attended: int
    average_s: float | None
    overruns: int

    @property
    def rate(self) -> float | None:
        return _share(self.attended, self.expected)


@dataclass(frozen=True)
class PersonAttendance:
    user_id: int
    name: str
    expected: int
    attended: int
    late: int
    not_caught_up: int

    @property
    def missed(self) -> int:
        return self.expected - self.attended

    @property
    def rate(self) -> float | None:
        return _share(self.attended, self.expected)

    @property
    def habitual(self) -> bool:
        rate = self.rate
        return self.missed >= HABITUAL_MISSES and rate is not None and rate <= HABITUAL_RATE


@dataclass(frozen=True)
class WeekAttendance:
    week: date
    expected: int
    attended: int

    @property
    def rate(self) -> float | None:
        return _share(self.attended, self.expected)


@dataclass
class AttendanceReport:
    location: Location
    period: Period
    shifts: list[ShiftAttendance]
    people: list[PersonAttendance]
    weeks: list[WeekAttendance]

    @property
    def expected(self) -> int:
        return sum(shift.expected for shift in self.shifts)

    @property
    def attended(self) -> int:
        return sum(shift.attended for shift in self.shifts)

    @property
    def rate(self) -> float | None:
        return _share(self.attended, self.expected)

    @property
    def habitual(self) -> list[PersonAttendance]:
        return sorted(
            (p for p in self.people if p.habitual), key=lambda p: (-p.missed, p.name.lower())
        )

    @property
    def not_caught_up(self) -> list[PersonAttendance]:
        return sorted(
            (p for p in self.people if p.not_caught_up),
            key=lambda p: (-p.not_caught_up, p.name.lower()),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "location_id": self.location.id,
            "rate": self.rate,
            "shifts": [
                {
                    "shift_id": s.shift_id,
                    "name": s.name,
                    "huddles": s.huddles,
                    "expected": s.expected,
                    "attended": s.attended,
                    "rate": s.rate,
                    "average_duration_s": s.average_s,
                    "overruns": s.overruns,
                }
                for s in self.shifts
            ],
            "people": [
                {
                    "user_id": p.user_id,
                    "name": p.name,
                    "expected": p.expected,
                    "attended": p.attended,
                    "rate": p.rate,
                    "late": p.late,
                    "not_caught_up": p.not_caught_up,
                }
                for p in self.people
            ],
            "weeks": [
                {"week": w.week.isoformat(), "expected": w.expected, "attended": w.attended}
                for w in self.weeks
            ],
        }


def _seconds(start: Any, end: Any) -> Any:
    """end - start in seconds, in SQL, for the session's dialect."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def _held(location_ids: list[int], period: Period) -> Any:
    return (
        sa.select(
            Agenda.id.label("agenda_id"),
            Agenda.shift_id,
            Agenda.day,
            Shift.location_id,
        )
        .join(Shift, Shift.id == Agenda.shift_id)
        .where(
            Shift.location_id.in_(location_ids),
            Agenda.day >= period.start,
            Agenda.day <= period.end,
            Agenda.status.in_(HELD),
        )
        .cte("held")
    )


def _contributions(held: Any, *, catch_ups: bool = True) -> Any:
    """What each expected person at a held huddle adds to the counts, as rows to sum up.

    Expected: the shift's roster as it stood that day, and anyone else marked (a visitor); a
    person marked excused is not expected. Rather than pairing everyone with their mark (a
    union over every pair), three cheap sources are summed:
    the roster rows (expected 1 each), the marks (attended, late, and the corrections: -1 for an
    excused person of the roster, +1 for a visitor) and the catch-ups of those who missed.
    Columns: user_id, shift_id, day, location_id, e (expected), a (attended), l (late),
    c (missed it but caught up since). Without `catch_ups`, l and c stay 0 and are not read.
    """
    on_roster = sa.and_(
        RosterEntry.shift_id == held.c.shift_id,
        sa.func.date(RosterEntry.created_at) <= held.c.day,
    )
    where = (held.c.shift_id, held.c.day, held.c.location_id)

    def n(value: int, name: str) -> Any:
        return sa.literal(value).label(name)

    rostered = sa.select(
        RosterEntry.user_id, *where, n(1, "e"), n(0, "a"), n(0, "l"), n(0, "c")
    ).join(RosterEntry, on_roster)
    roster_of_mark = sa.orm.aliased(RosterEntry)
    visitor = roster_of_mark.id.is_(None)
    caught = sa.orm.aliased(CatchUp)
    late = sa.case((Attendance.status == "late", 1), else_=0)
    visitor_caught_up = sa.case(
        (sa.and_(visitor, Attendance.status == "absent", caught.id.is_not(None)), 1), else_=0
    )
    marked = (
        sa.select(
            Attendance.user_id,
            *where,
            sa.case(
                (sa.and_(visitor, Attendance.status != "excused"), 1),
                (sa.and_(~visitor, Attendance.status == "excused"), -1),
                else_=0,
            ).label("e"),
            sa.case((Attendance.status.in_(ATTENDED), 1), else_=0).label("a"),
            late.label("l") if catch_ups else n(0, "l"),
            visitor_caught_up.label("c") if catch_ups else n(0, "c"),
        )
        .select_from(held)
        .join(Attendance, Attendance.agenda_id == held.c.agenda_id)
        .outerjoin(
            roster_of_mark,
            sa.and_(
                roster_of_mark.shift_id == held.c.shift_id,
                roster_of_mark.user_id == Attendance.user_id,
                sa.func.date(roster_of_mark.created_at) <= held.c.day,
            ),
        )
    )
    if not catch_ups:
        return sa.union_all(rostered, marked).cte("contributions")
    marked = marked.outerjoin(
        caught,
        sa.and_(caught.agenda_id == held.c.agenda_id, caught.user_id == Attendance.user_id),
    )
    # People of the roster who were not there (no mark, or absent) and read the huddle later.
    mark_of_reader = sa.orm.aliased(Attendance)
    caught_up = (
        sa.select(CatchUp.user_id, *where, n(0, "e"), n(0, "a"), n(0, "l"), n(1, "c"))
        .select_from(held)
        .join(CatchUp, CatchUp.agenda_id == held.c.agenda_id)
        .join(RosterEntry, sa.and_(on_roster, RosterEntry.user_id == CatchUp.user_id))
        .outerjoin(
            mark_of_reader,
            sa.and_(
                mark_of_reader.agenda_id == held.c.agenda_id,
                mark_of_reader.user_id == CatchUp.user_id,
            ),
        )
        .where(sa.or_(mark_of_reader.status.is_(None), mark_of_reader.status == "absent"))
    )
    return sa.union_all(rostered, marked, caught_up).cte("contributions")


def _sums(contributions: Any, grain: str, key: Any, day: Any, group: Any) -> Any:
    c = contributions.c
    return (
        sa.select(
            sa.literal(grain).label("grain"),
            key.label("key"),
            day.label("day"),
            sa.func.sum(c.e).label("expected"),
            sa.func.sum(c.a).label("attended"),
            sa.func.sum(c.l).label("late"),
            sa.func.sum(c.c).label("caught"),
        )
        .select_from(contributions)
        .group_by(group)
    )


def _attendance_sums(location_ids: list[int], period: Period, grains: tuple[str, ...]) -> Any:
    """Expected, attended, late and caught-up sums per shift, person, day or location (one
    statement, however many grains)."""
    contributions = _contributions(_held(location_ids, period), catch_ups=grains != ("location",))
    c = contributions.c
    no_day = sa.cast(sa.null(), sa.Date)
    no_key = sa.cast(sa.null(), sa.Integer)
    parts = {
        "shift": lambda: _sums(contributions, "shift", c.shift_id, no_day, c.shift_id),
        "person": lambda: _sums(contributions, "person", c.user_id, no_day, c.user_id),
        "day": lambda: _sums(contributions, "day", no_key, c.day, c.day),
        "location": lambda: _sums(contributions, "location", c.location_id, no_day, c.location_id),
    }
    selects = [parts[grain]() for grain in grains]
    query = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    return db.session.execute(query)


def attendance_report(location: Location, period: Period) -> AttendanceReport:
    """Rates per shift, per person and per week; duration and overruns (four statements)."""
    held = _held([location.id], period)
    planned = (
        sa.select(AgendaItem.agenda_id, sa.func.sum(AgendaItem.minutes).label("minutes"))
        .join(held, held.c.agenda_id == AgendaItem.agenda_id)
        .group_by(AgendaItem.agenda_id)
        .subquery("planned")
    )
    duration = _seconds(Agenda.started_at, Agenda.finished_at)
    timed = sa.and_(
        Agenda.status == "done", Agenda.started_at.is_not(None), Agenda.finished_at.is_not(None)
    )
    timing = {
        shift_id: (huddles, average, overruns or 0)
        for shift_id, huddles, average, overruns in db.session.execute(
            sa.select(
                held.c.shift_id,
                sa.func.count(),
                sa.func.avg(sa.case((timed, duration))),
                sa.func.sum(
                    sa.case(
                        (sa.and_(timed, duration > planned.c.minutes * 60 + OVERRUN_GRACE_S), 1),
                        else_=0,
                    )
                ),
            )
            .select_from(held)
            .join(Agenda, Agenda.id == held.c.agenda_id)
            .outerjoin(planned, planned.c.agenda_id == held.c.agenda_id)
            .group_by(held.c.shift_id)
        )
    }
    by_shift: dict[int, tuple[int, int]] = {}
    by_person: dict[int, tuple[int, int, int, int]] = {}
    weekly: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for grain, key, day, expected, attended, late, caught in _attendance_sums(
        [location.id], period, ("shift", "person", "day")
    ):
        expected, attended = int(expected or 0), int(attended or 0)
        if grain == "shift":
            by_shift[key] = (expected, attended)
        elif grain == "person":
            by_person[key] = (expected, attended, int(late or 0), int(caught or 0))
        else:
            week = weekly[week_of(day)]
            week[0] += expected
            week[1] += attended
    shifts = []
    for shift in location.shifts:
        huddles, average, overruns = timing.get(shift.id, (0, None, 0))
        count, done = by_shift.get(shift.id, (0, 0))
        if not shift.active and not huddles:
            continue
        shifts.append(
            ShiftAttendance(
                shift.id,
                shift.name,
                huddles,
                count,
                done,
                round(float(average), 1) if average is not None else None,
                int(overruns),
            )
        )
    names = (
        dict(
            db.session.execute(sa.select(User.id, User.name).where(User.id.in_(list(by_person))))
            .tuples()
            .all()
        )
        if by_person
        else {}
    )
    people = sorted(
        (
            PersonAttendance(
                user_id,
                names.get(user_id, ""),
                expected,
                attended,
                late,
                expected - attended - caught,
            )
            for user_id, (expected, attended, late, caught) in by_person.items()
            if expected > 0 or attended > 0
        ),
        key=lambda p: (p.name, p.user_id),
    )
    weeks = [WeekAttendance(monday, *weekly.get(monday, [0, 0])) for monday in period.weeks()]
    return AttendanceReport(location, period, shifts, people, weeks)


def attendance_rates(location_ids: list[int], period: Period) -> dict[int, tuple[int, int]]:
    """(expected, attended) per location, for the admins' comparison (one statement)."""
    if not location_ids:
        return {}
    return {
        key: (int(expected or 0), int(attended or 0))
        for _grain, key, _day, expected, attended, _late, _caught in _attendance_sums(
            location_ids, period, ("location",)
        )
    }


@dataclass(frozen=True)
class CoverageTotals:
    """A location's coverage counted, without its grid: for comparing many locations."""

    counts: dict[str, int]

    @property
    def due(self) -> int:
        return sum(self.counts[s] for s in ("done", "ended", "running", "missed"))

    @property
    def held(self) -> int:
        return self.counts["done"] + self.counts["ended"] + self.counts["running"]

    @property
    def held_share(self) -> float | None:
        return _share(self.held, self.due)


def _weekday(day: Any) -> Any:
    """Monday = 0 … Sunday = 6 of a date column, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.extract("isodow", day), sa.Integer) - 1
    return (sa.cast(sa.func.strftime("%w", day), sa.Integer) + 6) % 7


def _running_days(shift: Shift, start: date, end: date) -> int:
    """How many days of [start, end] the shift runs on (arithmetic, not a walk over the days)."""
    if end < start or not shift.active:
        return 0
    weeks, rest = divmod((end - start).days + 1, 7)
    first = start.weekday()
    return weeks * len(shift.weekdays) + sum(
        1 for n in range(rest) if shift.runs_on((first + n) % 7)
    )


def coverage_totals(
    locations: list[Location], period: Period, now: datetime
) -> dict[int, CoverageTotals]:
    """The coverage grid's counts per location, grouped in SQL (two statements).

    The same numbers as coverage_for: an agenda counts with its status; a day the shift runs
    with no agenda is missed before today and planned from today; any other day is off.
    """
    if not locations:
        return {}
    by_location = {location.id: location for location in locations}
    todays = {location.id: local_today(location, now) for location in locations}
    shifts = list(db.session.scalars(sa.select(Shift).where(Shift.location_id.in_(by_location))))
    today_of = sa.case(
        *((Shift.location_id == location_id, today) for location_id, today in todays.items())
    )
    past = Agenda.day < today_of
    runs = sa.and_(
        Shift.active.is_(True),
        sa.func.date(Shift.created_at) <= Agenda.day,
        Shift.weekday_mask.op(">>")(_weekday(Agenda.day)).op("&")(1) == 1,
    )
    rows = db.session.execute(
        sa.select(Agenda.shift_id, Agenda.status, past, runs, sa.func.count())
        .join(Shift, Shift.id == Agenda.shift_id)
        .where(
            Shift.location_id.in_(by_location),
            Agenda.day >= period.start,
            Agenda.day <= period.end,
        )
        .group_by(Agenda.shift_id, Agenda.status, past, runs)
    ).all()
    per_shift: dict[int, list[tuple[str, bool, bool, int]]] = defaultdict(list)
    for shift_id, status, before_today, running, count in rows:
        per_shift[shift_id].append((status, bool(before_today), bool(running), int(count)))
    totals = {location_id: dict.fromkeys(COVERAGE_STATUSES, 0) for location_id in by_location}
    for shift in shifts:
        counts = totals[shift.location_id]
        today = todays[shift.location_id]
        zone = ZoneInfo(by_location[shift.location_id].timezone)
        began = max(period.start, _shift_local_start(shift, zone))
        due_past = _running_days(shift, began, min(period.end, today - timedelta(days=1)))
        due_ahead = _running_days(shift, max(began, today), period.end)
        made_past = made_ahead = made = 0
        for status, before_today, running, count in per_shift.get(shift.id, []):
            counts[status] += count
            made += count
            if running and before_today:
                made_past += count
            elif running:
                made_ahead += count
        missed = max(0, due_past - made_past)
        planned = max(0, due_ahead - made_ahead)
        counts["missed"] += missed
        counts["planned"] += planned
        counts["off"] += period.days - made - missed - planned
    return {location_id: CoverageTotals(counts) for location_id, counts in totals.items()}


@dataclass(frozen=True)
class Comparison:
    location: Location
    coverage: CoverageTotals
    expected: int
    attended: int

    @property
    def rate(self) -> float | None:
        return _share(self.attended, self.expected)


def compare_locations(locations: list[Location], period: Period, now: datetime) -> list[Comparison]:
    """Coverage and attendance side by side for every location (three statements)."""
    totals = coverage_totals(locations, period, now)
    rates = attendance_rates([location.id for location in locations], period)
    return [
        Comparison(location, totals[location.id], *rates.get(location.id, (0, 0)))
        for location in locations
    ]


# --- records ----------------------------------------------------------------------------------

# The huddles a period's records bind: those whose time has come (planned ones have no record).
RECORDED = ("running", "done", "ended", "missed")
# A period's records PDF covers at most this many days (one PDF page or more per huddle).
RECORDS_MAX_DAYS = 93


def period_agendas(location: Location, period: Period) -> list[Agenda]:
    """The location's huddles of the period that have a record, by day and shift (one statement)."""
    return list(
        db.session.scalars(
            sa.select(Agenda)
            .join(Shift, Shift.id == Agenda.shift_id)
            .where(
                Shift.location_id == location.id,
                Agenda.day >= period.start,
                Agenda.day <= period.end,
                Agenda.status.in_(RECORDED),
            )
            .order_by(Agenda.day, Shift.starts_at, Shift.name)
        )
    )


# --- content -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicUse:
    slug: str
    kind: str
    title: str
    used: int
    last_used: date | None
    up: int
    down: int

    @property
    def stale(self) -> bool:
        """The room turned it down more often than up."""
        return self.down > self.up


@dataclass
class ContentReport:
    location: Location
    period: Period
    topics: list[TopicUse]
    never_used: list[TopicUse]
    kinds_by_week: dict[date, dict[str, int]] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        seen = {kind for counts in self.kinds_by_week.values() for kind in counts}
        return sorted(seen)

    @property
    def stale(self) -> list[TopicUse]:
        return [topic for topic in self.topics if topic.stale]

    def to_json(self) -> dict[str, Any]:
        def row(t: TopicUse) -> dict[str, Any]:
            return {
                "slug": t.slug,
                "kind": t.kind,
                "title": t.title,
                "used": t.used,
                "last_used": t.last_used.isoformat() if t.last_used else None,
                "up": t.up,
                "down": t.down,
            }

        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "location_id": self.location.id,
            "topics": [row(t) for t in [*self.topics, *self.never_used]],
            "kinds": [
                {"week": week.isoformat(), "counts": counts}
                for week, counts in sorted(self.kinds_by_week.items())
            ],
        }


def _in_season_during(topic: seasons.Stored, start: date, end: date) -> bool:
    # A broken stored season is never picked by the rotation (agenda.library), so never offered.
    try:
        season = seasons.stored(topic)
    except ValueError:
        return False
    return seasons.in_season_during(season, start, end)


def content_report(
    location: Location, period: Period, today: date, locale: str | None = None
) -> ContentReport:
    """Topics used in held huddles (never a planned one), the room's verdict, kinds by week.

    Titles are in the language of `locale` where the topic has a translation (for pages); the
    API and its CSV keep the library's own titles.
    """
    end = min(period.end, today)
    held = (
        sa.select(AgendaItem.topic_id, AgendaItem.kind, Agenda.day, Agenda.topic_feedback)
        .join(Agenda, Agenda.id == AgendaItem.agenda_id)
        .join(Shift, Shift.id == Agenda.shift_id)
        .where(
            Shift.location_id == location.id,
            Agenda.day >= period.start,
            Agenda.day <= end,
            Agenda.status.in_(HELD),
            AgendaItem.topic_id.is_not(None),
        )
        .subquery("used")
    )
    # The room's verdict is on the topic of the day, not on the phrase of the lexicon.
    verdict = held.c.kind != "lexicon"
    topics = [
        TopicUse(slug, kind, title, used, last, int(up or 0), int(down or 0))
        for slug, kind, title, used, last, up, down in db.session.execute(
            sa.select(
                Topic.slug,
                Topic.kind,
                Topic.title,
                sa.func.count(),
                sa.func.max(held.c.day),
                sa.func.sum(sa.case((sa.and_(verdict, held.c.topic_feedback == "up"), 1), else_=0)),
                sa.func.sum(
                    sa.case((sa.and_(verdict, held.c.topic_feedback == "down"), 1), else_=0)
                ),
            )
            .join(Topic, Topic.id == held.c.topic_id)
            .group_by(Topic.id, Topic.slug, Topic.kind, Topic.title)
            .order_by(sa.func.count().desc(), Topic.title)
        )
    ]
    used_ids = sa.select(held.c.topic_id)
    # Only what the rotation offered this location in the period: a hotel never gets a contact
    # centre's topic, and a Christmas topic is not "never used" in June.
    never_used = [
        TopicUse(topic.slug, topic.kind, topic.title, 0, None, 0, 0)
        for topic in db.session.execute(
            sa.select(
                Topic.slug,
                Topic.kind,
                Topic.title,
                Topic.season_start,
                Topic.season_end,
                Topic.season_name,
                Topic.season_before,
                Topic.season_after,
            )
            .where(offered_at(location.setting), Topic.id.not_in(used_ids))
            .order_by(Topic.kind, Topic.title)
        )
        if _in_season_during(topic, period.start, end)
    ]
    if language_of(locale) != "en":
        titles = current_titles(locale)
        topics = [replace(t, title=titles.get(t.slug, t.title)) for t in topics]
        topics.sort(key=lambda t: (-t.used, t.title.casefold()))
        never_used = [replace(t, title=titles.get(t.slug, t.title)) for t in never_used]
        never_used.sort(key=lambda t: (t.kind, t.title.casefold()))
    kinds: dict[date, dict[str, int]] = {monday: {} for monday in period.weeks()}
    for day, kind, count in db.session.execute(
        sa.select(held.c.day, held.c.kind, sa.func.count())
        .where(held.c.kind.is_not(None))
        .group_by(held.c.day, held.c.kind)
    ):
        week = kinds.setdefault(week_of(day), {})
        week[kind] = week.get(kind, 0) + count
    return ContentReport(location, period, topics, never_used, kinds)


# --- kudos -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonKudos:
    user_id: int
    name: str
    given: int
    received: int


@dataclass
class KudosReport:
    location: Location
    period: Period
    people: list[PersonKudos]
    values: list[tuple[str | None, int]]
    weeks: dict[date, dict[str | None, int]]

    @property
    def total(self) -> int:
        return sum(count for _value, count in self.values)

    @property
    def top_share(self) -> float:
        """The share of thank-yous received by the top fifth of the people (at least one)."""
        if not self.total or not self.people:
            return 0.0
        top = math.ceil(len(self.people) / 5)
        received = sorted((p.received for p in self.people), reverse=True)[:top]
        return round(sum(received) / self.total, 3)

    @property
    def top_count(self) -> int:
        return math.ceil(len(self.people) / 5) if self.people else 0

    @property
    def never_thanked(self) -> list[PersonKudos]:
        return [p for p in self.people if p.received == 0]

    def week_totals(self) -> list[tuple[date, int]]:
        return [(week, sum(counts.values())) for week, counts in sorted(self.weeks.items())]

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "location_id": self.location.id,
            "total": self.total,
            "top_share": self.top_share,
            "values": [{"value": value, "count": count} for value, count in self.values],
            "people": [
                {"user_id": p.user_id, "name": p.name, "given": p.given, "received": p.received}
                for p in self.people
            ],
            "weeks": [
                {"week": week.isoformat(), "count": count} for week, count in self.week_totals()
            ],
        }


def kudos_report(location: Location, period: Period) -> KudosReport:
    """Given and received per person, per value and per week; hidden kudos do not count."""
    kudos = (
        sa.select(Kudos.from_user_id, Kudos.to_user_id, Kudos.value, Kudos.given_on)
        .where(
            Kudos.location_id == location.id,
            Kudos.hidden_at.is_(None),
            Kudos.given_on >= period.start,
            Kudos.given_on <= period.end,
        )
        .subquery("k")
    )
    given = (
        sa.select(kudos.c.from_user_id.label("user_id"), sa.func.count().label("n"))
        .group_by(kudos.c.from_user_id)
        .subquery("given")
    )
    received = (
        sa.select(kudos.c.to_user_id.label("user_id"), sa.func.count().label("n"))
        .group_by(kudos.c.to_user_id)
        .subquery("received")
    )
    # The location's people, and anyone else who gave or received there (an admin, say).
    involved = sa.union(sa.select(given.c.user_id), sa.select(received.c.user_id))
    people = [
        PersonKudos(user_id, name, int(g or 0), int(r or 0))
        for user_id, name, g, r in db.session.execute(
            sa.select(User.id, User.name, given.c.n, received.c.n)
            .outerjoin(given, given.c.user_id == User.id)
            .outerjoin(received, received.c.user_id == User.id)
            .where(
                sa.or_(
                    sa.and_(
                        User.location_id == location.id, User.active.is_(True), User.role != "admin"
                    ),
                    User.id.in_(involved),
                )
            )
            .order_by(User.name, User.id)
        )
    ]
    values = [
        (value, count)
        for value, count in db.session.execute(
            sa.select(kudos.c.value, sa.func.count())
            .group_by(kudos.c.value)
            .order_by(sa.func.count().desc(), kudos.c.value)
        )
    ]
    weeks: dict[date, dict[str | None, int]] = {monday: {} for monday in period.weeks()}
    for day, value, count in db.session.execute(
        sa.select(kudos.c.given_on, kudos.c.value, sa.func.count()).group_by(
            kudos.c.given_on, kudos.c.value
        )
    ):
        week = weeks.setdefault(week_of(day), {})
        week[value] = week.get(value, 0) + count
    return KudosReport(location, period, people, values, weeks)


__all__ = [
    "AttendanceReport",
    "Comparison",
    "ContentReport",
    "Coverage",
    "KudosReport",
    "attendance_report",
    "compare_locations",
    "content_report",
    "coverage_for",
    "kudos_report",
]
