"""The start page: today's shifts of the person's location(s)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from huddles.api import local_today
from huddles.auth.access import visible_locations

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def today():
    locations = visible_locations(current_user)
    days = {location.id: local_today(location) for location in locations}
    return render_template("main/today.html", locations=locations, days=days)
