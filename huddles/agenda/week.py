"""The week view: seven days of a location's agendas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from huddles.agenda.models import Agenda
from huddles.agenda.planning import agenda_json, get_agenda
from huddles.extensions import db
from huddles.org.models import Location, Shift


@dataclass(frozen=True)
class WeekDay:
    """One day of the week view: the agendas of the shifts that run that day."""

    day: date
    agendas: list[tuple[Shift, dict[str, Any]]]


def week(location: Location, start: date, *, now: datetime, locale: str | None) -> list[WeekDay]:
    """The seven days from `start` of a location's active shifts, made where missing."""
    shifts = [shift for shift in location.shifts if shift.active]
    days = [start + timedelta(days=offset) for offset in range(7)]
    existing = {
        (agenda.shift_id, agenda.day): agenda
        for agenda in db.session.scalars(
            sa.select(Agenda)
            .where(
                Agenda.shift_id.in_([shift.id for shift in shifts] or [0]),
                Agenda.day >= days[0],
                Agenda.day <= days[-1],
            )
            .options(selectinload(Agenda.items))
        )
    }
    result = []
    for day in days:
        entries = []
        for shift in shifts:
            if not shift.runs_on(day.weekday()):
                continue
            agenda = existing.get((shift.id, day)) or get_agenda(shift, day, now=now)
            entries.append((shift, agenda_json(agenda, locale)))
        result.append(WeekDay(day, entries))
    return result
