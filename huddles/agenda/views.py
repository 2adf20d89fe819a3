"""Agenda pages (the week view, a location's template and pins) and the agenda API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from huddles.agenda import library, pins, planning, templates, window
from huddles.agenda import week as week_view
from huddles.agenda.days import local_today
from huddles.agenda.forms import (
    HUDDLE_STATUS_LABELS,
    KIND_LABELS,
    WEEKDAY_NAMES,
    PinForm,
    TemplateForm,
    UnpinForm,
)
from huddles.api import date_arg, json_body, require_login
from huddles.auth.access import admin_required, location_for, roles_required, shift_for
from huddles.db import utcnow
from huddles.errors import ApiError
from huddles.extensions import db
from huddles.org.models import Shift
from huddles.page_cache import kept
from huddles.validation import FieldError, attach_to_form

bp = Blueprint("agenda", __name__)
api_bp = Blueprint("agenda_api", __name__, url_prefix="/api/v1")

MAX_DAYS_AWAY = 366


def _plan_days() -> int:
    return window.plan_days(current_app.config)


def _locale(location, *, api: bool = True) -> str:
    # ?lang= (in the API a bad one is a 400 naming it), else the person's, else the location's.
    from huddles.config import LOCALES
    from huddles.topics.api import asked_language

    if api:
        asked = asked_language()
    else:
        asked = request.args.get("lang") if request.args.get("lang") in LOCALES else None
    return asked or current_user.locale or location.locale or "en"


# --- The week view ---------------------------------------------------------------------------


@bp.get("/agenda/<int:location_id>/week")
@roles_required("admin", "lead")
def week(location_id: int):
    location = location_for(current_user, location_id, lead=True)
    now = utcnow()
    today = local_today(location, now)
    raw = request.args.get("start", "")
    try:
        start = date.fromisoformat(raw) if raw else today
    except ValueError:
        abort(400, _("start must be a date as YYYY-MM-DD."))
    if abs((start - today).days) > MAX_DAYS_AWAY:
        abort(400, _("start is too far from today (at most %(n)s days).", n=MAX_DAYS_AWAY))
    days = week_view.week(
        location,
        start,
        now=now,
        locale=_locale(location, api=False),
        actor=current_user,
        days_ahead=_plan_days(),
    )
    return render_template(
        "agenda/week.html",
        location=location,
        days=days,
        start=start,
        previous=start - timedelta(days=7),
        following=start + timedelta(days=7),
        today=today,
        kind_labels=KIND_LABELS,
        status_labels=HUDDLE_STATUS_LABELS,
    )


# --- A location's template and pins ------------------------------------------------------------


def _attach(form: TemplateForm, error: FieldError) -> None:
    """Put a service error next to its field, nested slot fields included."""
    if error.field.startswith("slots-"):
        _prefix, number, name = error.field.split("-", 2)
        entries = form.slots.entries
        if number.isdigit() and int(number) < len(entries):
            field = getattr(entries[int(number)].form, name, None)
            if field is not None:
                field.errors = [*field.errors, error.message]
                return
    if error.field in ("slots", "weekday_themes"):
        form.form_errors.append(error.message)
        return
    attach_to_form(form, error)


def _template_form(location, *, submitted: bool = False) -> TemplateForm:
    """The template form: as posted when it is what was submitted, else as saved (so a failed
    pin below it never shows it blank)."""
    if submitted:
        return TemplateForm()
    values = templates.template_row_values(location)
    slots = [*values["slots"], {"fill": "rotation"}, {"fill": "rotation"}]
    return TemplateForm(
        formdata=None,
        data={
            "slots": [{**slot, "kind": slot.get("kind") or ""} for slot in slots],
            "cooldown_days": values["cooldown_days"],
            "scope": values["scope"],
            **{f"theme_{n}": theme for n, theme in enumerate(values["weekday_themes"])},
        },
    )


def _pin_form(location) -> PinForm:
    form = PinForm(prefix="pin")
    settings = templates.template_for(location.id)
    form.slot_key.choices = [
        SelectChoice(slot.key, slot.title)
        for slot in settings.template.slots
        if slot.fill == "rotation"
    ]
    form.shift_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(shift.id, shift.name) for shift in location.shifts
    ]
    return form


def _render_template_page(location, form: TemplateForm, pin_form: PinForm, status: int = 200):
    today = local_today(location, utcnow())
    report = None
    asked = request.args.get("pin", "")
    if asked.isdigit():
        try:
            report = pins.pin_report(location, int(asked))
        except FieldError:
            report = None
    return render_template(
        "agenda/template.html",
        location=location,
        form=form,
        pin_form=pin_form,
        unpin_form=UnpinForm(),
        pins=pins.pins_for(location, since=today),
        pin_report=report,
        suggestions=pins.topic_suggestions(),
        weekday_names=WEEKDAY_NAMES,
        kind_labels=KIND_LABELS,
        status_labels=HUDDLE_STATUS_LABELS,
    ), status


@bp.route("/admin/locations/<int:location_id>/template", methods=["GET", "POST"])
@admin_required
def edit_template(location_id: int):
    location = location_for(current_user, location_id)
    form = _template_form(location, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            templates.save_template(
                location,
                slots=[entry.form.data for entry in form.slots.entries],
                weekday_themes=[theme.data for theme in form.themes],
                cooldown_days=form.cooldown_days.data,
                scope=form.scope.data,
                actor=current_user,
                now=utcnow(),
            )
        except FieldError as error:
            _attach(form, error)
        else:
            flash(_("The agenda template of %(name)s is saved.", name=location.name), "success")
            return redirect(url_for("agenda.edit_template", location_id=location.id))
    status = 422 if request.method == "POST" else 200
    return _render_template_page(location, form, _pin_form(location), status)


@bp.post("/admin/locations/<int:location_id>/pins")
@admin_required
def add_pin(location_id: int):
    location = location_for(current_user, location_id)
    pin_form = _pin_form(location)
    if pin_form.validate_on_submit():
        try:
            pin = pins.pin_topic(
                location,
                day=pin_form.day.data,
                slot_key=pin_form.slot_key.data,
                topic=pin_form.topic.data or "",
                scope=pin_form.scope.data,
                shift_id=pin_form.shift_id.data or None,
                actor=current_user,
                now=utcnow(),
            )
        except FieldError as error:
            attach_to_form(pin_form, error)
        else:
            report = pins.pin_report(location, pin.id)
            if report.can_apply or report.kept:
                flash(
                    ngettext(
                        "The topic is pinned, but %(num)s huddle had already been opened and "
                        "kept its topic; see below.",
                        "The topic is pinned, but %(num)s huddles had already been opened and "
                        "kept their topic; see below.",
                        len(report.can_apply) + len(report.kept),
                    ),
                    "info",
                )
            else:
                flash(_("The topic is pinned."), "success")
            return redirect(url_for("agenda.edit_template", location_id=location.id, pin=pin.id))
    return _render_template_page(location, _template_form(location), pin_form, 422)


@bp.post("/admin/locations/<int:location_id>/pins/<int:pin_id>/apply")
@admin_required
def apply_pin(location_id: int, pin_id: int):
    location = location_for(current_user, location_id)  # the POST's CSRF token is checked first
    try:
        changed = pins.apply_pin(location, pin_id, actor=current_user, now=utcnow())
    except pins.PinClosed as error:
        abort(409, error.message)
    except FieldError as error:
        abort(404, error.message)
    flash(
        ngettext(
            "The pinned topic now reaches %(num)s more huddle.",
            "The pinned topic now reaches %(num)s more huddles.",
            changed,
        ),
        "success",
    )
    return redirect(url_for("agenda.edit_template", location_id=location.id, pin=pin_id))


@bp.post("/admin/locations/<int:location_id>/pins/delete")
@admin_required
def delete_pin(location_id: int):
    location = location_for(current_user, location_id)
    form = UnpinForm()
    if not form.validate_on_submit() or not str(form.pin_id.data).isdigit():
        abort(400, _("Choose a pin to remove."))
    try:
        pins.unpin(location, int(form.pin_id.data), now=utcnow())
    except FieldError as error:
        abort(404, error.message)
    flash(_("The pin is removed."), "success")
    return redirect(url_for("agenda.edit_template", location_id=location.id))


# --- The API -----------------------------------------------------------------------------------


def _kudos_for(agenda) -> list[dict[str, Any]]:
    """The kudos feature's read-out list (with its `more`), or none without that feature."""
    provider = current_app.extensions.get(planning.KUDOS_PROVIDER)
    return provider(agenda) if provider is not None else []


