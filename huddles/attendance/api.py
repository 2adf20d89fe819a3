"""The attendance API: a huddle's roster with each person's status, ticked one person at a time."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify
from flask_login import current_user

from huddles.agenda import days
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
    return shift, date_arg("date", days.shift_day(shift, utcnow()), max_days_away=10**6)


def _api_error(error: FieldError) -> ApiError:
    return ApiError(400 if error.field == "date" else 422, error.message, field=error.field)


def _record_json(record: Attendance) -> dict[str, object]:
    return {
        "user_id": record.user_id,
        "status": record.status,
        "visitor": record.visitor,
        "self_check_in": record.self_check_in,
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
    status = json_body().get("status")
    try:
        record = service.mark(shift, day, user_id, status, actor=current_user, now=utcnow())
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
