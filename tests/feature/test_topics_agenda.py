"""The library and the agendas: an edit or retirement reaches only unopened agendas."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from huddles.agenda import planning
from huddles.extensions import db
from huddles.topics import service as topic_service
from huddles.topics.models import Topic
from tests.feature.agenda_helpers import add_topic

MONDAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


def topic_item(agenda):
    return next(item for item in agenda.items if item.slot_key == "topic")


def test_retiring_through_the_library_replaces_the_topic_of_unopened_agendas(
    app, world, make_shift
):
    add_topic("yes-a", "default-of-yes")
    add_topic("yes-b", "default-of-yes")
    opened = planning.open_agenda(world.shift, MONDAY, now=NOW, actor=world.lead)
    late = make_shift(world.here, "Late", time(15, 0))
    unopened = planning.get_agenda(late, MONDAY, now=NOW)
    chosen = db.session.get(Topic, topic_item(opened).topic_id)
    assert topic_item(unopened).topic_id == chosen.id

    topic_service.set_status(chosen, "retired", world.admin, NOW)

    assert topic_item(planning.get_agenda(world.shift, MONDAY, now=NOW)).topic_id == chosen.id
    replaced = topic_item(planning.get_agenda(late, MONDAY, now=NOW))
    assert replaced.topic_id not in (chosen.id, None)


def test_an_edit_through_the_library_reaches_unopened_agendas_only(app, world, make_shift):
    add_topic("yes-a", "default-of-yes")
    opened = planning.open_agenda(world.shift, MONDAY, now=NOW, actor=world.lead)
    late = make_shift(world.here, "Late", time(15, 0))
    planning.get_agenda(late, MONDAY, now=NOW)
    topic = db.session.get(Topic, topic_item(opened).topic_id)
    frozen_revision = topic_item(opened).topic_revision_id

    revision = topic_service.update_topic(topic, {"title": "A sharper title"}, world.admin, NOW)

    assert topic_item(planning.get_agenda(world.shift, MONDAY, now=NOW)).topic_revision_id == (
        frozen_revision
    )
    assert topic_item(planning.get_agenda(late, MONDAY, now=NOW)).topic_revision_id == (revision.id)


def test_the_library_reaches_agendas_only_through_the_topic_changed_signal(app, world):
    from pathlib import Path

    from huddles.signals import topic_changed

    source = Path(topic_service.__file__).read_text(encoding="utf-8")
    assert "huddles.agenda.planning" not in source and "refresh_unopened" not in source
    heard: list[list[int]] = []

    def listen(sender, **kwargs):
        heard.append(kwargs["topic_ids"])

    topic = add_topic("yes-a", "default-of-yes")
    with topic_changed.connected_to(listen):
        topic_service.update_topic(topic, {"title": "Yes, first"}, world.admin, NOW)
    assert heard == [[topic.id]]
