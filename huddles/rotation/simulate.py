"""Running the engine over many days in memory: how long a library lasts without a repeat."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta

from huddles.rotation.engine import Candidate, PlanRequest, Template, plan_agenda


def days_without_repeat(
    template: Template,
    candidates: Iterable[Candidate],
    start: date,
    horizon: int,
    scope_key: str = "simulation",
) -> dict[str, int]:
    """Per rotation slot, the days in a row from `start` before a topic comes back (or the slot
    is left empty), planning each day with the previous days' choices; at most `horizon`."""
    library = tuple(candidates)
    last_used: dict[str, date | None] = {c.slug: c.last_used for c in library}
    seen: dict[str, set[str]] = {}
    result: dict[str, int] = {}
    open_slots = {slot.key for slot in template.slots if slot.fill == "rotation"}
    for offset in range(horizon):
        if not open_slots - result.keys():
            break
        day = start + timedelta(days=offset)
        request = PlanRequest(
            template,
            tuple(dataclasses.replace(c, last_used=last_used[c.slug]) for c in library),
            day,
            scope_key,
        )
        for item in plan_agenda(request).items:
            if item.slot_key not in open_slots or item.slot_key in result:
                continue
            used = seen.setdefault(item.slot_key, set())
            if item.slug is None or item.slug in used:
                result[item.slot_key] = offset
                continue
            used.add(item.slug)
            last_used[item.slug] = day
    return {key: result.get(key, horizon) for key in sorted(open_slots)}
