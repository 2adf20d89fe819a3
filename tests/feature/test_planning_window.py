"""The planning window: no agendas after the fact, none far ahead at a staff member's request."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles.agenda import planning, window
from huddles.agenda.models import Agenda, ScopeChoice, TopicUsage
from huddles.extensions import db
from huddles.scheduler import make_agendas_ahead
from tests.feature.agenda_helpers import add_library


def today(location) -> date:
    return datetime.now(ZoneInfo(location.timezone)).date()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def agenda_url(shift, day: date) -> str:
    return f"/api/v1/shifts/{shift.id}/agenda?date={day.isoformat()}"


@pytest.mark.parametrize("role", ["staff", "lead", "admin"])
def test_no_agenda_is_made_for_a_day_that_has_passed(app, world, login, role):
    add_library()
    yesterday = today(world.here) - timedelta(days=1)
    response = login(world.by_role(role)).get(agenda_url(world.shift, yesterday))
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert "No huddle was planned" in error["message"] and error["field"] == "date"
    assert count(Agenda) == 0 and count(ScopeChoice) == 0 and count(TopicUsage) == 0


def test_an_agenda_of_a_past_day_that_exists_is_still_shown(app, world, login):
    add_library()
    last_week = today(world.here) - timedelta(days=7)
    made = planning.get_agenda(world.shift, last_week, now=datetime.now(UTC))
    response = login(world.staff).get(agenda_url(world.shift, last_week))
    assert response.status_code == 200
    assert response.get_json()["id"] == made.id and response.get_json()["date"] == str(last_week)


def test_staff_may_cause_agendas_within_the_window_only(app, world, login):
    add_library()
    client = login(world.staff)
    last_in_window = today(world.here) + timedelta(days=13)
    assert client.get(agenda_url(world.shift, last_in_window)).status_code == 200
    response = client.get(agenda_url(world.shift, last_in_window + timedelta(days=1)))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert "only a lead or an admin can plan further" in error["message"]
    assert error["field"] == "date"
    assert count(Agenda) == 1


def test_347_get_requests_by_staff_make_nothing_past_the_window(app, world, login):
    """The abuse of the issue: walking the API through the year turned every pick into a repeat."""
    add_library()
    client = login(world.staff)
    start = today(world.here)
    client.get(agenda_url(world.shift, start))
    choices, usage = count(ScopeChoice), count(TopicUsage)
    statuses = {
        client.get(agenda_url(world.shift, start + timedelta(days=offset))).status_code
        for offset in range(14, 14 + 347)
    }
    assert statuses == {403}
    assert count(Agenda) == 1
    assert (count(ScopeChoice), count(TopicUsage)) == (choices, usage)


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_a_lead_or_an_admin_may_plan_beyond_the_window(app, world, login, role):
    add_library()
    far = today(world.here) + timedelta(days=60)
    response = login(world.by_role(role)).get(agenda_url(world.shift, far))
    assert response.status_code == 200 and response.get_json()["date"] == far.isoformat()
    assert count(Agenda) == 1


def test_a_lead_of_another_location_gets_no_agenda_there(app, world, login):
    far = today(world.there) + timedelta(days=60)
    response = login(world.lead).get(agenda_url(world.other_shift, far))
    assert response.status_code in (403, 404)
    assert "Ola" not in response.get_data(as_text=True)
    assert count(Agenda) == 0


def test_swapping_on_a_passed_day_makes_nothing(app, world, login):
    add_library()
    yesterday = today(world.here) - timedelta(days=1)
    response = login(world.lead).post(
        f"/api/v1/shifts/{world.shift.id}/agenda/swap?date={yesterday}", json={"slot": "topic"}
    )
    assert response.status_code == 404
    assert count(Agenda) == 0


def test_last_weeks_view_says_no_huddle_was_planned_and_makes_nothing(app, world, login):
    add_library()
    start = today(world.here) - timedelta(days=7)
    kept = planning.get_agenda(world.shift, start + timedelta(days=2), now=datetime.now(UTC))
    html = (
        login(world.lead).get(f"/agenda/{world.here.id}/week?start={start}").get_data(as_text=True)
    )
    assert html.count("No huddle was planned for this day.") == 6
    assert html.count('class="card week-agenda"') == 1, "the agenda that exists is shown"
    assert [agenda.id for agenda in db.session.scalars(sa.select(Agenda))] == [kept.id]


def test_the_week_view_from_today_still_makes_the_coming_agendas(app, world, login):
    add_library()
    html = login(world.lead).get(f"/agenda/{world.here.id}/week").get_data(as_text=True)
    assert "No huddle was planned" not in html
    assert count(Agenda) == 7


def test_a_night_shift_still_running_after_midnight_is_not_a_passed_day(app, world, make_shift):
    night = make_shift(world.here, "Night", time(22, 30), minutes=480)
    now = datetime(2026, 3, 3, 1, 40, tzinfo=UTC)  # 02:40 in Berlin on Tuesday
    monday, sunday = date(2026, 3, 2), date(2026, 3, 1)
    window.check_may_make(night, monday, actor=world.staff, now=now, days=14)
    with pytest.raises(window.NotPlanned):
        window.check_may_make(night, sunday, actor=world.staff, now=now, days=14)
    with pytest.raises(window.NotPlanned):
        window.check_may_make(world.shift, monday, actor=world.admin, now=now, days=14)


@pytest.mark.parametrize(
    ("config", "days"),
    [
        ({}, 14),
        ({"HUDDLES_PLAN_DAYS": 3}, 3),
        ({"HUDDLES_PLAN_DAYS": "5"}, 5),
        ({"HUDDLES_AGENDA_DAYS_AHEAD": 9}, 9),
        ({"HUDDLES_PLAN_DAYS": 4, "HUDDLES_AGENDA_DAYS_AHEAD": 9}, 4),
    ],
)
def test_the_window_comes_from_huddles_plan_days_with_the_old_name_as_alias(config, days):
    assert window.plan_days(config) == days


@pytest.mark.parametrize("value", ["soon", 0, 400])
def test_a_bad_plan_days_setting_is_refused_by_name(value):
    with pytest.raises(ValueError, match="HUDDLES_PLAN_DAYS"):
        window.plan_days({"HUDDLES_PLAN_DAYS": value})


class TestTheSchedulerPlansTheWindow:
    @pytest.fixture
    def app_config(self):
        return {"HUDDLES_PLAN_DAYS": 3}

    def test_it_makes_agendas_for_plan_days(self, app, world, login):
        add_library()
        message = make_agendas_ahead(datetime.now(UTC))
        assert "next 3 day(s)" in message
        days = sorted(
            db.session.scalars(sa.select(Agenda.day).where(Agenda.shift_id == world.shift.id))
        )
        assert days == [today(world.here) + timedelta(days=n) for n in range(3)]
        # The window is the setting's: staff now stop after three days.
        client = login(world.staff)
        assert client.get(agenda_url(world.shift, days[-1])).status_code == 200
        response = client.get(agenda_url(world.shift, days[-1] + timedelta(days=1)))
        assert response.status_code == 403
