"""The rotation engine: which topic fills each slot of a huddle on a given day.

Pure and deterministic: frozen dataclasses in, a frozen plan out; no clock, no
database, no randomness beyond a stable hash of (scope, day, slug).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import re
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import date

KINDS: tuple[str, ...] = (
    "tip",
    "wow-story",
    "default-of-yes",
    "culture-matrix",
    "habit",
    "recovery",
    "lexicon",
)
FILLS: tuple[str, ...] = ("roster", "kudos", "rotation", "notes")
REASONS: tuple[str, ...] = ("fixed", "pin", "fresh", "repeat", "empty")
DEFAULT_COOLDOWN_DAYS = 28
# The weekly themes move one day along every week, counted from this Monday, in a cycle of
# 13 weeks (91 days): every weekday meets every theme in 7 weeks, and any 91 days in a row
# hold each theme exactly 13 times, so a pool of 13 topics a theme lasts a quarter.
THEME_EPOCH = date(2023, 12, 4)  # a Monday
THEME_CYCLE_WEEKS = 13

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
# A leap year, so that 02-29 is a valid bound.
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_day(text: str, what: str) -> tuple[int, int]:
    match = _MONTH_DAY.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"season {what} must be 'MM-DD', got {text!r}")
    month, day = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"season {what} {text!r}: month must be 01 to 12")
    if not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        raise ValueError(
            f"season {what} {text!r}: day must be 01 to {_DAYS_IN_MONTH[month - 1]:02d}"
        )
    return month, day


@dataclass(frozen=True)
class Season:
    """An inclusive MM-DD range of the year; it wraps when start is after end."""

    start: str
    end: str

    def __post_init__(self) -> None:
        self._bounds  # noqa: B018 -- validate now, not on the first contains()

    @functools.cached_property
    def _bounds(self) -> tuple[tuple[int, int], tuple[int, int]]:
        return _month_day(self.start, "start"), _month_day(self.end, "end")

    @classmethod
    def parse(cls, start: str, end: str | None = None) -> Season:
        """Build a season from 'MM-DD', 'MM-DD' or from one 'MM-DD..MM-DD' string."""
        if end is None:
            if not isinstance(start, str) or ".." not in start:
                raise ValueError(f"season must be 'MM-DD..MM-DD', got {start!r}")
            start, end = start.split("..", 1)
        return cls(start.strip(), end.strip())

    def contains(self, day: date) -> bool:
        """Whether `day` falls inside the season."""
        # Comparing (month, day) pairs never builds a date, so a 02-29 bound is
        # simply never met in a common year: 02-29..03-10 then starts on 03-01
        # and 01-20..02-29 ends on 02-28.
        start, end = self._bounds
        today = (day.month, day.day)
        if start <= end:
            return start <= today <= end
        return today >= start or today <= end


@dataclass(frozen=True)
class Dates:
    """A season given as inclusive date windows: a season that moves, resolved for a span.

    The engine never computes another calendar: the caller resolves such a season (Ramadan)
    to its windows for the days it plans, and a day outside every window is out of season."""

    windows: tuple[tuple[date, date], ...]

    def __post_init__(self) -> None:
        windows = tuple((first, last) for first, last in self.windows)
        for first, last in windows:
            if not isinstance(first, date) or not isinstance(last, date) or first > last:
                raise ValueError(f"a season window runs from a date to a later one: {first!r}")
        object.__setattr__(self, "windows", windows)

    def contains(self, day: date) -> bool:
        """Whether `day` falls inside one of the windows."""
        return any(first <= day <= last for first, last in self.windows)


# What the engine takes as a topic's season: days of the year, or resolved dates.
AnySeason = Season | Dates


@dataclass(frozen=True)
class SlotTemplate:
    """One slot of the agenda template."""

    key: str
    title: str
    minutes: float
    fill: str
    kind: str | None = None

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("slot key must not be empty")
        if self.fill not in FILLS:
            raise ValueError(
                f"slot {self.key!r}: unknown fill {self.fill!r} "
                f"(expected one of {', '.join(FILLS)})"
            )
        if self.kind is not None:
            if self.fill != "rotation":
                raise ValueError(
                    f"slot {self.key!r}: only rotation slots take a kind, this one is {self.fill!r}"
                )
            if self.kind not in KINDS:
                raise ValueError(
                    f"slot {self.key!r}: unknown kind {self.kind!r} "
                    f"(expected one of {', '.join(KINDS)})"
                )
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int | float):
            raise ValueError(f"slot {self.key!r}: minutes must be a number, got {self.minutes!r}")
        if not math.isfinite(self.minutes) or self.minutes < 0:
            raise ValueError(
                f"slot {self.key!r}: minutes must be zero or more, got {self.minutes!r}"
            )


@dataclass(frozen=True)
class Template:
    """The agenda template: its slots, a theme kind per weekday and the cool-down.

    With `moving_themes` (the default) the themes move one weekday along each week, so that
    someone who works only some days of the week still hears every kind; without it a
    weekday always has its own theme.
    """

    slots: tuple[SlotTemplate, ...]
    weekday_themes: tuple[str, ...]
    cooldown_days: int = DEFAULT_COOLDOWN_DAYS
    moving_themes: bool = True

    def __post_init__(self) -> None:
        # Callers often build these from lists (JSON, rows); keep the plan hashable.
        object.__setattr__(self, "slots", tuple(self.slots))
        object.__setattr__(self, "weekday_themes", tuple(self.weekday_themes))
        if len(self.weekday_themes) != 7:
            raise ValueError(
                f"weekday_themes must name 7 kinds, Monday first, got {len(self.weekday_themes)}"
            )
        for weekday, kind in enumerate(self.weekday_themes):
            if kind not in KINDS:
                raise ValueError(
                    f"weekday_themes[{weekday}]: unknown kind {kind!r} "
                    f"(expected one of {', '.join(KINDS)})"
                )
        seen: set[str] = set()
        for slot in self.slots:
            if not isinstance(slot, SlotTemplate):
                raise ValueError(f"slots must be SlotTemplate objects, got {slot!r}")
            if slot.key in seen:
                raise ValueError(f"duplicate slot key {slot.key!r}")
            seen.add(slot.key)
        if (
            isinstance(self.cooldown_days, bool)
            or not isinstance(self.cooldown_days, int)
            or self.cooldown_days < 0
        ):
            raise ValueError(
                f"cooldown_days must be a whole number of days, zero or more, "
                f"got {self.cooldown_days!r}"
            )

    @property
    def total_minutes(self) -> float:
        """The length of the huddle in minutes."""
        return math.fsum(slot.minutes for slot in self.slots)

    def slot(self, key: str) -> SlotTemplate:
        """The slot with this key; KeyError if there is none."""
        for slot in self.slots:
            if slot.key == key:
                return slot
        raise KeyError(key)

    def theme_for(self, day: date) -> str:
        """The theme of `day`: `weekday_themes[(weekday + week) % 7]`, week in a 13-week cycle."""
        if not self.moving_themes:
            return self.weekday_themes[day.weekday()]
        return self.weekday_themes[(day.weekday() + theme_week(day)) % 7]

    def kind_for(self, slot: SlotTemplate, day: date) -> str | None:
        """The kind a slot draws on `day`: its fixed kind, else the day's theme."""
        if slot.fill != "rotation":
            return None
        return slot.kind or self.theme_for(day)