def _agenda_or_error(shift: Shift, day: date, now):
    """The agenda within the planning window, or the contract's 404/403 (nothing is made)."""
    try:
        return window.agenda_for(shift, day, actor=current_user, now=now, days=_plan_days())
    except (window.NotPlanned, window.BeyondWindow) as error:
        raise ApiError(error.status, error.message, field=error.field) from None


@api_bp.get("/shifts/<int:shift_id>/agenda")
@kept
def shift_agenda(shift_id: int):
    require_login()
    shift = shift_for(current_user, shift_id)
    now = utcnow()
    day = date_arg("date", local_today(shift.location, now), max_days_away=MAX_DAYS_AWAY)
    agenda = _agenda_or_error(shift, day, now)
    locale = _locale(shift.location)
    return jsonify(planning.agenda_json(agenda, locale, kudos=_kudos_for(agenda)))


@api_bp.post("/shifts/<int:shift_id>/agenda/swap")
def swap(shift_id: int):
    require_login()
    shift: Shift = shift_for(current_user, shift_id, lead=True)
    body = json_body()
    slot = body.get("slot")
    if not isinstance(slot, str) or not slot:
        raise ApiError(400, _('Name the slot to swap, e.g. "topic".'), field="slot")
    now = utcnow()
    day = date_arg("date", local_today(shift.location, now), max_days_away=MAX_DAYS_AWAY)
    agenda = _agenda_or_error(shift, day, now)
    topic_slug = body.get("topic_slug")
    if topic_slug is not None and (not isinstance(topic_slug, str) or not topic_slug):
        raise ApiError(400, _("topic_slug must name a topic."), field="topic_slug")
    try:
        agenda = planning.swap_slot(
            agenda, slot, actor=current_user, now=now, topic_slug=topic_slug
        )
    except planning.AgendaLocked as error:
        raise ApiError(409, error.message, field=error.field) from None
    except FieldError as error:
        db.session.rollback()
        raise ApiError(400, error.message, field=error.field) from None
    locale = _locale(shift.location)
    return jsonify(planning.agenda_json(agenda, locale, kudos=_kudos_for(agenda)))


@api_bp.get("/shifts/<int:shift_id>/agenda/swap-options")
def swap_options(shift_id: int):
    require_login()
    shift: Shift = shift_for(current_user, shift_id, lead=True)
    slot = request.args.get("slot", "topic")
    now = utcnow()
    day = date_arg("date", local_today(shift.location, now), max_days_away=MAX_DAYS_AWAY)
    agenda = _agenda_or_error(shift, day, now)
    if agenda.started_at is not None or agenda.status != "planned":
        raise ApiError(
            409, _("The huddle has already started; its agenda can no longer change."), field="slot"
        )
    options = planning.swap_options(agenda, slot, locale=str(get_locale() or "en"))
    return jsonify(
        [
            {
                "topic_slug": option.slug,
                "title": option.title,
                "fits": option.fits,
                "last_used": option.last_used.isoformat() if option.last_used else None,
            }
            for option in options
        ]
    )


# The agenda feature follows the library's changes (see huddles/signals.py).
bp.record_once(lambda _state: library.subscribe())
