"""The kudos wall and the kudos API, over HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from huddles.extensions import db
from huddles.kudos.models import Kudos
from tests.conftest import csrf_token_from

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def kudos_rows() -> list[Kudos]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Kudos).order_by(Kudos.id)))


def add_kudos(giver, receiver, message="Thanks!", *, value=None, minutes_ago=0, number=None):
    """A kudos straight in the database (the cap is the service's business, tested elsewhere)."""
    created = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    kudos = Kudos(
        location_id=receiver.location_id,
        from_user_id=giver.id,
        to_user_id=receiver.id,
        message=message,
        value=value,
        created_at=created,
        given_on=created.date(),
        daily_number=number if number is not None else 1000 + minutes_ago,
    )
    db.session.add(kudos)
    db.session.commit()
    return kudos


# --- the wall: giving -------------------------------------------------------------------------


def test_staff_thank_a_colleague_from_the_wall(client, world, login):
    login(world.staff)
    page = client.get("/kudos").get_data(as_text=True)
    assert "Thank a colleague" in page
    assert f'<option value="{world.colleague.id}">Cleo Colleague</option>' in page
    assert f'value="{world.staff.id}">Sam Staff</option>' not in page.split('id="filter-person"')[0]
    assert "Ola Staff" not in page  # the other location's people are not offered
    response = client.post(
        "/kudos",
        data={
            "to_user_id": world.colleague.id,
            "message": "You calmed the guest in 214 beautifully.",
            "value": "recovery",
        },
    )
    assert response.status_code == 302
    [kudos] = kudos_rows()
    assert response.headers["Location"] == f"/kudos#kudos-{kudos.id}"
    assert (kudos.from_user_id, kudos.to_user_id, kudos.value) == (
        world.staff.id,
        world.colleague.id,
        "recovery",
    )
    wall = client.get("/kudos").get_data(as_text=True)
    assert "Your kudos for Cleo Colleague is on the wall" in wall
    assert "You calmed the guest in 214 beautifully." in wall
    assert "Service recovery" in wall


@pytest.mark.parametrize(
    ("who", "message", "value", "error"),
    [
        ("", "Thanks", "", "Choose the colleague you want to thank."),
        ("nobody", "Thanks", "", "There is no colleague 999999."),
        ("self", "Thanks", "", "You cannot thank yourself"),
        ("other", "Thanks", "", "Ola Staff works at another location."),
        ("colleague", "", "", "Write a few words"),
        ("colleague", "x" * 501, "", "at most 500 characters; this one has 501"),
        ("colleague", "Thanks", "bravery", "Unknown service value bravery."),
    ],
)
def test_bad_kudos_on_the_wall_say_what_is_wrong_and_save_nothing(
    client, world, login, who, message, value, error
):
    ids = {
        "": "",
        "nobody": "999999",
        "self": world.staff.id,
        "other": world.other_staff.id,
        "colleague": world.colleague.id,
    }
    login(world.staff)
    response = client.post(
        "/kudos", data={"to_user_id": ids[who], "message": message, "value": value}
    )
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert kudos_rows() == []


def test_the_daily_cap_is_explained_on_the_wall(client, world, login, app):
    app.config["HUDDLES_KUDOS_DAILY_CAP"] = 2
    login(world.staff)
    for _ in range(2):
        client.post("/kudos", data={"to_user_id": world.colleague.id, "message": "Thanks"})
    response = client.post("/kudos", data={"to_user_id": world.lead.id, "message": "Thanks"})
    assert response.status_code == 422
    assert "You have thanked 2 people today" in response.get_data(as_text=True)
    assert len(kudos_rows()) == 2


def test_user_text_is_escaped(client, world, login):
    login(world.staff)
    client.post("/kudos", data={"to_user_id": world.colleague.id, "message": XSS})
    page = client.get("/kudos").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    response = client.post("/kudos", data={"to_user_id": world.colleague.id, "message": " "})
    assert "<script>alert" not in response.get_data(as_text=True)


def test_the_form_carries_a_csrf_token_and_refuses_a_post_without_one(client, world, login, app):
    app.config["WTF_CSRF_ENABLED"] = True
    login(world.staff)
    page = client.get("/kudos").get_data(as_text=True)
    token = csrf_token_from(page)
    refused = client.post("/kudos", data={"to_user_id": world.colleague.id, "message": "Hi"})
    assert refused.status_code == 400
    assert kudos_rows() == []
    client.post(
        "/kudos",
        data={"to_user_id": world.colleague.id, "message": "Hi", "csrf_token": token},
    )
    assert len(kudos_rows()) == 1


def test_the_message_box_has_a_live_counter_in_a_script_file(client, world, login):
    login(world.staff)
    page = client.get("/kudos").get_data(as_text=True)
    assert 'maxlength="500"' in page
    assert 'data-counter="message-count"' in page
    assert '<script src="/static/js/kudos.js"' in page
    assert "<script>" not in page
    script = client.get("/static/js/kudos.js")
    assert script.status_code == 200
    script.close()


# --- the wall: reading ------------------------------------------------------------------------


def test_the_wall_shows_my_location_newest_first(client, world, login):
    add_kudos(world.staff, world.colleague, "Older thanks", minutes_ago=60)
    add_kudos(world.colleague, world.staff, "Newer thanks", minutes_ago=5)
    add_kudos(world.other_lead, world.other_staff, "Elsewhere thanks")
    login(world.staff)
    page = client.get("/kudos").get_data(as_text=True)
    assert page.index("Newer thanks") < page.index("Older thanks")
    assert "Elsewhere thanks" not in page


def test_filter_by_person_and_value(client, world, login):
    add_kudos(world.staff, world.colleague, "For Cleo", value="wow", minutes_ago=3)
    add_kudos(world.colleague, world.lead, "For Lena", value="greeting", minutes_ago=2)
    add_kudos(world.lead, world.staff, "For Sam", value="wow", minutes_ago=1)
    login(world.staff)
    by_person = client.get(f"/kudos?person={world.lead.id}").get_data(as_text=True)
    assert "For Lena" in by_person and "For Sam" in by_person and "For Cleo" not in by_person
    by_value = client.get("/kudos?value=wow").get_data(as_text=True)
    assert "For Cleo" in by_value and "For Sam" in by_value and "For Lena" not in by_value
    both = client.get(f"/kudos?value=wow&person={world.colleague.id}").get_data(as_text=True)
    assert "For Cleo" in both and "For Sam" not in both
    assert "No kudos match" in client.get("/kudos?value=last-word").get_data(as_text=True)
    # Nonsense filters are ignored, never an error.
    assert client.get("/kudos?value=nope&person=abc&page=-3&per_page=x").status_code == 200


def test_the_wall_is_paged(client, world, login):
    for minute in range(5):
        add_kudos(world.staff, world.colleague, f"Thanks number {minute}", minutes_ago=minute)
    login(world.staff)
    first = client.get("/kudos?per_page=2").get_data(as_text=True)
    assert "Thanks number 0" in first and "Thanks number 1" in first
    assert "Thanks number 2" not in first
    assert "Page 1 of 3" in first
    assert 'href="/kudos?per_page=2&amp;page=2"' in first or "page=2" in first
    third = client.get("/kudos?per_page=2&page=3").get_data(as_text=True)
    assert "Thanks number 4" in third and "Thanks number 3" not in third
    assert "There is nothing on this page" in client.get("/kudos?per_page=2&page=9").get_data(
        as_text=True
    )


def test_the_wall_makes_a_constant_number_of_queries(client, world, login, count_queries):
    login(world.lead)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/kudos?per_page=50").status_code == 200
        return counter.count

    add_kudos(world.staff, world.colleague, number=1)
    few = queries()
    for minute in range(1, 30):
        giver, receiver = [(world.staff, world.colleague), (world.colleague, world.lead)][
            minute % 2
        ]
        kudos = add_kudos(giver, receiver, minutes_ago=minute)
        if minute % 5 == 0:
            kudos.hidden_at, kudos.hidden_by_id, kudos.hidden_reason = (
                datetime.now(UTC),
                world.lead.id,
                "dup",
            )
            db.session.commit()
    assert queries() == few
    assert few <= 3  # the session, the people, the page (its names and count in it)


def test_admins_pick_a_location(client, world, login):
    add_kudos(world.staff, world.colleague, "Harbour thanks")
    add_kudos(world.other_lead, world.other_staff, "Bistro thanks")
    login(world.admin)
    first = client.get("/kudos").get_data(as_text=True)
    assert "Harbour thanks" in first and "Bistro thanks" not in first  # the first by name
    other = client.get(f"/kudos?location_id={world.there.id}").get_data(as_text=True)
    assert "Bistro thanks" in other and "Harbour thanks" not in other
    assert f'<option value="{world.other_staff.id}">Ola Staff</option>' in other
    response = client.post(
        f"/kudos?location_id={world.there.id}",
        data={"to_user_id": world.other_staff.id, "message": "Great inventory work"},
    )
    kudos = kudos_rows()[-1]
    assert kudos.location_id == world.there.id
    assert response.headers["Location"] == f"/kudos?location_id={world.there.id}#kudos-{kudos.id}"


def test_staff_cannot_open_another_locations_wall(client, world, login):
    login(world.staff)
    assert client.get(f"/kudos?location_id={world.there.id}").status_code == 403


# --- moderation -------------------------------------------------------------------------------


@pytest.mark.parametrize("moderator", ["lead", "admin"])
def test_leads_and_admins_hide_and_unhide_with_a_reason(client, world, login, moderator):
    kudos = add_kudos(world.staff, world.colleague, "An inside joke nobody else gets")
    moderator_user = getattr(world, moderator)
    login(moderator_user)
    missing = client.post(f"/kudos/{kudos.id}/hide", data={"reason": "  "})
    assert missing.status_code == 422
    assert "Say why this kudos is hidden." in missing.get_data(as_text=True)
    assert kudos_rows()[0].hidden_at is None

    response = client.post(f"/kudos/{kudos.id}/hide?value=wow&page=2", data={"reason": "Private"})
    assert response.headers["Location"].startswith("/kudos?")
    assert "value=wow" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"#kudos-{kudos.id}")
    [hidden] = kudos_rows()
    assert hidden.hidden_by_id == moderator_user.id
    assert hidden.hidden_reason == "Private"

    as_moderator = client.get(f"/kudos?location_id={world.here.id}").get_data(as_text=True)
    assert "An inside joke" in as_moderator
    assert "is-hidden" in as_moderator
    assert f'by {moderator_user.name}: <span dir="auto">Private</span>' in as_moderator

    login(world.staff)
    assert "An inside joke" not in client.get("/kudos").get_data(as_text=True)

    login(moderator_user)
    client.post(f"/kudos/{kudos.id}/unhide")
    assert kudos_rows()[0].hidden_at is None
    login(world.staff)
    assert "An inside joke" in client.get("/kudos").get_data(as_text=True)


