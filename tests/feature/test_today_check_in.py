"""'I'm here' on Today: staff check in from their phone while the check-in window is open."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda
from huddles.attendance.models import Attendance
from huddles.extensions import db
from tests.conftest import csrf_token_from

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 3, 3)


def at(hour: int, minute: int = 0, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def frozen(monkeypatch):
    def freeze(moment: datetime) -> None:
        monkeypatch.setattr("huddles.main.views.utcnow", lambda: moment)

    return freeze


def check_in_url(shift, day: date = TUESDAY) -> str:
    return f"/today/check-in/{shift.id}/{day.isoformat()}"


def marks():
    return db.session.scalars(sa.select(Attendance)).all()


def next_huddle(html: str) -> str:
    return html.split("Your next huddle")[1].split("</section>")[0]


@pytest.mark.parametrize(("hour", "minute"), [(6, 30), (6, 45), (7, 0), (14, 59)])
def test_staff_check_in_while_the_window_is_open(app, world, login, frozen, hour, minute):
    frozen(at(hour, minute))
    client = login(world.staff)
    section = next_huddle(client.get("/").get_data(as_text=True))
    assert "I&#39;m here" in section or "I'm here" in section
    assert check_in_url(world.shift) in section
    response = client.post(check_in_url(world.shift))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    (mark,) = marks()
    assert (mark.user_id, mark.status, mark.self_check_in) == (world.staff.id, "present", True)
    page = client.get("/").get_data(as_text=True)
    assert "You are checked in for Early" in page
    section = next_huddle(page)
    assert "You are checked in." in section and check_in_url(world.shift) not in section
    assert "1 of 3 here" in section


@pytest.mark.parametrize(("hour", "minute"), [(5, 0), (6, 29)])
def test_the_button_is_hidden_before_the_window_and_the_server_refuses(
    app, world, login, frozen, hour, minute
):
    frozen(at(hour, minute))
    client = login(world.staff)
    assert check_in_url(world.shift) not in client.get("/").get_data(as_text=True)
    response = client.post(check_in_url(world.shift))
    assert response.status_code == 409
    assert "Check-in opens 30 minutes before the shift: from 06:30" in response.get_data(
        as_text=True
    )
    assert marks() == [] and db.session.scalar(sa.select(sa.func.count(Agenda.id))) == 0


def test_checking_in_after_the_shift_is_refused(app, world, login, frozen):
    frozen(at(15, 5))
    response = login(world.staff).post(check_in_url(world.shift))
    assert response.status_code == 409
    assert "This huddle is over" in response.get_data(as_text=True)
    assert marks() == []


def test_a_lead_mark_is_not_overwritten_and_the_button_goes(app, world, login, frozen):
    from huddles.agenda import planning

    agenda = planning.get_agenda(world.shift, TUESDAY, now=at(6, 0))
    db.session.add(Attendance(agenda_id=agenda.id, user_id=world.staff.id, status="excused"))
    db.session.commit()
    frozen(at(6, 50))
    client = login(world.staff)
    assert check_in_url(world.shift) not in next_huddle(client.get("/").get_data(as_text=True))


def test_someone_not_on_the_roster_cannot_check_in(app, world, login, frozen, make_shift):
    late = make_shift(world.here, "Late", time(6, 40), roster=[world.lead])
    frozen(at(6, 50))
    response = login(world.staff).post(check_in_url(late))
    assert response.status_code == 422
    assert "You are not on the roster of Late" in response.get_data(as_text=True)
    assert marks() == [] and db.session.scalar(sa.select(sa.func.count(Agenda.id))) == 0


def test_another_locations_shift_is_refused_without_names(app, world, login, frozen):
    frozen(at(16, 10))
    response = login(world.staff).post(check_in_url(world.other_shift))
    assert response.status_code in (403, 404)
    assert "Ola" not in response.get_data(as_text=True)
    assert marks() == []


@pytest.mark.parametrize("day", ["tuesday", "2026-02-30"])
def test_a_bad_day_is_a_clear_400(app, world, login, frozen, day):
    frozen(at(6, 50))
    response = login(world.staff).post(f"/today/check-in/{world.shift.id}/{day}")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_button_carries_a_csrf_token_and_a_post_without_one_is_refused(
        self, app, world, login, frozen
    ):
        frozen(at(6, 50))
        client = login(world.staff)
        page = client.get("/").get_data(as_text=True)
        assert client.post(check_in_url(world.shift)).status_code == 400
        assert marks() == []
        form = next_huddle(page).split('class="inline check-in-form"')[1]
        token = csrf_token_from(form)
        response = client.post(check_in_url(world.shift), data={"csrf_token": token})
        assert response.status_code == 302
        assert [mark.user_id for mark in marks()] == [world.staff.id]


def test_a_night_shift_checks_in_after_midnight_on_its_own_day(
    app, world, login, frozen, make_shift
):
    night = make_shift(world.here, "Night", time(22, 30), roster=[world.staff])
    world.shift.active = False
    db.session.commit()
    frozen(at(0, 20, TUESDAY + timedelta(days=1)))
    client = login(world.staff)
    section = next_huddle(client.get("/").get_data(as_text=True))
    assert check_in_url(night) in section, "Tuesday's night huddle, after midnight"
    assert client.post(check_in_url(night)).status_code == 302
    (mark,) = marks()
    agenda = db.session.get(Agenda, mark.agenda_id)
    assert (agenda.shift_id, agenda.day) == (night.id, TUESDAY)
