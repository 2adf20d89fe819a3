"""The attendance API: ticking the roster, undo, visitors, bad input, many devices at once."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda
from huddles.agenda.planning import get_agenda
from huddles.attendance.models import Attendance
from huddles.db import utcnow
from huddles.extensions import db
from tests.conftest import session_key_for

# Inside the huddle's window of the world's Early shift (see conftest.IN_THE_EARLY_SHIFT).
pytestmark = pytest.mark.usefixtures("clock")


def today(world) -> date:
    return utcnow().astimezone(ZoneInfo(world.here.timezone)).date()


def url(world, user_id: int | None = None, day: date | str | None = None) -> str:
    base = f"/api/v1/shifts/{world.shift.id}/attendance"
    if user_id is not None:
        base += f"/{user_id}"
    day = day or today(world)
    return f"{base}?date={day if isinstance(day, str) else day.isoformat()}"


def rows() -> list[tuple[int, str]]:
    return list(db.session.execute(sa.select(Attendance.user_id, Attendance.status)).tuples())


def agendas() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Agenda))


def test_the_lead_sees_the_roster_not_marked_by_default(client, world, login):
    login(world.lead)
    response = client.get(url(world))
    assert response.status_code == 200
    people = {row["name"]: row["status"] for row in response.get_json()}
    assert people == {"Lena Lead": None, "Sam Staff": None, "Cleo Colleague": None}
    assert agendas() == 0, "reading attendance makes no agenda"


def test_a_tap_marks_and_repeating_it_changes_nothing(client, world, login):
    login(world.lead)
    first = client.put(url(world, world.staff.id), json={"status": "present"})
    assert first.status_code == 200
    assert first.get_json()["status"] == "present"
    again = client.put(url(world, world.staff.id), json={"status": "present"})
    assert again.get_json() == first.get_json(), "the same tap again changes nothing"
    assert rows() == [(world.staff.id, "present")]
    client.put(url(world, world.staff.id), json={"status": "late"})
    assert rows() == [(world.staff.id, "late")]
    statuses = {row["user_id"]: row["status"] for row in client.get(url(world)).get_json()}
    assert statuses[world.staff.id] == "late"
    assert statuses[world.colleague.id] is None


def test_undo_makes_the_person_not_marked_again(client, world, login):
    login(world.lead)
    client.put(url(world, world.staff.id), json={"status": "absent"})
    response = client.delete(url(world, world.staff.id))
    assert response.status_code == 200
    assert response.get_json() == {"user_id": world.staff.id, "status": None}
    assert rows() == []
    assert client.delete(url(world, world.staff.id)).status_code == 200, "undo twice is fine"


def test_a_visitor_from_another_shift_of_the_location_can_be_added(
    client, world, login, make_user, make_shift
):
    visitor = make_user("staff", world.here, name="Vera Visitor")
    make_shift(world.here, "Late", roster=[visitor])
    login(world.lead)
    record = client.put(url(world, visitor.id), json={"status": "present"}).get_json()
    assert record["visitor"] is True
    listed = client.get(url(world)).get_json()
    assert listed[-1] == {
        "user_id": visitor.id,
        "name": "Vera Visitor",
        "status": "present",
        "visitor": True,
        "self_check_in": False,
        "method": "visitor",
        "via": "api",
        "caught_up": False,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"status": None}, "status"),
        ({}, "status"),
        ({"status": ["present"]}, "status"),
    ],
)
def test_an_unknown_status_is_refused_and_saves_nothing(client, world, login, body, field):
    login(world.lead)
    response = client.put(url(world, world.staff.id), json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == field
    assert "present, late, excused, absent" in error["message"]
    assert rows() == []
    assert agendas() == 0


def test_an_unknown_person_or_one_of_another_location_is_refused(client, world, login):
    login(world.lead)
    for user_id in (999_999, world.other_staff.id, world.admin.id):
        response = client.put(url(world, user_id), json={"status": "present"})
        assert 400 <= response.status_code < 500
        error = response.get_json()["error"]
        assert error["field"] == "user_id"
        assert str(user_id) in error["message"]
    assert rows() == []
    assert agendas() == 0


@pytest.mark.parametrize("offset", [-400, -61, 15, 4000])
def test_a_date_far_away_is_refused_with_a_400_naming_date(client, world, login, offset):
    login(world.lead)
    day = today(world) + timedelta(days=offset)
    for response in (
        client.put(url(world, world.staff.id, day), json={"status": "present"}),
        client.get(url(world, day=day)),
        client.delete(url(world, world.staff.id, day)),
    ):
        assert response.status_code == 400
        assert response.get_json()["error"]["field"] == "date"
    assert rows() == []
    assert agendas() == 0


def test_a_date_that_is_not_a_date_is_refused(client, world, login):
    login(world.lead)
    response = client.put(url(world, world.staff.id, "2024-02-30"), json={"status": "present"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "date"


def test_no_marks_for_a_huddle_whose_window_has_not_opened(client, world, login):
    login(world.lead)
    day = today(world) + timedelta(days=7)
    response = client.put(url(world, world.staff.id, day), json={"status": "excused"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["field"] == "date"
    assert "opens 30 minutes before the shift: from 06:30 on 2026-12-09" in error["message"]
    assert rows() == [] and agendas() == 0, "nothing written, no agenda made"


@pytest.mark.parametrize("who", ["staff", "other_lead", "other_staff"])
def test_only_leads_of_the_location_and_admins_see_or_tick(client, world, login, who):
    login(getattr(world, who))
    assert client.get(url(world)).status_code in (403, 404)
    assert client.put(url(world, world.staff.id), json={"status": "present"}).status_code in (
        403,
        404,
    )
    assert rows() == []


def test_an_admin_may_tick(client, world, login):
    login(world.admin)
    assert client.put(url(world, world.staff.id), json={"status": "present"}).status_code == 200


def test_many_taps_from_several_devices_lose_nothing_and_make_no_duplicates(app, world, make_user):
    people = [world.lead, world.staff, world.colleague]
    people += [make_user("staff", world.here, name=f"Extra {n}") for n in range(9)]
    # The day's agenda exists (the huddle screen made it); the taps race on attendance only.
    get_agenda(world.shift, today(world), now=utcnow())
    lead_id = session_key_for(world.lead)
    targets = [(person.id, url(world, person.id)) for person in people]
    errors: list[str] = []
    barrier = threading.Barrier(6)

    def device(number: int) -> None:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = lead_id
            session["_fresh"] = True
        barrier.wait()
        order = targets if number % 2 else list(reversed(targets))
        for user_id, target in order:
            status = "late" if user_id % 3 == 0 else "present"
            response = client.put(target, json={"status": status})
            if response.status_code != 200:
                errors.append(
                    f"{user_id}: {response.status_code} {response.get_data(as_text=True)}"
                )

    threads = [threading.Thread(target=device, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    marked = rows()
    assert len(marked) == len(people)
    assert {user_id for user_id, _status in marked} == {person.id for person in people}
    assert all(status == ("late" if user_id % 3 == 0 else "present") for user_id, status in marked)


def test_openapi_describes_the_attendance_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/shifts/{id}/attendance/{user_id}"]) == {"put", "delete"}
    row = paths["/shifts/{id}/attendance"]["get"]["responses"]["200"]
    assert "status" in row["content"]["application/json"]["schema"]["items"]["properties"]
