"""The huddle screen and its actions: start, finish, notes, catch-up, QR check-in; its record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from huddles import page_cache
from huddles.agenda import planning
from huddles.agenda.models import Agenda
from huddles.agenda.rendered import rendered_revisions
from huddles.attendance.service import find_agenda
from huddles.auth.access import can_lead_location, shift_for
from huddles.config import LOCALES
from huddles.db import utcnow
from huddles.huddle import labels, service
from huddles.huddle import record as records
from huddles.org.models import Shift
from huddles.page_cache import kept
from huddles.validation import FieldError

bp = Blueprint("huddle", __name__, url_prefix="/huddle")


@bp.app_template_global("topic_room_feedback")
def topic_room_feedback(topic_id: int) -> tuple[int, int]:
    """(up, down) of the room's feedback on a topic, in the viewer's organisation (topic page)."""
    if not current_user.is_authenticated:
        return 0, 0
    return records.topic_feedback_counts(topic_id, current_user.organisation_id)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, _("%(value)s is not a date; use YYYY-MM-DD.", value=value))


def _shift_and_day(shift_id: int, day: str, *, lead: bool = False) -> tuple[Shift, date]:
    return shift_for(current_user, shift_id, lead=lead), _day(day)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _back(shift: Shift, day: date):
    return redirect(url_for("huddle.screen", shift_id=shift.id, day=day.isoformat()))


def _answer(
    shift: Shift,
    day: date,
    action: Callable[[], Agenda],
    to_json: Callable[[Agenda], dict[str, object]],
    done: str | None = None,
):
    """Run one change of the huddle; answer in JSON for the screen's script, else go back."""
    try:
        agenda = action()
    except FieldError as error:
        return _failed(error, shift, day)
    if _wants_json():
        return jsonify(to_json(agenda))
    if done:
        flash(done, "success")
    return _back(shift, day)


def _failed(error: FieldError, shift: Shift, day: date):
    status = getattr(error, "status", 422)
    if _wants_json():
        code = {409: "conflict", 404: "not_found"}.get(status, "invalid")
        return jsonify(
            {"error": {"code": code, "message": error.message, "field": error.field}}
        ), status
    if status == 404 or (error.field == "date" and status == 422):
        abort(404 if status == 404 else 400, error.message)
    flash(error.message, "error")
    return _back(shift, day)


@bp.get("/<int:shift_id>/<day>")
@kept
@login_required
def screen(shift_id: int, day: str):
    shift, the_day = _shift_and_day(shift_id, day)
    can_lead = can_lead_location(current_user, shift.location)
    try:
        huddle = service.huddle_screen(
            shift,
            the_day,
            viewer=current_user,
            can_lead=can_lead,
            now=utcnow(),
            locale=str(get_locale() or "en"),
        )
    except FieldError as error:
        abort(getattr(error, "status", 400), error.message)
    if can_lead and huddle.is_past:
        # A past huddle is its record, read-only.
        # The language asked for in the address goes along (anything else is dropped).
        lang = request.args.get("lang")
        return redirect(
            url_for(
                "huddle.record",
                shift_id=shift.id,
                day=the_day.isoformat(),
                lang=lang if lang in LOCALES else None,
            )
        )
    page_cache.live_now(huddle.now.isoformat())
    return render_template(
        "huddle/screen.html",
        huddle=huddle,
        max_notes=service.MAX_NOTES_LENGTH,
        mmss=records.mmss,
        # Only the slots are named here; a slot's few choices have a page of their own.
        swappable=planning.swappable_slots(huddle.agenda) if huddle.can_lead else frozenset(),
        screen_words=labels.screen_words,
        default_titles=planning.DEFAULT_TITLES,
    )


@bp.get("/<int:shift_id>/<day>/swap")
@login_required
def swap_choices(shift_id: int, day: str):
    """The topics a lead may swap into one slot of an unstarted huddle, to choose from."""
    shift, the_day = _shift_and_day(shift_id, day, lead=True)
    agenda = find_agenda(shift, the_day)
    slot = request.args.get("slot", "").strip()
    if agenda is None:
        abort(404, _("No huddle was planned for %(day)s.", day=the_day.isoformat()))
    try:
        planning.swappable_item(agenda, slot[:40])
    except planning.AgendaLocked as error:
        flash(error.message, "error")
        return _back(shift, the_day)
    except FieldError as error:
        abort(getattr(error, "status", 400), error.message)
    locale = str(get_locale() or "en")
    data = planning.agenda_json(agenda, locale)
    return render_template(
        "huddle/swap.html",
        shift=shift,
        day=the_day,
        item=next(entry for entry in data["items"] if entry["slot"] == slot),
        options=planning.swap_options(agenda, slot, locale=locale),
    )


@bp.post("/<int:shift_id>/<day>/swap")
@login_required
def swap(shift_id: int, day: str):
    """The Prepare screen's swap: the next best topic, or the one the lead chose from the list."""
    shift, the_day = _shift_and_day(shift_id, day, lead=True)
    slot = request.form.get("slot", "").strip()
    topic_slug = request.form.get("topic_slug", "").strip() or None
    agenda = planning.get_agenda(shift, the_day, now=utcnow())
    try:
        agenda = planning.swap_slot(
            agenda, slot, actor=current_user, now=utcnow(), topic_slug=topic_slug
        )
    except FieldError as error:
        if _wants_json():
            status = 409 if isinstance(error, planning.AgendaLocked) else 422
            return jsonify(
                {"error": {"code": "invalid", "message": error.message, "field": error.field}}
            ), status
        flash(error.message, "error")
        return _back(shift, the_day)
    item = next(item for item in agenda.items if item.slot_key == slot)
    # In the reader's language, from the rendered revisions the screen reads next anyway.
    revision = item.topic_revision_id
    locale = str(get_locale() or "en")
    title = rendered_revisions([revision], locale)[revision].title if revision else ""
    flash(_("Swapped: the huddle will cover “%(title)s”.", title=title), "success")
    # Back on the swapped slot's slide, so the lead sees what the team will hear.
    return redirect(
        url_for(
            "huddle.screen",
            shift_id=shift.id,
            day=the_day.isoformat(),
            _anchor=f"slot-{item.position - 1}",
        )
    )