def test_staff_and_other_leads_cannot_hide(client, world, login):
    kudos = add_kudos(world.staff, world.colleague)
    login(world.colleague)
    assert client.post(f"/kudos/{kudos.id}/hide", data={"reason": "no"}).status_code == 403
    login(world.other_lead)
    assert client.post(f"/kudos/{kudos.id}/hide", data={"reason": "no"}).status_code == 403
    assert client.post("/kudos/999999/hide", data={"reason": "no"}).status_code == 404
    assert kudos_rows()[0].hidden_at is None


def test_staff_see_no_moderation_controls(client, world, login):
    add_kudos(world.staff, world.colleague)
    login(world.staff)
    page = client.get("/kudos").get_data(as_text=True)
    assert "/hide" not in page


# --- the API ----------------------------------------------------------------------------------


def test_api_post_kudos(client, world, login):
    login(world.staff)
    response = client.post(
        "/api/v1/kudos",
        json={"to_user_id": world.colleague.id, "message": "Thanks for the cover", "value": "wow"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["to_user_id"] == world.colleague.id
    assert body["from_name"] == "Sam Staff"
    assert body["message"] == "Thanks for the cover"
    assert body["value"] == "wow"
    assert [k.id for k in kudos_rows()] == [body["id"]]


def test_a_thank_you_is_answered_without_reading_it_again(client, world, login, count_queries):
    """The answer to a posted thank-you is built from what the request wrote and read: after
    the INSERT no statement reads the kudos or the location again."""
    login(world.staff)
    with count_queries() as counter:
        response = client.post(
            "/api/v1/kudos", json={"to_user_id": world.colleague.id, "message": "Thanks!"}
        )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["from_name"], body["to_name"]) == ("Sam Staff", world.colleague.name)
    assert body["created_at"] and body["id"] == kudos_rows()[0].id
    written = next(n for n, s in enumerate(counter.statements) if "INSERT INTO kudos" in s)
    after = counter.statements[written + 1 :]
    # At most the receiver's row, which the answer names; never the kudos or a location again.
    assert len(after) <= 1, after
    assert not [s for s in after if re.search(r"\bFROM (kudos|locations)\b", s)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to_user_id": 999999, "message": "Hi"}, "to_user_id"),
        ({"to_user_id": "abc", "message": "Hi"}, "to_user_id"),
        ({"to_user_id": None, "message": "Hi"}, "to_user_id"),
        ({"to_user_id": "self", "message": "Hi"}, "to_user_id"),
        ({"to_user_id": "other", "message": "Hi"}, "to_user_id"),
        ({"to_user_id": "colleague", "message": ""}, "message"),
        ({"to_user_id": "colleague", "message": "   "}, "message"),
        ({"to_user_id": "colleague", "message": "x" * 501}, "message"),
        ({"to_user_id": "colleague", "message": 42}, "message"),
        ({"to_user_id": "colleague"}, "message"),
        ({"to_user_id": "colleague", "message": "Hi", "value": "bravery"}, "value"),
        ({"to_user_id": "colleague", "message": "Hi", "value": ["wow"]}, "value"),
    ],
)
def test_api_bad_kudos_name_the_field(client, world, login, body, field):
    names = {"self": world.staff.id, "other": world.other_staff.id, "colleague": world.colleague.id}
    if body.get("to_user_id") in names:
        body = {**body, "to_user_id": names[body["to_user_id"]]}
    login(world.staff)
    response = client.post("/api/v1/kudos", json=body)
    assert 400 <= response.status_code < 500
    error = response.get_json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert kudos_rows() == []


