"""The huddle API: a huddle's record as JSON, and the room's feedback on its topic."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from huddles.agenda import service as agenda_service
from huddles.api import date_arg, json_body, require_login
from huddles.attendance.service import find_agenda
from huddles.auth.access import shift_for
from huddles.db import utcnow
from huddles.errors import ApiError
from huddles.huddle import record as records
from huddles.huddle import service
from huddles.validation import FieldError

bp = Blueprint("huddle_api", __name__, url_prefix="/api/v1")


@bp.get("/shifts/<int:shift_id>/huddle")
def huddle(shift_id: int):
    require_login()
    shift = shift_for(current_user, shift_id)
    day = date_arg("date", agenda_service.shift_day(shift, utcnow()), max_days_away=10**6)
    agenda = find_agenda(shift, day)
    if agenda is None:
        raise ApiError(404, _("No huddle was planned for %(day)s.", day=day.isoformat()))
    locale = str(get_locale() or "en")
    return jsonify(records.record_json(records.build_record(agenda, locale)))


@bp.post("/shifts/<int:shift_id>/feedback")
def feedback(shift_id: int):
    require_login()
    shift = shift_for(current_user, shift_id, lead=True)
    day = date_arg("date", agenda_service.shift_day(shift, utcnow()), max_days_away=10**6)
    value = json_body().get("topic")
    try:
        agenda = service.record_feedback(shift, day, value, actor=current_user, now=utcnow())
    except FieldError as error:
        raise ApiError(getattr(error, "status", 422), error.message, field=error.field) from None
    return jsonify(
        {
            "shift_id": shift.id,
            "date": day.isoformat(),
            "topic": agenda.topic_feedback,
            "feedback_at": agenda.feedback_at.isoformat().replace("+00:00", "Z")
            if agenda.feedback_at
            else None,
        }
    )
