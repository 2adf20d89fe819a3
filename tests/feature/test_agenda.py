"""Agendas: made once per (shift, day), frozen, shared in a scope, pinned, swapped, refreshed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from huddles import rotation
from huddles.agenda import library, pins, planning, templates
from huddles.agenda.models import Agenda, AgendaItem, AgendaTemplate, Pin, TopicUsage
from huddles.extensions import db
from huddles.topics.models import Topic, TopicRevision
from huddles.validation import FieldError
from tests.feature.agenda_helpers import add_library, add_topic

MONDAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


def topics_of(agenda: Agenda) -> dict[str, int | None]:
    return {item.slot_key: item.topic_id for item in agenda.items if item.fill == "rotation"}


def slug(topic_id: int | None) -> str | None:
    return db.session.get(Topic, topic_id).slug if topic_id else None


def new_revision(topic: Topic, **changes) -> TopicRevision:
    current = topic.current_revision
    revision = TopicRevision(
        topic=topic,
        number=current.number + 1,
        kind=changes.get("kind", topic.kind),
        status=changes.get("status", topic.status),
        title=changes.get("title", current.title),
        prompt=current.prompt,
        body=current.body,
        translations={},
    )
    db.session.add(revision)
    db.session.flush()
    topic.current_revision = revision
    for name in ("kind", "status", "title"):
        if name in changes:
            setattr(topic, name, changes[name])
    db.session.commit()
    return revision


def test_the_default_agenda_is_five_minutes_in_five_slots(app, world):
    add_library()
    agenda = planning.get_agenda(world.shift, MONDAY, now=NOW)
    data = planning.agenda_json(agenda, "en")
    assert [item["slot"] for item in data["items"]] == [
        "welcome",
        "thanks",
        "topic",
        "phrase",
        "close",
    ]
    assert sum(item["minutes"] for item in data["items"]) == 5
    topic, phrase, close = data["items"][2], data["items"][3], data["items"][4]
    assert topic["kind"] == "default-of-yes"  # Monday's theme
    assert topic["topic_slug"].startswith("default-of-yes-")
    assert "<strong>body</strong>" in topic["body_html"]
    assert phrase["kind"] == "lexicon" and phrase["avoid"] and phrase["say_instead"]
    assert close["prompt"] == topic["prompt"]
    assert data["shift_id"] == world.shift.id and data["date"] == "2026-03-02"
    assert data["status"] == "planned" and data["kudos"] == []


def test_the_weekday_theme_picks_the_kind(app, world):
    add_library()
    kinds = [
        planning.get_agenda(world.shift, MONDAY + timedelta(days=n), now=NOW).items[2].kind
        for n in range(7)
    ]
    assert kinds == list(rotation.DEFAULT_TEMPLATE.weekday_themes)


def test_asking_again_returns_the_same_agenda_unchanged(app, world):
    add_library()
    first = planning.get_agenda(world.shift, MONDAY, now=NOW)
    before = topics_of(first)
    again = planning.get_agenda(world.shift, MONDAY, now=NOW + timedelta(hours=3))
    assert again.id == first.id and topics_of(again) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 1


def test_no_topic_repeats_within_the_cool_down_while_the_pool_lasts(app, world):
    add_library(per_kind=10, lexicon=40)
    agendas = [planning.get_agenda(world.shift, MONDAY + timedelta(n), now=NOW) for n in range(28)]
    phrases = [topics_of(agenda)["phrase"] for agenda in agendas]
    assert len(set(phrases)) == 28
    # Habits are the theme of two days a week (the days move): eight in four weeks, of ten.
    stories = [topics_of(a)["topic"] for a in agendas if a.items[2].kind == "habit"]
    assert len(stories) == 8 and len(set(stories)) == 8
    assert {item.reason for agenda in agendas for item in agenda.items[2:4]} == {"fresh"}


def test_an_exhausted_pool_repeats_the_least_recently_used_and_says_so(app, world):
    add_library(per_kind=1, lexicon=2)
    items = [
        planning.get_agenda(world.shift, MONDAY + timedelta(days=n), now=NOW).items[3]
        for n in range(4)
    ]
    assert [item.reason for item in items] == ["fresh", "fresh", "repeat", "repeat"]
    assert items[2].topic_id == items[0].topic_id and items[3].topic_id == items[1].topic_id


def test_an_empty_library_still_gives_a_five_minute_plan(app, world):
    agenda = planning.get_agenda(world.shift, MONDAY, now=NOW)
    data = planning.agenda_json(agenda, "en")
    assert [item["topic_slug"] for item in data["items"]] == [None] * 5
    assert agenda.items[2].reason == "empty"


def test_drafts_retired_and_out_of_season_topics_are_never_picked(app, world):
    add_topic("yes-draft", "default-of-yes", status="draft")
    add_topic("yes-retired", "default-of-yes", status="retired")
    add_topic("yes-christmas", "default-of-yes", season=("12-01", "12-31"))
    add_topic("yes-winter", "default-of-yes", season=("11-15", "03-15"))
    agenda = planning.get_agenda(world.shift, MONDAY, now=NOW)
    assert slug(topics_of(agenda)["topic"]) == "yes-winter"
    later = planning.get_agenda(world.shift, date(2026, 6, 1), now=NOW)  # a Monday in June
    assert topics_of(later)["topic"] is None


def test_every_shift_of_a_location_discusses_the_same_topic(app, world, make_shift):
    add_library()
    late = make_shift(world.here, "Late", time(15, 0))
    early = planning.get_agenda(world.shift, MONDAY, now=NOW)
    other = planning.get_agenda(late, MONDAY, now=NOW)
    assert topics_of(early) == topics_of(other)
    assert early.scope_key == other.scope_key == f"location:{world.here.id}"
    usage = db.session.scalars(sa.select(TopicUsage)).all()
    assert sorted(row.uses for row in usage) == [1, 1]  # the scope used each topic once


def _set_scope(location, scope: str) -> None:
    templates.save_template(
        location,
        **{**templates.template_row_values(location), "scope": scope},
        actor=None,
        now=NOW,
    )


def test_an_organisation_scope_gives_every_property_the_same_topic(app, world):
    add_library()
    _set_scope(world.here, "organisation")
    _set_scope(world.there, "organisation")
    here = planning.get_agenda(world.shift, MONDAY, now=NOW)
    there = planning.get_agenda(world.other_shift, MONDAY, now=NOW)
    assert here.scope_key == there.scope_key == f"org:{world.here.organisation_id}"
    assert topics_of(here) == topics_of(there)


def test_a_shift_scope_keeps_each_shift_to_its_own_rotation(app, world, make_shift):
    add_library(per_kind=30, lexicon=30)
    _set_scope(world.here, "shift")
    late = make_shift(world.here, "Late", time(15, 0))
    early = [planning.get_agenda(world.shift, MONDAY + timedelta(n), now=NOW) for n in range(7)]
    other = [planning.get_agenda(late, MONDAY + timedelta(n), now=NOW) for n in range(7)]
    assert early[0].scope_key == f"shift:{world.shift.id}"
    assert other[0].scope_key == f"shift:{late.id}"
    assert [topics_of(a) for a in early] != [topics_of(a) for a in other]


def test_an_opened_agenda_never_follows_an_edit(app, world):
    add_topic("only-yes", "default-of-yes", title="Say yes")
    opened = planning.open_agenda(world.shift, MONDAY, now=NOW, actor=world.lead)
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "only-yes"))
    new_revision(topic, title="Say yes, then ask")
    library.refresh_unopened_agendas(topic, NOW)
    data = planning.agenda_json(planning.get_agenda(world.shift, MONDAY, now=NOW), "en")
    assert data["items"][2]["title"] == "Say yes"
    assert opened.opened_at is not None


def test_an_unopened_future_agenda_follows_an_edit(app, world):
    add_topic("only-yes", "default-of-yes", title="Say yes")
    planning.get_agenda(world.shift, MONDAY, now=NOW)
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "only-yes"))
    new_revision(topic, title="Say yes, then ask")
    assert library.refresh_unopened_agendas(topic, NOW) == 1
    data = planning.agenda_json(planning.get_agenda(world.shift, MONDAY, now=NOW), "en")
    assert data["items"][2]["title"] == "Say yes, then ask"


def test_retiring_a_topic_regenerates_only_future_unopened_agendas(app, world, make_shift):
    add_topic("yes-a", "default-of-yes")
    add_topic("yes-b", "default-of-yes")
    past = planning.get_agenda(world.shift, MONDAY - timedelta(days=7), now=NOW)
    opened = planning.open_agenda(world.shift, MONDAY, now=NOW, actor=world.lead)
    used_today = topics_of(opened)["topic"]
    late = make_shift(world.here, "Late", time(15, 0))
    unopened = planning.get_agenda(late, MONDAY, now=NOW)
    assert topics_of(unopened)["topic"] == used_today
    topic = db.session.get(Topic, used_today)
    last_week = topics_of(past)["topic"]
    new_revision(topic, status="retired")
    library.refresh_unopened_agendas(topic, NOW)
    assert topics_of(planning.get_agenda(world.shift, MONDAY, now=NOW))["topic"] == used_today
    replaced = topics_of(planning.get_agenda(late, MONDAY, now=NOW))["topic"]
    assert replaced not in (used_today, None)
    assert (
        topics_of(planning.get_agenda(world.shift, MONDAY - timedelta(7), now=NOW))["topic"]
        == last_week
    )
    # A shift of the scope that makes its agenda later takes the replacement, too.
    third = make_shift(world.here, "Night", time(22, 0))
    assert topics_of(planning.get_agenda(third, MONDAY, now=NOW))["topic"] == replaced


def test_an_admin_pins_a_topic_and_unopened_agendas_follow(app, world, make_shift):
    add_library()
    unopened = planning.get_agenda(world.shift, MONDAY, now=NOW)
    pin = pins.pin_topic(
        world.here,
        day=MONDAY,
        slot_key="topic",
        topic_slug="habit-3",
        scope="location",
        actor=world.admin,
        now=NOW,
    )
    assert pin.created_by_id == world.admin.id and pin.scope_key == f"location:{world.here.id}"
    item = planning.get_agenda(world.shift, MONDAY, now=NOW).items[2]
    assert slug(item.topic_id) == "habit-3" and item.reason == "pin"
    late = make_shift(world.here, "Late", time(15, 0))
    assert slug(topics_of(planning.get_agenda(late, MONDAY, now=NOW))["topic"]) == "habit-3"
    assert unopened.id == item.agenda_id
    pins.unpin(world.here, pin.id, now=NOW)
    assert planning.get_agenda(world.shift, MONDAY, now=NOW).items[2].reason == "fresh"


def test_an_organisation_pin_reaches_every_location(app, world):
    add_library()
    pins.pin_topic(
        world.there,
        day=MONDAY,
        slot_key="phrase",
        topic_slug="phrase-7",
        scope="organisation",
        actor=world.admin,
        now=NOW,
    )
    for shift in (world.shift, world.other_shift):
        assert slug(topics_of(planning.get_agenda(shift, MONDAY, now=NOW))["phrase"]) == "phrase-7"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slot_key": "welcome"}, "slot_key"),
        ({"topic_slug": "no-such-topic"}, "topic_slug"),
        ({"scope": "shift"}, "scope"),
        ({"scope": "galaxy"}, "scope"),
    ],
)
def test_pins_are_validated(app, world, changes, field):
    add_library()
    values = {"day": MONDAY, "slot_key": "topic", "topic_slug": "habit-1", "scope": "location"}
    with pytest.raises(FieldError) as error:
        pins.pin_topic(world.here, **{**values, **changes}, actor=world.admin, now=NOW)
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pin)) == 0


def test_a_lead_swaps_a_topic_before_the_huddle_and_it_is_recorded(app, world):
    add_library()
    agenda = planning.get_agenda(world.shift, MONDAY, now=NOW)
    before = topics_of(agenda)
    swapped = planning.swap_slot(agenda, "topic", actor=world.lead, now=NOW)
    item = swapped.items[2]
    assert item.topic_id not in (None, before["topic"])
    assert item.swapped_by_id == world.lead.id and item.swapped_at == NOW
    assert topics_of(swapped)["phrase"] == before["phrase"]
    seen = {before["topic"], item.topic_id}
    again = planning.swap_slot(swapped, "topic", actor=world.lead, now=NOW)
    assert again.items[2].topic_id not in seen  # repeated swaps walk on through the pool


def test_no_swap_once_the_huddle_has_started(app, world):
    add_library()
    agenda = planning.get_agenda(world.shift, MONDAY, now=NOW)
    agenda.started_at, agenda.status = NOW, "running"
    db.session.commit()
    with pytest.raises(planning.AgendaLocked):
        planning.swap_slot(agenda, "topic", actor=world.lead, now=NOW)


@pytest.mark.parametrize("slot", ["welcome", "nope"])
def test_only_topic_slots_can_be_swapped(app, world, slot):
    add_library()
    agenda = planning.get_agenda(world.shift, MONDAY, now=NOW)
    with pytest.raises(FieldError):
        planning.swap_slot(agenda, slot, actor=world.lead, now=NOW)


@pytest.mark.parametrize("library", [(4, 8), (80, 160)])
def test_making_an_agenda_runs_the_same_number_of_queries_whatever_the_library(
    app, world, count_queries, library
):
    add_library(per_kind=library[0], lexicon=library[1])
    for n in range(10):  # some history
        planning.get_agenda(world.shift, MONDAY + timedelta(days=n), now=NOW)
    with count_queries() as counter:
        planning.get_agenda(world.shift, MONDAY + timedelta(days=20), now=NOW)
    assert counter.count <= 15, counter.statements


def test_the_query_count_does_not_grow_with_the_library(app, world, count_queries):
    add_library(per_kind=3, lexicon=3)
    counts = []
    for week in range(2):
        with count_queries() as counter:
            planning.get_agenda(world.shift, MONDAY + timedelta(days=7 * week), now=NOW)
        counts.append(counter.count)
        for n in range(100):
            add_topic(f"more-{week}-{n}", "default-of-yes", commit=False)
        db.session.commit()
    assert counts[0] == counts[1]


def test_generate_is_idempotent_and_skips_days_a_shift_does_not_run(app, world, make_shift):
    add_library()
    make_shift(world.here, "Weekend", time(9, 0), weekdays=[5, 6])
    first = planning.generate_agendas(7, now=NOW)
    assert len(first) == 7 + 7 + 2
    assert planning.generate_agendas(7, now=NOW) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 16


def test_flask_agenda_generate_prints_what_it_made(app, world, runner):
    add_library()
    result = runner.invoke(args=["agenda", "generate", "--days", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.count("made ") == 6 + 1
    again = runner.invoke(args=["agenda", "generate", "--days", "3"])
    assert again.output.startswith("0 agenda(s) made")
    assert runner.invoke(args=["agenda", "generate", "--days", "0"]).exit_code != 0


def test_a_template_change_shapes_the_next_agendas(app, world):
    add_library()
    values = templates.template_row_values(world.here)
    values["slots"] = [
        *values["slots"][:3],
        {
            "key": "story",
            "title": "A wow story",
            "minutes": 1,
            "fill": "rotation",
            "kind": "wow-story",
        },
    ]
    values["weekday_themes"] = ["habit"] * 7
    row = templates.save_template(world.here, **values, actor=world.admin, now=NOW)
    assert row.updated_by_id == world.admin.id
    agenda = planning.get_agenda(world.shift, MONDAY, now=NOW)
    assert [(item.slot_key, item.kind) for item in agenda.items] == [
        ("welcome", None),
        ("thanks", None),
        ("topic", "habit"),
        ("story", "wow-story"),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda v: v["slots"][0].update(key="Bad Key"), "slots-0-key"),
        (lambda v: v["slots"][1].update(key="welcome"), "slots-1-key"),
        (lambda v: v["slots"][2].update(title=""), "slots-2-title"),
        (lambda v: v["slots"][0].update(kind="habit"), "slots-0-kind"),
        (lambda v: v["slots"][2].update(kind="gossip"), "slots-2-kind"),
        (lambda v: v["slots"][2].update(minutes=11), "slots-2-minutes"),
        (lambda v: v["slots"][2].update(fill="magic"), "slots-2-fill"),
        (lambda v: v.update(slots=[]), "slots"),
        (lambda v: v["weekday_themes"].__setitem__(3, "gossip"), "theme_3"),
        (lambda v: v.update(cooldown_days=-1), "cooldown_days"),
        (lambda v: v.update(scope="galaxy"), "scope"),
        (lambda v: [s.update(minutes=4) for s in v["slots"]], "slots"),
    ],
)
def test_the_template_is_validated_field_by_field(app, world, change, field):
    values = templates.template_row_values(world.here)
    change(values)
    with pytest.raises(FieldError) as error:
        templates.save_template(world.here, **values, actor=world.admin, now=NOW)
    assert error.value.field == field and error.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaTemplate)) == 0


def test_items_keep_their_revision_when_a_topic_is_edited_later(app, world):
    add_topic("only-yes", "default-of-yes")
    agenda = planning.open_agenda(world.shift, MONDAY, now=NOW, actor=None)
    revision_id = agenda.items[2].topic_revision_id
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "only-yes"))
    new_revision(topic, title="Changed")
    library.refresh_unopened_agendas(topic, NOW)
    assert db.session.get(AgendaItem, agenda.items[2].id).topic_revision_id == revision_id