def test_api_rejects_a_body_that_is_not_a_json_object(client, world, login):
    login(world.staff)
    assert client.post("/api/v1/kudos", data="hello").status_code == 415
    assert client.post("/api/v1/kudos", json=[1, 2]).status_code == 400
    assert kudos_rows() == []


def test_api_cap_reached_is_a_429_with_a_clear_code(client, world, login, app):
    app.config["HUDDLES_KUDOS_DAILY_CAP"] = 1
    login(world.staff)
    client.post("/api/v1/kudos", json={"to_user_id": world.colleague.id, "message": "One"})
    response = client.post("/api/v1/kudos", json={"to_user_id": world.lead.id, "message": "Two"})
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "kudos_daily_cap"
    assert "You have thanked 1 people today" in error["message"] or "thanked 1" in error["message"]
    assert len(kudos_rows()) == 1


def test_api_admin_may_thank_anyone_of_the_organisation(client, world, login):
    login(world.admin)
    response = client.post(
        "/api/v1/kudos", json={"to_user_id": world.other_staff.id, "message": "Bravo"}
    )
    assert response.status_code == 201
    assert response.get_json()["location_id"] == world.there.id


def test_api_list_kudos(client, world, login):
    old = add_kudos(world.staff, world.colleague, "Old", minutes_ago=60 * 24 * 10)
    new = add_kudos(world.colleague, world.staff, "New", minutes_ago=1)
    hidden = add_kudos(world.lead, world.staff, "Hidden", minutes_ago=2)
    hidden.hidden_at, hidden.hidden_by_id, hidden.hidden_reason = (
        datetime.now(UTC),
        world.lead.id,
        "x",
    )
    db.session.commit()
    add_kudos(world.other_lead, world.other_staff, "Elsewhere")
    login(world.staff)
    body = client.get("/api/v1/kudos").get_json()
    assert [item["id"] for item in body["items"]] == [new.id, old.id]
    assert (body["page"], body["total"]) == (1, 2)
    assert "hidden_reason" not in body["items"][0]
    since = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    recent = client.get(f"/api/v1/kudos?location_id={world.here.id}&since={since}").get_json()
    assert [item["id"] for item in recent["items"]] == [new.id]
    paged = client.get("/api/v1/kudos?per_page=1&page=2").get_json()
    assert [item["id"] for item in paged["items"]] == [old.id]
    assert (paged["page"], paged["per_page"], paged["total"]) == (2, 1, 2)

    login(world.lead)
    as_lead = client.get("/api/v1/kudos").get_json()
    assert [item["id"] for item in as_lead["items"]] == [new.id, hidden.id, old.id]
    assert as_lead["items"][1]["hidden_reason"] == "x"


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "2026-02-30"])
def test_api_list_bad_since_is_a_400_naming_the_field(client, world, login, since):
    login(world.staff)
    response = client.get(f"/api/v1/kudos?since={since}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "since"


def test_api_list_far_past_since_is_everything(client, world, login):
    add_kudos(world.staff, world.colleague)
    login(world.staff)
    assert client.get("/api/v1/kudos?since=0001-01-01").get_json()["total"] == 1


def test_api_list_access(client, world, login):
    login(world.staff)
    assert client.get(f"/api/v1/kudos?location_id={world.there.id}").status_code == 403
    assert client.get("/api/v1/kudos?location_id=999999").status_code == 404
    login(world.admin)
    response = client.get("/api/v1/kudos")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "location_id"
    assert client.get(f"/api/v1/kudos?location_id={world.there.id}").status_code == 200
    login(None)
    assert client.get("/api/v1/kudos").status_code == 401
    assert client.post("/api/v1/kudos", json={}).status_code == 401


def test_api_works_with_a_bearer_token(client, world, runner):
    result = runner.invoke(args=["users", "token", world.staff.email])
    token = re.search(r"[A-Za-z0-9_\-]{20,}", result.output).group(0)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/v1/kudos",
        json={"to_user_id": world.colleague.id, "message": "Via the API"},
        headers=headers,
    )
    assert response.status_code == 201
    assert client.get("/api/v1/kudos", headers=headers).get_json()["total"] == 1


def test_openapi_describes_the_kudos_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/kudos"])
    names = {p["name"] for p in paths["/kudos"]["get"]["parameters"]}
    assert {"location_id", "since", "page", "per_page"} <= names


def test_the_agenda_api_lists_the_shifts_thank_yous(client, world, login):
    kudos = add_kudos(world.staff, world.colleague, "Read me out", minutes_ago=30)
    add_kudos(world.other_lead, world.other_staff, "Not this shift")
    login(world.staff)
    response = client.get(f"/api/v1/shifts/{world.shift.id}/agenda")
    assert response.status_code == 200
    listed = response.get_json()["kudos"]
    assert [(k["id"], k["message"], k["to_name"]) for k in listed] == [
        (kudos.id, "Read me out", "Cleo Colleague")
    ]
