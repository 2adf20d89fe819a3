"""The screens API: pair a break-room screen by its code, list and unpair a location's screens."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from huddles.api import int_arg, json_body, require_role
from huddles.auth.access import location_for, visible_locations
from huddles.db import utcnow
from huddles.displays import service
from huddles.displays.models import Display
from huddles.errors import MAX_ID, ApiError
from huddles.extensions import db, limiter
from huddles.validation import FieldError

bp = Blueprint("displays_api", __name__, url_prefix="/api/v1")


@bp.post("/displays/pair")
@limiter.limit("30 per minute")  # a code is one of ~244 million: guessing one takes forever
def pair():
    require_role("admin", "lead")
    data = json_body()
    raw_location = data.get("location_id")
    if isinstance(raw_location, bool) or not isinstance(raw_location, int):
        raise ApiError(422, _("location_id must be a whole number."), field="location_id")
    if not 0 < raw_location <= MAX_ID:
        raise ApiError(404, _("There is no such location."), field="location_id")
    location = location_for(current_user, raw_location, lead=True)
    try:
        display = service.pair(
            data.get("code"),
            location,
            actor=current_user,
            now=utcnow(),
            name=str(data.get("name") or ""),
        )
    except FieldError as error:
        raise ApiError(422, error.message, field=error.field) from None
    return jsonify(service.display_json(display)), 201


@bp.get("/displays")
def list_displays():
    require_role("admin", "lead")
    location_id = int_arg("location_id")
    if location_id is not None:
        ids = [location_for(current_user, location_id, lead=True).id]
    else:
        ids = [location.id for location in visible_locations(current_user)]
    return jsonify([service.display_json(display) for display in service.displays_of(ids)])


@bp.delete("/displays/<int:display_id>")
def unpair(display_id: int):
    require_role("admin", "lead")
    display = db.session.get(Display, display_id)
    if display is None or display.location_id is None:
        raise ApiError(404, _("There is no such screen."))
    location_for(current_user, display.location_id, lead=True)
    service.unpair(display)
    return jsonify({"id": display_id, "unpaired": True})
