"""Reading a report's period from query arguments; bad input is a FieldError naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _

from huddles.reports.period import MAX_DAYS, Period, month_of
from huddles.validation import FieldError


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FieldError(name, _("%(name)s must be a date as YYYY-MM-DD.", name=name)) from None


def parse_period(args: Mapping[str, str], today: date, default: Period | None = None) -> Period:
    """`from` and `to` (inclusive); by default the month of today. At most MAX_DAYS days."""
    start, end = _date(args, "from"), _date(args, "to")
    if start is None and end is None:
        return default or month_of(today)
    if start is None:
        assert end is not None
        start = month_of(end).start
    if end is None:
        end = month_of(start).end
    if end < start:
        raise FieldError("to", _("to must not be before from."))
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise FieldError(
            "to", _("A report covers at most %(n)s days; choose a shorter period.", n=MAX_DAYS)
        )
    return period
