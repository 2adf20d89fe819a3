"""The kudos wall: thank a colleague, read the thanks of your location, moderate them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from huddles.agenda.models import Agenda
from huddles.agenda.planning import KUDOS_PROVIDER
from huddles.auth.access import can_lead_location, location_for, visible_locations
from huddles.extensions import db
from huddles.kudos import service
from huddles.kudos.forms import KudosForm
from huddles.kudos.models import MAX_MESSAGE_LENGTH, MAX_REASON_LENGTH, Kudos
from huddles.kudos.service import KudosPage, WallKudos
from huddles.org.models import Location
from huddles.page_cache import kept
from huddles.validation import FieldError, attach_to_form

bp = Blueprint("kudos", __name__)


def _huddle_kudos(agenda: Agenda) -> service.ReadOut:
    """The thank-yous of a huddle as JSON (and how many more), for the agenda API."""
    return service.huddle_kudos_json(agenda)


@bp.record_once
def _provide_huddle_kudos(state: BlueprintSetupState) -> None:
    state.app.extensions.setdefault(KUDOS_PROVIDER, _huddle_kudos)


def _now() -> datetime:
    return datetime.now(UTC)


# The wall counts its kudos only this far past the page shown ("1000+").
WALL_COUNT_BOUND = 1000


def _wall_location() -> Location | None:
    """The location whose wall is shown: one's own, or the one an admin picked (or the first)."""
    location_id = request.args.get("location_id", type=int)
    if location_id is not None:
        return location_for(current_user, location_id)
    if current_user.location_id is not None:
        return location_for(current_user, current_user.location_id)
    locations = visible_locations(current_user)
    return locations[0] if locations else None


def _filters() -> dict[str, Any]:
    """The wall's filters and page from the query string; bad values fall back to the default."""
    value = request.args.get("value", "")
    page = request.args.get("page", type=int) or 1
    per_page = request.args.get("per_page", type=int) or current_app.config["HUDDLES_PER_PAGE"]
    return {
        "person": request.args.get("person", type=int),
        "value": value if value in service.VALUES else None,
        "page": max(page, 1),
        "per_page": max(1, min(per_page, current_app.config["HUDDLES_MAX_PER_PAGE"])),
    }


@lru_cache(maxsize=4096)
def _day_label(locale: str, day: date) -> str:
    """'23 Nov' in that language (CLDR's MMMd depends on the month and the day alone)."""
    return format_skeleton("MMMd", datetime.combine(day, time()), locale=locale)


@lru_cache(maxsize=4096)
def _clock_label(locale: str, hour: int, minute: int) -> str:
    """'14:05' or '2:05 PM': the language's short time (CLDR's has no seconds and no zone)."""
    return format_time(time(hour, minute), format="short", locale=locale)


def _local_time(location: Location) -> Callable[[datetime], str]:
    zone = ZoneInfo(location.timezone)
    locale = str(get_locale() or "en")

    def local_time(moment: datetime) -> str:
        # "23 Nov · 14:05" in the reader's language, at the location's time. Babel formats each
        # day and each minute once per process: per kudos it cost more than the rest of a card.
        local = moment.astimezone(zone)
        day = _day_label(locale, local.date())
        return f"{day} · {_clock_label(locale, local.hour, local.minute)}"

    return local_time


def _kudos_url(endpoint: str, **args: Any) -> Callable[[int], str]:
    """url_for(endpoint, kudos_id=…, **args) for every kudos of a page, built once."""
    path, question, query = url_for(endpoint, kudos_id=0, **args).partition("?")
    head, zero, tail = path.rpartition("/0/")
    assert zero, path
    return lambda kudos_id: f"{head}/{kudos_id}/{tail}{question}{query}"


@dataclass(frozen=True)
class WallCard:
    """A kudos of the wall with its words, time and links ready: the template only prints."""

    kudos: WallKudos
    value_label: str
    when: str
    hide_url: str = ""
    unhide_url: str = ""
    hide_error: str | None = None


def _cards(
    page: KudosPage[WallKudos],
    location: Location,
    value_labels: dict[str, str],
    *,
    moderator: bool,
    wall_args: dict[str, Any],
    hide_errors: dict[int, str],
) -> list[WallCard]:
    local_time = _local_time(location)
    if not moderator:
        return [
            WallCard(kudos, value_labels.get(kudos.value or "", ""), local_time(kudos.created_at))
            for kudos in page.items
        ]
    back = {"page": page.page if page.page > 1 else None, **wall_args}
    hide_url, unhide_url = _kudos_url("kudos.hide", **back), _kudos_url("kudos.unhide", **back)
    return [
        WallCard(
            kudos,
            value_labels.get(kudos.value or "", ""),
            local_time(kudos.created_at),
            hide_url(kudos.id),
            unhide_url(kudos.id),
            hide_errors.get(kudos.id),
        )
        for kudos in page.items
    ]


