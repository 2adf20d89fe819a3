"""GET/POST/PATCH/DELETE /api/v1/topics."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from huddles.extensions import db
from huddles.topics import service
from huddles.topics.models import TopicRevision
from tests.feature.test_topics import make_topic

NEW = {
    "slug": "api-topic",
    "kind": "tip",
    "status": "published",
    "title": "From the API",
    "minutes": 2,
    "prompt": "Why not?",
    "body": "**Bold** body.",
    "tags": ["phone"],
    "source": "Huddles editorial team",
}


@pytest.fixture
def topics(world):
    make_topic("a-great-hello", kind="habit")
    make_topic("secret-draft", status="draft")
    make_topic(
        "my-pleasure",
        kind="lexicon",
        translations={"de": {"title": "Sehr gern", "say_instead": "Sehr gern geschehen."}},
    )


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.get_json()["items"]]


def test_anonymous_is_asked_to_sign_in(client, topics):
    response = client.get("/api/v1/topics")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_staff_list_published_topics_as_a_page(client, world, login, topics):
    login(world.staff)
    body = client.get("/api/v1/topics").get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["total"] == 2
    assert sorted(item["slug"] for item in body["items"]) == ["a-great-hello", "my-pleasure"]
    item = next(i for i in body["items"] if i["slug"] == "my-pleasure")
    assert item["avoid"] == "No problem."
    assert item["translations"] == {
        "de": {"title": "Sehr gern", "say_instead": "Sehr gern geschehen.", "status": "draft"}
    }
    assert item["revision"] == 1 and item["updated_at"]
    assert item["body_html"].startswith("<p>")
    assert client.get("/api/v1/topics/secret-draft").status_code == 404


def test_admins_list_drafts_too(client, world, login, topics):
    login(world.admin)
    assert client.get("/api/v1/topics").get_json()["total"] == 3
    assert slugs(client.get("/api/v1/topics?status=draft")) == ["secret-draft"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=lexicon", ["my-pleasure"]),
        ("q=hello", ["a-great-hello"]),
        ("translated=de", ["my-pleasure"]),
        ("per_page=1&page=2", ["my-pleasure"]),
    ],
)
def test_list_filters(client, world, login, topics, query, expected):
    login(world.staff)
    assert slugs(client.get(f"/api/v1/topics?{query}")) == expected


def test_lang_picks_the_language_field_by_field(client, world, login, topics):
    login(world.staff)
    item = client.get("/api/v1/topics/my-pleasure?lang=de").get_json()
    assert item["title"] == "Sehr gern" and item["say_instead"] == "Sehr gern geschehen."
    assert item["avoid"] == "No problem." and item["lang"] == "de"
    assert client.get("/api/v1/topics/my-pleasure?lang=pl").get_json()["lang"] == "en"


@pytest.mark.parametrize(
    ("query", "field"), [("kind=poem", "kind"), ("page=-1", "page"), ("per_page=x", "per_page")]
)
def test_bad_list_parameters_are_named(client, world, login, topics, query, field):
    login(world.staff)
    response = client.get(f"/api/v1/topics?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_admin_creates_a_topic(client, world, login):
    login(world.admin)
    response = client.post("/api/v1/topics", json=NEW)
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/topics/api-topic"
    body = response.get_json()
    assert body["body_html"] == "<p><strong>Bold</strong> body.</p>"
    assert body["season"] is None and body["revision"] == 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "poem"}, 422, "kind"),
        ({"title": ""}, 422, "title"),
        ({"title": None}, 422, "title"),
        ({"title": 5}, 422, "title"),
        ({"minutes": "two"}, 422, "minutes"),
        ({"minutes": 0}, 422, "minutes"),
        ({"minutes": True}, 422, "minutes"),
        ({"slug": "Has Spaces"}, 422, "slug"),
        ({"slug": "a-great-hello"}, 409, "slug"),
        ({"season": {"from": "02-30", "to": "03-01"}}, 422, "season"),
        ({"season": {"from": "12-01"}}, 422, "season"),
        ({"season": "winter"}, 422, "season"),
        ({"tags": "not a list!"}, 422, "tags"),
        ({"tags": [1, 2]}, 422, "tags"),
        ({"status": "gone"}, 422, "status"),
        ({"kind": "lexicon"}, 422, "avoid"),
        ({"translations": {"fr": {"title": "x"}}}, 422, "translations"),
        ({"translations": {"de": {"colour": "x"}}}, 422, "translations"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_bad_topics_are_refused_naming_the_field(
    client, world, login, topics, change, status, field
):
    login(world.admin)
    response = client.post("/api/v1/topics", json={**NEW, **change})
    assert response.status_code == status
    assert response.get_json()["error"]["field"] == field
    assert service.topic_by_slug("api-topic") is None


def test_a_body_that_is_not_a_json_object_is_refused(client, world, login):
    login(world.admin)
    assert client.post("/api/v1/topics", data="x", content_type="text/plain").status_code == 415
    assert client.post("/api/v1/topics", json=[1]).status_code == 400


@pytest.mark.parametrize("role", ["staff", "lead"])
def test_only_admins_write(client, world, login, topics, role):
    login(world.by_role(role))
    assert client.post("/api/v1/topics", json=NEW).status_code == 403
    assert client.patch("/api/v1/topics/a-great-hello", json={"title": "x"}).status_code == 403
    assert client.delete("/api/v1/topics/a-great-hello").status_code == 403
    assert service.topic_by_slug("a-great-hello").status == "published"


def test_patch_changes_only_the_given_fields_as_a_new_revision(client, world, login, topics):
    login(world.admin)
    response = client.patch(
        "/api/v1/topics/a-great-hello",
        json={"title": "Hello again", "season": {"from": "12-01", "to": "01-06"}},
    )
    body = response.get_json()
    assert body["title"] == "Hello again" and body["revision"] == 2
    assert body["season"] == {"from": "12-01", "to": "01-06"}
    assert body["prompt"] == "What will you try?"
    topic = service.topic_by_slug("a-great-hello")
    assert (topic.season_start, topic.season_end) == ("12-01", "01-06")
    assert topic.current_revision.summary == "Changed title, season"
    assert topic.current_revision.author_id == world.admin.id


def test_patch_with_a_stale_revision_is_a_conflict(client, world, login, topics):
    login(world.admin)
    client.patch("/api/v1/topics/a-great-hello", json={"title": "One"})
    response = client.patch("/api/v1/topics/a-great-hello", json={"title": "Two", "revision": 1})
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "revision"


def test_patch_cannot_rename_or_break_a_topic(client, world, login, topics):
    login(world.admin)
    response = client.patch("/api/v1/topics/a-great-hello", json={"slug": "other"})
    assert response.get_json()["error"]["field"] == "slug"
    response = client.patch("/api/v1/topics/a-great-hello", json={"minutes": -3})
    assert response.get_json()["error"]["field"] == "minutes"
    assert client.patch("/api/v1/topics/nope", json={"title": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TopicRevision)) == 3


def test_delete_retires(client, world, login, topics):
    login(world.admin)
    response = client.delete("/api/v1/topics/a-great-hello")
    assert response.get_json()["status"] == "retired"
    assert service.topic_by_slug("a-great-hello") is not None
    login(world.staff)
    assert "a-great-hello" not in slugs(client.get("/api/v1/topics"))


def test_a_bearer_token_reads_and_writes(client, world, topics):
    from huddles.auth import service as auth_service

    staff = {"Authorization": f"Bearer {auth_service.issue_api_token(world.staff)}"}
    admin = {"Authorization": f"Bearer {auth_service.issue_api_token(world.admin)}"}
    assert client.get("/api/v1/topics/a-great-hello", headers=staff).status_code == 200
    assert client.post("/api/v1/topics", json=NEW, headers=admin).status_code == 201
