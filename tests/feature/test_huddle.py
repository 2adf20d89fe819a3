"""The huddle screen: who may open it, start and finish, notes, kudos read out, QR check-in."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda
from huddles.attendance.models import Attendance, CatchUp
from huddles.db import utcnow
from huddles.extensions import db
from huddles.huddle import service
from huddles.kudos.models import Kudos
from huddles.kudos.service import give_kudos

# Inside the huddle's window of the world's Early shift (see conftest.IN_THE_EARLY_SHIFT).
pytestmark = pytest.mark.usefixtures("clock")


def today(world) -> date:
    return utcnow().astimezone(ZoneInfo(world.here.timezone)).date()


def page_url(world, day: date | None = None, shift=None) -> str:
    return f"/huddle/{(shift or world.shift).id}/{(day or today(world)).isoformat()}"


def agenda_of(world, day: date | None = None) -> Agenda | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Agenda).where(
            Agenda.shift_id == world.shift.id, Agenda.day == (day or today(world))
        )
    )


def thank(giver, receiver, message="You kept the queue moving with a smile."):
    return give_kudos(
        giver, to_user_id=receiver.id, message=message, value=None, now=utcnow(), daily_cap=100
    )


def embedded_data(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="huddle-data">(.*?)</script>', html, re.S
    )
    assert match, "the agenda is embedded in the page"
    return json.loads(match.group(1))


def test_the_lead_gets_the_full_screen_huddle_with_the_agenda_embedded(client, world, login):
    thank(world.colleague, world.staff, "Thank you for covering my break.")
    login(world.lead)
    response = client.get(page_url(world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    data = embedded_data(html)
    assert [item["slot"] for item in data["items"]] == [
        "welcome",
        "thanks",
        "topic",
        "phrase",
        "close",
    ]
    assert {row["name"] for row in data["roster"]} == {"Lena Lead", "Sam Staff", "Cleo Colleague"}
    assert "Thank you for covering my break." in html
    assert "Start huddle" in html
    assert "check-in.svg" in html
    # The CSP allows no inline executable script: every script is a file or a JSON block.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert 'style="' not in html
    agenda = agenda_of(world)
    assert agenda is not None and agenda.opened_at is not None


def test_staff_read_the_huddle_without_the_controls(client, world, login):
    login(world.staff)
    html = client.get(page_url(world)).get_data(as_text=True)
    assert "Huddle of <bdi>Early</bdi>" in html
    assert "Start huddle" not in html
    assert "huddle-data" not in html
    assert "check-in.svg" not in html


@pytest.mark.parametrize("who", ["other_lead", "other_staff"])
def test_people_of_another_location_cannot_open_it(client, world, login, who):
    login(getattr(world, who))
    assert client.get(page_url(world)).status_code in (403, 404)
    assert agenda_of(world) is None


@pytest.mark.parametrize("day", ["yesterday-ish", "2024-13-01"])
def test_a_malformed_date_gets_a_clear_message(client, world, login, day):
    login(world.lead)
    response = client.get(f"/huddle/{world.shift.id}/{day}")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)


def test_a_date_far_away_gets_a_clear_message_and_makes_nothing(client, world, login):
    login(world.lead)
    response = client.get(page_url(world, today(world) + timedelta(days=900)))
    assert response.status_code == 400
    assert "too far away" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 0


def test_start_and_finish_are_recorded_and_kudos_marked_read_out(client, world, login):
    kudos = thank(world.colleague, world.staff)
    login(world.lead)
    client.get(page_url(world))
    response = client.post(page_url(world) + "/start", headers={"Accept": "application/json"})
    assert response.get_json()["status"] == "running"
    agenda = agenda_of(world)
    assert agenda.started_by_id == world.lead.id and agenda.started_at is not None
    started_at = agenda.started_at
    client.post(page_url(world) + "/start")
    assert agenda_of(world).started_at == started_at, "starting again changes nothing"

    response = client.post(page_url(world) + "/finish", data={"kudos_id": [str(kudos.id)]})
    assert response.headers["Location"] == page_url(world)
    agenda = agenda_of(world)
    assert agenda.status == "done"
    assert agenda.finished_by_id == world.lead.id
    assert agenda.finished_at >= agenda.started_at
    read_out = db.session.get(Kudos, kudos.id)
    assert read_out.read_out_agenda_id == agenda.id
    html = client.get(page_url(world)).get_data(as_text=True)
    assert "Huddle done." in html
    assert "finished by Lena Lead" in html


def test_staff_cannot_start_or_finish(client, world, login):
    login(world.staff)
    assert client.post(page_url(world) + "/start").status_code == 403
    assert client.post(page_url(world) + "/finish").status_code == 403
    assert agenda_of(world) is None


def test_finishing_with_a_kudos_of_another_location_saves_nothing(client, world, login):
    foreign = thank(world.other_lead, world.other_staff)
    login(world.lead)
    client.post(page_url(world) + "/start")
    response = client.post(
        page_url(world) + "/finish",
        json={"kudos_ids": [foreign.id]},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "kudos_ids"
    assert agenda_of(world).status == "running"
    assert db.session.get(Kudos, foreign.id).read_out_agenda_id is None


def test_the_lead_writes_notes_shown_at_the_close(client, world, login):
    login(world.lead)
    client.post(page_url(world) + "/notes", data={"notes": "VIP group arrives at 11:00."})
    assert agenda_of(world).notes == "VIP group arrives at 11:00."
    assert "VIP group arrives at 11:00." in client.get(page_url(world)).get_data(as_text=True)


def test_notes_too_long_are_refused_and_not_saved(client, world, login):
    login(world.lead)
    client.post(page_url(world) + "/notes", data={"notes": "first"})
    response = client.post(
        page_url(world) + "/notes",
        json={"notes": "x" * (service.MAX_NOTES_LENGTH + 1)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "notes"
    assert agenda_of(world).notes == "first"


def test_notes_cannot_change_after_the_huddle(client, world, login):
    login(world.lead)
    client.post(page_url(world) + "/start")
    client.post(page_url(world) + "/finish")
    client.post(page_url(world) + "/notes", data={"notes": "too late"})
    assert agenda_of(world).notes == ""


def test_a_missed_huddle_can_be_read_and_marked_read(client, world, login):
    login(world.lead)
    client.put(
        f"/api/v1/shifts/{world.shift.id}/attendance/{world.colleague.id}"
        f"?date={today(world).isoformat()}",
        json={"status": "present"},
    )
    client.post(page_url(world) + "/start")
    client.post(page_url(world) + "/finish")
    login(world.staff)
    html = client.get(page_url(world)).get_data(as_text=True)
    assert "You missed this huddle" in html
    response = client.post(page_url(world) + "/caught-up")
    assert response.headers["Location"] == "/"
    assert db.session.scalar(sa.select(CatchUp.user_id)) == world.staff.id
    client.post(page_url(world) + "/caught-up")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatchUp)) == 1
    assert "You have caught up" in client.get(page_url(world)).get_data(as_text=True)
    login(world.lead)
    html = client.get(page_url(world)).get_data(as_text=True)
    assert "<bdi>Sam Staff</bdi> ✓ caught up" in html


def test_the_check_in_code_is_an_svg_for_leads_only(client, world, login):
    login(world.lead)
    response = client.get(page_url(world) + "/check-in.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<?xml")
    login(world.staff)
    assert client.get(page_url(world) + "/check-in.svg").status_code == 403


def _token(client, world) -> str:
    agenda = agenda_of(world)
    return service.check_in_token(agenda)


def test_staff_on_the_roster_check_themselves_in_from_the_phone(client, world, login):
    login(world.lead)
    client.get(page_url(world))
    token = _token(client, world)
    login(world.staff)
    assert "I am here" in client.get(f"/huddle/check-in/{token}").get_data(as_text=True)
    response = client.post(f"/huddle/check-in/{token}")
    assert "You are checked in" in response.get_data(as_text=True)
    record = db.session.scalar(sa.select(Attendance))
    assert (record.user_id, record.status, record.self_check_in) == (
        world.staff.id,
        "present",
        True,
    )
    client.post(f"/huddle/check-in/{token}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
    login(world.lead)
    rows = client.get(
        f"/api/v1/shifts/{world.shift.id}/attendance?date={today(world).isoformat()}"
    ).get_json()
    assert {row["name"]: row["self_check_in"] for row in rows}["Sam Staff"] is True


def test_check_in_needs_a_sign_in(client, world, login):
    login(world.lead)
    client.get(page_url(world))
    token = _token(client, world)
    login(None)
    response = client.post(f"/huddle/check-in/{token}")
    assert response.headers["Location"].startswith("/login")


def test_someone_not_on_the_roster_cannot_check_in(client, world, login, make_user):
    login(world.lead)
    client.get(page_url(world))
    token = _token(client, world)
    login(make_user("staff", world.here, name="Not Rostered"))
    response = client.post(f"/huddle/check-in/{token}")
    assert response.status_code == 422
    assert "not on the roster" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_a_bad_or_expired_check_in_link_is_refused(client, world, login, monkeypatch):
    login(world.lead)
    client.get(page_url(world))
    token = _token(client, world)
    login(world.staff)
    response = client.post("/huddle/check-in/" + token[:-3] + "abc")
    assert "not valid" in response.get_data(as_text=True)
    monkeypatch.setattr(service, "CHECK_IN_MAX_AGE", -1)
    response = client.post(f"/huddle/check-in/{token}")
    assert "expired" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_a_check_in_does_not_overrule_the_leads_mark(client, world, login):
    login(world.lead)
    base = f"/api/v1/shifts/{world.shift.id}/attendance/{world.staff.id}?date={today(world)}"
    client.put(base, json={"status": "late"})
    token = _token(client, world)
    login(world.staff)
    client.post(f"/huddle/check-in/{token}")
    assert db.session.scalar(sa.select(Attendance.status)) == "late"


def test_the_huddle_page_makes_the_same_number_of_queries_for_any_roster(
    client, world, login, make_user, make_shift, make_location, count_queries
):
    def scenario(location, people: int, kudos: int) -> int:
        lead = make_user("lead", location)
        staff = [make_user("staff", location) for _ in range(people)]
        shift = make_shift(location, f"Shift {people}", roster=[lead, *staff])
        for number in range(kudos):
            thank(staff[number % people], staff[(number + 1) % people], f"Thanks #{number}")
        login(lead)
        url = page_url(world, shift=shift)
        client.get(url)  # the agenda is made on the first visit
        for person in staff[: people // 2]:
            client.put(
                f"/api/v1/shifts/{shift.id}/attendance/{person.id}?date={today(world)}",
                json={"status": "present"},
            )
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        return counter.count

    small = scenario(make_location("Small Inn", "Europe/Berlin"), 2, 1)
    large = scenario(make_location("Grand Hotel", "Europe/Berlin"), 40, 30)
    assert small == large


def test_untranslated_topic_text_keeps_its_own_direction_on_an_arabic_screen(client, world, login):
    from tests.feature.agenda_helpers import add_topic

    for kind in ("tip", "wow-story", "default-of-yes", "culture-matrix", "habit", "recovery"):
        add_topic(f"only-english-{kind}", kind)
    add_topic("only-english-phrase", "lexicon", avoid="No problem.", say_instead="My pleasure.")
    login(world.lead)
    html = client.get(page_url(world) + "?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    titles = re.findall(r'<h2 class="slot-title[^"]*"[^>]*>', html)
    assert any('lang="en"' in title and 'dir="ltr"' in title for title in titles)


@pytest.mark.parametrize("body", [[1, 2], "text", {"kudos_ids": "7"}, {"kudos_ids": [{"a": 1}]}])
def test_a_malformed_json_finish_is_refused_without_a_crash(client, world, login, body):
    login(world.lead)
    client.post(page_url(world) + "/start")
    response = client.post(page_url(world) + "/finish", json=body)
    assert response.status_code in (302, 400, 422)
    assert agenda_of(world).status == "running"


@pytest.mark.parametrize("body", [[1], 42, "notes"])
def test_malformed_json_notes_save_nothing_odd(client, world, login, body):
    login(world.lead)
    response = client.post(page_url(world) + "/notes", json=body)
    assert response.status_code == 400
    agenda = agenda_of(world)
    assert agenda is None or agenda.notes == ""


def test_a_huddle_reads_out_at_most_ten_thank_yous_and_says_how_many_wait_on_the_wall(
    client, world, login
):
    """The Thank-yous slot is a minute: the oldest ten are read out; the page and the agenda
    API say how many more there are, and finishing marks only those ten read out."""
    from huddles.kudos.service import HUDDLE_KUDOS_MAX

    given = [thank(world.colleague, world.staff, f"Thanks number {n}.") for n in range(14)]
    ids = [kudos.id for kudos in given]
    login(world.lead)
    html = client.get(page_url(world)).get_data(as_text=True)
    shown = [int(found) for found in re.findall(r'name="kudos_id" value="(\d+)"', html)]
    assert shown == ids[:HUDDLE_KUDOS_MAX]
    assert "Thanks number 9." in html and "Thanks number 10." not in html
    assert "More thank-yous on the wall: 4" in html
    api = client.get(f"/api/v1/shifts/{world.shift.id}/agenda?date={today(world)}").get_json()
    assert [kudos["id"] for kudos in api["kudos"]] == ids[:HUDDLE_KUDOS_MAX]
    assert api["kudos_more"] == 4

    client.post(page_url(world) + "/start")
    client.post(page_url(world) + "/finish", data={"kudos_id": [str(i) for i in shown]})
    db.session.expire_all()
    read = [db.session.get(Kudos, kudos_id).read_out_agenda_id is not None for kudos_id in ids]
    assert read == [True] * HUDDLE_KUDOS_MAX + [False] * 4


def test_a_huddle_with_few_thank_yous_has_none_waiting(client, world, login):
    thank(world.colleague, world.staff)
    login(world.lead)
    html = client.get(page_url(world)).get_data(as_text=True)
    assert "More thank-yous on the wall" not in html
    api = client.get(f"/api/v1/shifts/{world.shift.id}/agenda?date={today(world)}").get_json()
    assert len(api["kudos"]) == 1 and api["kudos_more"] == 0