def theme_week(day: date) -> int:
    """Which week of the 13-week theme cycle `day` is in (0 to 12; weeks start on Monday)."""
    return ((day - THEME_EPOCH).days // 7) % THEME_CYCLE_WEEKS


DEFAULT_TEMPLATE = Template(
    slots=(
        SlotTemplate("welcome", "Welcome and roll call", 0.5, "roster"),
        SlotTemplate("thanks", "Thank-yous", 1, "kudos"),
        SlotTemplate("topic", "Topic of the day", 2, "rotation"),
        SlotTemplate("phrase", "Phrase of the day", 0.5, "rotation", kind="lexicon"),
        SlotTemplate("close", "Today and close", 1, "notes"),
    ),
    weekday_themes=(
        "default-of-yes",
        "wow-story",
        "culture-matrix",
        "habit",
        "recovery",
        "tip",
        "habit",
    ),
)


@dataclass(frozen=True)
class Candidate:
    """A topic the engine may pick, with when it was last used in the scope.

    `fits` says whether it fits the setting (the kind of workplace) of the location: a topic
    that does not fit is picked only when no fitting one is left.
    """

    slug: str
    kind: str
    last_used: date | None
    season: AnySeason | None = None
    published: bool = True
    fits: bool = True


@dataclass(frozen=True)
class Pin:
    """An admin's choice of a topic for one slot."""

    slot_key: str
    slug: str


@dataclass(frozen=True)
class PlanRequest:
    """Everything the engine needs to plan one agenda."""

    template: Template
    candidates: tuple[Candidate, ...]
    day: date
    scope_key: str
    pins: tuple[Pin, ...] = ()
    exclude: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        candidates = tuple(self.candidates)
        by_slug: dict[str, Candidate] = {}
        for candidate in candidates:
            known = by_slug.setdefault(candidate.slug, candidate)
            if known != candidate:
                raise ValueError(
                    f"candidate {candidate.slug!r} is given twice with different data: "
                    f"{known!r} and {candidate!r}"
                )
        # Equal duplicates (a pinned topic that is also in the window) collapse.
        if len(by_slug) != len(candidates):
            candidates = tuple(by_slug.values())
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "pins", tuple(self.pins))
        object.__setattr__(self, "exclude", frozenset(self.exclude))
        pinned: set[str] = set()
        for pin in self.pins:
            if pin.slot_key in pinned:
                raise ValueError(f"slot {pin.slot_key!r} is pinned more than once")
            pinned.add(pin.slot_key)


