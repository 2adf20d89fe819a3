"""A location's agenda template: slots, weekday themes, cool-down, who shares a day's topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from huddles import rotation
from huddles.agenda.models import AgendaTemplate
from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import Location, Shift
from huddles.validation import FieldError

# The scope values an admin picks, and the prefix of their keys.
SCOPE_PREFIX = {"shift": "shift", "location": "location", "organisation": "org"}
SCOPE_LABELS = {
    "shift": _l("Each shift"),
    "location": _l("The location"),
    "organisation": _l("The whole organisation"),
}
# The default template's titles, translated when shown (an admin's own titles are shown as typed).


@dataclass(frozen=True)
class LocationTemplate:
    """A location's agenda template as the engine wants it, with its scope."""

    template: rotation.Template
    scope: str


def template_from_row(row: AgendaTemplate | None) -> LocationTemplate:
    """The engine template of a stored row; the default of DESIGN.md when there is none."""
    if row is None:
        return LocationTemplate(rotation.DEFAULT_TEMPLATE, "location")
    slots = tuple(
        rotation.SlotTemplate(
            key=slot["key"],
            title=slot["title"],
            minutes=slot["minutes"],
            fill=slot["fill"],
            kind=slot.get("kind"),
        )
        for slot in row.slots
    )
    template = rotation.Template(
        slots=slots, weekday_themes=tuple(row.weekday_themes), cooldown_days=row.cooldown_days
    )
    return LocationTemplate(template, row.scope)


def template_for(location_id: int) -> LocationTemplate:
    """The agenda template of a location."""
    row = db.session.scalar(
        sa.select(AgendaTemplate).where(AgendaTemplate.location_id == location_id)
    )
    return template_from_row(row)


def scope_key_for(shift: Shift, scope: str, organisation_id: int | None = None) -> str:
    """'shift:<id>', 'location:<id>' or 'org:<id>' for a shift under a template scope."""
    if scope == "shift":
        return f"shift:{shift.id}"
    if scope == "organisation":
        org_id = organisation_id if organisation_id is not None else shift.location.organisation_id
        return f"org:{org_id}"
    return f"location:{shift.location_id}"


def covering_scope_keys(shift: Shift, organisation_id: int) -> list[str]:
    """The scope keys whose pins reach a shift, narrowest first."""
    return [f"shift:{shift.id}", f"location:{shift.location_id}", f"org:{organisation_id}"]


def location_scope_keys(location: Location) -> list[str]:
    return [
        f"org:{location.organisation_id}",
        f"location:{location.id}",
        *(f"shift:{shift.id}" for shift in location.shifts),
    ]


SLOT_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_HUDDLE_MINUTES = 15


def save_template(
    location: Location,
    *,
    slots: list[dict[str, Any]],
    weekday_themes: list[str],
    cooldown_days: int | None,
    scope: str,
    actor: User | None,
    now: datetime,
) -> AgendaTemplate:
    """Validate and store a location's template; a FieldError names the field at fault. Commits.

    Slot fields are named `slots-<n>-<name>` as in the form. Agendas already made keep theirs.
    """
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, slot in enumerate(slots):
        key = (slot.get("key") or "").strip().lower()
        if not key:
            continue
        where = f"slots-{number}-"
        if len(key) > 40 or not set(key) <= SLOT_KEY_CHARS:
            raise FieldError(
                where + "key", _("Use up to 40 lower-case letters, digits, '-' or '_'.")
            )
        if key in seen:
            raise FieldError(where + "key", _("Each slot needs its own key."))
        seen.add(key)
        title = (slot.get("title") or "").strip()
        if not title or len(title) > 120:
            raise FieldError(where + "title", _("Give the slot a title of up to 120 characters."))
        fill = slot.get("fill") or ""
        if fill not in rotation.FILLS:
            raise FieldError(where + "fill", _("Choose what fills the slot."))
        kind = slot.get("kind") or None
        if kind is not None and kind not in rotation.KINDS:
            raise FieldError(where + "kind", _("Choose a kind of topic."))
        if kind is not None and fill != "rotation":
            raise FieldError(
                where + "kind", _("Only a slot filled by the rotation draws a kind of topic.")
            )
        minutes = slot.get("minutes")
        if minutes is None or isinstance(minutes, bool) or not 0 <= float(minutes) <= 10:
            raise FieldError(where + "minutes", _("Minutes must be between 0 and 10."))
        cleaned.append(
            {"key": key, "title": title, "minutes": float(minutes), "fill": fill, "kind": kind}
        )
    if not cleaned:
        raise FieldError("slots", _("A huddle needs at least one slot."))
    total = sum(slot["minutes"] for slot in cleaned)
    if total <= 0 or total > MAX_HUDDLE_MINUTES:
        raise FieldError(
            "slots",
            _(
                "The slots add up to %(total)s minutes; a huddle lasts more than 0 and at most "
                "%(max)s.",
                total=f"{total:g}",
                max=MAX_HUDDLE_MINUTES,
            ),
        )
    if len(weekday_themes) != 7:
        raise FieldError("weekday_themes", _("Choose a theme for each of the seven days."))
    for weekday, theme in enumerate(weekday_themes):
        if theme not in rotation.KINDS:
            raise FieldError(f"theme_{weekday}", _("Choose a kind of topic for this day."))
    if cooldown_days is None or not 0 <= cooldown_days <= 365:
        raise FieldError("cooldown_days", _("The cool-down is a number of days from 0 to 365."))
    if scope not in SCOPE_PREFIX:
        raise FieldError("scope", _("Choose who shares a topic on a day."))
    # The engine has the last word on what a template may be.
    try:
        rotation.Template(
            slots=tuple(rotation.SlotTemplate(**slot) for slot in cleaned),
            weekday_themes=tuple(weekday_themes),
            cooldown_days=cooldown_days,
        )
    except ValueError as error:
        raise FieldError("slots", str(error)) from None
    values = {
        "location_id": location.id,
        "slots": cleaned,
        "weekday_themes": list(weekday_themes),
        "cooldown_days": cooldown_days,
        "scope": scope,
        "updated_at": now,
        "updated_by_id": actor.id if actor else None,
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AgendaTemplate.__table__).values(values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["location_id"],
            set_={name: statement.excluded[name] for name in values if name != "location_id"},
        )
    )
    db.session.commit()
    row = db.session.scalar(
        sa.select(AgendaTemplate)
        .where(AgendaTemplate.location_id == location.id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


def template_row_values(location: Location) -> dict[str, Any]:
    """The location's template as plain values for the form (the default when none is saved)."""
    settings = template_for(location.id)
    return {
        "slots": [
            {
                "key": slot.key,
                "title": slot.title,
                "minutes": slot.minutes,
                "fill": slot.fill,
                "kind": slot.kind,
            }
            for slot in settings.template.slots
        ],
        "weekday_themes": list(settings.template.weekday_themes),
        "cooldown_days": settings.template.cooldown_days,
        "scope": settings.scope,
    }
