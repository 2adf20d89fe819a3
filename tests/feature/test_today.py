"""The Today page for leads, staff and admins."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from huddles.db import utcnow
from huddles.kudos.service import give_kudos

# Inside the huddle's window of the world's Early shift (see conftest.IN_THE_EARLY_SHIFT).
pytestmark = pytest.mark.usefixtures("clock")


def local_today(location) -> date:
    return utcnow().astimezone(ZoneInfo(location.timezone)).date()


def huddle_url(shift, day: date) -> str:
    return f"/huddle/{shift.id}/{day.isoformat()}"


def test_a_lead_sees_todays_huddles_with_status_and_attendance(client, world, login):
    login(world.lead)
    day = local_today(world.here)
    html = client.get("/").get_data(as_text=True)
    assert "Harbour Hotel" in html
    assert "Early" in html
    assert "Not started" in html
    assert "Tomorrow" in html
    assert "Old Town Bistro" not in html, "a lead sees only their own location"

    client.put(
        f"/api/v1/shifts/{world.shift.id}/attendance/{world.staff.id}?date={day}",
        json={"status": "present"},
    )
    client.post(huddle_url(world.shift, day) + "/start")
    html = client.get("/").get_data(as_text=True)
    assert "Running" in html
    assert "1 of 3 here" in html
    client.post(huddle_url(world.shift, day) + "/finish")
    html = client.get("/").get_data(as_text=True)
    assert "Done" in html
    assert "0 of 2 who missed it caught up" in html


def test_a_lead_is_nudged_about_people_nobody_has_thanked(client, world, login):
    give_kudos(
        world.lead,
        to_user_id=world.staff.id,
        message="Great handover notes.",
        value=None,
        now=utcnow(),
        daily_cap=5,
    )
    login(world.lead)
    html = client.get("/").get_data(as_text=True)
    nudge = html.split("Who could use a thank-you?")[1].split("</section>")[0]
    assert "Cleo Colleague" in nudge
    assert "Sam Staff" not in nudge
    assert "Lena Lead" not in nudge


def test_staff_see_their_next_huddle_their_kudos_and_what_they_missed(client, world, login):
    give_kudos(
        world.colleague,
        to_user_id=world.staff.id,
        message="Thanks for the calm at check-in.",
        value=None,
        now=utcnow(),
        daily_cap=5,
    )
    day = local_today(world.here)
    login(world.lead)
    client.post(huddle_url(world.shift, day) + "/start")
    client.post(huddle_url(world.shift, day) + "/finish")
    login(world.staff)
    html = client.get("/").get_data(as_text=True)
    assert "Your next huddle" in html
    assert "Thanks for the calm at check-in." in html
    assert "From <bdi>Cleo Colleague</bdi>" in html
    assert "You missed" in html
    assert huddle_url(world.shift, day) in html
    assert "Thank a colleague" in html
    client.post(huddle_url(world.shift, day) + "/caught-up")
    assert "You missed" not in client.get("/").get_data(as_text=True)


def test_an_admin_sees_every_location(client, world, login):
    login(world.admin)
    html = client.get("/").get_data(as_text=True)
    assert "Harbour Hotel" in html
    assert "Old Town Bistro" in html
    assert "Dinner" in html


def test_the_today_page_makes_the_same_number_of_queries_for_more_shifts(
    client, world, login, make_shift, count_queries
):
    login(world.admin)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for number in range(6):
        make_shift(world.here, f"Extra {number}", roster=[world.staff])
    client.get("/")  # the test's commits expired the signed-in person: reload them first
    with count_queries() as many:
        client.get("/")
    assert few.count == many.count
