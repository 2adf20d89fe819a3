"""The agenda API, the week view and the template page over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles import rotation
from huddles.agenda import planning
from huddles.agenda.models import Agenda, AgendaTemplate, Pin
from huddles.extensions import db
from tests.feature.agenda_helpers import add_library, add_topic


def today(location) -> date:
    return datetime.now(ZoneInfo(location.timezone)).date()


def test_the_api_makes_the_agenda_on_first_request(app, world, login):
    add_library()
    client = login(world.staff)
    response = client.get(f"/api/v1/shifts/{world.shift.id}/agenda")
    data = response.get_json()
    assert response.status_code == 200
    assert data["date"] == today(world.here).isoformat() and data["shift_id"] == world.shift.id
    assert [item["slot"] for item in data["items"]] == [
        "welcome",
        "thanks",
        "topic",
        "phrase",
        "close",
    ]
    for key in ("position", "kind", "title", "minutes", "topic_slug", "body_html", "prompt"):
        assert key in data["items"][2]
    assert data["kudos"] == []
    again = client.get(f"/api/v1/shifts/{world.shift.id}/agenda?date={data['date']}").get_json()
    assert again == data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 1


def test_the_api_speaks_the_asked_language(app, world, login):
    add_topic(
        "yes-first",
        "default-of-yes",
        title="Yes first",
        translations={"de": {"title": "Erst einmal ja", "prompt": "Was fragst du?"}},
    )
    # The next day whose (moving) theme is the default of yes.
    monday = next(
        day
        for n in range(1, 14)
        if rotation.DEFAULT_TEMPLATE.theme_for(day := today(world.here) + timedelta(days=n))
        == "default-of-yes"
    )
    url = f"/api/v1/shifts/{world.shift.id}/agenda?date={monday.isoformat()}"
    client = login(world.lead)
    german = client.get(url + "&lang=de").get_json()["items"][2]
    assert german["title"] == "Erst einmal ja" and german["lang"] == "de"
    assert client.get(url + "&lang=en").get_json()["items"][2]["title"] == "Yes first"


@pytest.mark.parametrize(
    "query",
    ["date=tomorrow", "date=2026-02-30", "date=1999-01-01", "date=2999-01-01", "date="],
)
def test_bad_or_far_dates_are_a_clear_400(app, world, login, query):
    client = login(world.staff)
    response = client.get(f"/api/v1/shifts/{world.shift.id}/agenda?{query}")
    if query == "date=":
        assert response.status_code == 200  # no date means today there
        return
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "date"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 0


def test_366_days_away_is_fine_and_367_is_not(app, world, login):
    client = login(world.staff)
    base = today(world.here)
    url = f"/api/v1/shifts/{world.shift.id}/agenda?date="
    assert client.get(url + (base + timedelta(days=366)).isoformat()).status_code == 200
    assert client.get(url + (base - timedelta(days=367)).isoformat()).status_code == 400


def test_another_locations_agenda_is_refused(app, world, login):
    client = login(world.staff)
    response = client.get(f"/api/v1/shifts/{world.other_shift.id}/agenda")
    assert response.status_code in (403, 404)
    assert login(None).get(f"/api/v1/shifts/{world.shift.id}/agenda").status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 0


def test_a_lead_swaps_through_the_api_and_staff_cannot(app, world, login):
    add_library()
    url = f"/api/v1/shifts/{world.shift.id}/agenda"
    before = login(world.lead).get(url).get_json()["items"][2]["topic_slug"]
    assert login(world.staff).post(url + "/swap", json={"slot": "topic"}).status_code == 403
    response = login(world.lead).post(url + "/swap", json={"slot": "topic"})
    after = response.get_json()["items"][2]
    assert after["topic_slug"] != before and after["swapped"] is True
    bad = login(world.lead).post(url + "/swap", json={"slot": "welcome"})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "slot"
    assert login(world.lead).post(url + "/swap", json={}).status_code == 400


def test_a_swap_after_the_start_is_a_conflict(app, world, login):
    add_library()
    agenda = planning.get_agenda(world.shift, today(world.here), now=datetime.now(UTC))
    agenda.started_at, agenda.status = datetime.now(UTC), "running"
    db.session.commit()
    response = login(world.lead).post(
        f"/api/v1/shifts/{world.shift.id}/agenda/swap", json={"slot": "topic"}
    )
    assert response.status_code == 409 and response.get_json()["error"]["message"]


def test_the_kudos_feature_fills_the_kudos_through_its_provider(app, world, login):
    app.extensions[planning.KUDOS_PROVIDER] = lambda agenda: [{"from": "Sam", "agenda": agenda.id}]
    data = login(world.staff).get(f"/api/v1/shifts/{world.shift.id}/agenda").get_json()
    assert data["kudos"] == [{"from": "Sam", "agenda": data["id"]}]


def test_the_week_view_shows_seven_days_to_leads(app, world, login):
    add_library()
    page = login(world.lead).get(f"/agenda/{world.here.id}/week")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('class="card week-agenda"') == 7
    assert "Topic of the day" in html and "Phrase of the day" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 7
    assert db.session.scalar(sa.select(Agenda.opened_at).limit(1)) is None


def test_the_week_view_is_not_for_staff_or_other_locations(app, world, login):
    assert login(world.staff).get(f"/agenda/{world.here.id}/week").status_code == 403
    assert login(world.lead).get(f"/agenda/{world.there.id}/week").status_code in (403, 404)


@pytest.mark.parametrize("start", ["soon", "2026-13-01", "1990-01-01"])
def test_the_week_view_refuses_a_bad_start(app, world, login, start):
    response = login(world.lead).get(f"/agenda/{world.here.id}/week?start={start}")
    assert response.status_code == 400
    assert "start" in response.get_data(as_text=True)


def _template_form(**changes) -> dict[str, str]:
    form = {
        "cooldown_days": "28",
        "scope": "location",
        **{f"theme_{n}": theme for n, theme in enumerate(["habit"] * 7)},
    }
    slots = [
        ("welcome", "Welcome", "roster", "", "0.5"),
        ("topic", "Topic", "rotation", "", "3"),
        ("phrase", "Phrase", "rotation", "lexicon", "1"),
        ("", "", "rotation", "", ""),
    ]
    for number, (key, title, fill, kind, minutes) in enumerate(slots):
        form.update(
            {
                f"slots-{number}-key": key,
                f"slots-{number}-title": title,
                f"slots-{number}-fill": fill,
                f"slots-{number}-kind": kind,
                f"slots-{number}-minutes": minutes,
            }
        )
    form.update(changes)
    return form


def test_an_admin_edits_the_template(app, world, login):
    client = login(world.admin)
    url = f"/admin/locations/{world.here.id}/template"
    page = client.get(url).get_data(as_text=True)
    assert "Topic of the day" in page and 'name="slots-4-key"' in page
    response = client.post(url, data=_template_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    row = db.session.scalar(sa.select(AgendaTemplate))
    assert [slot["key"] for slot in row.slots] == ["welcome", "topic", "phrase"]
    assert row.weekday_themes == ["habit"] * 7 and row.updated_by_id == world.admin.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slots-1-key": "Topic Of Day"}, "lower-case"),
        ({"slots-2-key": "topic"}, "its own key"),
        ({"slots-0-kind": "habit"}, "Only a slot filled by the rotation"),
        ({"slots-1-minutes": "12"}, "Number must be between 0 and 10"),
        ({"cooldown_days": "-3"}, "Number must be between 0 and 365"),
        ({"slots-1-minutes": "9", "slots-2-minutes": "9"}, "add up to"),
    ],
)
def test_the_template_form_shows_errors_next_to_the_field(app, world, login, changes, message):
    response = login(world.admin).post(
        f"/admin/locations/{world.here.id}/template", data=_template_form(**changes)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaTemplate)) == 0


def test_an_admin_pins_a_topic_from_the_template_page(app, world, login):
    add_library()
    client = login(world.admin)
    day = today(world.here) + timedelta(days=3)
    response = client.post(
        f"/admin/locations/{world.here.id}/pins",
        data={
            "pin-day": day.isoformat(),
            "pin-slot_key": "topic",
            "pin-topic_slug": "recovery-2",
            "pin-scope": "location",
            "pin-shift_id": "0",
        },
    )
    assert response.status_code == 302
    pin = db.session.scalar(sa.select(Pin))
    assert pin.day == day and pin.created_by_id == world.admin.id
    page = client.get(f"/admin/locations/{world.here.id}/template").get_data(as_text=True)
    assert "recovery-2" in page
    bad = client.post(
        f"/admin/locations/{world.here.id}/pins",
        data={"pin-day": day.isoformat(), "pin-slot_key": "topic", "pin-topic_slug": "nope"},
    )
    assert bad.status_code == 422 and "There is no topic nope" in bad.get_data(as_text=True)
    removed = client.post(
        f"/admin/locations/{world.here.id}/pins/delete", data={"pin_id": str(pin.id)}
    )
    assert removed.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pin)) == 0
    gone = client.post(f"/admin/locations/{world.there.id}/pins/delete", data={"pin_id": "1"})
    assert gone.status_code == 404
