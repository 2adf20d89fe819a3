"""The JSON API under /api/v1: shared helpers and the core endpoints.

Features add their own endpoints on their own blueprints under the same prefix.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from huddles.api.openapi import document
from huddles.auth.access import location_for, visible_locations
from huddles.errors import MAX_ID, ApiError
from huddles.extensions import csrf, db
from huddles.org.models import Location, Shift

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def require_login() -> None:
    if not current_user.is_authenticated:
        raise ApiError(401, _("Sign in or send 'Authorization: Bearer <token>'."))


def require_role(*roles: str) -> None:
    require_login()
    if current_user.role not in roles:
        raise ApiError(403, _("This needs the role: %(roles)s.", roles=", ".join(roles)))


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400/415 that says what is wrong."""
    if not request.is_json:
        raise ApiError(415, _("Send JSON with 'Content-Type: application/json'."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    return data


def int_arg(name: str, *, required: bool = False) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if required:
            raise ApiError(400, _("The parameter %(name)s is required.", name=name), field=name)
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400, _("The parameter %(name)s must be a whole number.", name=name), field=name
        ) from None
    if abs(value) > MAX_ID:
        raise ApiError(400, _("The parameter %(name)s is out of range.", name=name), field=name)
    return value


def local_today(location: Location, now: datetime | None = None) -> date:
    """Today's date in the location's time zone."""
    now = now or datetime.now(ZoneInfo("UTC"))
    return now.astimezone(ZoneInfo(location.timezone)).date()


def date_arg(name: str, default: date | None = None, *, max_days_away: int = 366) -> date:
    """An ISO date parameter, within max_days_away of the default (today), or a clear 400."""
    raw = request.args.get(name)
    if not raw:
        if default is None:
            raise ApiError(400, _("The parameter %(name)s is required.", name=name), field=name)
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, _("%(name)s must be a date as YYYY-MM-DD.", name=name), field=name
        ) from None
    if default is not None and abs((value - default).days) > max_days_away:
        raise ApiError(
            400,
            _("%(name)s is too far from today (at most %(n)s days).", name=name, n=max_days_away),
            field=name,
        )
    return value


def page_args() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (capped) of a paged list."""
    page = int_arg("page")
    per_page = int_arg("per_page")
    # 0 is bad input, not "the default": only a missing value takes the default.
    page = 1 if page is None else page
    per_page = current_app.config["HUDDLES_PER_PAGE"] if per_page is None else per_page
    if page < 1:
        raise ApiError(400, _("page starts at 1."), field="page")
    if per_page < 1:
        raise ApiError(400, _("per_page must be at least 1."), field="per_page")
    return page, min(per_page, current_app.config["HUDDLES_MAX_PER_PAGE"])


def paged(query: sa.Select[Any], to_json: Any) -> dict[str, Any]:
    """Run a select as one page: {"items", "page", "per_page", "total"}."""
    page, per_page = page_args()
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return {
        "items": [to_json(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


@bp.get("/health")
@csrf.exempt
def health():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "degraded", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": database})


@bp.get("/me")
def me():
    require_login()
    return jsonify(current_user.to_json())


@bp.get("/locations")
def locations():
    require_login()
    return jsonify([location.to_json() for location in visible_locations(current_user)])


@bp.get("/shifts")
def shifts():
    require_login()
    location_id = int_arg("location_id")
    if location_id is not None:
        location_ids = [location_for(current_user, location_id).id]
    else:
        location_ids = [location.id for location in visible_locations(current_user)]
    rows = db.session.scalars(
        sa.select(Shift)
        .where(Shift.location_id.in_(location_ids))
        .order_by(Shift.location_id, Shift.starts_at, Shift.name)
    )
    return jsonify([shift.to_json() for shift in rows])


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
