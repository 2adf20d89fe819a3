"""The start page: today's huddles for leads and admins; the next huddle and kudos for staff."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from huddles.agenda.forms import HUDDLE_STATUS_LABELS
from huddles.auth.access import shift_for
from huddles.db import utcnow
from huddles.main.service import check_in_here, today_for
from huddles.page_cache import kept
from huddles.validation import FieldError

bp = Blueprint("main", __name__)


def _today_page(error: str | None = None, status: int = 200):
    view = today_for(current_user, now=utcnow())
    return render_template(
        "main/today.html", view=view, error=error, status_labels=HUDDLE_STATUS_LABELS
    ), status


@bp.get("/")
@kept
@login_required
def today():
    return _today_page()


@bp.post("/today/check-in/<int:shift_id>/<day>")
@login_required
def check_in(shift_id: int, day: str):
    """The "I'm here" button of Today (a form POST with its CSRF token)."""
    shift = shift_for(current_user, shift_id)
    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        abort(400, _("The day must be a date as YYYY-MM-DD."))
    try:
        check_in_here(current_user, shift, the_day, now=utcnow())
    except FieldError as error:
        return _today_page(error.message, getattr(error, "status", 422))
    flash(_("You are checked in for %(shift)s. Thank you!", shift=shift.name), "success")
    return redirect(url_for("main.today"))
