import ast
import dataclasses
import functools
import itertools
import math
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddles import rotation
from huddles.rotation import (
    DEFAULT_TEMPLATE,
    FILLS,
    KINDS,
    Candidate,
    Pin,
    Plan,
    PlanRequest,
    Season,
    SlotTemplate,
    Template,
    choose,
    is_cooling,
    is_eligible,
    plan_agenda,
    stable_rank,
    swap,
)

MONDAY = date(2024, 6, 3)
SCOPE = "location:3"
THEMES = DEFAULT_TEMPLATE.weekday_themes


def topic(
    slug: str,
    kind: str = "tip",
    last_used: date | None = None,
    season: Season | None = None,
    published: bool = True,
) -> Candidate:
    return Candidate(slug, kind, last_used, season, published)


def ago(days: int, day: date = MONDAY) -> date:
    return day - timedelta(days=days)


def make_request(
    *candidates: Candidate,
    day: date = MONDAY,
    scope: str = SCOPE,
    pins: tuple[Pin, ...] = (),
    exclude: frozenset[str] = frozenset(),
    template: Template = DEFAULT_TEMPLATE,
) -> PlanRequest:
    return PlanRequest(template, candidates, day, scope, pins, exclude)


def two_phrase_template(cooldown_days: int = 28) -> Template:
    return Template(
        slots=(
            SlotTemplate("first", "First phrase", 1, "rotation", kind="lexicon"),
            SlotTemplate("second", "Second phrase", 1, "rotation", kind="lexicon"),
        ),
        weekday_themes=THEMES,
        cooldown_days=cooldown_days,
    )


# --- the template ----------------------------------------------------------


def test_default_template_is_the_five_minute_huddle() -> None:
    slots = DEFAULT_TEMPLATE.slots
    assert [(s.key, s.minutes, s.fill, s.kind) for s in slots] == [
        ("welcome", 0.5, "roster", None),
        ("thanks", 1, "kudos", None),
        ("topic", 2, "rotation", None),
        ("phrase", 0.5, "rotation", "lexicon"),
        ("close", 1, "notes", None),
    ]
    assert DEFAULT_TEMPLATE.total_minutes == 5
    assert DEFAULT_TEMPLATE.cooldown_days == 28


@pytest.mark.parametrize(
    ("day", "theme"),
    [
        # 2024-06-03 is the first week of a 13-week theme cycle: the themes as written.
        (date(2024, 6, 3), "default-of-yes"),
        (date(2024, 6, 4), "wow-story"),
        (date(2024, 6, 5), "culture-matrix"),
        (date(2024, 6, 6), "habit"),
        (date(2024, 6, 7), "recovery"),
        (date(2024, 6, 8), "tip"),
        (date(2024, 6, 9), "habit"),
        # The next week every theme moves one day earlier: Monday gets Tuesday's.
        (date(2024, 6, 10), "wow-story"),
        (date(2024, 6, 16), "default-of-yes"),
        # 13 weeks on, the cycle starts again.
        (date(2024, 9, 2), "default-of-yes"),
    ],
)
def test_topic_slot_follows_the_moving_theme_and_phrase_stays_lexicon(
    day: date, theme: str
) -> None:
    assert DEFAULT_TEMPLATE.kind_for(DEFAULT_TEMPLATE.slot("topic"), day) == theme
    assert DEFAULT_TEMPLATE.kind_for(DEFAULT_TEMPLATE.slot("phrase"), day) == "lexicon"
    assert DEFAULT_TEMPLATE.kind_for(DEFAULT_TEMPLATE.slot("welcome"), day) is None

    library = [topic(f"{kind}-1", kind) for kind in KINDS]
    plan = plan_agenda(make_request(*library, day=day))
    assert plan.item("topic").kind == theme
    assert plan.item("topic").slug == f"{theme}-1"
    assert plan.item("phrase").slug == "lexicon-1"


def test_default_themes_are_the_weekly_plan_of_the_library() -> None:
    assert THEMES == (
        "default-of-yes",
        "wow-story",
        "culture-matrix",
        "habit",
        "recovery",
        "tip",
        "habit",
    )


def test_fixed_themes_keep_each_weekday_its_own() -> None:
    fixed = dataclasses.replace(DEFAULT_TEMPLATE, moving_themes=False)
    slot = fixed.slot("topic")
    for week in range(20):
        day = date(2024, 6, 8) + timedelta(weeks=week)
        assert fixed.kind_for(slot, day) == "tip"


@settings(max_examples=200, deadline=None)
@given(
    weekdays=st.sets(st.integers(0, 6), min_size=1, max_size=2),
    start=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
)
def test_any_one_or_two_weekdays_hear_four_kinds_in_13_weeks(
    weekdays: set[int], start: date
) -> None:
    slot = DEFAULT_TEMPLATE.slot("topic")
    days = [start + timedelta(days=n) for n in range(91)]
    heard = {DEFAULT_TEMPLATE.kind_for(slot, day) for day in days if day.weekday() in weekdays}
    assert len(heard) >= 4, (weekdays, start, heard)
    # In fact every weekday meets every theme within seven weeks.
    assert heard == set(THEMES)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    themes=st.lists(st.sampled_from(KINDS[:-1]), min_size=7, max_size=7),
)
def test_any_91_days_hold_each_theme_as_often_as_the_week_does(
    start: date, themes: list[str]
) -> None:
    """So a pool of 13 topics a theme day (26 for a kind that is two days' theme) lasts 91 days."""
    template = Template(DEFAULT_TEMPLATE.slots, themes)
    slot = template.slot("topic")
    counts = Counter(template.kind_for(slot, start + timedelta(days=n)) for n in range(91))
    assert counts == Counter({kind: 13 * n for kind, n in Counter(themes).items()})


