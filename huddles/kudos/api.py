"""The kudos endpoints of /api/v1."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from huddles.api import int_arg, json_body, page_args, require_login
from huddles.auth.access import can_lead_location, location_for
from huddles.errors import ApiError
from huddles.kudos import service
from huddles.validation import FieldError

bp = Blueprint("kudos_api", __name__, url_prefix="/api/v1")


@bp.post("/kudos")
def give():
    require_login()
    body = json_body()
    to_user_id = body.get("to_user_id")
    if not isinstance(to_user_id, int) or isinstance(to_user_id, bool):
        raise ApiError(
            422, _("to_user_id must be the id (a number) of a colleague."), field="to_user_id"
        )
    message, value = body.get("message"), body.get("value")
    if not isinstance(message, str):
        raise ApiError(422, _("message must be text of 1 to 500 characters."), field="message")
    if value is not None and not isinstance(value, str):
        raise ApiError(
            422, _("value must be one of: %(v)s.", v=", ".join(service.VALUES)), field="value"
        )
    try:
        kudos = service.give_kudos(
            current_user,
            to_user_id=to_user_id,
            message=message,
            value=value,
            now=datetime.now(UTC),
            daily_cap=current_app.config["HUDDLES_KUDOS_DAILY_CAP"],
        )
    except service.KudosCapReached as error:
        raise ApiError(429, error.message, code=error.code) from None
    except FieldError as error:
        raise ApiError(422, error.message, field=error.field) from None
    return jsonify(service.kudos_json(kudos)), 201


@bp.get("/kudos")
def wall():
    require_login()
    location_id = int_arg("location_id")
    if location_id is None:
        if current_user.location_id is None:
            raise ApiError(400, _("Say which location: ?location_id="), field="location_id")
        location_id = current_user.location_id
    location = location_for(current_user, location_id)
    since = _since_arg()
    page, per_page = page_args()
    moderator = can_lead_location(current_user, location)
    result = service.kudos_page(
        location, include_hidden=moderator, since=since, page=page, per_page=per_page
    )
    return jsonify(
        {
            "items": [service.kudos_json(k, moderation=moderator) for k in result.items],
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
        }
    )


def _since_arg() -> date | None:
    raw = request.args.get("since", "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, _("since must be a date as YYYY-MM-DD."), field="since") from None
