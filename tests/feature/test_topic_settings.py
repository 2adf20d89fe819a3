"""A topic's `settings` (which workplaces it fits) and `illustrative` flag: file, API, library."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from huddles.extensions import db
from huddles.topics import files, service
from huddles.topics.models import Topic
from huddles.validation import FieldError

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
STORY = """---
slug: the-late-checkout
kind: wow-story
title: "The late checkout"
minutes: 2
prompt: "When did a small yes change someone's day?"
tags: [front-desk]
source: "Huddles editorial team"
status: published
settings: [hotel, contact-centre]
illustrative: true
translations: {}
---
Picture this: a guest asks for one more hour.

**Today:** Say yes to one small request.
"""


def test_settings_and_illustrative_are_read_from_the_front_matter(app):
    data = files.parse(STORY)
    assert data.settings == ("hotel", "contact-centre")
    assert data.illustrative is True
    assert files.dump(data) == STORY


def test_a_topic_without_them_fits_all_and_is_true(app):
    text = STORY.replace("settings: [hotel, contact-centre]\nillustrative: true\n", "")
    data = files.parse(text)
    assert data.settings == () and data.illustrative is False
    # Nothing is added on export: existing files keep their bytes.
    assert files.dump(data) == text


def test_an_empty_settings_list_fits_all_and_is_left_out_on_export(app):
    data = files.parse(STORY.replace("[hotel, contact-centre]", "[]"))
    assert data.settings == ()
    assert "settings:" not in files.dump(data)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"settings": ["spa"]}, "settings", "Unknown setting spa"),
        ({"settings": "hotel, garage"}, "settings", "garage"),
        ({"settings": [1]}, "settings", "list"),
        ({"settings": {"hotel": True}}, "settings", "list"),
        ({"illustrative": "yes"}, "illustrative", "true or false"),
        ({"illustrative": 1}, "illustrative", "true or false"),
        ({"illustrative": True, "kind": "tip"}, "illustrative", "Only a wow story"),
    ],
)
def test_bad_values_are_refused_naming_the_field(app, change, field, words):
    raw = {"slug": "x", "kind": "wow-story", "title": "X", **change}
    with pytest.raises(FieldError) as caught:
        files.validate(raw)
    assert caught.value.field == field
    assert words in caught.value.message


def test_settings_keep_their_order_and_drop_duplicates(app):
    data = files.validate(
        {"slug": "x", "kind": "tip", "title": "X", "settings": ["retail", "Hotel", "retail"]}
    )
    assert data.settings == ("retail", "hotel")


def test_import_stores_them_and_export_gives_the_same_bytes(app, tmp_path: Path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "the-late-checkout.md").write_text(STORY, encoding="utf-8")
    report = service.import_library(source, None, NOW)
    assert report.added == ["the-late-checkout"]
    topic = db.session.scalar(sa.select(Topic))
    assert topic.settings == ("hotel", "contact-centre")
    assert topic.settings_key == ",hotel,contact-centre,"
    assert topic.current_revision.settings == ["hotel", "contact-centre"]
    assert topic.current_revision.illustrative is True
    out = tmp_path / "out"
    service.export_library(out)
    assert (out / "the-late-checkout.md").read_bytes() == STORY.encode()
    again = service.import_library(out, None, NOW)
    assert again.unchanged == ["the-late-checkout"]


def test_changing_settings_makes_a_new_revision(app, tmp_path: Path):
    (tmp_path / "t.md").write_text(STORY, encoding="utf-8")
    service.import_library(tmp_path, None, NOW)
    (tmp_path / "t.md").write_text(STORY.replace("[hotel, contact-centre]", "[retail]"))
    report = service.import_library(tmp_path, None, NOW)
    assert report.changed == ["the-late-checkout"]
    topic = db.session.scalar(sa.select(Topic))
    assert topic.settings_key == ",retail,"
    assert "settings" in topic.current_revision.summary


def _api_topic(client, slug: str, **fields):
    body = {
        "slug": slug,
        "kind": "wow-story",
        "status": "published",
        "title": slug.replace("-", " ").title(),
        "prompt": "Why?",
        "body": "Text.",
        **fields,
    }
    response = client.post("/api/v1/topics", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_api_carries_settings_and_filters_by_setting(client, world, login):
    login(world.admin)
    made = _api_topic(client, "hotel-story", settings=["hotel"], illustrative=True)
    assert made["settings"] == ["hotel"] and made["illustrative"] is True
    _api_topic(client, "shop-story", settings=["retail"])
    _api_topic(client, "any-story")
    listed = client.get("/api/v1/topics?setting=hotel").get_json()
    assert sorted(item["slug"] for item in listed["items"]) == ["any-story", "hotel-story"]
    patched = client.patch("/api/v1/topics/shop-story", json={"settings": []}).get_json()
    assert patched["settings"] == [] and patched["illustrative"] is False
    listed = client.get("/api/v1/topics?setting=hotel").get_json()
    assert len(listed["items"]) == 3


def test_an_unknown_setting_filter_is_named(client, world, login):
    login(world.staff)
    response = client.get("/api/v1/topics?setting=spa")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "setting"


def test_the_api_refuses_a_bad_setting(client, world, login):
    login(world.admin)
    response = client.post(
        "/api/v1/topics",
        json={"slug": "s", "kind": "tip", "title": "S", "settings": ["moon-base"]},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "settings"
    assert service.topic_by_slug("s") is None


# --- the rotation fits the setting ---------------------------------------------------------


def test_the_rotation_picks_only_fitting_topics_while_there_are_any(app, world):
    from datetime import date, timedelta

    from huddles.agenda import planning
    from tests.feature.agenda_helpers import add_topic

    world.here.setting = "restaurant"
    db.session.commit()
    # Many more hotel phrases than the window the rotation reads, ranked anywhere.
    for n in range(30):
        add_topic(f"hotel-phrase-{n}", "lexicon", avoid="a", say_instead="b", settings=("hotel",))
    add_topic("bistro-phrase", "lexicon", avoid="a", say_instead="b", settings=("restaurant",))
    add_topic("any-phrase", "lexicon", avoid="a", say_instead="b")
    monday = date(2026, 3, 2)
    phrases = []
    for n in range(6):
        agenda = planning.get_agenda(world.shift, monday + timedelta(days=n), now=NOW)
        item = next(i for i in agenda.items if i.slot_key == "phrase")
        phrases.append(db.session.get(Topic, item.topic_id).slug)
    # Fitting ones first (never used first), then again the least recently used fitting one.
    assert set(phrases[:2]) == {"bistro-phrase", "any-phrase"}
    assert set(phrases) == {"bistro-phrase", "any-phrase"}
    # The hotel next door gets hotel phrases and the one for every setting.
    world.there.setting = "hotel"
    db.session.commit()
    agenda = planning.get_agenda(world.other_shift, monday, now=NOW)
    item = next(i for i in agenda.items if i.slot_key == "phrase")
    assert db.session.get(Topic, item.topic_id).slug != "bistro-phrase"


def test_with_nothing_that_fits_the_rotation_still_fills_the_slot(app, world):
    from datetime import date

    from huddles.agenda import planning
    from tests.feature.agenda_helpers import add_topic

    world.here.setting = "contact-centre"
    db.session.commit()
    add_topic("shop-phrase", "lexicon", avoid="a", say_instead="b", settings=("retail",))
    agenda = planning.get_agenda(world.shift, date(2026, 3, 2), now=NOW)
    item = next(i for i in agenda.items if i.slot_key == "phrase")
    assert db.session.get(Topic, item.topic_id).slug == "shop-phrase"


# --- seasons, end to end ---------------------------------------------------------------------


def test_a_seasonal_topic_comes_only_in_its_season_across_new_year(app, world):
    from datetime import date, timedelta

    from huddles import rotation
    from huddles.agenda import planning
    from tests.feature.agenda_helpers import add_topic

    add_topic("winter-phrase", "lexicon", avoid="a", say_instead="b", season=("12-24", "01-02"))
    add_topic("all-year-phrase", "lexicon", avoid="a", say_instead="b")
    season = rotation.Season("12-24", "01-02")
    used_on = []
    day = date(2026, 12, 15)
    while day <= date(2027, 1, 12):
        agenda = planning.get_agenda(world.shift, day, now=NOW)
        item = next(i for i in agenda.items if i.slot_key == "phrase")
        if db.session.get(Topic, item.topic_id).slug == "winter-phrase":
            used_on.append(day)
        day += timedelta(days=1)
    assert used_on, "the seasonal phrase never came"
    assert all(season.contains(day) for day in used_on)
    # Two phrases in turn: in season it comes every other day, on both sides of new year.
    assert any(day.year == 2026 for day in used_on) and any(day.year == 2027 for day in used_on)


# --- the editor and the library page --------------------------------------------------------


def test_the_editor_saves_settings_and_illustrative(client, world, login):
    from tests.feature.test_topics import make_topic

    make_topic("the-umbrella", kind="wow-story")
    login(world.admin)
    form = client.get("/topics/the-umbrella/edit").get_data(as_text=True)
    assert 'name="settings" type="checkbox" value="contact-centre"' in form
    response = client.post(
        "/topics/the-umbrella/edit",
        data={
            "kind": "wow-story",
            "status": "published",
            "title": "The umbrella",
            "minutes": "2",
            "prompt": "What will you try?",
            "body": "Picture this: rain.",
            "tags": "front-desk",
            "source": "Huddles editorial team",
            "settings": ["hotel", "restaurant"],
            "illustrative": "y",
            "revision": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    topic = service.topic_by_slug("the-umbrella")
    assert topic.settings == ("hotel", "restaurant")
    assert topic.current_revision.illustrative is True
    shown = client.get("/topics/the-umbrella").get_data(as_text=True)
    assert "Hotel, Restaurant" in shown and "picture this" in shown
    again = client.get("/topics/the-umbrella/edit").get_data(as_text=True)
    assert 'value="hotel" checked' in again or 'checked id="settings-0"' in again


def test_the_editor_refuses_illustrative_for_another_kind(client, world, login):
    login(world.admin)
    response = client.post(
        "/topics/new",
        data={"slug": "fresh", "kind": "tip", "status": "draft", "title": "F", "illustrative": "y"},
    )
    assert response.status_code == 422
    assert 'id="illustrative-error"' in response.get_data(as_text=True)


def test_the_library_filters_by_setting(client, world, login):
    from tests.feature.test_topics import make_topic

    make_topic("desk-tip", settings=["hotel"])
    make_topic("till-tip", settings=["retail"])
    make_topic("any-tip")
    login(world.staff)
    html = client.get("/topics?setting=hotel").get_data(as_text=True)
    assert "Desk tip" in html and "Any tip" in html and "Till tip" not in html


def test_admins_see_the_pool_health_on_the_library_page(client, world, login, count_queries):
    from tests.feature.test_topics import make_topic

    make_topic("desk-tip", settings=["hotel"])
    make_topic("any-phrase", kind="lexicon")
    login(world.staff)
    assert "Pool health" not in client.get("/topics").get_data(as_text=True)
    login(world.admin)
    html = client.get("/topics").get_data(as_text=True)
    assert "Pool health" in html and "5 workplaces repeat within a quarter" in html
    assert 'href="/topics?kind=tip&amp;setting=hotel">1</a>' in html
    assert 'href="/topics?kind=tip&amp;setting=retail">0</a>' in html
    # The run is kept until the library changes, then made again.
    today = datetime.now(UTC).date()
    kept = service.pool_health(today)
    with count_queries() as again:
        assert service.pool_health(today) is kept
    assert again.count == 1
    make_topic("till-tip", settings=["retail"])
    fresh = service.pool_health(today)
    assert fresh is not kept
    assert next(row for row in fresh if row.setting == "retail").pools["tip"] == 1
