"""A season that moves with the calendar (Ramadan): chosen in the right weeks every year, on
SQLite and PostgreSQL, and carried by the content files, the API and the topic form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa

from huddles.agenda import library, planning
from huddles.agenda.models import Agenda
from huddles.extensions import db
from huddles.topics import files, service
from huddles.topics.models import Topic
from tests.feature.agenda_helpers import LIBRARY_KINDS, add_topic

CONTENT = Path(__file__).resolve().parents[2] / "content"
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def topic_of_the_day(shift, day: date) -> str | None:
    """The slug of the topic of the day the rotation gives `shift` on `day`."""
    agenda = planning.get_agenda(shift, day, now=datetime.combine(day, time(4, 0), UTC))
    item = next(item for item in agenda.items if item.slot_key == "topic")
    return db.session.get(Topic, item.topic_id).slug if item.topic_id else None


# Ramadan 2026 ran from 18 February to 19 March, 2027 from 8 February to 8 March; the topics
# come up from 3 days before until 1 day after.
@pytest.mark.parametrize(
    ("day", "in_season"),
    [
        (date(2026, 2, 14), False),
        (date(2026, 2, 15), True),
        (date(2026, 3, 1), True),
        (date(2026, 3, 20), True),
        (date(2026, 3, 21), False),
        (date(2027, 2, 4), False),
        (date(2027, 2, 5), True),
        (date(2027, 3, 9), True),
        (date(2027, 3, 10), False),
        (date(2028, 1, 25), True),
        (date(2026, 7, 1), False),
    ],
)
def test_the_rotation_picks_a_ramadan_topic_only_in_its_weeks(app, world, day, in_season):
    # One Ramadan topic of every kind, so whatever the day's theme, only the season decides.
    for kind in LIBRARY_KINDS:
        add_topic(f"ramadan-{kind}", kind, movable=("ramadan", 3, 1))
    chosen = topic_of_the_day(world.shift, day)
    assert (chosen is not None) == in_season
    if in_season:
        assert chosen.startswith("ramadan-")


def test_fixed_and_movable_seasons_live_side_by_side(app, world):
    for kind in LIBRARY_KINDS:
        add_topic(f"ramadan-{kind}", kind, movable=("ramadan", 0, 0))
        add_topic(f"winter-{kind}", kind, season=("12-01", "02-28"))
    # Winter in January, Ramadan in March (2027: 8 February to 8 March), neither in April.
    assert topic_of_the_day(world.shift, date(2027, 1, 10)).startswith("winter-")
    assert topic_of_the_day(world.shift, date(2027, 3, 5)).startswith("ramadan-")
    assert topic_of_the_day(world.shift, date(2027, 4, 5)) is None


def test_an_unopened_agenda_drops_a_topic_moved_out_of_its_season(app, world):
    """An edit of the season reaches planned agendas: the SQL rule and the library's agree."""
    for kind in LIBRARY_KINDS:
        add_topic(f"ramadan-{kind}", kind, movable=("ramadan", 3, 0))
    day = date(2027, 2, 6)  # two days before Ramadan 2027
    slug = topic_of_the_day(world.shift, day)
    assert slug is not None
    topic = service.topic_by_slug(slug)
    data = service.current_data(topic)
    service.update_topic(topic, {**files.as_fields(data), "season": {"name": "ramadan"}}, None, NOW)
    agenda = db.session.scalar(sa.select(Agenda).where(Agenda.day == day))
    db.session.refresh(agenda)
    item = next(item for item in agenda.items if item.slot_key == "topic")
    assert item.topic_id != topic.id
    assert library._topic_fits(topic, topic.kind, date(2027, 2, 8))


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("ramadan", "season: ramadan"),
        ({"name": "ramadan", "before": 5}, "season: {name: ramadan, before: 5}"),
        (
            {"name": "ramadan", "before": 3, "after": 1},
            "season: {name: ramadan, before: 3, after: 1}",
        ),
        ({"from": "12-01", "to": "01-06"}, 'season: {from: "12-01", to: "01-06"}'),
    ],
)
def test_a_season_round_trips_through_the_file_format(app, raw, line):
    data = files.validate({"slug": "s", "kind": "tip", "title": "T", "season": raw})
    text = files.dump(data)
    assert line in text.splitlines()
    assert files.parse(text) == data
    assert files.validate({**files.as_fields(data)}) == data