@dataclass(frozen=True)
class PlannedItem:
    """One slot of a planned agenda."""

    position: int
    slot_key: str
    title: str
    fill: str
    kind: str | None
    minutes: float
    slug: str | None
    reason: str


@dataclass(frozen=True)
class Plan:
    """The agenda the engine proposes for one scope and day."""

    day: date
    scope_key: str
    items: tuple[PlannedItem, ...]

    @property
    def total_minutes(self) -> float:
        """The length of the huddle in minutes."""
        return math.fsum(item.minutes for item in self.items)

    def item(self, slot_key: str) -> PlannedItem:
        """The item of this slot; KeyError if there is none."""
        for item in self.items:
            if item.slot_key == slot_key:
                return item
        raise KeyError(slot_key)

    @property
    def slugs(self) -> frozenset[str]:
        """The topics the plan uses."""
        return frozenset(item.slug for item in self.items if item.slug is not None)


def stable_rank(scope_key: str, day: date, slug: str) -> int:
    """A tie-break rank for a topic, fixed for (scope, day, slug) across runs and hosts."""
    message = "\x1f".join((scope_key, day.isoformat(), slug)).encode()
    return int.from_bytes(hashlib.blake2b(message, digest_size=8).digest(), "big")


def is_cooling(candidate: Candidate, day: date, cooldown_days: int) -> bool:
    """Whether the topic was used too recently (or is already booked later) to be fresh."""
    if candidate.last_used is None:
        return False
    # A use on or after `day` (the history holds the future when regenerating)
    # must not make the topic look long rested.
    if candidate.last_used >= day:
        return True
    return (day - candidate.last_used).days < cooldown_days


def is_eligible(candidate: Candidate, kind: str, day: date, exclude: Set[str]) -> bool:
    """Whether the rule may pick the topic for a slot of `kind` on `day`."""
    return (
        candidate.published
        and candidate.kind == kind
        and (candidate.season is None or candidate.season.contains(day))
        and candidate.slug not in exclude
    )


def _order(candidate: Candidate, day: date, scope_key: str) -> tuple[bool, bool, date, int, str]:
    # Fitting first, then never used, then least recently used; the stable hash breaks
    # ties and the slug settles a (vanishingly rare) hash tie.
    return (
        not candidate.fits,
        candidate.last_used is not None,
        candidate.last_used or date.min,
        stable_rank(scope_key, day, candidate.slug),
        candidate.slug,
    )


def ranked(
    candidates: Iterable[Candidate],
    kind: str,
    day: date,
    scope_key: str,
    exclude: Set[str] = frozenset(),
    limit: int | None = None,
) -> list[Candidate]:
    """The eligible topics of `kind`, best first: the order in which `choose` would pick them."""
    eligible = [c for c in candidates if is_eligible(c, kind, day, exclude)]
    eligible.sort(key=lambda candidate: _order(candidate, day, scope_key))
    return eligible if limit is None else eligible[:limit]


