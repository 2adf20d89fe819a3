"""Attendance in the huddle's window, corrections after it, and checking in from a phone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda
from huddles.attendance.models import Attendance
from huddles.extensions import db
from huddles.huddle import service

pytestmark = pytest.mark.usefixtures("clock")

TODAY = date(2026, 12, 2)


def mark_url(world, user_id: int, day: date = TODAY) -> str:
    return f"/api/v1/shifts/{world.shift.id}/attendance/{user_id}?date={day.isoformat()}"


def check_in_url(shift, day: date = TODAY) -> str:
    return f"/api/v1/shifts/{shift.id}/check-in?date={day.isoformat()}"


def marks() -> list[tuple[int, str, str, str, int | None]]:
    db.session.expire_all()
    return list(
        db.session.execute(
            sa.select(
                Attendance.user_id,
                Attendance.status,
                Attendance.method,
                Attendance.via,
                Attendance.marked_by_id,
            ).order_by(Attendance.user_id)
        ).tuples()
    )


def finish_todays_huddle(client, world) -> None:
    base = f"/huddle/{world.shift.id}/{TODAY.isoformat()}"
    client.post(base + "/start")
    client.post(base + "/finish")


# --- Marks ---------------------------------------------------------------------------------


def test_a_mark_keeps_who_when_and_how(client, world, login):
    login(world.lead)
    response = client.put(mark_url(world, world.staff.id), json={"status": "late", "via": "screen"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["method"], body["via"], body["marked_by_id"]) == ("lead", "screen", world.lead.id)
    assert body["marked_at"].startswith("2026-12-02T07:30")
    assert marks() == [(world.staff.id, "late", "lead", "screen", world.lead.id)]


def test_after_the_window_the_lead_corrects_for_seven_days(client, world, login, clock):
    login(world.lead)
    client.put(mark_url(world, world.staff.id), json={"status": "absent"})
    clock.move_to(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
    login(world.lead)
    response = client.put(mark_url(world, world.staff.id), json={"status": "present"})
    assert response.status_code == 200
    assert marks() == [(world.staff.id, "present", "lead", "correction", world.lead.id)]
    clock.move_to(datetime(2026, 12, 9, 14, 1, tzinfo=UTC))  # 7 days after the shift's end
    login(world.admin)
    response = client.put(mark_url(world, world.staff.id), json={"status": "late"})
    assert response.status_code == 409
    assert "corrections ended on 2026-12-09 15:00" in response.get_json()["error"]["message"]
    assert marks()[0][1] == "present"


def test_no_corrections_for_a_day_that_had_no_huddle(client, world, login):
    login(world.lead)
    response = client.put(
        mark_url(world, world.staff.id, TODAY - timedelta(days=2)), json={"status": "present"}
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agenda)) == 0


def test_a_person_of_another_location_is_refused_without_their_name(client, world, login):
    login(world.lead)
    response = client.put(mark_url(world, world.other_staff.id), json={"status": "present"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "user_id"
    assert world.other_staff.name not in error["message"]
    assert str(world.other_staff.id) in error["message"]
    assert marks() == []


def test_an_unknown_person_or_status_is_refused(client, world, login):
    login(world.lead)
    response = client.put(mark_url(world, 999999), json={"status": "present"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "user_id"
    response = client.put(mark_url(world, world.staff.id), json={"status": "here"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "status"
    response = client.put(mark_url(world, world.staff.id), json={"status": "present", "via": "x"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "via"
    assert marks() == []


# --- Check-in ------------------------------------------------------------------------------


def test_staff_check_in_from_today_while_the_window_is_open(client, world, login):
    login(world.staff)
    response = client.post(check_in_url(world.shift), json={"via": "today"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "present"
    assert marks() == [(world.staff.id, "present", "self", "today", world.staff.id)]


def test_a_check_in_form_from_today_goes_back_with_a_message(client, world, login):
    login(world.staff)
    response = client.post(check_in_url(world.shift), data={"via": "today", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert marks()[0][3] == "today"
    response = client.post(
        check_in_url(world.shift), data={"via": "today", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/", "only back to this site"


def test_a_check_in_without_a_body_is_an_api_check_in(client, world, login):
    login(world.staff)
    assert client.post(check_in_url(world.shift)).status_code == 200
    assert marks()[0][2:4] == ("self", "api")


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (datetime(2026, 12, 2, 5, 29, tzinfo=UTC), "Check-in opens 30 minutes before the shift"),
        (datetime(2026, 12, 2, 14, 0, tzinfo=UTC), "This huddle is over"),
    ],
)
def test_a_check_in_outside_the_window_is_a_409(client, world, login, clock, moment, message):
    clock.move_to(moment)
    login(world.staff)
    response = client.post(check_in_url(world.shift), json={"via": "today"})
    assert response.status_code == 409
    assert message in response.get_json()["error"]["message"]
    assert marks() == []


def test_once_the_huddle_is_done_nobody_checks_in(client, world, login):
    login(world.lead)
    finish_todays_huddle(client, world)
    login(world.staff)
    response = client.post(check_in_url(world.shift))
    assert response.status_code == 409
    assert marks() == []


def test_someone_off_the_roster_cannot_check_in(client, world, login, make_user):
    stranger = make_user("staff", world.here, name="Nina New")
    login(stranger)
    response = client.post(check_in_url(world.shift))
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "user_id"
    login(world.other_staff)
    assert client.post(check_in_url(world.shift)).status_code in (403, 404)
    assert marks() == []


def _token_from_qr(client, world) -> str:
    # The QR code encodes the link; the service makes the same token for the same huddle.
    agenda = db.session.scalar(sa.select(Agenda).where(Agenda.shift_id == world.shift.id))
    return service.check_in_token(agenda)


def test_the_qr_link_is_bound_to_its_huddle_window(client, world, login):
    login(world.lead)
    client.get(f"/huddle/{world.shift.id}/{TODAY.isoformat()}")
    token = _token_from_qr(client, world)
    login(world.staff)
    response = client.post(f"/huddle/check-in/{token}")
    assert response.status_code == 200
    assert marks() == [(world.staff.id, "present", "self", "qr", world.staff.id)]
    login(world.lead)
    finish_todays_huddle(client, world)
    login(world.colleague)
    response = client.get(f"/huddle/check-in/{token}")
    assert response.status_code == 409
    assert "This huddle is over" in response.get_data(as_text=True)
    assert len(marks()) == 1


def test_links_use_the_public_url_when_set(app):
    app.config["HUDDLES_PUBLIC_URL"] = "https://huddles.example.org/"
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        link = service.public_url("huddle.check_in", token="abc")
    assert link == "https://huddles.example.org/huddle/check-in/abc"
    app.config["HUDDLES_PUBLIC_URL"] = ""
    with app.test_request_context("/", base_url="http://192.168.1.20:5000"):
        assert service.public_url("huddle.check_in", token="abc").startswith("http://192.168.1.20")


def test_the_screen_shows_one_count_with_visitors_and_excused(
    client, world, login, make_user, make_shift
):
    visitor = make_user("staff", world.here, name="Vera Visitor")
    make_shift(world.here, "Late", roster=[visitor])
    login(world.lead)
    client.put(mark_url(world, world.staff.id), json={"status": "present"})
    client.put(mark_url(world, world.colleague.id), json={"status": "excused"})
    client.put(mark_url(world, visitor.id), json={"status": "present"})
    html = client.get(f"/huddle/{world.shift.id}/{TODAY.isoformat()}").get_data(as_text=True)
    # Roster of 3 less one excused, plus the visitor: 2 of 3 here.
    assert re.search(r'js-here-count">2</span> / <span class="js-expected-count">3<', html)


def test_every_mark_tells_the_screen(client, world, login):
    from huddles import signals

    seen: list[int] = []

    def receiver(sender, agenda_id, **extra):
        seen.append(agenda_id)

    signals.huddle_changed.connect(receiver)
    try:
        login(world.lead)
        client.put(mark_url(world, world.staff.id), json={"status": "present"})
        client.delete(mark_url(world, world.staff.id))
        login(world.colleague)
        client.post(check_in_url(world.shift))
    finally:
        signals.huddle_changed.disconnect(receiver)
    agenda_id = db.session.scalar(sa.select(Agenda.id))
    assert seen == [agenda_id, agenda_id, agenda_id]


def test_a_mark_reads_nothing_again_after_its_commit(client, world, login, count_queries):
    """A tap on a name is one upsert: what was loaded before the commit is not loaded again
    after it (the agenda, its items, the people), so taps stay cheap while a huddle runs."""
    login(world.lead)
    client.put(mark_url(world, world.staff.id), json={"status": "present"})
    with count_queries() as counter:
        response = client.put(mark_url(world, world.staff.id), json={"status": "late"})
    assert response.status_code == 200 and response.get_json()["status"] == "late"
    written = next(
        n
        for n, s in enumerate(counter.statements)
        if s.lstrip().startswith("INSERT INTO attendance")
    )
    again = [
        statement
        for statement in counter.statements[written + 1 :]
        if re.search(r"\bFROM (agendas|agenda_items|users|shifts)\b", statement)
    ]
    assert again == []


def _screen_version(world) -> int | None:
    from huddles.displays.models import DisplayState

    return db.session.scalar(
        sa.select(DisplayState.version).where(DisplayState.location_id == world.here.id)
    )


def test_a_mark_and_the_screens_version_are_one_transaction(client, world, login):
    """A tap commits once: the mark and the screens' version move on together (a second commit
    for the version held a worker and the location's row for another round trip each tap)."""
    login(world.lead)
    client.put(mark_url(world, world.staff.id), json={"status": "present"})
    before = _screen_version(world)
    db.session.rollback()
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    sa.event.listen(db.engine, "commit", count)
    try:
        response = client.put(mark_url(world, world.staff.id), json={"status": "late"})
    finally:
        sa.event.remove(db.engine, "commit", count)
    assert response.status_code == 200
    assert len(commits) == 1
    assert _screen_version(world) == before + 1


def test_the_same_mark_again_moves_no_screen_on(client, world, login):
    """Repeating a tap changes nothing, so the screens are not told to look again."""
    login(world.lead)
    client.put(mark_url(world, world.staff.id), json={"status": "present"})
    before = _screen_version(world)
    db.session.rollback()
    assert (
        client.put(mark_url(world, world.staff.id), json={"status": "present"}).status_code == 200
    )
    assert _screen_version(world) == before
    assert client.delete(mark_url(world, world.staff.id)).status_code in (200, 204)
    moved = _screen_version(world)
    assert moved == before + 1
    db.session.rollback()
    assert client.delete(mark_url(world, world.staff.id)).status_code in (200, 204)
    assert _screen_version(world) == moved


def test_a_tap_that_changes_a_mark_takes_seven_statements(client, world, login, count_queries):
    """The session check, the shift, the person with their roster place (one statement), the
    agenda without its items, the upsert, the screens' version, the mark as it stands."""
    login(world.lead)
    url = mark_url(world, world.staff.id)
    client.put(url, json={"status": "present"})
    with count_queries() as counter:
        response = client.put(url, json={"status": "late"})
    assert response.status_code == 200 and response.get_json()["status"] == "late"
    assert counter.count <= 7, counter.statements
