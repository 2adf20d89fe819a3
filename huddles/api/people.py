"""GET /api/v1/people: the roster for integrations; admins see everyone, leads their location."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from huddles.api import int_arg, page_args, require_role
from huddles.auth.access import location_for
from huddles.auth.models import ROLES, User
from huddles.errors import ApiError
from huddles.extensions import db
from huddles.org.models import RosterEntry

bp = Blueprint("people_api", __name__, url_prefix="/api/v1")


def person_json(user: User, shift_ids: list[int]) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "location_id": user.location_id,
        "active": user.active,
        "shift_ids": shift_ids,
    }


@bp.get("/people")
def people():
    require_role("admin", "lead")
    location_id = int_arg("location_id")
    if location_id is None and not current_user.is_admin:
        location_id = current_user.location_id
    query = sa.select(User).where(User.organisation_id == current_user.organisation_id)
    if location_id is not None:
        location = location_for(current_user, location_id, lead=True)
        query = query.where(User.location_id == location.id)
    role = request.args.get("role", "")
    if role:
        if role not in ROLES:
            raise ApiError(
                400, _("role is one of: %(roles)s.", roles=", ".join(ROLES)), field="role"
            )
        query = query.where(User.role == role)
    page, per_page = page_args()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    users = list(
        db.session.scalars(
            query.order_by(User.name, User.id).limit(per_page).offset((page - 1) * per_page)
        )
    )
    shifts: dict[int, list[int]] = defaultdict(list)
    if users:
        for user_id, shift_id in db.session.execute(
            sa.select(RosterEntry.user_id, RosterEntry.shift_id)
            .where(RosterEntry.user_id.in_([user.id for user in users]))
            .order_by(RosterEntry.shift_id)
        ):
            shifts[user_id].append(shift_id)
    return jsonify(
        {
            "items": [person_json(user, shifts[user.id]) for user in users],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )
