"""/reports: the overview a lead reads in a minute, then coverage, attendance, content, kudos."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from huddles.auth.access import location_for, roles_required, visible_locations
from huddles.huddle import record
from huddles.i18n import text_direction
from huddles.kudos.service import value_label
from huddles.org.models import Location
from huddles.reports import charts, service
from huddles.reports.csv import csv_response
from huddles.reports.params import parse_period
from huddles.reports.period import Period, last_weeks, month_of, week_period
from huddles.reports.tables import TABLES
from huddles.validation import FieldError

bp = Blueprint("reports", __name__, url_prefix="/reports")

leads_and_admins = roles_required("admin", "lead")


@dataclass
class Scope:
    """What a report page is about: a location, a period, and how to link to another."""

    location: Location
    locations: list[Location]
    period: Period
    today: date
    now: datetime
    error: FieldError | None = None

    def args(self, **extra: Any) -> dict[str, Any]:
        return {
            "location_id": self.location.id,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            **extra,
        }

    def presets(self) -> list[tuple[str, Period]]:
        last_month = month_of(month_of(self.today).start - timedelta(days=1))
        return [
            (_("Last 4 weeks"), last_weeks(self.today)),
            (_("This week"), week_period(self.today)),
            (_("Last week"), week_period(self.today - timedelta(days=7))),
            (_("This month"), month_of(self.today)),
            (_("Last month"), last_month),
            (_("Last 90 days"), Period(self.today - timedelta(days=89), self.today)),
        ]


def _scope() -> Scope:
    now = datetime.now(UTC)
    locations = visible_locations(current_user)
    raw = request.args.get("location_id", "")
    if raw.isdigit() and len(raw) < 10:
        location = location_for(current_user, int(raw), lead=True)
    elif current_user.location_id is not None:
        location = location_for(current_user, current_user.location_id, lead=True)
    elif locations:
        location = locations[0]
    else:
        abort(404, _("There is no location yet: add one under Admin first."))
    today = service.local_today(location, now)
    try:
        period = parse_period(request.args, today, last_weeks(today))
        error = None
    except FieldError as problem:
        period, error = last_weeks(today), problem
    return Scope(location, locations, period, today, now, error)


def _rtl() -> bool:
    """The page is right to left (Arabic): its charts are mirrored."""
    return text_direction(str(get_locale() or "en")) == "rtl"


def _render(template: str, scope: Scope, **context: Any):
    status = 422 if scope.error else 200
    return (
        render_template(
            template,
            scope=scope,
            charts=charts,
            percent=charts.percent,
            value_label=value_label,
            habitual_misses=service.HABITUAL_MISSES,
            habitual_rate=service.HABITUAL_RATE,
            records_max_days=service.RECORDS_MAX_DAYS,
            **context,
        ),
        status,
    )


def _rate_bars(rows: list[tuple[str, float | None]]) -> list[charts.Bar]:
    return [
        charts.Bar(
            label,
            rate or 0.0,
            charts.percent(rate),
            "bar-low" if rate is not None and rate < service.HABITUAL_RATE else "",
        )
        for label, rate in rows
    ]


def _week_label(monday: date) -> str:
    return monday.strftime("%d.%m.")


@bp.get("")
@leads_and_admins
def index():
    """The first screen: did my huddles happen, who missed them, who is never thanked."""
    scope = _scope()
    [coverage] = service.coverage_for([scope.location], scope.period, scope.now)
    attendance = service.attendance_report(scope.location, scope.period)
    kudos = service.kudos_report(scope.location, scope.period)
    comparison = (
        service.compare_locations(scope.locations, scope.period, scope.now)
        if current_user.is_admin and len(scope.locations) > 1
        else []
    )
    return _render(
        "reports/index.html",
        scope,
        coverage=coverage,
        attendance=attendance,
        kudos=kudos,
        comparison=comparison,
        tab="index",
    )


@bp.get("/coverage")
@leads_and_admins
def coverage():
    scope = _scope()
    [report] = service.coverage_for([scope.location], scope.period, scope.now)
    comparison = (
        service.compare_locations(scope.locations, scope.period, scope.now)
        if current_user.is_admin and len(scope.locations) > 1
        else []
    )
    chart = charts.bar_chart(
        _("Share of huddles held, per shift"),
        _rate_bars([(shift.name, shift.held_share) for shift in report.shifts]),
        maximum=1,
        description=_("Held huddles (done or ended) of the days each shift was due."),
        rtl=_rtl(),
    )
    return _render(
        "reports/coverage.html",
        scope,
        coverage=report,
        comparison=comparison,
        chart=chart,
        tab="coverage",
    )


@bp.get("/attendance")
@leads_and_admins
def attendance():
    scope = _scope()
    report = service.attendance_report(scope.location, scope.period)
    shift_chart = charts.bar_chart(
        _("Attendance rate per shift"),
        _rate_bars([(shift.name, shift.rate) for shift in report.shifts]),
        maximum=1,
        description=_("Present and late count as attended; excused is not expected."),
        rtl=_rtl(),
    )
    people_chart = charts.bar_chart(
        _("Attendance rate per person"),
        _rate_bars([(person.name, person.rate) for person in report.people]),
        maximum=1,
        rtl=_rtl(),
    )
    trend = charts.column_chart(
        _("Attendance rate by week"),
        [
            charts.Bar(_week_label(week.week), week.rate or 0.0, charts.percent(week.rate))
            for week in report.weeks
        ],
        maximum=1,
        description=_("Each column is a week, labelled by its Monday."),
        rtl=_rtl(),
    )
    return _render(
        "reports/attendance.html",
        scope,
        report=report,
        shift_chart=shift_chart,
        people_chart=people_chart,
        trend=trend,
        tab="attendance",
    )


@bp.get("/content")
@leads_and_admins
def content():
    scope = _scope()
    report = service.content_report(
        scope.location, scope.period, scope.today, locale=str(get_locale() or "en")
    )
    used_chart = charts.bar_chart(
        _("Most used topics of the day"),
        [charts.Bar(t.title, t.used) for t in report.topics if t.kind != "lexicon"][:12],
        description=_("How many huddles that took place used each topic (phrases aside)."),
        rtl=_rtl(),
    )
    kinds = report.kinds
    kinds_chart = charts.column_chart(
        _("Topics discussed by week"),
        [
            charts.Bar(_week_label(week), sum(counts.values()))
            for week, counts in sorted(report.kinds_by_week.items())
        ],
        description=_("Each column is a week, labelled by its Monday."),
        rtl=_rtl(),
    )
    return _render(
        "reports/content.html",
        scope,
        report=report,
        kinds=kinds,
        used_chart=used_chart,
        kinds_chart=kinds_chart,
        tab="content",
    )


@bp.get("/kudos")
@leads_and_admins
def kudos():
    scope = _scope()
    report = service.kudos_report(scope.location, scope.period)
    received = sorted(report.people, key=lambda p: (-p.received, p.name.lower()))
    people_chart = charts.bar_chart(
        _("Thank-yous received per person"),
        [charts.Bar(p.name, p.received) for p in received],
        rtl=_rtl(),
    )
    values_chart = charts.bar_chart(
        _("Thank-yous per value"),
        [charts.Bar(value_label(value) or _("No value"), count) for value, count in report.values],
        rtl=_rtl(),
    )
    trend = charts.column_chart(
        _("Thank-yous by week"),
        [charts.Bar(_week_label(week), total) for week, total in report.week_totals()],
        description=_("Each column is a week, labelled by its Monday."),
        rtl=_rtl(),
    )
    return _render(
        "reports/kudos.html",
        scope,
        report=report,
        received=received,
        people_chart=people_chart,
        values_chart=values_chart,
        trend=trend,
        tab="kudos",
    )


def download(report: str):
    """One table of a report as CSV (the same tables as the API's &format=csv)."""
    scope = _scope()
    if scope.error:
        abort(400, scope.error.message)
    if report == "coverage":
        [data] = service.coverage_for([scope.location], scope.period, scope.now)
    elif report == "attendance":
        data = service.attendance_report(scope.location, scope.period)
    elif report == "topics":
        data = service.content_report(scope.location, scope.period, scope.today)
    else:
        data = service.kudos_report(scope.location, scope.period)
    make_tables, default = TABLES[report]
    tables = make_tables(data)
    key = request.args.get("table") or default
    if key not in tables:
        abort(400, _("table is one of: %(names)s.", names=", ".join(sorted(tables))))
    table = tables[key]
    name = f"{report}-{key}-{scope.location.id}-{scope.period.start}-{scope.period.end}.csv"
    return csv_response(name, table.header, table.rows)


def _csv_view(report: str) -> Any:
    def view() -> Any:
        return download(report)

    view.__name__ = f"{report}_csv"
    return leads_and_admins(view)


# One plain URL per report: /reports/coverage.csv, /reports/attendance.csv, …
for _report_name in TABLES:
    bp.add_url_rule(f"/{_report_name}.csv", f"{_report_name}_csv", _csv_view(_report_name))


@bp.get("/records.pdf")
@leads_and_admins
def records_pdf():
    """The period's huddle records bound as one PDF, for audits."""
    scope = _scope()
    if scope.error:
        abort(400, scope.error.message)
    if scope.period.days > service.RECORDS_MAX_DAYS:
        abort(
            400,
            _(
                "The records PDF covers at most %(n)s days; choose a shorter period.",
                n=service.RECORDS_MAX_DAYS,
            ),
        )
    locale = str(get_locale() or "en")
    agendas = service.period_agendas(scope.location, scope.period)
    body = record.records_pdf([record.build_record(a, locale) for a in agendas], locale)
    name = f"huddle-records-{scope.location.id}-{scope.period.start}-{scope.period.end}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.app_template_global()
def report_url(endpoint: str, scope: Scope, **extra: Any) -> str:
    return url_for(endpoint, **scope.args(**extra))
