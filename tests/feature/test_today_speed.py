"""Speed that tests can hold on Today: a flat, small number of SQL statements whatever the roster,
thank-yous, history and shifts; the statements are built once per process but what they show is
each viewer's own and never stale."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from huddles.agenda import planning
from huddles.attendance.models import Attendance, CatchUp
from huddles.db import utcnow
from huddles.extensions import db
from huddles.kudos.service import give_kudos, hide_kudos
from tests.conftest import MADE_ANEW
from tests.feature.agenda_helpers import add_library

pytestmark = pytest.mark.usefixtures("clock")

# The sign-in's own statement, then the page: a lead's shifts with their agendas and counts,
# the people nobody thanked, their kudos; staff: their shifts, what they missed, their kudos.
MOST_STATEMENTS = 4


def local_today(location) -> date:
    return utcnow().astimezone(ZoneInfo(location.timezone)).date()


def thank(giver, receiver, message: str, *, days_ago: int = 0):
    return give_kudos(
        giver,
        to_user_id=receiver.id,
        message=message,
        value=None,
        now=utcnow() - timedelta(days=days_ago),
        daily_cap=1000,
    )


def grown_location(make_location, make_user, make_shift, name: str, *, people: int, size: int):
    """A location with a lead and `people` staff on an early, a late, a night and `size` more
    shifts, `size` thank-yous (some hidden) and `size` days of huddles behind it with marks,
    visitors and catch-ups, and today's and tomorrow's agendas made."""
    location = make_location(name, "Europe/Berlin")
    lead = make_user("lead", location)
    staff = [make_user("staff", location) for _ in range(people)]
    visitor = make_user("staff", location)  # at the location, on no roster
    shifts = [
        make_shift(location, "Early", time(7, 0), 480, roster=[lead, *staff]),
        make_shift(location, "Late", time(15, 0), 480, roster=[lead, *staff[: people // 2]]),
        make_shift(location, "Night", time(22, 30), 480, roster=[lead, *staff[people // 2 :]]),
    ]
    shifts += [
        make_shift(location, f"Extra {number}", time(9, number), 240, roster=[lead, staff[0]])
        for number in range(size)
    ]
    for number in range(size):
        kudos = thank(staff[number % people], staff[(number + 1) % people], f"Thanks #{number}")
        if number % 3 == 0:
            hide_kudos(lead, location, kudos.id, reason="Not for the wall", now=utcnow())
    thank(staff[0], lead, "Thanks, lead")
    thank(lead, staff[-1], "Thanks from the lead")
    today = local_today(location)
    for back in range(-1, size):
        day = today - timedelta(days=back)
        for shift in shifts:
            agenda = planning.get_agenda(shift, day, now=datetime.combine(day, time(0), tzinfo=UTC))
            if back < 0:
                continue
            db.session.add_all(
                Attendance(agenda_id=agenda.id, user_id=person.id, status="present")
                for person in staff[: people // 2]
            )
            db.session.add(Attendance(agenda_id=agenda.id, user_id=staff[-1].id, status="excused"))
            db.session.add(
                Attendance(agenda_id=agenda.id, user_id=visitor.id, status="late", visitor=True)
            )
            db.session.add(CatchUp(agenda_id=agenda.id, user_id=staff[-2].id))
        db.session.commit()
    return location, lead, staff


def nudge(html: str) -> str:
    """The "who could use a thank-you" section, empty when there is none."""
    if "Who could use a thank-you?" not in html:
        return ""
    return html.split("Who could use a thank-you?")[1].split("</section>")[0]


def page_statements(client, login, count_queries, person) -> tuple[int, str]:
    login(person)
    assert client.get("/").status_code == 200
    with count_queries() as counter:
        response = client.get("/", headers=MADE_ANEW)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["lead", "staff"])
def test_today_takes_as_many_statements_whatever_the_size(
    app, client, login, make_location, make_user, make_shift, count_queries, role
):
    add_library(per_kind=2, lexicon=2)
    small_lead = grown_location(make_location, make_user, make_shift, "Small Inn", people=2, size=1)
    large_lead = grown_location(
        make_location, make_user, make_shift, "Grand Hotel", people=30, size=6
    )
    viewer = {"lead": lambda place: place[1], "staff": lambda place: place[2][0]}[role]
    small, small_html = page_statements(client, login, count_queries, viewer(small_lead))
    large, large_html = page_statements(client, login, count_queries, viewer(large_lead))
    assert small == large
    assert large <= MOST_STATEMENTS
    # The page shows what the large world holds: not an empty page that happens to be cheap.
    if role == "lead":
        assert large_html.count('<li class="huddle-row') > small_html.count('<li class="huddle-row')
        assert nudge(large_html)
    else:
        assert "Your next huddle" in large_html
    assert "Thanks" in large_html


def test_each_viewer_sees_their_own_from_the_same_statements(app, client, world, login):
    """The statements are kept between requests; who is asking is bound at each one."""
    day = local_today(world.here)
    client = login(world.staff)
    client.post(f"/today/check-in/{world.shift.id}/{day.isoformat()}")
    page = client.get("/").get_data(as_text=True)
    assert "You are checked in." in page and "1 of 3 here" in page
    colleague = login(world.colleague).get("/").get_data(as_text=True)
    assert "You are checked in." not in colleague
    assert f"/today/check-in/{world.shift.id}/{day.isoformat()}" in colleague
    assert "1 of 3 here" in colleague
    theirs = login(world.other_lead).get("/").get_data(as_text=True)
    assert "Old Town Bistro" in theirs and "Dinner" in theirs
    assert "Harbour Hotel" not in theirs and "<bdi>Early</bdi>" not in theirs
    ours = login(world.lead).get("/").get_data(as_text=True)
    assert "Harbour Hotel" in ours and "Old Town Bistro" not in ours


def test_marks_and_thank_yous_show_at_once(app, client, world, login):
    add_library()
    day = local_today(world.here)
    client = login(world.lead)
    before = client.get("/").get_data(as_text=True)
    assert "0 of 3 here" in before
    assert "Sam Staff" in nudge(before)
    client.put(
        f"/api/v1/shifts/{world.shift.id}/attendance/{world.staff.id}?date={day}",
        json={"status": "present"},
    )
    kudos = thank(world.colleague, world.staff, "Thanks for covering the desk")
    thank(world.staff, world.lead, "Thanks for the calm briefing")
    after = client.get("/").get_data(as_text=True)
    assert "1 of 3 here" in after
    assert "Sam Staff" not in nudge(after) and "Cleo Colleague" in nudge(after)
    assert "Thanks for the calm briefing" in after
    hide_kudos(world.lead, world.here, kudos.id, reason="Duplicate", now=utcnow())
    client.put(
        f"/api/v1/shifts/{world.shift.id}/attendance/{world.staff.id}?date={day}",
        json={"status": "excused"},
    )
    later = client.get("/").get_data(as_text=True)
    assert "0 of 2 here" in later
    assert "Sam Staff" in nudge(later), "a hidden thank-you is no thanks"
