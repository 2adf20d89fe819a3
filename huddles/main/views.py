"""The start page: today's huddles for leads and admins; the next huddle and kudos for staff."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from huddles.db import utcnow
from huddles.main.service import today_for

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def today():
    return render_template("main/today.html", view=today_for(current_user, now=utcnow()))
