"""Wow stories from the floor: /api/v1/stories and the /stories page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from huddles import rotation
from huddles.agenda import planning
from huddles.db import utcnow
from huddles.extensions import db
from huddles.stories.models import Story
from huddles.topics.models import Topic

STORY = {
    "title": "The umbrella at the door",
    "body": "It poured at checkout. Cleo walked a guest to the taxi under our umbrella.",
}


@pytest.fixture
def places(world):
    world.here.setting = "hotel"
    world.there.setting = "restaurant"
    db.session.commit()
    return world


def tell(client, **fields):
    return client.post("/api/v1/stories", json={**STORY, **fields})


def test_staff_tell_a_story_about_a_colleague(client, places, login):
    login(places.staff)
    response = tell(client, about_user_id=places.colleague.id)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "submitted" and body["title"] == STORY["title"]
    assert body["teller"] == {"user_id": places.staff.id, "name": "Sam Staff"}
    assert body["about"] == {"user_id": places.colleague.id, "name": "Cleo Colleague"}
    assert response.headers["Location"] == f"/api/v1/stories/{body['id']}"
    story = db.session.get(Story, body["id"])
    assert (
        story.location_id == places.here.id and story.organisation_id == places.here.organisation_id
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"title": ""}, "title", "title"),
        ({"title": "   "}, "title", "title"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"body": ""}, "body", "what happened"),
        ({"body": None}, "body", "what happened"),
        ({"body": 5}, "body", "text"),
        ({"body": "y" * 3001}, "body", "at most 3000"),
        ({"about_user_id": "Cleo"}, "about_user_id", "id"),
        ({"about_user_id": True}, "about_user_id", "id"),
        ({"about_user_id": 99999}, "about_user_id", "no colleague 99999"),
    ],
)
def test_bad_stories_are_refused_naming_the_field(client, places, login, fields, field, words):
    login(places.staff)
    response = tell(client, **fields)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == field and words in error["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Story)) == 0


def test_a_colleague_of_another_location_is_refused_without_their_name(client, places, login):
    login(places.staff)
    response = tell(client, about_user_id=places.other_staff.id)
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert "Ola" not in message and str(places.other_staff.id) in message


def test_a_story_about_yourself_is_refused(client, places, login):
    login(places.staff)
    response = tell(client, about_user_id=places.staff.id)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "about_user_id"


def test_anonymous_cannot_tell(client, places):
    assert tell(client).status_code == 401


def test_people_see_their_own_stories_and_admins_all(client, places, login):
    login(places.staff)
    mine = tell(client).get_json()["id"]
    login(places.other_staff)
    theirs = tell(client, title="At the bistro").get_json()["id"]
    listed = client.get("/api/v1/stories").get_json()
    assert [item["id"] for item in listed["items"]] == [theirs]
    assert set(listed) == {"items", "page", "per_page", "total"}
    assert client.get(f"/api/v1/stories/{mine}").status_code == 404
    login(places.admin)
    listed = client.get("/api/v1/stories?status=submitted").get_json()
    assert sorted(item["id"] for item in listed["items"]) == sorted([mine, theirs])
    assert client.get("/api/v1/stories?status=published").get_json()["total"] == 0
    response = client.get("/api/v1/stories?status=lost")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "status"


def test_publishing_makes_a_wow_story_the_rotation_picks_for_that_setting(client, places, login):
    login(places.staff)
    story_id = tell(client, about_user_id=places.colleague.id).get_json()["id"]
    login(places.admin)
    response = client.post(
        f"/api/v1/stories/{story_id}/publish",
        json={"title": "Under our umbrella", "prompt": "When did you walk the extra metre?"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "published" and body["title"] == "Under our umbrella"
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == body["topic_slug"]))
    revision = topic.current_revision
    assert topic.kind == "wow-story" and topic.status == "published"
    assert topic.settings == ("hotel",)
    assert revision.source.startswith("Told by Sam Staff (Harbour Hotel), ")
    assert "Cleo Colleague" in revision.body and STORY["body"] in revision.body
    assert revision.prompt == "When did you walk the extra metre?"
    assert revision.illustrative is False and revision.number == 1
    # The hotel's huddle can now tell it: it is the only wow story in the library.
    day = next(
        date(2026, 3, 2) + timedelta(days=n)
        for n in range(14)
        if rotation.DEFAULT_TEMPLATE.theme_for(date(2026, 3, 2) + timedelta(days=n)) == "wow-story"
    )
    agenda = planning.get_agenda(places.shift, day, now=utcnow())
    assert next(i for i in agenda.items if i.slot_key == "topic").topic_id == topic.id
    # The teller sees it published.
    login(places.staff)
    mine = client.get(f"/api/v1/stories/{story_id}").get_json()
    assert mine["status"] == "published" and mine["topic_slug"] == topic.slug


def test_publishing_twice_or_after_declining_is_a_conflict(client, places, login):
    login(places.staff)
    first = tell(client).get_json()["id"]
    second = tell(client, title="Another").get_json()["id"]
    login(places.admin)
    assert client.post(f"/api/v1/stories/{first}/publish", json={}).status_code == 200
    again = client.post(f"/api/v1/stories/{first}/publish", json={})
    assert again.status_code == 409 and again.get_json()["error"]["field"] == "status"
    assert (
        client.post(f"/api/v1/stories/{second}/decline", json={"reason": "Too vague"}).status_code
        == 200
    )
    assert client.post(f"/api/v1/stories/{second}/publish", json={}).status_code == 409
    assert client.post(f"/api/v1/stories/{second}/decline", json={"reason": "x"}).status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 1


def test_a_declined_story_tells_the_teller_why(client, places, login):
    login(places.staff)
    story_id = tell(client).get_json()["id"]
    login(places.admin)
    empty = client.post(f"/api/v1/stories/{story_id}/decline", json={"reason": " "})
    assert empty.status_code == 422 and empty.get_json()["error"]["field"] == "reason"
    declined = client.post(
        f"/api/v1/stories/{story_id}/decline", json={"reason": "It names a guest; tell it again?"}
    ).get_json()
    assert declined["status"] == "declined"
    login(places.staff)
    mine = client.get(f"/api/v1/stories/{story_id}").get_json()
    assert mine["decline_reason"] == "It names a guest; tell it again?"
    page = client.get("/stories").get_data(as_text=True)
    assert "It names a guest; tell it again?" in page and "Declined" in page


@pytest.mark.parametrize("role", ["staff", "lead"])
def test_only_admins_curate(client, places, login, role):
    login(places.staff)
    story_id = tell(client).get_json()["id"]
    login(places.by_role(role))
    assert client.post(f"/api/v1/stories/{story_id}/publish", json={}).status_code == 403
    assert (
        client.post(f"/api/v1/stories/{story_id}/decline", json={"reason": "no"}).status_code == 403
    )
    assert client.post(f"/stories/{story_id}/publish", data={}).status_code == 403


def test_publishing_with_a_bad_edit_is_refused_and_keeps_the_story(client, places, login):
    login(places.staff)
    story_id = tell(client).get_json()["id"]
    login(places.admin)
    response = client.post(f"/api/v1/stories/{story_id}/publish", json={"title": ""})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "title"
    assert db.session.get(Story, story_id).status == "submitted"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 0


def test_an_admin_without_a_location_tells_a_story_for_every_setting(client, places, login):
    login(places.admin)
    story_id = tell(client).get_json()["id"]
    published = client.post(f"/api/v1/stories/{story_id}/publish", json={}).get_json()
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == published["topic_slug"]))
    assert topic.settings == () and topic.current_revision.source.startswith("Told by Ada Admin, ")


# --- the page -----------------------------------------------------------------------------


def test_the_page_tells_a_story_from_a_form(client, places, login):
    login(places.staff)
    page = client.get("/stories").get_data(as_text=True)
    assert "Tell a wow story" in page and "Cleo Colleague" in page and "Ola Staff" not in page
    response = client.post("/stories", data={**STORY, "about_user_id": str(places.colleague.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/stories#mine")
    page = client.get("/stories").get_data(as_text=True)
    assert STORY["title"] in page and "Waiting for an admin" in page
    assert "Curate" not in page


def test_a_form_error_is_shown_next_to_the_field_and_keeps_the_text(client, places, login):
    login(places.staff)
    response = client.post("/stories", data={"title": "", "body": "Something lovely happened."})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page and "Something lovely happened." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Story)) == 0


def test_user_text_is_escaped(client, places, login):
    login(places.staff)
    tell(client, title="<script>alert(1)</script>")
    page = client.get("/stories").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_admins_publish_and_decline_from_the_page(client, places, login):
    login(places.staff)
    first = tell(client).get_json()["id"]
    second = tell(client, title="Second").get_json()["id"]
    login(places.admin)
    page = client.get("/stories").get_data(as_text=True)
    assert "Curate" in page and f'id="story-{first}"' in page
    response = client.post(
        f"/stories/{first}/publish",
        data={"title": "Edited title", "body": "Edited body.", "prompt": ""},
    )
    assert response.status_code == 302
    story = db.session.get(Story, first)
    assert story.status == "published" and story.topic.current_revision.title == "Edited title"
    missing = client.post(f"/stories/{second}/decline", data={"reason": ""})
    assert missing.status_code == 422
    assert f'id="reason-{second}-error"' in missing.get_data(as_text=True)
    assert (
        client.post(f"/stories/{second}/decline", data={"reason": "Already told"}).status_code
        == 302
    )
    assert db.session.get(Story, second).status == "declined"
    again = client.post(f"/stories/{first}/publish", data={}, follow_redirects=True)
    assert "already been published" in again.get_data(as_text=True)


def test_the_nav_links_to_stories_for_everyone(client, places, login):
    login(places.staff)
    assert 'href="/stories"' in client.get("/").get_data(as_text=True)


def test_the_page_stays_flat_in_queries(client, places, login, count_queries):
    login(places.staff)
    for n in range(3):
        tell(client, title=f"Story {n}", about_user_id=places.colleague.id)
    login(places.admin)
    with count_queries() as few:
        client.get("/stories")
    login(places.staff)
    for n in range(10):
        tell(client, title=f"More {n}", about_user_id=places.colleague.id)
    login(places.admin)
    with count_queries() as many:
        client.get("/stories")
    assert many.count == few.count


def test_openapi_describes_stories_swaps_and_settings(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path in ["/stories", "/stories/{id}", "/stories/{id}/publish", "/stories/{id}/decline"]:
        assert path in paths
    assert "/shifts/{id}/agenda/swap-options" in paths
    swap = paths["/shifts/{id}/agenda/swap"]["post"]["requestBody"]["content"]
    assert "topic_slug" in swap["application/json"]["schema"]["properties"]
    topic = document["components"]["schemas"]["Topic"]["properties"]
    assert topic["settings"]["items"]["enum"] == [
        "hotel",
        "restaurant",
        "retail",
        "contact-centre",
        "other",
    ]
    assert "illustrative" in topic
