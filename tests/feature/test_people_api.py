"""GET /api/v1/people (pages, who sees whom) and the slug POST /api/v1/topics derives."""

from __future__ import annotations

import pytest

from huddles.topics.slugs import slugify
from tests.feature.agenda_helpers import add_topic


def test_admins_see_everyone_of_the_organisation_in_pages(client, world, login):
    login(world.admin)
    body = client.get("/api/v1/people?per_page=4").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 4, 6)
    assert [p["name"] for p in body["items"]] == [
        "Ada Admin",
        "Cleo Colleague",
        "Lena Lead",
        "Ola Staff",
    ]
    second = client.get("/api/v1/people?per_page=4&page=2").get_json()
    assert [p["name"] for p in second["items"]] == ["Olek Lead", "Sam Staff"]
    lena = next(p for p in body["items"] if p["name"] == "Lena Lead")
    assert lena == {
        "id": world.lead.id,
        "name": "Lena Lead",
        "email": world.lead.email,
        "role": "lead",
        "location_id": world.here.id,
        "active": True,
        "shift_ids": [world.shift.id],
    }
    there = client.get(f"/api/v1/people?location_id={world.there.id}").get_json()
    assert {p["name"] for p in there["items"]} == {"Olek Lead", "Ola Staff"}
    staff = client.get("/api/v1/people?role=staff").get_json()
    assert {p["role"] for p in staff["items"]} == {"staff"}


def test_leads_see_their_location_and_staff_nobody(client, world, login):
    login(world.lead)
    body = client.get("/api/v1/people").get_json()
    assert {p["name"] for p in body["items"]} == {"Lena Lead", "Sam Staff", "Cleo Colleague"}
    other = client.get(f"/api/v1/people?location_id={world.there.id}")
    assert other.status_code == 403
    assert "Ola" not in other.get_data(as_text=True)
    login(world.staff)
    assert client.get("/api/v1/people").status_code == 403
    login(None)
    assert client.get("/api/v1/people").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [("per_page=0", "per_page"), ("page=0", "page"), ("role=boss", "role"), ("page=x", "page")],
)
def test_bad_paging_is_a_400(client, world, login, query, field):
    login(world.admin)
    response = client.get(f"/api/v1/people?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_per_page_is_capped_and_the_statements_stay_flat(
    client, world, login, make_user, count_queries
):
    login(world.admin)
    assert client.get("/api/v1/people?per_page=5000").get_json()["per_page"] == 100
    client.get("/api/v1/people")
    with count_queries() as few:
        client.get("/api/v1/people")
    for _ in range(12):
        make_user("staff", world.here)
    client.get("/api/v1/people")
    with count_queries() as many:
        client.get("/api/v1/people")
    assert many.count == few.count


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Start with yes, then ask!", "start-with-yes-then-ask"),
        ("Łódź: the Großer Empfang", "lodz-the-grosser-empfang"),
        ("  --Wow--  ", "wow"),
        ("Улыбка гостю", "topic"),
        ("New", "topic-new"),
        ("x" * 300, "x" * 112),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_post_topics_derives_a_unique_slug_from_the_title(client, world, login):
    add_topic("greet-every-guest")
    add_topic("greet-every-guest-2")
    login(world.admin)
    body = {"kind": "habit", "title": "Greet every guest", "body": "Ten, five, three."}
    response = client.post("/api/v1/topics", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["slug"] == "greet-every-guest-3"
    assert response.headers["Location"] == "/api/v1/topics/greet-every-guest-3"
    again = client.post("/api/v1/topics", json=body)
    assert again.get_json()["slug"] == "greet-every-guest-4"
    # A slug given is kept, and a taken one is still a conflict.
    taken = client.post("/api/v1/topics", json={**body, "slug": "greet-every-guest"})
    assert taken.status_code == 409
    assert taken.get_json()["error"]["field"] == "slug"
    # No title, no slug: the title is what is missing.
    untitled = client.post("/api/v1/topics", json={"kind": "habit"})
    assert untitled.status_code == 422
