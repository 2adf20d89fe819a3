"""Pins from the template page: a topic picked by title, errors that lose nothing, and a truthful
account of which huddles follow the pin."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles.agenda import pins, planning, templates
from huddles.agenda.models import Pin
from huddles.extensions import db
from huddles.topics.models import Topic
from tests.feature.agenda_helpers import add_library, add_topic


def soon(location, days: int = 3) -> date:
    return datetime.now(ZoneInfo(location.timezone)).date() + timedelta(days=days)


def pin_url(location) -> str:
    return f"/admin/locations/{location.id}/pins"


def pin_data(day: date, topic: str, **extra) -> dict[str, str]:
    return {
        "pin-day": day.isoformat(),
        "pin-slot_key": "topic",
        "pin-topic": topic,
        "pin-scope": "location",
        "pin-shift_id": "0",
        **extra,
    }


def topic_of(shift, day: date) -> str | None:
    agenda = planning.get_agenda(shift, day, now=datetime.now(UTC))
    item = next(item for item in agenda.items if item.slot_key == "topic")
    return db.session.get(Topic, item.topic_id).slug if item.topic_id else None


def test_a_topic_is_picked_by_title_from_suggestions(app, world, login):
    add_library()
    client = login(world.admin)
    page = client.get(f"/admin/locations/{world.here.id}/template").get_data(as_text=True)
    assert 'list="pin-topics"' in page and '<datalist id="pin-topics">' in page
    assert '<option value="Habit 3">' in page
    day = soon(world.here)
    response = client.post(pin_url(world.here), data=pin_data(day, "  habit   3 "))
    assert response.status_code == 302
    pin = db.session.scalar(sa.select(Pin))
    assert db.session.get(Topic, pin.topic_id).slug == "habit-3"
    assert topic_of(world.shift, day) == "habit-3"


def test_topics_sharing_a_title_are_told_apart_by_slug(app, world, login):
    add_topic("yes-a", "default-of-yes", title="Say yes")
    add_topic("yes-b", "default-of-yes", title="Say yes")
    client = login(world.admin)
    page = client.get(f"/admin/locations/{world.here.id}/template").get_data(as_text=True)
    assert '<option value="Say yes [yes-a]">' in page and '<option value="Say yes [yes-b]">' in page
    day = soon(world.here)
    ambiguous = client.post(pin_url(world.here), data=pin_data(day, "Say yes"))
    assert ambiguous.status_code == 422
    assert "Several topics are called “Say yes”" in ambiguous.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Pin.id))) == 0
    assert (
        client.post(pin_url(world.here), data=pin_data(day, "Say yes [yes-b]")).status_code == 302
    )
    assert db.session.get(Topic, db.session.scalar(sa.select(Pin.topic_id))).slug == "yes-b"


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("nothing like this", "No topic is called “nothing like this”"),
        ("", "This field is required."),
        ("Draft one", "Only published topics can be pinned."),
    ],
)
def test_a_failed_pin_keeps_the_template_form_and_the_pin_form(app, world, login, topic, message):
    add_library()
    add_topic("draft-one", "habit", title="Draft one", status="draft")
    templates.save_template(
        world.here,
        slots=[
            {"key": "hello", "title": "Our own hello", "minutes": 1, "fill": "roster"},
            {"key": "topic", "title": "The topic", "minutes": 3, "fill": "rotation"},
        ],
        weekday_themes=["habit"] * 7,
        cooldown_days=9,
        scope="location",
        actor=world.admin,
        now=datetime.now(UTC),
    )
    day = soon(world.here)
    response = login(world.admin).post(pin_url(world.here), data=pin_data(day, topic))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page.split('id="pin-topic"')[1], "the error is next to the topic field"
    assert 'value="Our own hello"' in page and 'value="9"' in page, "the template form is intact"
    assert f'value="{day.isoformat()}"' in page, "the pin form keeps what was typed"
    assert db.session.scalar(sa.select(sa.func.count(Pin.id))) == 0


def test_a_day_that_has_passed_cannot_be_pinned(app, world, login):
    add_library()
    response = login(world.admin).post(
        pin_url(world.here), data=pin_data(soon(world.here, -1), "Habit 3")
    )
    assert response.status_code == 422
    assert "that day has passed" in response.get_data(as_text=True)


@pytest.fixture
def three_huddles(world, make_shift):
    """On one day: Early previewed (opened), Late not opened, Night already running."""
    add_library()
    day = soon(world.here)
    now = datetime.now(UTC)
    late = make_shift(world.here, "Late", time(15, 0))
    night = make_shift(world.here, "Night", time(22, 0))
    early = planning.open_agenda(world.shift, day, now=now, actor=world.lead)
    planning.get_agenda(late, day, now=now)
    running = planning.open_agenda(night, day, now=now, actor=world.lead)
    running.status, running.started_at = "running", now
    db.session.commit()
    return day, early, late, night


def test_pinning_over_opened_huddles_says_which_kept_their_topic(app, world, login, three_huddles):
    day, _early, late, night = three_huddles
    kept_early, kept_night = topic_of(world.shift, day), topic_of(night, day)
    chosen = next(
        slug for slug in ("habit-1", "habit-2", "habit-3") if slug not in (kept_early, kept_night)
    )
    title = db.session.scalar(sa.select(Topic.title).where(Topic.slug == chosen))
    client = login(world.admin)
    response = client.post(pin_url(world.here), data=pin_data(day, title))
    assert response.status_code == 302 and "pin=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The topic is pinned, but 2 huddles had already been opened" in page
    assert "The topic is pinned." not in page
    report = page.split('id="pin-report"')[1].split("</section>")[0]
    following, rest = report.split("Already opened (previewed), not started")
    assert "<bdi>Late</bdi>" in following and "Early" not in following
    can_apply, started = rest.split("Started or over")
    assert (
        "<bdi>Early</bdi>" in can_apply and "Use the pinned topic in this huddle too" in can_apply
    )
    assert "<bdi>Night</bdi>" in started and "Running" in started
    assert (topic_of(world.shift, day), topic_of(late, day), topic_of(night, day)) == (
        kept_early,
        chosen,
        kept_night,
    )


def test_the_pin_can_be_applied_to_opened_huddles_not_yet_started(app, world, login, three_huddles):
    day, _early, late, night = three_huddles
    kept_night = topic_of(night, day)
    chosen = next(slug for slug in ("habit-1", "habit-2", "habit-3") if slug != kept_night)
    client = login(world.admin)
    client.post(pin_url(world.here), data=pin_data(day, chosen))
    pin = db.session.scalar(sa.select(Pin))
    response = client.post(f"/admin/locations/{world.here.id}/pins/{pin.id}/apply")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The pinned topic now reaches 1 more huddle." in page
    assert (topic_of(world.shift, day), topic_of(late, day), topic_of(night, day)) == (
        chosen,
        chosen,
        kept_night,
    )
    report = pins.pin_report(world.here, pin.id)
    assert [entry.shift_name for entry in report.following] == ["Early", "Late"]
    assert report.can_apply == [] and [entry.shift_name for entry in report.kept] == ["Night"]
    item = planning.get_agenda(world.shift, day, now=datetime.now(UTC)).items[2]
    assert item.reason == "pin" and item.swapped_by_id == world.admin.id


def test_applying_another_locations_pin_is_refused(app, world, login, three_huddles):
    day = three_huddles[0]
    login(world.admin).post(pin_url(world.here), data=pin_data(day, "habit-2"))
    pin = db.session.scalar(sa.select(Pin))
    response = login(world.admin).post(f"/admin/locations/{world.there.id}/pins/{pin.id}/apply")
    assert response.status_code == 404
    assert (
        login(world.lead).post(f"/admin/locations/{world.here.id}/pins/{pin.id}/apply").status_code
        == 403
    )


def test_an_agenda_made_after_the_pin_follows_it_though_the_day_was_chosen_already(
    app, world, make_shift
):
    """The scope chose the day's topic when Early was previewed; Late, made after the pin, must
    still get the pinned topic rather than the old choice."""
    add_library()
    day, now = soon(world.here), datetime.now(UTC)
    kept = topic_of(world.shift, day)
    planning.open_agenda(world.shift, day, now=now, actor=world.lead)
    chosen = next(slug for slug in ("habit-1", "habit-2", "habit-3") if slug != kept)
    pins.pin_topic(
        world.here,
        day=day,
        slot_key="topic",
        topic=chosen,
        scope="location",
        actor=world.admin,
        now=now,
    )
    late = make_shift(world.here, "Late", time(15, 0))
    assert topic_of(late, day) == chosen
    assert topic_of(world.shift, day) == kept