def test_template_accepts_lists_and_stays_hashable() -> None:
    template = Template(list(DEFAULT_TEMPLATE.slots), list(THEMES))  # type: ignore[arg-type]
    assert template == DEFAULT_TEMPLATE
    assert hash(template) == hash(DEFAULT_TEMPLATE)


def _slot(**changes: Any) -> SlotTemplate:
    fields: dict[str, Any] = {"key": "topic", "title": "Topic", "minutes": 2, "fill": "rotation"}
    return SlotTemplate(**(fields | changes))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Template(DEFAULT_TEMPLATE.slots, THEMES[:6]), "7 kinds, Monday first, got 6"),
        (lambda: Template(DEFAULT_TEMPLATE.slots, (*THEMES, "tip")), "7 kinds.*got 8"),
        (
            lambda: Template(DEFAULT_TEMPLATE.slots, ("gossip", *THEMES[1:])),
            "unknown kind 'gossip'",
        ),
        (lambda: Template((_slot(), _slot()), THEMES), "duplicate slot key 'topic'"),
        (lambda: Template(DEFAULT_TEMPLATE.slots, THEMES, -1), "cooldown_days.*got -1"),
        (lambda: Template(DEFAULT_TEMPLATE.slots, THEMES, 2.5), "cooldown_days.*got 2.5"),  # type: ignore[arg-type]
        (lambda: _slot(kind="gossip"), "slot 'topic': unknown kind 'gossip'"),
        (lambda: _slot(minutes=-0.5), "slot 'topic': minutes must be zero or more, got -0.5"),
        (lambda: _slot(minutes=math.nan), "minutes must be zero or more, got nan"),
        (lambda: _slot(minutes=math.inf), "minutes must be zero or more, got inf"),
        (lambda: _slot(minutes="2"), "minutes must be a number"),
        (lambda: _slot(fill="video"), "unknown fill 'video'"),
        (lambda: _slot(fill="notes", kind="tip"), "only rotation slots take a kind"),
        (lambda: _slot(key=""), "slot key must not be empty"),
    ],
)
def test_invalid_templates_raise_a_clear_error(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# --- seasons ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "day", "inside"),
    [
        ("06-01", "08-31", date(2024, 6, 1), True),
        ("06-01", "08-31", date(2024, 8, 31), True),
        ("06-01", "08-31", date(2024, 5, 31), False),
        ("06-01", "08-31", date(2024, 9, 1), False),
        # across the new year
        ("12-01", "01-06", date(2024, 12, 1), True),
        ("12-01", "01-06", date(2024, 12, 31), True),
        ("12-01", "01-06", date(2025, 1, 1), True),
        ("12-01", "01-06", date(2025, 1, 6), True),
        ("12-01", "01-06", date(2025, 1, 7), False),
        ("12-01", "01-06", date(2024, 11, 30), False),
        ("12-01", "01-06", date(2024, 6, 15), False),
        # one day, and the whole year
        ("07-04", "07-04", date(2024, 7, 4), True),
        ("07-04", "07-04", date(2024, 7, 5), False),
        ("01-02", "01-01", date(2024, 7, 4), True),
        # Feb 29: a day that only exists in leap years
        ("02-29", "02-29", date(2024, 2, 29), True),
        ("02-29", "02-29", date(2023, 2, 28), False),
        ("02-29", "02-29", date(2023, 3, 1), False),
        ("02-20", "02-29", date(2023, 2, 28), True),
        ("02-20", "02-29", date(2024, 2, 29), True),
        ("02-20", "02-29", date(2024, 3, 1), False),
        ("02-29", "03-10", date(2023, 3, 1), True),
        ("02-29", "03-10", date(2023, 2, 28), False),
        ("02-29", "03-10", date(2024, 2, 29), True),
        ("03-01", "02-28", date(2024, 2, 29), False),
        ("03-01", "02-29", date(2023, 2, 28), True),
        ("12-20", "02-29", date(2024, 2, 29), True),
    ],
)
def test_season_contains(start: str, end: str, day: date, inside: bool) -> None:
    assert Season(start, end).contains(day) is inside


