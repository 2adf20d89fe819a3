"""The break-room screen (/display, no personal sign-in) and the page that pairs screens."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from huddles import signals
from huddles.auth.access import location_for, roles_required, shift_for, visible_locations
from huddles.config import LOCALES
from huddles.db import utcnow
from huddles.displays import service
from huddles.displays.models import Display
from huddles.extensions import db, limiter
from huddles.i18n import select_locale
from huddles.org.forms import ConfirmForm
from huddles.org.models import Location
from huddles.validation import FieldError

bp = Blueprint("displays", __name__)

COOKIE = "huddles_display"
COOKIE_PATH = "/display"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
POLL_MS = 1000
NEW_SCREENS_LIMIT = "60 per hour"


# --- The screen --------------------------------------------------------------------------------


def _set_credential(response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Strict",
    )


def _screen_locale(location: Location | None) -> str:
    asked = request.args.get("lang", "")
    if asked in LOCALES:
        return asked
    if location is not None and location.locale in LOCALES:
        return location.locale
    return select_locale()


def _current_display(now: datetime) -> tuple[Display, str | None]:
    """The screen of this browser; a new unpaired one (and its credential) if it has none."""
    display = service.display_for_token(request.cookies.get(COOKIE))
    if display is None:
        # Each new screen is a row: a client address gets a few an hour, not a flood.
        with limiter.limit(NEW_SCREENS_LIMIT, scope="new-display"):
            return service.new_display(now=now)
    return service.keep_code_fresh(display, now=now), None


def _render_stage(display: Display, now: datetime) -> tuple[str, dict[str, Any]]:
    location = db.session.get(Location, display.location_id) if display.location_id else None
    locale = _screen_locale(location)
    with force_locale(locale):
        if location is None:
            context: dict[str, Any] = {"display": display, "mode": "code"}
        else:
            moment = service.moment(location, now=now, locale=locale)
            context = {"display": display, "mode": moment.mode, "m": moment}
        html = render_template("displays/_stage.html", **context)
    meta = {"mode": context["mode"], "locale": locale}
    if location is not None:
        meta["location"] = location.name
    return html, meta


def _etag(key: tuple[Any, ...] | None, now: datetime) -> str:
    # The minute is part of it: the idle screen's "next huddle" and the huddle window move on
    # with the clock even when nobody changes anything.
    raw = repr((key, now.strftime("%Y%m%d%H%M"), request.args.get("lang", "")))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie"
    return response


@bp.get("/display")
def screen():
    now = utcnow()
    display, token = _current_display(now)
    html, meta = _render_stage(display, now)
    with force_locale(meta["locale"]):
        page = render_template(
            "displays/screen.html", stage=html, meta=meta, poll_ms=POLL_MS, locale=meta["locale"]
        )
    response = make_response(page)
    if token is not None:
        _set_credential(response, token)
    return _no_store(response)


@bp.get("/display/state")
def state():
    now = utcnow()
    key = service.poll_key(request.cookies.get(COOKIE))
    expired = key is not None and key[1] is None and (key[3] is None or key[3] <= now)
    etag = _etag(key, now)
    if key is not None and not expired and request.if_none_match.contains(etag):
        return _no_store(Response(status=304, headers={"ETag": f'"{etag}"'}))
    display, token = _current_display(now)
    html, meta = _render_stage(display, now)
    response = jsonify({**meta, "html": html})
    if token is not None:
        _set_credential(response, token)
    key = service.poll_key(token or request.cookies.get(COOKIE))
    response.set_etag(_etag(key, now))
    return _no_store(response)


# --- Pairing and following (leads and admins) --------------------------------------------------


def _lead_locations() -> list[Location]:
    return [
        location
        for location in visible_locations(current_user)
        if current_user.is_admin or current_user.is_lead
    ]


@bp.route("/displays", methods=["GET", "POST"])
@roles_required("admin", "lead")
def manage():
    locations = _lead_locations()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        location_id = request.form.get("location_id", type=int)
        if location_id is None or location_id not in {location.id for location in locations}:
            errors["location_id"] = _("Pick one of your locations.")
        else:
            location = location_for(current_user, location_id, lead=True)
            try:
                display = service.pair(
                    request.form.get("code", ""),
                    location,
                    actor=current_user,
                    now=utcnow(),
                    name=request.form.get("name", ""),
                )
            except FieldError as error:
                errors[error.field] = error.message
            else:
                flash(
                    _(
                        "The screen %(name)s now shows %(location)s.",
                        name=display.name,
                        location=location.name,
                    ),
                    "success",
                )
                return redirect(url_for("displays.manage"))
        status = 422
    screens = service.displays_of([location.id for location in locations])
    names = {location.id: location.name for location in locations}
    return render_template(
        "displays/manage.html",
        locations=locations,
        screens=screens,
        names=names,
        errors=errors,
        form=request.form,
        confirm=ConfirmForm(),
    ), status


def _display_for(display_id: int) -> Display:
    display = db.session.get(Display, display_id)
    if display is None or display.location_id is None:
        abort(404, _("There is no screen %(id)s.", id=display_id))
    location_for(current_user, display.location_id, lead=True)
    return display


@bp.post("/displays/<int:display_id>/unpair")
@roles_required("admin", "lead")
def unpair(display_id: int):
    display = _display_for(display_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.unpair(display)
    flash(_("The screen is unpaired; it shows a new code now."), "success")
    return redirect(url_for("displays.manage"))


@bp.post("/displays/follow")
@roles_required("admin", "lead")
def follow():
    """The lead's huddle page reports its slot; the location's screens move to it."""
    data = request.get_json(silent=True) if request.is_json else None
    data = data if isinstance(data, dict) else {}
    try:
        raw_shift = data.get("shift_id")
        if isinstance(raw_shift, bool) or not isinstance(raw_shift, int):
            raise FieldError("shift_id", _("shift_id must be a whole number."))
        try:
            day = date.fromisoformat(str(data.get("date", "")))
        except ValueError:
            raise FieldError("date", _("date must be a date as YYYY-MM-DD.")) from None
        shift = shift_for(current_user, raw_shift, lead=True)
        state = service.follow(shift, day, data.get("slot"), now=utcnow())
    except FieldError as error:
        return jsonify(
            {"error": {"code": "invalid", "message": error.message, "field": error.field}}
        ), 422
    return jsonify({"version": state.version, "slot": state.slot})


def _on_huddle_changed(sender: Any, **extra: Any) -> None:
    """A huddle is changing (it started, finished or closed, a mark, its notes): the location's
    screens look again. Inside the change's transaction, which commits both (`huddle_changed`)."""
    agenda_id, location_id = extra.get("agenda_id"), extra.get("location_id")
    service.stage_change(
        location_id if isinstance(location_id, int) else None,
        agenda_id=agenda_id if isinstance(agenda_id, int) else None,
        now=utcnow(),
    )


@bp.record_once
def _subscribe(state: Any) -> None:
    signals.huddle_changed.connect(_on_huddle_changed)