def _render_wall(
    location: Location | None,
    form: KudosForm,
    *,
    status: int = 200,
    hide_errors: dict[int, str] | None = None,
):
    filters = _filters()
    people = service.colleagues(location) if location is not None else []
    # The form, the filter and the cards share the labels, translated once per language.
    value_labels = service.value_labels()
    form.to_user_id.choices = [("", _("Choose a colleague"))] + [
        (person.id, person.name) for person in people if person.id != current_user.id
    ]
    form.value.choices = [("", _("No particular value")), *value_labels.items()]
    moderator = location is not None and can_lead_location(current_user, location)
    wall_args: dict[str, Any] = {
        key: filters[key] for key in ("person", "value") if filters[key] is not None
    }
    if location is not None and current_user.is_admin:
        wall_args["location_id"] = location.id
    if request.args.get("per_page"):
        wall_args["per_page"] = filters["per_page"]
    page = None
    cards: list[WallCard] = []
    if location is not None:
        page = service.wall_page(
            location,
            include_hidden=moderator,
            person_id=filters["person"],
            value=filters["value"],
            page=filters["page"],
            per_page=filters["per_page"],
            count_bound=WALL_COUNT_BOUND,
        )
        cards = _cards(
            page,
            location,
            value_labels,
            moderator=moderator,
            wall_args=wall_args,
            hide_errors=hide_errors or {},
        )
    return render_template(
        "kudos/wall.html",
        wall_args=wall_args,
        location=location,
        locations=visible_locations(current_user) if current_user.is_admin else [],
        form=form,
        people=people,
        value_labels=value_labels,
        filters=filters,
        page=page,
        cards=cards,
        moderator=moderator,
        max_message=MAX_MESSAGE_LENGTH,
        max_reason=MAX_REASON_LENGTH,
    ), status


@bp.route("/kudos", methods=["GET", "POST"])
@kept
@login_required
def wall():
    location = _wall_location()
    form = KudosForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            kudos = service.give_kudos(
                current_user,
                to_user_id=form.to_user_id.data,
                message=form.message.data,
                value=form.value.data,
                now=_now(),
                daily_cap=current_app.config["HUDDLES_KUDOS_DAILY_CAP"],
            )
        except FieldError as error:
            attach_to_form(form, error)
        else:
            flash(_("Thank you! Your kudos for %(name)s is on the wall.", name=kudos.receiver.name))
            return redirect(
                url_for(
                    "kudos.wall",
                    location_id=_admin_location_id(kudos.location_id),
                    _anchor=f"kudos-{kudos.id}",
                )
            )
    return _render_wall(location, form, status=422 if request.method == "POST" else 200)


def _admin_location_id(location_id: int) -> int | None:
    return location_id if current_user.is_admin else None


def _back_to_wall(kudos: Kudos):
    """Back to the wall page the moderator came from (its filters ride in the action's URL)."""
    filters = _filters()
    args = {key: filters[key] for key in ("person", "value") if filters[key]}
    if request.args.get("page"):
        args["page"] = filters["page"]
    if request.args.get("per_page"):
        args["per_page"] = filters["per_page"]
    return redirect(
        url_for(
            "kudos.wall",
            location_id=_admin_location_id(kudos.location_id),
            _anchor=f"kudos-{kudos.id}",
            **args,
        )
    )


def _moderated_kudos(kudos_id: int) -> tuple[Kudos, Location]:
    kudos = db.get_or_404(Kudos, kudos_id, description=_("There is no kudos %(id)s.", id=kudos_id))
    location = location_for(current_user, kudos.location_id, lead=True)
    return kudos, location


@bp.post("/kudos/<int:kudos_id>/hide")
@login_required
def hide(kudos_id: int):
    kudos, location = _moderated_kudos(kudos_id)
    try:
        service.hide_kudos(
            current_user, location, kudos.id, reason=request.form.get("reason"), now=_now()
        )
    except FieldError as error:
        return _render_wall(
            location, KudosForm(formdata=None), status=422, hide_errors={kudos.id: error.message}
        )
    flash(_("The kudos is hidden. Staff no longer see it."))
    return _back_to_wall(kudos)


@bp.post("/kudos/<int:kudos_id>/unhide")
@login_required
def unhide(kudos_id: int):
    kudos, location = _moderated_kudos(kudos_id)
    service.unhide_kudos(current_user, location, kudos.id)
    flash(_("The kudos is shown again."))
    return _back_to_wall(kudos)