@pytest.mark.parametrize(
    ("args", "season"),
    [
        (("12-01..01-06",), Season("12-01", "01-06")),
        ((" 12-01 .. 01-06 ",), Season("12-01", "01-06")),
        (("02-29", "03-10"), Season("02-29", "03-10")),
    ],
)
def test_season_parse(args: tuple[str, ...], season: Season) -> None:
    assert Season.parse(*args) == season


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("13-01", "01-06", r"start '13-01': month must be 01 to 12"),
        ("00-10", "01-06", r"start '00-10': month must be 01 to 12"),
        ("02-30", "03-01", r"start '02-30': day must be 01 to 29"),
        ("12-01", "04-31", r"end '04-31': day must be 01 to 30"),
        ("12-00", "01-06", r"day must be 01 to 31"),
        ("1-01", "01-06", r"start must be 'MM-DD', got '1-01'"),
        ("12/01", "01-06", r"start must be 'MM-DD', got '12/01'"),
        ("12-01", "", r"end must be 'MM-DD', got ''"),
        ("2024-12-01", "01-06", r"start must be 'MM-DD'"),
    ],
)
def test_invalid_seasons_raise_a_clear_error(start: str, end: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Season.parse(start, end)


def test_season_parse_wants_a_range_in_one_string() -> None:
    with pytest.raises(ValueError, match=r"season must be 'MM-DD\.\.MM-DD', got '12-01'"):
        Season.parse("12-01")


# --- choosing one topic ----------------------------------------------------


def test_never_used_topics_come_before_used_ones() -> None:
    candidates = [topic("old", last_used=ago(400)), topic("new")]
    assert choose(candidates, "tip", MONDAY, SCOPE, 28) == ("new", "fresh")


def test_least_recently_used_comes_first() -> None:
    candidates = [topic("b", last_used=ago(40)), topic("a", last_used=ago(90)), topic("c")]
    assert choose(candidates, "tip", MONDAY, SCOPE, 28, exclude={"c"}) == ("a", "fresh")


@pytest.mark.parametrize(
    ("days_ago", "cooldown", "reason"),
    [
        (27, 28, "repeat"),
        (28, 28, "fresh"),
        (29, 28, "fresh"),
        (1, 28, "repeat"),
        (1, 1, "fresh"),
        (1, 0, "fresh"),
        (6, 7, "repeat"),
    ],
)
def test_cooldown_boundary(days_ago: int, cooldown: int, reason: str) -> None:
    candidates = [topic("only", last_used=ago(days_ago))]
    assert choose(candidates, "tip", MONDAY, SCOPE, cooldown) == ("only", reason)


@pytest.mark.parametrize("days_ahead", [0, 1, 30, 400])
@pytest.mark.parametrize("cooldown", [0, 28])
def test_use_on_or_after_the_day_counts_as_inside_the_cooldown(
    days_ahead: int, cooldown: int
) -> None:
    booked = topic("booked", last_used=MONDAY + timedelta(days=days_ahead))
    assert is_cooling(booked, MONDAY, cooldown)
    assert choose([booked], "tip", MONDAY, SCOPE, cooldown) == ("booked", "repeat")
    rested = topic("rested", last_used=ago(cooldown + 1))
    assert choose([booked, rested], "tip", MONDAY, SCOPE, cooldown) == ("rested", "fresh")


def test_exhausted_pool_repeats_the_least_recently_used() -> None:
    candidates = [
        topic("yesterday", last_used=ago(1)),
        topic("last-week", last_used=ago(7)),
        topic("tomorrow", last_used=MONDAY + timedelta(days=1)),
        topic("fresh-but-retired", published=False),
    ]
    assert choose(candidates, "tip", MONDAY, SCOPE, 28) == ("last-week", "repeat")


@pytest.mark.parametrize(
    ("candidate", "exclude"),
    [
        (topic("retired", published=False), frozenset[str]()),
        (topic("other-kind", kind="habit"), frozenset[str]()),
        (topic("summer", season=Season("06-10", "08-31")), frozenset[str]()),
        (topic("xmas", season=Season("12-01", "01-06")), frozenset[str]()),
        (topic("swapped-out"), frozenset({"swapped-out"})),
    ],
)
def test_ineligible_topics_are_never_chosen(candidate: Candidate, exclude: frozenset[str]) -> None:
    assert not is_eligible(candidate, "tip", MONDAY, exclude)
    assert choose([candidate], "tip", MONDAY, SCOPE, 28, exclude) is None


def test_in_season_topic_is_eligible() -> None:
    candidate = topic("june", season=Season("06-01", "06-30"))
    assert choose([candidate], "tip", MONDAY, SCOPE, 28) == ("june", "fresh")


def test_choose_from_nothing() -> None:
    assert choose([], "tip", MONDAY, SCOPE, 28) is None


# --- tie-break -------------------------------------------------------------


def test_stable_rank_is_fixed_across_runs() -> None:
    # A changed hash would silently reshuffle every future agenda.
    assert stable_rank("location:3", date(2024, 6, 3), "say-yes-first") == 1459773939461081546


@pytest.mark.parametrize(
    "other",
    [
        ("location:4", date(2024, 6, 3), "say-yes-first"),
        ("location:3", date(2024, 6, 4), "say-yes-first"),
        ("location:3", date(2024, 6, 3), "say-yes-second"),
    ],
)
def test_stable_rank_depends_on_scope_day_and_slug(other: tuple[str, date, str]) -> None:
    rank = stable_rank(*other)
    assert 0 <= rank < 2**64
    assert rank != stable_rank("location:3", date(2024, 6, 3), "say-yes-first")


@pytest.mark.parametrize("last_used", [None, ago(60)])
def test_ties_are_broken_by_stable_rank_whatever_the_order(last_used: date | None) -> None:
    candidates = [topic(slug, last_used=last_used) for slug in ("a", "b", "c", "d")]
    expected = min(candidates, key=lambda c: stable_rank(SCOPE, MONDAY, c.slug)).slug
    picks = {
        choose(order, "tip", MONDAY, SCOPE, 28) for order in itertools.permutations(candidates)
    }
    assert picks == {(expected, "fresh")}
    plans = {
        plan_agenda(make_request(*order, day=MONDAY + timedelta(days=6)))
        for order in itertools.permutations(candidates)
    }
    assert len(plans) == 1


def test_ties_fall_differently_on_different_days_and_scopes() -> None:
    candidates = [topic(slug) for slug in ("a", "b", "c", "d", "e")]
    by_day = {choose(candidates, "tip", ago(-i), SCOPE, 28) for i in range(14)}
    by_scope = {choose(candidates, "tip", MONDAY, f"shift:{i}", 28) for i in range(14)}
    assert len(by_day) > 1
    assert len(by_scope) > 1


# --- planning an agenda ----------------------------------------------------


def test_plan_fills_every_slot_with_template_minutes() -> None:
    plan = plan_agenda(
        make_request(topic("yes-1", "default-of-yes"), topic("say-instead", "lexicon"))
    )
    assert plan.day == MONDAY
    assert plan.scope_key == SCOPE
    assert [
        (i.position, i.slot_key, i.title, i.fill, i.kind, i.minutes, i.slug, i.reason)
        for i in plan.items
    ] == [
        (1, "welcome", "Welcome and roll call", "roster", None, 0.5, None, "fixed"),
        (2, "thanks", "Thank-yous", "kudos", None, 1, None, "fixed"),
        (3, "topic", "Topic of the day", "rotation", "default-of-yes", 2, "yes-1", "fresh"),
        (4, "phrase", "Phrase of the day", "rotation", "lexicon", 0.5, "say-instead", "fresh"),
        (5, "close", "Today and close", "notes", None, 1, None, "fixed"),
    ]
    assert plan.total_minutes == DEFAULT_TEMPLATE.total_minutes == 5


def test_empty_pool_leaves_the_slot_empty() -> None:
    plan = plan_agenda(
        make_request(topic("tip-1", "tip"), topic("retired", "lexicon", None, None, False))
    )
    assert plan.item("topic").slug is None
    assert plan.item("topic").reason == "empty"
    assert plan.item("topic").kind == "default-of-yes"
    assert plan.item("topic").minutes == 2
    assert plan.item("phrase").reason == "empty"
    assert plan.total_minutes == 5


def test_exhausted_pool_is_reported_as_repeat() -> None:
    plan = plan_agenda(
        make_request(
            topic("yes-1", "default-of-yes", last_used=ago(3)),
            topic("yes-2", "default-of-yes", last_used=ago(10)),
            topic("phrase-1", "lexicon", last_used=ago(40)),
        )
    )
    assert (plan.item("topic").slug, plan.item("topic").reason) == ("yes-2", "repeat")
    assert (plan.item("phrase").slug, plan.item("phrase").reason) == ("phrase-1", "fresh")


def test_a_topic_is_used_once_per_agenda() -> None:
    plan = plan_agenda(
        make_request(
            topic("only", "lexicon"),
            topic("used", "lexicon", ago(1)),
            template=two_phrase_template(),
        )
    )
    assert [(i.slug, i.reason) for i in plan.items] == [("only", "fresh"), ("used", "repeat")]
    lonely = plan_agenda(make_request(topic("only", "lexicon"), template=two_phrase_template()))
    assert [(i.slug, i.reason) for i in lonely.items] == [("only", "fresh"), (None, "empty")]


def test_excluded_topics_are_not_chosen() -> None:
    request = make_request(
        topic("yes-1", "default-of-yes"),
        topic("yes-2", "default-of-yes", ago(30)),
        exclude=frozenset({"yes-1"}),
    )
    assert plan_agenda(request).item("topic").slug == "yes-2"


def test_equal_duplicate_candidates_collapse() -> None:
    request = make_request(
        topic("a", "lexicon"), topic("a", "lexicon"), topic("b", "lexicon", ago(3))
    )
    assert [c.slug for c in request.candidates] == ["a", "b"]


def test_conflicting_duplicate_candidates_raise() -> None:
    with pytest.raises(ValueError, match="candidate 'a' is given twice with different data"):
        make_request(topic("a", "lexicon"), topic("a", "lexicon", ago(3)))


# --- pins ------------------------------------------------------------------

LIBRARY = (
    topic("yes-1", "default-of-yes"),
    topic("yes-2", "default-of-yes", ago(60)),
    topic("phrase-1", "lexicon"),
    topic("phrase-2", "lexicon", ago(60)),
    topic("story", "wow-story", ago(2), season=Season("12-01", "01-06")),
    topic("retired", "default-of-yes", published=False),
)


def test_pin_wins_whatever_its_kind_season_or_cooldown() -> None:
    plan = plan_agenda(make_request(*LIBRARY, pins=(Pin("topic", "story"),)))
    item = plan.item("topic")
    assert (item.slug, item.kind, item.reason, item.minutes) == ("story", "wow-story", "pin", 2)
    assert plan.item("phrase").slug == "phrase-1"


def test_pin_wins_over_exclude() -> None:
    request = make_request(*LIBRARY, pins=(Pin("topic", "yes-2"),), exclude=frozenset({"yes-2"}))
    assert plan_agenda(request).item("topic").slug == "yes-2"


@pytest.mark.parametrize("slug", ["no-such-topic", "retired"])
def test_unknown_or_unpublished_pin_falls_back_to_the_rule(slug: str) -> None:
    plan = plan_agenda(make_request(*LIBRARY, pins=(Pin("topic", slug),)))
    assert (plan.item("topic").slug, plan.item("topic").reason) == ("yes-1", "fresh")


def test_pinned_topic_is_not_chosen_for_another_slot() -> None:
    plan = plan_agenda(make_request(*LIBRARY, pins=(Pin("topic", "phrase-1"),)))
    assert (plan.item("topic").slug, plan.item("topic").kind) == ("phrase-1", "lexicon")
    assert plan.item("phrase").slug == "phrase-2"


def test_pin_on_a_later_slot_is_reserved_before_earlier_slots_choose() -> None:
    request = make_request(
        *LIBRARY, template=two_phrase_template(), pins=(Pin("second", "phrase-1"),)
    )
    assert [(i.slug, i.reason) for i in plan_agenda(request).items] == [
        ("phrase-2", "fresh"),
        ("phrase-1", "pin"),
    ]


def test_same_topic_pinned_twice_goes_to_the_first_slot() -> None:
    pins = (Pin("second", "phrase-2"), Pin("first", "phrase-2"))
    plan = plan_agenda(make_request(*LIBRARY, template=two_phrase_template(), pins=pins))
    assert [(i.slug, i.reason) for i in plan.items] == [("phrase-2", "pin"), ("phrase-1", "fresh")]


@pytest.mark.parametrize("slot_key", ["welcome", "close", "gone"])
def test_pins_to_non_rotation_or_missing_slots_are_ignored(slot_key: str) -> None:
    plan = plan_agenda(make_request(*LIBRARY, pins=(Pin(slot_key, "yes-2"),)))
    assert plan == plan_agenda(make_request(*LIBRARY))


def test_a_slot_pinned_twice_raises() -> None:
    with pytest.raises(ValueError, match="slot 'topic' is pinned more than once"):
        make_request(*LIBRARY, pins=(Pin("topic", "yes-1"), Pin("topic", "yes-2")))


# --- swap ------------------------------------------------------------------


def test_swap_takes_the_next_best_topic_and_leaves_the_rest() -> None:
    request = make_request(*LIBRARY)
    plan = plan_agenda(request)
    swapped = swap(request, plan, "topic")
    assert (swapped.item("topic").slug, swapped.item("topic").reason) == ("yes-2", "fresh")
    assert [i for i in swapped.items if i.slot_key != "topic"] == [
        i for i in plan.items if i.slot_key != "topic"
    ]
    assert swapped.total_minutes == plan.total_minutes


def test_swap_skips_topics_of_other_slots() -> None:
    candidates = (
        topic("p1", "lexicon"),
        topic("p2", "lexicon", ago(5)),
        topic("p3", "lexicon", ago(9)),
    )
    request = make_request(*candidates, template=two_phrase_template())
    plan = plan_agenda(request)
    assert [i.slug for i in plan.items] == ["p1", "p3"]
    swapped = swap(request, plan, "first")
    assert [(i.slug, i.reason) for i in swapped.items] == [("p2", "repeat"), ("p3", "repeat")]


def test_repeated_swaps_cycle_when_swapped_out_topics_are_excluded() -> None:
    candidates = tuple(topic(f"yes-{i}", "default-of-yes", ago(30 + i)) for i in range(3))
    request = make_request(*candidates)
    plan = plan_agenda(request)
    seen = [plan.item("topic").slug]
    for _ in range(2):
        request = dataclasses.replace(request, exclude=request.exclude | {seen[-1] or ""})
        plan = swap(request, plan, "topic")
        seen.append(plan.item("topic").slug)
    assert seen == ["yes-2", "yes-1", "yes-0"]


def test_swap_without_an_alternative_keeps_the_plan() -> None:
    request = make_request(topic("yes-1", "default-of-yes"), topic("phrase-1", "lexicon"))
    plan = plan_agenda(request)
    assert swap(request, plan, "topic") == plan
    empty_request = make_request()
    empty_plan = plan_agenda(empty_request)
    assert swap(empty_request, empty_plan, "topic") == empty_plan


@pytest.mark.parametrize(
    ("slot_key", "message"),
    [
        ("topic", "slot 'topic' is pinned to 'yes-2' and cannot be swapped"),
        ("welcome", "slot 'welcome' is not filled by the rotation"),
        ("close", "slot 'close' is not filled by the rotation"),
        ("gone", "there is no slot 'gone' to swap"),
    ],
)
def test_swap_refuses_pinned_fixed_and_missing_slots(slot_key: str, message: str) -> None:
    request = make_request(*LIBRARY, pins=(Pin("topic", "yes-2"),))
    with pytest.raises(ValueError, match=message):
        swap(request, plan_agenda(request), slot_key)


def test_swap_refuses_a_plan_of_another_day() -> None:
    request = make_request(*LIBRARY)
    other = plan_agenda(dataclasses.replace(request, day=MONDAY + timedelta(days=1)))
    with pytest.raises(ValueError, match="the plan is for 'location:3' on 2024-06-04"):
        swap(request, other, "topic")


# --- purity ----------------------------------------------------------------


def test_engine_imports_only_the_standard_library() -> None:
    modules: set[str] = set()
    for path in Path(rotation.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    assert modules - {"huddles"} <= set(sys.stdlib_module_names)
    assert not modules & {"random", "time", "flask", "sqlalchemy"}


# --- properties: many consecutive days -------------------------------------

PROPERTIES = settings(max_examples=40, deadline=None, database=None)

month_days = st.dates(date(2024, 1, 1), date(2024, 12, 31)).map(lambda d: d.strftime("%m-%d"))
seasons = st.builds(Season, month_days, month_days)
minutes = st.sampled_from((0, 0.25, 0.5, 1, 1.5, 2, 3)) | st.floats(
    0, 10, allow_nan=False, allow_infinity=False
)


@st.composite
def templates(draw: st.DrawFn, cooldowns: st.SearchStrategy[int] = st.integers(0, 35)) -> Template:
    slots = []
    for i in range(draw(st.integers(1, 6))):
        fill = draw(st.sampled_from(("rotation", "rotation", *FILLS)))
        kind = draw(st.none() | st.sampled_from(KINDS)) if fill == "rotation" else None
        slots.append(SlotTemplate(f"slot-{i}", f"Slot {i}", draw(minutes), fill, kind))
    themes = draw(st.lists(st.sampled_from(KINDS), min_size=7, max_size=7))
    return Template(tuple(slots), tuple(themes), draw(cooldowns))


class Scenario(NamedTuple):
    template: Template
    library: tuple[Candidate, ...]
    start: date
    days: int
    scope: str


def rotation_kinds(template: Template, start: date) -> list[str]:
    """The kinds the template draws in the week from `start`."""
    week = [start + timedelta(days=d) for d in range(7)]
    kinds = {template.kind_for(slot, day) for slot in template.slots for day in week}
    return sorted(kind for kind in kinds if kind is not None)


@st.composite
def scenarios(draw: st.DrawFn, max_days: int = 45) -> Scenario:
    template = draw(st.just(DEFAULT_TEMPLATE) | templates())
    start = draw(st.dates(date(2023, 1, 1), date(2026, 12, 31)))
    # Mostly the kinds the template asks for, so that pools collide and run dry.
    wanted = rotation_kinds(template, start) or list(KINDS)
    kinds = draw(st.lists(st.sampled_from(wanted), min_size=1, max_size=3, unique=True))
    kinds.append(draw(st.sampled_from(KINDS)))
    library = []
    for i in range(draw(st.integers(0, 24))):
        offset = draw(st.none() | st.integers(-60, 5))
        library.append(
            Candidate(
                slug=f"topic-{i}",
                kind=draw(st.sampled_from(kinds)),
                last_used=None if offset is None else start + timedelta(days=offset),
                season=draw(st.none() | st.none() | seasons),
                published=draw(st.sampled_from((True, True, True, False))),
                fits=draw(st.sampled_from((True, True, False))),
            )
        )
    days = draw(st.integers(1, max_days))
    scope = draw(st.sampled_from(("location:3", "shift:7", "org:1")))
    return Scenario(template, tuple(library), start, days, scope)


def simulate(
    scenario: Scenario, pins_for: Callable[[date], tuple[Pin, ...]] = lambda day: ()
) -> Iterator[tuple[PlanRequest, Plan]]:
    """Plan day after day, feeding each day's choices back as last_used."""
    last_used = {c.slug: c.last_used for c in scenario.library}
    for offset in range(scenario.days):
        day = scenario.start + timedelta(days=offset)
        candidates = tuple(
            dataclasses.replace(c, last_used=last_used[c.slug]) for c in scenario.library
        )
        request = PlanRequest(scenario.template, candidates, day, scenario.scope, pins_for(day))
        plan = plan_agenda(request)
        yield request, plan
        for item in plan.items:
            if item.slug is not None:
                previous = last_used[item.slug]
                last_used[item.slug] = day if previous is None else max(previous, day)


def lru_key(candidate: Candidate, scope: str, day: date) -> tuple[bool, bool, date, int]:
    last_used = candidate.last_used
    return (
        not candidate.fits,
        last_used is not None,
        last_used or date.min,
        stable_rank(scope, day, candidate.slug),
    )


# Oracles written apart from the engine, so that a bug there cannot hide here.


@functools.cache
def season_days(season: Season) -> frozenset[tuple[int, int]]:
    """The (month, day) pairs of a season, walked day by day through a leap year."""
    day = date(2024, int(season.start[:2]), int(season.start[3:]))
    days = set()
    while True:
        days.add((day.month, day.day))
        if day.strftime("%m-%d") == season.end:
            return frozenset(days)
        day = date(2024, 1, 1) if day == date(2024, 12, 31) else day + timedelta(days=1)


def in_season(candidate: Candidate, day: date) -> bool:
    return candidate.season is None or (day.month, day.day) in season_days(candidate.season)


def cooling(candidate: Candidate, day: date, cooldown_days: int) -> bool:
    used = candidate.last_used
    return used is not None and (used >= day or day < used + timedelta(days=cooldown_days))


def rotation_kind(request: PlanRequest, slot_key: str) -> str:
    kind = request.template.kind_for(request.template.slot(slot_key), request.day)
    assert kind is not None
    return kind


def eligible_for(request: PlanRequest, plan: Plan, slot_key: str) -> list[Candidate]:
    """Topics the slot could hold, the topics of the other slots left out."""
    others = {i.slug for i in plan.items if i.slot_key != slot_key and i.slug is not None}
    kind = rotation_kind(request, slot_key)
    exclude = others | request.exclude
    return [
        c
        for c in request.candidates
        if c.published and c.kind == kind and in_season(c, request.day) and c.slug not in exclude
    ]


@PROPERTIES
@given(scenarios(max_days=30), st.randoms(use_true_random=False))
def test_property_same_inputs_same_plan_whatever_the_order(
    scenario: Scenario, shuffler: random.Random
) -> None:
    for request, plan in simulate(scenario):
        assert plan_agenda(request) == plan
        shuffled = list(request.candidates)
        shuffler.shuffle(shuffled)
        assert plan_agenda(dataclasses.replace(request, candidates=tuple(shuffled))) == plan


@PROPERTIES
@given(scenarios(max_days=5))
def test_property_minutes_add_up_to_the_template(scenario: Scenario) -> None:
    for request, plan in simulate(scenario):
        slots = request.template.slots
        assert [i.position for i in plan.items] == list(range(1, len(slots) + 1))
        assert [(i.slot_key, i.title, i.fill, i.minutes) for i in plan.items] == [
            (s.key, s.title, s.fill, s.minutes) for s in slots
        ]
        assert plan.total_minutes == request.template.total_minutes
        assert math.isclose(plan.total_minutes, sum(s.minutes for s in slots))


@PROPERTIES
@given(seasons, st.dates(date(2023, 1, 1), date(2028, 12, 31)))
def test_property_season_contains_matches_a_day_by_day_walk(season: Season, day: date) -> None:
    assert season.contains(day) is in_season(Candidate("x", "tip", None, season), day)
    assert Season.parse(f"{season.start}..{season.end}") == season


@PROPERTIES
@given(seasons, st.sampled_from((2023, 2024)))
def test_property_season_length_counts_feb_29_only_in_leap_years(season: Season, year: int) -> None:
    first = date(year, 1, 1)
    inside = sum(
        season.contains(first + timedelta(days=d)) for d in range(366 if year == 2024 else 365)
    )
    missing = year == 2023 and (2, 29) in season_days(season)
    assert inside == len(season_days(season)) - missing


def window_demand(template: Template, start: date, days: int) -> Counter[str]:
    """The most uses of each kind within any cool-down window of the simulation."""
    uses = [
        Counter(
            kind
            for slot in template.slots
            if (kind := template.kind_for(slot, start + timedelta(days=d))) is not None
        )
        for d in range(days)
    ]
    window = max(template.cooldown_days, 1)
    demand: Counter[str] = Counter()
    for last in range(days):
        in_window = sum(uses[max(0, last - window + 1) : last + 1], Counter[str]())
        demand |= in_window
    return demand


@PROPERTIES
@given(
    st.just(DEFAULT_TEMPLATE) | templates(cooldowns=st.integers(0, 20)),
    st.dates(date(2023, 1, 1), date(2026, 12, 31)),
    st.integers(1, 60),
    st.lists(st.integers(0, 2), min_size=len(KINDS), max_size=len(KINDS)),
)
def test_property_no_repeat_within_the_cooldown_when_the_pool_is_large_enough(
    template: Template, start: date, days: int, spare: list[int]
) -> None:
    demand = window_demand(template, start, days)
    library = tuple(
        Candidate(f"{kind}-{i}", kind, None)
        for kind, extra in zip(KINDS, spare, strict=True)
        for i in range(demand[kind] + extra)
    )
    used_on: dict[str, date] = {}
    for _, plan in simulate(Scenario(template, library, start, days, "location:3")):
        chosen = [i for i in plan.items if i.fill == "rotation"]
        assert all(i.reason == "fresh" and i.slug is not None for i in chosen)
        for item in chosen:
            assert item.slug is not None
            if item.slug in used_on:
                assert (plan.day - used_on[item.slug]).days >= max(template.cooldown_days, 1)
            used_on[item.slug] = plan.day


@PROPERTIES
@given(scenarios())
def test_property_least_recently_used_first_and_all_used_before_any_repeat(
    scenario: Scenario,
) -> None:
    for request, plan in simulate(scenario):
        by_slug = {c.slug: c for c in request.candidates}
        for item in plan.items:
            if item.fill != "rotation":
                assert (item.reason, item.slug, item.kind) == ("fixed", None, None)
                continue
            eligible = eligible_for(request, plan, item.slot_key)
            if item.slug is None:
                assert item.reason == "empty"
                assert eligible == []
                continue
            chosen = by_slug[item.slug]
            assert chosen in eligible
            day, scope = request.day, request.scope_key
            assert all(lru_key(chosen, scope, day) <= lru_key(c, scope, day) for c in eligible)
            if chosen.last_used is not None:
                # every eligible topic that fits as well was used before this one comes round
                assert all(c.last_used is not None for c in eligible if c.fits >= chosen.fits)
            cooldown = request.template.cooldown_days
            # A fitting topic is preferred even while it cools down: "repeat" then.
            same_fit = [c for c in eligible if c.fits == chosen.fits]
            everything_cooling = all(cooling(c, day, cooldown) for c in same_fit)
            assert item.reason == ("repeat" if everything_cooling else "fresh")
        slugs = [i.slug for i in plan.items if i.slug is not None]
        assert len(slugs) == len(set(slugs))


@PROPERTIES
@given(scenarios(max_days=20), st.data())
def test_property_pins_are_honoured(scenario: Scenario, data: st.DataObject) -> None:
    slot_keys = [s.key for s in scenario.template.slots]
    slugs = [c.slug for c in scenario.library] + ["no-such-topic"]

    def pins_for(day: date) -> tuple[Pin, ...]:
        keys = data.draw(st.lists(st.sampled_from(slot_keys), unique=True, max_size=3))
        return tuple(Pin(key, data.draw(st.sampled_from(slugs))) for key in keys)

    for request, plan in simulate(scenario, pins_for):
        by_slug = {c.slug: c for c in request.candidates}
        pins = {pin.slot_key: pin.slug for pin in request.pins}
        honoured: set[str] = set()
        for item in plan.items:
            slug = pins.get(item.slot_key)
            pinned = by_slug.get(slug) if slug is not None else None
            if (
                item.fill == "rotation"
                and pinned is not None
                and pinned.published
                and pinned.slug not in honoured
            ):
                assert (item.slug, item.kind, item.reason) == (pinned.slug, pinned.kind, "pin")
                honoured.add(pinned.slug)
            else:
                assert item.reason != "pin"
        slugs_in_plan = [i.slug for i in plan.items if i.slug is not None]
        assert len(slugs_in_plan) == len(set(slugs_in_plan))
        assert honoured <= set(slugs_in_plan)


@PROPERTIES
@given(scenarios(max_days=20), st.data())
def test_property_swap_never_returns_the_slug_it_replaced(
    scenario: Scenario, data: st.DataObject
) -> None:
    slot_keys = [s.key for s in scenario.template.slots]
    slugs = [c.slug for c in scenario.library]

    def pins_for(day: date) -> tuple[Pin, ...]:
        if not slugs or not data.draw(st.booleans()):
            return ()
        return (Pin(data.draw(st.sampled_from(slot_keys)), data.draw(st.sampled_from(slugs))),)

    for request, plan in simulate(scenario, pins_for):
        for item in plan.items:
            if item.reason in ("fixed", "pin"):
                with pytest.raises(ValueError, match="cannot be swapped"):
                    swap(request, plan, item.slot_key)
                continue
            swapped = swap(request, plan, item.slot_key)
            alternatives = [
                c for c in eligible_for(request, plan, item.slot_key) if c.slug != item.slug
            ]
            others = [i for i in plan.items if i.slot_key != item.slot_key]
            assert [i for i in swapped.items if i.slot_key != item.slot_key] == others
            if not alternatives:
                assert swapped == plan
                continue
            new = swapped.item(item.slot_key)
            assert new.slug is not None
            assert new.slug != item.slug
            assert new.slug not in {i.slug for i in others}
            assert new.slug in {c.slug for c in alternatives}
            assert new.reason in ("fresh", "repeat")
            assert swapped.total_minutes == plan.total_minutes


# --- fitting the setting ------------------------------------------------------


@PROPERTIES
@given(scenarios())
def test_property_a_topic_that_does_not_fit_only_when_none_that_fits_is_left(
    scenario: Scenario,
) -> None:
    for request, plan in simulate(scenario):
        by_slug = {c.slug: c for c in request.candidates}
        for item in plan.items:
            if item.slug is None or item.reason == "pin":
                continue
            if not by_slug[item.slug].fits:
                assert [c for c in eligible_for(request, plan, item.slot_key) if c.fits] == []


def test_a_fitting_topic_wins_even_when_it_was_used_recently() -> None:
    library = [
        Candidate("stockroom-story", "tip", None, fits=False),
        Candidate("front-desk-story", "tip", ago(2), fits=True),
    ]
    assert choose(library, "tip", MONDAY, SCOPE, 28) == ("front-desk-story", "repeat")
    assert choose(library[:1], "tip", MONDAY, SCOPE, 28) == ("stockroom-story", "fresh")


def test_ranked_is_the_order_choose_picks_in() -> None:
    library = [
        Candidate("a", "tip", ago(40)),
        Candidate("b", "tip", None, fits=False),
        Candidate("c", "tip", None),
        Candidate("d", "tip", ago(3)),
        Candidate("e", "habit", None),
    ]
    order = [c.slug for c in rotation.ranked(library, "tip", MONDAY, SCOPE)]
    assert order == ["c", "a", "d", "b"]
    assert [c.slug for c in rotation.ranked(library, "tip", MONDAY, SCOPE, {"c"}, 2)] == ["a", "d"]
    picked = choose(library, "tip", MONDAY, SCOPE, 28)
    assert picked is not None and picked[0] == order[0]


@PROPERTIES
@given(scenarios(max_days=3))
def test_property_ranked_starts_with_what_choose_picks(scenario: Scenario) -> None:
    for request, _plan in simulate(scenario):
        for kind in set(KINDS):
            picked = choose(request.candidates, kind, request.day, request.scope_key, 28)
            order = rotation.ranked(request.candidates, kind, request.day, request.scope_key)
            assert (picked is None) == (order == [])
            if picked is not None:
                assert picked[0] == order[0].slug
