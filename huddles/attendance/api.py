"""The attendance API: a huddle's roster with each person's status, ticked one person at a time."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from huddles.agenda import service as agenda_service
from huddles.api import date_arg, json_body, require_login
from huddles.attendance import service
from huddles.attendance.models import Attendance
from huddles.auth.access import shift_for
from huddles.db import utcnow
from huddles.errors import ApiError
from huddles.org.models import Shift
from huddles.validation import FieldError

bp = Blueprint("attendance_api", __name__, url_prefix="/api/v1")


def _shift_and_day(shift_id: int) -> tuple[Shift, date]:
    require_login()
    shift = shift_for(current_user, shift_id, lead=True)
    # The window of days is the service's to judge; here only the format is checked.
    return shift, date_arg("date", agenda_service.shift_day(shift, utcnow()), max_days_away=10**6)


def _api_error(error: FieldError) -> ApiError:
    status = getattr(error, "status", None) or (400 if error.field == "date" else 422)
    return ApiError(status, error.message, field=error.field)


def _record_json(record: Attendance) -> dict[str, object]:
    return {
        "user_id": record.user_id,
        "status": record.status,
        "visitor": record.visitor,
        "self_check_in": record.self_check_in,
        "method": record.method,
        "via": record.via,
        "marked_by_id": record.marked_by_id,
        "marked_at": record.marked_at.isoformat().replace("+00:00", "Z"),
    }


@bp.get("/shifts/<int:shift_id>/attendance")
def attendance(shift_id: int):
    shift, day = _shift_and_day(shift_id)
    try:
        rows = service.roster_for_day(shift, day, now=utcnow())
    except FieldError as error:
        raise _api_error(error) from None
    return jsonify([row.to_json() for row in rows])


@bp.put("/shifts/<int:shift_id>/attendance/<int:user_id>")
def mark(shift_id: int, user_id: int):
    shift, day = _shift_and_day(shift_id)
    body = json_body()
    status = body.get("status")
    # The huddle screen says it is the screen; anything else is an API client.
    via = body.get("via", "api")
    try:
        record = service.mark(
            shift, day, user_id, status, actor=current_user, now=utcnow(), via=via
        )
    except FieldError as error:
        raise _api_error(error) from None
    return jsonify(_record_json(record))


@bp.delete("/shifts/<int:shift_id>/attendance/<int:user_id>")
def unmark(shift_id: int, user_id: int):
    shift, day = _shift_and_day(shift_id)
    try:
        service.unmark(shift, day, user_id, now=utcnow())
    except FieldError as error:
        raise _api_error(error) from None
    return jsonify({"user_id": user_id, "status": None})


@bp.post("/shifts/<int:shift_id>/check-in")
def check_in(shift_id: int):
    """The signed-in person checks in to the huddle of that shift (on its roster, in its window)."""
    require_login()
    shift = shift_for(current_user, shift_id)
    day = date_arg("date", agenda_service.shift_day(shift, utcnow()), max_days_away=10**6)
    via = request.form.get("via") or (request.get_json(silent=True) or {}).get("via") or "api"
    if via not in ("today", "api"):
        raise ApiError(422, _("via must be one of: today, api."), field="via")
    try:
        record = service.check_in_day(shift, day, current_user, now=utcnow(), via=via)
    except FieldError as error:
        if not request.is_json and request.form.get("next"):
            flash(error.message, "error")
            return redirect(_safe_next())
        raise _api_error(error) from None
    if not request.is_json and request.form.get("next"):
        flash(_("You are checked in. Welcome to the huddle."), "success")
        return redirect(_safe_next())
    return jsonify(_record_json(record))


def _safe_next() -> str:
    """Where a form post goes back to: a path of this site, else Today."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.today")