def _record_of(shift_id: int, day: str) -> tuple[records.HuddleRecord, Shift]:
    shift, the_day = _shift_and_day(shift_id, day)
    agenda = find_agenda(shift, the_day)
    if agenda is None:
        abort(404, _("No huddle was planned for %(day)s.", day=the_day.isoformat()))
    return records.build_record(agenda, str(get_locale() or "en")), shift


@bp.get("/<int:shift_id>/<day>/record")
@login_required
def record(shift_id: int, day: str):
    the_record, shift = _record_of(shift_id, day)
    return render_template(
        "huddle/record.html",
        record=the_record,
        can_lead=can_lead_location(current_user, shift.location),
        labels=records,
    )


@bp.get("/<int:shift_id>/<day>/record.pdf")
@login_required
def record_pdf(shift_id: int, day: str):
    the_record, _shift = _record_of(shift_id, day)
    body = records.records_pdf([the_record], str(get_locale() or "en"))
    name = f"huddle-{the_record.record_id}-{the_record.day.isoformat()}.pdf"
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _json_object() -> dict:
    """The JSON object of the request; {} for a form post (other JSON is refused app-wide)."""
    data = request.get_json(silent=True) if request.is_json else None
    return data if isinstance(data, dict) else {}


@bp.post("/<int:shift_id>/<day>/start")
@login_required
def start(shift_id: int, day: str):
    shift, the_day = _shift_and_day(shift_id, day, lead=True)
    return _answer(
        shift,
        the_day,
        lambda: service.start_huddle(shift, the_day, actor=current_user, now=utcnow()),
        _state,
    )


@bp.post("/<int:shift_id>/<day>/finish")
@login_required
def finish(shift_id: int, day: str):
    shift, the_day = _shift_and_day(shift_id, day, lead=True)
    raw_ids = request.form.getlist("kudos_id") or _json_object().get("kudos_ids", [])
    try:
        if not isinstance(raw_ids, list):
            raise TypeError(raw_ids)
        kudos_ids = [int(value) for value in raw_ids]
    except (TypeError, ValueError):
        return _failed(
            FieldError("kudos_ids", _("kudos_ids must be whole numbers.")), shift, the_day
        )
    return _answer(
        shift,
        the_day,
        lambda: service.finish_huddle(shift, the_day, kudos_ids, actor=current_user, now=utcnow()),
        _state,
    )


@bp.post("/<int:shift_id>/<day>/notes")
@login_required
def notes(shift_id: int, day: str):
    shift, the_day = _shift_and_day(shift_id, day, lead=True)
    text = request.form.get("notes")
    if text is None:
        text = str(_json_object().get("notes", ""))
    return _answer(
        shift,
        the_day,
        lambda: service.save_notes(shift, the_day, text, actor=current_user, now=utcnow()),
        lambda agenda: {"notes": agenda.notes},
        done=_("Notes saved."),
    )


@bp.post("/<int:shift_id>/<day>/caught-up")
@login_required
def caught_up(shift_id: int, day: str):
    shift, the_day = _shift_and_day(shift_id, day)
    try:
        service.catch_up(shift, the_day, current_user, now=utcnow())
    except FieldError as error:
        return _failed(error, shift, the_day)
    flash(_("Marked as read. Thank you for catching up."), "success")
    return redirect(url_for("main.today"))


@bp.get("/<int:shift_id>/<day>/check-in.svg")
@login_required
def check_in_code(shift_id: int, day: str):
    shift, the_day = _shift_and_day(shift_id, day, lead=True)
    try:
        token = service.check_in_token_for(shift, the_day, actor=current_user, now=utcnow())
    except FieldError as error:
        abort(400, error.message)
    svg = service.check_in_qr_svg(service.public_url("huddle.check_in", token=token))
    response = Response(
        '<?xml version="1.0" encoding="utf-8"?>'
        + str(svg).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1),
        mimetype="image/svg+xml",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@login_required
def check_in(token: str):
    if request.method == "GET":
        try:
            agenda, shift = service.check_in_target(token, current_user, now=utcnow())
        except FieldError as error:
            return render_template("huddle/check_in.html", error=error.message), getattr(
                error, "status", 400
            )
        return render_template("huddle/check_in.html", agenda=agenda, shift=shift, token=token)
    try:
        agenda, shift = service.check_in(token, current_user, now=utcnow())
    except FieldError as error:
        return render_template("huddle/check_in.html", error=error.message), getattr(
            error, "status", 422
        )
    return render_template("huddle/check_in.html", agenda=agenda, shift=shift, done=True)


def _state(agenda: Agenda) -> dict[str, object]:
    return {
        "status": agenda.status,
        "started_at": agenda.started_at.isoformat() if agenda.started_at else None,
        "finished_at": agenda.finished_at.isoformat() if agenda.finished_at else None,
    }