def choose(
    candidates: Iterable[Candidate],
    kind: str,
    day: date,
    scope_key: str,
    cooldown_days: int,
    exclude: Set[str] = frozenset(),
) -> tuple[str, str] | None:
    """The best eligible topic of `kind` and why: (slug, 'fresh'|'repeat').

    Fitting topics come before those that do not fit the setting; among them the least
    recently used wins.
    """
    best: Candidate | None = None
    best_key: tuple[bool, bool, date, int, str] | None = None
    for candidate in candidates:
        if not is_eligible(candidate, kind, day, exclude):
            continue
        key = _order(candidate, day, scope_key)
        if best_key is None or key < best_key:
            best, best_key = candidate, key
    if best is None:
        return None
    # The least recently used topic is fresh if any topic is, so this is a
    # repeat only when the whole eligible pool is cooling down.
    return best.slug, "repeat" if is_cooling(best, day, cooldown_days) else "fresh"


def _fixed_item(position: int, slot: SlotTemplate) -> PlannedItem:
    return PlannedItem(
        position=position,
        slot_key=slot.key,
        title=slot.title,
        fill=slot.fill,
        kind=None,
        minutes=slot.minutes,
        slug=None,
        reason="fixed",
    )


def _pinned_candidates(request: PlanRequest) -> dict[str, Candidate]:
    """Slot key -> pinned topic, for the pins that can be honoured."""
    by_slug = {candidate.slug: candidate for candidate in request.candidates}
    pins = {pin.slot_key: pin.slug for pin in request.pins}
    pinned: dict[str, Candidate] = {}
    taken: set[str] = set()
    for slot in request.template.slots:
        slug = pins.get(slot.key)
        if slot.fill != "rotation" or slug is None or slug in taken:
            continue
        candidate = by_slug.get(slug)
        # A pin to a retired or unknown topic must not stop the huddle: the rule fills the slot.
        if candidate is None or not candidate.published:
            continue
        pinned[slot.key] = candidate
        taken.add(slug)
    return pinned


def plan_agenda(request: PlanRequest) -> Plan:
    """Plan the agenda of `request.day` for `request.scope_key`."""
    template = request.template
    pinned = _pinned_candidates(request)
    # Pinned topics are reserved first so that an earlier slot cannot take them.
    taken = {candidate.slug for candidate in pinned.values()}
    items: list[PlannedItem] = []
    for position, slot in enumerate(template.slots, start=1):
        kind = template.kind_for(slot, request.day)
        if kind is None:
            items.append(_fixed_item(position, slot))
            continue
        pin = pinned.get(slot.key)
        if pin is not None:
            slug: str | None = pin.slug
            kind, reason = pin.kind, "pin"
        else:
            choice = choose(
                request.candidates,
                kind,
                request.day,
                request.scope_key,
                template.cooldown_days,
                request.exclude | taken,
            )
            slug, reason = choice if choice is not None else (None, "empty")
            if slug is not None:
                taken.add(slug)
        items.append(
            PlannedItem(
                position=position,
                slot_key=slot.key,
                title=slot.title,
                fill=slot.fill,
                kind=kind,
                minutes=slot.minutes,
                slug=slug,
                reason=reason,
            )
        )
    return Plan(day=request.day, scope_key=request.scope_key, items=tuple(items))


def swap(request: PlanRequest, plan: Plan, slot_key: str) -> Plan:
    """Replace one rotation slot of `plan` with the next best topic.

    The current topic and every other topic of the plan are excluded. When no
    other topic is eligible the plan comes back unchanged. To cycle through
    topics on repeated swaps, add the swapped-out slugs to `request.exclude`.
    """
    if plan.day != request.day or plan.scope_key != request.scope_key:
        raise ValueError(
            f"the plan is for {plan.scope_key!r} on {plan.day}, "
            f"the request for {request.scope_key!r} on {request.day}"
        )
    try:
        slot = request.template.slot(slot_key)
        current = plan.item(slot_key)
    except KeyError:
        raise ValueError(f"there is no slot {slot_key!r} to swap") from None
    if slot.fill != "rotation" or current.reason == "fixed":
        raise ValueError(f"slot {slot_key!r} is not filled by the rotation and cannot be swapped")
    if current.reason == "pin":
        raise ValueError(f"slot {slot_key!r} is pinned to {current.slug!r} and cannot be swapped")
    kind = request.template.kind_for(slot, request.day)
    assert kind is not None  # a rotation slot always has a kind
    choice = choose(
        request.candidates,
        kind,
        request.day,
        request.scope_key,
        request.template.cooldown_days,
        request.exclude | plan.slugs,
    )
    if choice is None:
        return plan
    slug, reason = choice
    replaced = dataclasses.replace(current, kind=kind, slug=slug, reason=reason)
    items = tuple(replaced if item.slot_key == slot_key else item for item in plan.items)
    return dataclasses.replace(plan, items=items)
