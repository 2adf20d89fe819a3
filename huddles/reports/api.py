"""/api/v1/reports/attendance|coverage|kudos|topics: JSON, or CSV with &format=csv."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from huddles.api import int_arg, require_role
from huddles.auth.access import location_for
from huddles.errors import ApiError
from huddles.org.models import Location
from huddles.reports import service
from huddles.reports.csv import csv_response
from huddles.reports.params import parse_period
from huddles.reports.period import Period
from huddles.reports.tables import TABLES
from huddles.validation import FieldError

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")


def report_location() -> Location:
    """The location asked for (a lead's own by default); leads of that location and admins."""
    require_role("admin", "lead")
    location_id = int_arg("location_id")
    if location_id is None:
        if current_user.location_id is None:
            raise ApiError(400, _("Say which location: ?location_id="), field="location_id")
        location_id = current_user.location_id
    return location_for(current_user, location_id, lead=True)


def _period(today: Any) -> Period:
    try:
        return parse_period(request.args, today)
    except FieldError as error:
        raise ApiError(400, error.message, field=error.field) from None


def _answer(name: str, report: Any, period: Period, location: Location):
    fmt = request.args.get("format", "json")
    if fmt == "json":
        return jsonify(report.to_json())
    if fmt != "csv":
        raise ApiError(400, _("format is json or csv."), field="format")
    make_tables, default = TABLES[name]
    tables = make_tables(report)
    key = request.args.get("table") or default
    if key not in tables:
        raise ApiError(
            400, _("table is one of: %(names)s.", names=", ".join(sorted(tables))), field="table"
        )
    table = tables[key]
    filename = f"{name}-{key}-{location.id}-{period.start}-{period.end}.csv"
    return csv_response(filename, table.header, table.rows)


@bp.get("/coverage")
def coverage():
    now = datetime.now(UTC)
    location = report_location()
    period = _period(service.local_today(location, now))
    [report] = service.coverage_for([location], period, now)
    return _answer("coverage", report, period, location)


@bp.get("/attendance")
def attendance():
    now = datetime.now(UTC)
    location = report_location()
    period = _period(service.local_today(location, now))
    return _answer("attendance", service.attendance_report(location, period), period, location)


@bp.get("/topics")
def topics():
    now = datetime.now(UTC)
    location = report_location()
    today = service.local_today(location, now)
    period = _period(today)
    return _answer("topics", service.content_report(location, period, today), period, location)


@bp.get("/kudos")
def kudos():
    now = datetime.now(UTC)
    location = report_location()
    period = _period(service.local_today(location, now))
    return _answer("kudos", service.kudos_report(location, period), period, location)
