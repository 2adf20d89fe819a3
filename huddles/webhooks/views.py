"""The webhook of a location on its admin page (URL, secret shown once, test, delivery log),
and the scheduler's and signals' way in."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from huddles import signals
from huddles.auth.access import admin_required, location_for
from huddles.db import utcnow
from huddles.extensions import db
from huddles.org.forms import ConfirmForm
from huddles.validation import FieldError
from huddles.webhooks import service

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__, url_prefix="/admin")


def allow_private() -> bool:
    return bool(current_app.config.get("HUDDLES_WEBHOOK_ALLOW_PRIVATE"))


@bp.app_template_global()
def webhook_deliveries(location_id: int) -> list[Any]:
    """The location page's delivery log."""
    return service.recent_deliveries(location_id)


def _location(location_id: int):
    location = location_for(current_user, location_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return location


def _show_secret(location, secret: str):
    return render_template("webhooks/secret.html", location=location, secret=secret)


@bp.post("/locations/<int:location_id>/webhook")
@admin_required
def save(location_id: int):
    location = _location(location_id)
    try:
        secret = service.set_webhook(
            location, request.form.get("webhook_url", ""), allow_private=allow_private()
        )
    except FieldError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("org.edit_location", location_id=location.id, _anchor="webhook"))
    db.session.commit()
    if secret:
        return _show_secret(location, secret)
    flash(_("The webhook of %(name)s is saved.", name=location.name), "success")
    return redirect(url_for("org.edit_location", location_id=location.id, _anchor="webhook"))


@bp.post("/locations/<int:location_id>/webhook/secret")
@admin_required
def rotate_secret(location_id: int):
    location = _location(location_id)
    try:
        secret = service.new_secret(location)
    except FieldError as error:
        flash(error.message, "error")
        return redirect(url_for("org.edit_location", location_id=location.id, _anchor="webhook"))
    return _show_secret(location, secret)


@bp.post("/locations/<int:location_id>/webhook/test")
@admin_required
def send_test(location_id: int):
    location = _location(location_id)
    if not location.webhook_url:
        flash(_("Set a webhook URL first."), "error")
    else:
        service.enqueue_test(location, now=utcnow())
        flash(_("A test message is queued; it leaves within a minute."), "success")
    return redirect(url_for("org.edit_location", location_id=location.id, _anchor="webhook"))


def _on_finished(sender: Flask, **extra: Any) -> None:
    agenda_id = extra.get("agenda_id")
    if not isinstance(agenda_id, int):
        return
    try:
        service.enqueue_summary(agenda_id, now=utcnow())
    except Exception:  # the lead's request must not fail for a webhook; the job sweeps later
        db.session.rollback()
        log.exception("could not queue the summary of agenda %s", agenda_id)


@bp.record_once
def _subscribe(state: Any) -> None:
    signals.huddle_finished.connect(_on_finished)
    signals.huddle_closed.connect(_on_finished)
