"""Admin pages: locations, shifts, rosters and people."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from huddles.auth import service as auth_service
from huddles.auth.access import admin_required, location_for, roles_required, shift_for
from huddles.auth.links import set_password_link
from huddles.auth.models import ROLES, User
from huddles.extensions import db
from huddles.i18n import LANGUAGE_NAMES, lazy_pgettext
from huddles.org import service
from huddles.org.forms import ConfirmForm, LocationForm, PersonForm, RosterForm, ShiftForm
from huddles.org.models import Location, Shift
from huddles.validation import FieldError, attach_to_form

bp = Blueprint("org", __name__, url_prefix="/admin")

ROLE_LABELS = {
    "admin": lazy_pgettext("the role", "Admin"),
    "lead": _l("Shift lead"),
    "staff": _l("Staff"),
}
WEEKDAY_LABELS = [_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun")]


def _locations() -> list[Location]:
    return list(
        db.session.scalars(
            sa.select(Location)
            .where(Location.organisation_id == current_user.organisation_id)
            .order_by(Location.name)
        )
    )


def _form_status(form) -> int:
    return 422 if request.method == "POST" else 200


@bp.get("/")
@admin_required
def index():
    return redirect(url_for("org.locations"))


@bp.get("/locations")
@admin_required
def locations():
    return render_template("org/locations.html", locations=_locations())


@bp.route("/locations/new", methods=["GET", "POST"])
@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@admin_required
def edit_location(location_id: int | None = None):
    location = location_for(current_user, location_id) if location_id else None
    form = LocationForm(obj=location)
    form.locale.choices = list(LANGUAGE_NAMES.items())
    if form.validate_on_submit():
        fields = {
            "name": form.name.data or "",
            "timezone": (form.timezone.data or "").strip(),
            "locale": form.locale.data or "en",
        }
        try:
            if location is None:
                location = service.create_location(current_user.organisation, **fields)
            else:
                service.update_location(location, **fields)
        except FieldError as error:
            attach_to_form(form, error)
        else:
            flash(_("Location %(name)s saved.", name=location.name), "success")
            return redirect(url_for("org.edit_location", location_id=location.id))
    return render_template(
        "org/location.html", form=form, location=location, weekday_labels=WEEKDAY_LABELS
    ), _form_status(form)


@bp.route("/locations/<int:location_id>/shifts/new", methods=["GET", "POST"])
@bp.route("/shifts/<int:shift_id>", methods=["GET", "POST"])
@admin_required
def edit_shift(location_id: int | None = None, shift_id: int | None = None):
    shift = shift_for(current_user, shift_id) if shift_id else None
    location = shift.location if shift else location_for(current_user, location_id or 0)
    form = ShiftForm(obj=shift)
    form.weekdays.choices = list(enumerate(WEEKDAY_LABELS))
    if request.method == "GET":
        if shift is not None:
            form.weekdays.data = shift.weekdays
            form.ends_at.data, form.overnight.data = _shift_end(shift)
        else:
            form.weekdays.data = list(range(7))
    if form.validate_on_submit():
        try:
            shift = service.save_shift(
                location,
                shift,
                name=form.name.data or "",
                starts_at=form.starts_at.data,
                ends_at=form.ends_at.data,
                overnight=bool(form.overnight.data),
                weekdays=list(form.weekdays.data or []),
                active=bool(form.active.data),
            )
        except FieldError as error:
            attach_to_form(form, error)
        else:
            flash(_("Shift %(name)s saved.", name=shift.name), "success")
            return redirect(url_for("org.edit_location", location_id=location.id))
    return render_template(
        "org/shift.html", form=form, shift=shift, location=location
    ), _form_status(form)


def _shift_end(shift: Shift) -> tuple[time, bool]:
    start = datetime.combine(datetime(2000, 1, 1), shift.starts_at)
    end = start + timedelta(minutes=shift.duration_minutes)
    return end.time(), end.date() > start.date()


@bp.route("/shifts/<int:shift_id>/roster", methods=["GET", "POST"])
@roles_required("admin", "lead")
def roster(shift_id: int):
    shift = shift_for(current_user, shift_id, lead=True)
    people = service.location_people(shift.location)
    form = RosterForm()
    form.people.choices = [(person.id, person.name) for person in people]
    if request.method == "GET":
        form.people.data = [entry.user_id for entry in shift.roster]
    if form.validate_on_submit():
        try:
            service.set_roster(shift, list(form.people.data or []))
        except FieldError as error:
            attach_to_form(form, error)
        else:
            flash(_("The roster of %(name)s is saved.", name=shift.name), "success")
            return redirect(url_for("org.roster", shift_id=shift.id))
    return render_template("org/roster.html", form=form, shift=shift), _form_status(form)


@bp.get("/people")
@admin_required
def people():
    location_id = request.args.get("location_id", type=int)
    query = sa.select(User).where(User.organisation_id == current_user.organisation_id)
    if location_id:
        query = query.where(User.location_id == location_id)
    everyone = list(db.session.scalars(query.order_by(User.active.desc(), User.name)))
    return render_template(
        "org/people.html",
        people=everyone,
        locations=_locations(),
        location_id=location_id,
        role_labels=ROLE_LABELS,
        confirm=ConfirmForm(),
    )


def _person_form(person: User | None) -> PersonForm:
    form = PersonForm(obj=person)
    form.role.choices = [(role, ROLE_LABELS[role]) for role in ROLES]
    form.location_id.choices = [(0, _("— none (admins only) —"))] + [
        (location.id, location.name) for location in _locations()
    ]
    form.locale.choices = [("", _("As the location"))] + list(LANGUAGE_NAMES.items())
    if person is None:
        form.default_location([location_id for location_id, _name in form.location_id.choices[1:]])
    if request.method == "GET" and person is not None:
        form.location_id.data = person.location_id or 0
        form.locale.data = person.locale or ""
    return form


def _invite_page(person: User, created: bool):
    token = auth_service.make_set_password_token(person, current_app.config["SECRET_KEY"])
    link = set_password_link(token)
    days = current_app.config["HUDDLES_INVITE_MAX_AGE"] // 86400
    return render_template("org/invite.html", person=person, link=link, created=created, days=days)


@bp.route("/people/new", methods=["GET", "POST"])
@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_person(user_id: int | None = None):
    person = _person_in_organisation(user_id) if user_id else None
    form = _person_form(person)
    if form.validate_on_submit():
        location = (
            location_for(current_user, form.location_id.data) if form.location_id.data else None
        )
        fields = {
            "name": form.name.data or "",
            "email": form.email.data or "",
            "role": form.role.data or "",
            "location": location,
            "locale": form.locale.data or None,
        }
        try:
            if person is None:
                person = auth_service.create_user(current_user.organisation, **fields)
                return _invite_page(person, created=True)
            auth_service.update_user(person, **fields)
        except FieldError as error:
            attach_to_form(form, error)
        else:
            flash(_("%(name)s saved.", name=person.name), "success")
            return redirect(url_for("org.people"))
    return render_template(
        "org/person.html", form=form, person=person, confirm=ConfirmForm()
    ), _form_status(form)


def _person_in_organisation(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.organisation_id != current_user.organisation_id:
        abort(404, _("There is no such person."))
    return person


@bp.post("/people/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    person = _person_in_organisation(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    if person.id == current_user.id and not active:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        auth_service.set_active(person, active)
        message = _("%(name)s is active again.") if active else _("%(name)s is deactivated.")
        flash(message % {"name": person.name}, "success")
    return redirect(url_for("org.people"))


@bp.post("/people/<int:user_id>/reset-password")
@admin_required
def reset_password(user_id: int):
    person = _person_in_organisation(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    auth_service.reset_password(person)
    return _invite_page(person, created=False)
