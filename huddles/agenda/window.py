"""The planning window: for which days an agenda may be made, and by whom.

Agendas are never made for a day that has passed (a night shift still running after midnight is
still on its day). The scheduler makes them ahead for `HUDDLES_PLAN_DAYS` days (today included);
within those days anyone of the location may cause one to be made by looking at it; further
ahead only the location's lead or an admin. An agenda that exists is always shown.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from huddles.agenda.days import local_today, shift_day
from huddles.agenda.models import Agenda
from huddles.agenda.planning import get_agenda
from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import Shift
from huddles.validation import FieldError

DEFAULT_PLAN_DAYS = 14
# The setting's earlier name, still honoured when the new one is not set.
OLD_PLAN_DAYS_SETTING = "HUDDLES_AGENDA_DAYS_AHEAD"


class NotPlanned(FieldError):
    """No huddle was planned for that day, and none will be now (HTTP 404)."""

    status = 404


class BeyondWindow(FieldError):
    """The day lies beyond the planning window and this person may not plan it (HTTP 403)."""

    status = 403


def plan_days(config: Mapping[str, Any]) -> int:
    """How many days ahead agendas are made (today included): `HUDDLES_PLAN_DAYS`, default 14."""
    raw = config.get("HUDDLES_PLAN_DAYS", config.get(OLD_PLAN_DAYS_SETTING, DEFAULT_PLAN_DAYS))
    try:
        days = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"HUDDLES_PLAN_DAYS must be a whole number of days, not {raw!r}") from None
    if not 1 <= days <= 366:
        raise ValueError(f"HUDDLES_PLAN_DAYS must be between 1 and 366, not {days}")
    return days


def first_open_day(shift: Shift, now: datetime) -> date:
    """The earliest day an agenda may still be made for: today, or yesterday while its night
    shift is still running."""
    return min(local_today(shift.location, now), shift_day(shift, now))


def may_plan_beyond(actor: User | None, shift: Shift) -> bool:
    """Admins of the organisation and the shift's own leads plan past the window; a script
    without a person (actor None) too."""
    if actor is None:
        return True
    if actor.organisation_id != shift.location.organisation_id:
        return False
    return actor.is_admin or (actor.is_lead and actor.location_id == shift.location_id)


def check_may_make(
    shift: Shift, day: date, *, actor: User | None, now: datetime, days: int
) -> None:
    """Raise NotPlanned for a day that has passed, BeyondWindow past the window for staff."""
    first = first_open_day(shift, now)
    if day < first:
        raise NotPlanned(
            "date",
            _("No huddle was planned for %(day)s: that day has passed.", day=day.isoformat()),
        )
    last = local_today(shift.location, now) + timedelta(days=days - 1)
    if day > last and not may_plan_beyond(actor, shift):
        raise BeyondWindow(
            "date",
            _(
                "Huddles are planned up to %(day)s (%(n)s days ahead); only a lead or an admin "
                "can plan further.",
                day=last.isoformat(),
                n=days,
            ),
        )


@functools.cache
def agenda_query(*, fresh: bool = False) -> sa.Select[tuple[Agenda]]:
    """An agenda with its items: built once, its shift and day bound; `fresh` overwrites what
    the session holds of it already."""
    query = (
        sa.select(Agenda)
        .where(
            Agenda.shift_id == sa.bindparam("shift_id", type_=Agenda.shift_id.type),
            Agenda.day == sa.bindparam("day", type_=Agenda.day.type),
        )
        .options(joinedload(Agenda.items))
    )
    return query.execution_options(populate_existing=True) if fresh else query


def existing_agenda(shift_id: int, day: date) -> Agenda | None:
    """The agenda of (shift, day) if one was made; never makes one."""
    found = db.session.scalars(agenda_query(), {"shift_id": shift_id, "day": day})
    return found.unique().first()


def agenda_for(shift: Shift, day: date, *, actor: User | None, now: datetime, days: int) -> Agenda:
    """The agenda of (shift, day): the existing one, else made within the window. Commits.

    NotPlanned (404) for a passed day without one; BeyondWindow (403) when `actor` may not plan
    that far ahead. Nothing is written when either is raised.
    """
    agenda = existing_agenda(shift.id, day)
    if agenda is not None:
        return agenda
    check_may_make(shift, day, actor=actor, now=now, days=days)
    return get_agenda(shift, day, now=now)
