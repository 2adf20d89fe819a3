"""The Today page for leads, staff and admins."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from huddles.db import utcnow
from huddles.extensions import db
from huddles.kudos.service import give_kudos, hide_kudos
from tests.conftest import MADE_ANEW

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
        client.get("/", headers=MADE_ANEW)
    for number in range(6):
        make_shift(world.here, f"Extra {number}", roster=[world.staff])
    client.get("/")  # the test's commits expired the signed-in person: reload them first
    with count_queries() as many:
        client.get("/", headers=MADE_ANEW)
    assert few.count == many.count


def kudos_section(html: str) -> str:
    return html.split("Your kudos")[1].split("</section>")[0]


def test_your_kudos_are_the_five_newest_given_or_received_and_visible(client, world, login, clock):
    def thank(giver, receiver, message):
        clock.shift(timedelta(minutes=1))
        return give_kudos(
            giver, to_user_id=receiver.id, message=message, value=None, now=utcnow(), daily_cap=50
        )

    for number in range(3):
        thank(world.colleague, world.staff, f"Old thanks {number}")
    thank(world.staff, world.lead, "Thanks for the rota")
    hidden = thank(world.colleague, world.staff, "Hidden thanks")
    for number in range(3):
        thank(world.colleague, world.staff, f"New thanks {number}")
    thank(world.colleague, world.lead, "Not about Sam")
    thank(world.other_lead, world.other_staff, "At the other place")
    hide_kudos(world.lead, world.here, hidden.id, reason="Private", now=utcnow())
    section = kudos_section(login(world.staff).get("/").get_data(as_text=True))
    shown = [line.split("<q><bdi>")[1].split("</bdi>")[0] for line in section.split("<li>")[1:]]
    assert shown == [
        "New thanks 2",
        "New thanks 1",
        "New thanks 0",
        "Thanks for the rota",
        "Old thanks 2",
    ]
    assert "To <bdi>Lena Lead</bdi>" in section and "From <bdi>Cleo Colleague</bdi>" in section


def test_the_nudge_leaves_out_the_thanked_the_inactive_and_those_off_the_shifts(
    client, world, login, make_user
):
    give_kudos(
        world.lead,
        to_user_id=world.colleague.id,
        message="Thanks, a while ago.",
        value=None,
        now=utcnow() - timedelta(days=31),
        daily_cap=5,
    )
    make_user("staff", world.here, name="Otto Offroster")
    world.staff.active = False
    db.session.commit()
    nudge = (
        login(world.lead)
        .get("/")
        .get_data(as_text=True)
        .split("Who could use a thank-you?")[1]
        .split("</section>")[0]
    )
    assert "Cleo Colleague" in nudge, "thanked 31 days ago: time for another"
    assert "Sam Staff" not in nudge and "Otto Offroster" not in nudge and "Lena Lead" not in nudge