def test_the_ramadan_topic_of_the_library_moves_with_the_calendar(app, tmp_path):
    data = files.parse((CONTENT / "season-ramadan.md").read_text(encoding="utf-8"))
    assert data.season_name == "ramadan" and not data.season_start
    season = data.season
    for first in (date(2026, 2, 18), date(2027, 2, 8), date(2028, 1, 28)):
        assert season.contains(first)
    assert not season.contains(date(2026, 7, 1))
    # Imported, exported and imported again: the same topic, byte for byte.
    source = tmp_path / "in"
    source.mkdir()
    (source / "season-ramadan.md").write_bytes((CONTENT / "season-ramadan.md").read_bytes())
    service.import_library(source, None, NOW)
    topic = service.topic_by_slug("season-ramadan")
    assert (topic.season_name, topic.season_before, topic.season_after) == ("ramadan", 5, 1)
    out = tmp_path / "out"
    service.export_library(out)
    assert (out / "season-ramadan.md").read_bytes() == (source / "season-ramadan.md").read_bytes()
    assert service.import_library(out, None, NOW).unchanged == ["season-ramadan"]


def test_the_api_takes_and_gives_a_movable_season(client, world, login):
    add_topic("fasting-colleagues", "tip")
    login(world.admin)
    response = client.patch(
        "/api/v1/topics/fasting-colleagues", json={"season": {"name": "ramadan", "before": 7}}
    )
    assert response.status_code == 200
    assert response.get_json()["season"] == {"name": "ramadan", "before": 7, "after": 0}
    topic = service.topic_by_slug("fasting-colleagues")
    assert (topic.season_name, topic.season_before, topic.season_start) == ("ramadan", 7, None)
    back = client.patch(
        "/api/v1/topics/fasting-colleagues", json={"season": {"from": "02-01", "to": "02-10"}}
    )
    assert back.get_json()["season"] == {"from": "02-01", "to": "02-10"}
    db.session.refresh(topic)
    assert (topic.season_name, topic.season_start) == (None, "02-01")


@pytest.mark.parametrize(
    ("season", "message"),
    [
        ("easter", "Unknown season easter"),
        ({"name": "ramadan", "before": -2}, "Days before the season"),
        ({"name": "ramadan", "after": 61}, "Days after the season"),
        ({"name": "ramadan", "before": "soon"}, "Days before the season"),
        ({"name": "ramadan", "from": "02-01", "to": "03-01"}, "not both"),
        ({"name": "ramadan", "days": 3}, "only name, before and after"),
    ],
)
def test_a_bad_movable_season_is_a_422_naming_the_field(client, world, login, season, message):
    add_topic("fasting-colleagues", "tip")
    login(world.admin)
    response = client.patch("/api/v1/topics/fasting-colleagues", json={"season": season})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "season" and message in error["message"]


FORM = {"kind": "tip", "status": "published", "title": "Fasting colleagues", "revision": "1"}


def test_an_admin_sets_a_movable_season_in_the_form_and_sees_its_dates(client, world, login):
    add_topic("fasting-colleagues", "tip")
    login(world.admin)
    edit = client.get("/topics/fasting-colleagues/edit").get_data(as_text=True)
    assert 'name="season_name"' in edit and 'value="ramadan"' in edit
    response = client.post(
        "/topics/fasting-colleagues/edit",
        data={**FORM, "season_name": "ramadan", "season_before": "5", "season_after": ""},
    )
    assert response.headers["Location"] == "/topics/fasting-colleagues"
    topic = service.topic_by_slug("fasting-colleagues")
    assert (topic.season_name, topic.season_before, topic.season_after) == ("ramadan", 5, 0)
    # The form shows it again as it was set, and the topic's page says when it comes.
    again = client.get("/topics/fasting-colleagues/edit").get_data(as_text=True)
    assert '<option selected value="ramadan">' in again
    assert 'name="season_before" type="text" value="5"' in again
    page = client.get("/topics/fasting-colleagues").get_data(as_text=True)
    assert "Ramadan (Islamic calendar)" in page and "In season" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"season_name": "ramadan", "season_before": "-1"}, "Days before the season"),
        ({"season_name": "ramadan", "season_after": "a week"}, "Days after the season"),
        ({"season_name": "easter"}, "Unknown season easter"),
        ({"season_name": "ramadan", "season_from": "02-01", "season_to": "03-01"}, "not both"),
    ],
)
def test_a_bad_movable_season_in_the_form_is_an_error_by_its_field(
    client, world, login, change, message
):
    add_topic("fasting-colleagues", "tip")
    login(world.admin)
    response = client.post("/topics/fasting-colleagues/edit", data={**FORM, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="season_name-error"' in html
    assert message in html.split('id="season_name-error"')[1].split("</")[0]
    assert service.topic_by_slug("fasting-colleagues").season_name is None
