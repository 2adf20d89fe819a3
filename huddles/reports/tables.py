"""Each report's numbers as named tables (a header and rows), for the CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huddles.reports.service import AttendanceReport, ContentReport, Coverage, KudosReport


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]


def coverage_tables(report: Coverage) -> dict[str, Table]:
    return {
        "days": Table(
            ["shift_id", "shift", "date", "status"],
            [
                [shift.shift_id, shift.name, day.isoformat(), status]
                for shift in report.shifts
                for day, status in shift.days
            ],
        ),
        "shifts": Table(
            ["shift_id", "shift", "done", "ended", "missed", "planned", "off", "held_share"],
            [
                [
                    shift.shift_id,
                    shift.name,
                    shift.counts["done"],
                    shift.counts["ended"],
                    shift.counts["missed"],
                    shift.counts["planned"],
                    shift.counts["off"],
                    shift.held_share,
                ]
                for shift in report.shifts
            ],
        ),
    }


def attendance_tables(report: AttendanceReport) -> dict[str, Table]:
    return {
        "people": Table(
            ["user_id", "name", "expected", "attended", "rate", "late", "not_caught_up"],
            [
                [p.user_id, p.name, p.expected, p.attended, p.rate, p.late, p.not_caught_up]
                for p in report.people
            ],
        ),
        "shifts": Table(
            [
                "shift_id",
                "shift",
                "huddles",
                "expected",
                "attended",
                "rate",
                "average_duration_s",
                "overruns",
            ],
            [
                [
                    s.shift_id,
                    s.name,
                    s.huddles,
                    s.expected,
                    s.attended,
                    s.rate,
                    s.average_s,
                    s.overruns,
                ]
                for s in report.shifts
            ],
        ),
        "weeks": Table(
            ["week", "expected", "attended", "rate"],
            [[w.week.isoformat(), w.expected, w.attended, w.rate] for w in report.weeks],
        ),
    }


def content_tables(report: ContentReport) -> dict[str, Table]:
    return {
        "topics": Table(
            ["slug", "kind", "title", "used", "last_used", "up", "down"],
            [
                [
                    t.slug,
                    t.kind,
                    t.title,
                    t.used,
                    t.last_used.isoformat() if t.last_used else "",
                    t.up,
                    t.down,
                ]
                for t in [*report.topics, *report.never_used]
            ],
        ),
        "kinds": Table(
            ["week", "kind", "count"],
            [
                [week.isoformat(), kind, count]
                for week, counts in sorted(report.kinds_by_week.items())
                for kind, count in sorted(counts.items())
            ],
        ),
    }


def kudos_tables(report: KudosReport) -> dict[str, Table]:
    return {
        "people": Table(
            ["user_id", "name", "given", "received"],
            [[p.user_id, p.name, p.given, p.received] for p in report.people],
        ),
        "values": Table(["value", "count"], [[v or "", c] for v, c in report.values]),
        "weeks": Table(
            ["week", "count"], [[week.isoformat(), count] for week, count in report.week_totals()]
        ),
    }


# Report name -> (its tables, the table the API's &format=csv gives by default).
TABLES: dict[str, tuple[Callable[[Any], dict[str, Table]], str]] = {
    "coverage": (coverage_tables, "days"),
    "attendance": (attendance_tables, "people"),
    "topics": (content_tables, "topics"),
    "kudos": (kudos_tables, "people"),
}
