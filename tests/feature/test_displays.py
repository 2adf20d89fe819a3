"""Break-room screens: codes, pairing, the credential that opens only the screen, what it shows."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda
from huddles.auth.models import User
from huddles.db import utcnow
from huddles.displays import service
from huddles.displays.models import Display, DisplayState
from huddles.displays.views import COOKIE
from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.kudos.service import give_kudos, hide_kudos
from huddles.validation import FieldError

CODE = re.compile(r'class="ds-pair-code"[^>]*><span>([A-Z0-9]{3})</span><span>([A-Z0-9]{3})</span>')


def _code(html: str) -> str:
    match = CODE.search(html)
    assert match, "no pairing code on the screen"
    return match.group(1) + match.group(2)


def _cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE, path="/display")
    return cookie.value if cookie else None


@pytest.fixture
def screen(app):
    """A second client: the TV, which nobody signs in on."""
    return app.test_client()


@pytest.fixture
def soon(world, make_shift, make_user):
    """The world's own shift switched off; a shift at 'here' starting in ten minutes instead."""
    world.shift.active = False
    db.session.commit()
    zone = ZoneInfo(world.here.timezone)
    local = (datetime.now(zone) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    lena = make_user("staff", world.here, name="Lena Lindqvist")
    return make_shift(
        world.here, "Morning", time(local.hour, local.minute), 240, roster=[world.lead, lena]
    )


def _pair(client, login, user, code, location):
    login(user)
    return client.post("/api/v1/displays/pair", json={"code": code, "location_id": location.id})


def test_a_new_screen_shows_a_code_and_keeps_it_in_an_httponly_cookie(screen, app):
    response = screen.get("/display")
    assert response.status_code == 200
    code = _code(response.get_data(as_text=True))
    assert len(code) == 6 and all(char in service.CODE_ALPHABET for char in code)
    assert not set("0O1IL5S2Z8B") & set(code)
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "Path=/display" in header and "SameSite=Strict" in header
    token = _cookie(screen)
    row = db.session.scalar(sa.select(Display))
    assert row.code == code and row.location_id is None
    assert row.token_hash == service.hash_token(token) and token not in row.token_hash
    # The same screen keeps its code while it is fresh.
    assert _code(screen.get("/display").get_data(as_text=True)) == code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Display)) == 1


def test_an_expired_code_is_replaced_and_no_longer_pairs(screen, client, login, world):
    old = _code(screen.get("/display").get_data(as_text=True))
    row = db.session.scalar(sa.select(Display))
    row.code_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    # Pairing with a code that expired but is still on record: a clear message.
    response = _pair(client, login, world.lead, old, world.here)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "code"
    assert "expired" in response.get_json()["error"]["message"]
    new = _code(screen.get("/display").get_data(as_text=True))
    assert new != old
    response = _pair(client, login, world.lead, old, world.here)
    assert response.status_code == 422
    assert "No screen shows the code" in response.get_json()["error"]["message"]


def test_a_lead_pairs_a_screen_that_then_shows_the_location(screen, client, login, world, soon):
    code = _code(screen.get("/display").get_data(as_text=True))
    response = _pair(client, login, world.lead, code.lower()[:3] + "-" + code[3:], world.here)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["location_id"] == world.here.id and body["name"] == "Break room"
    row = db.session.get(Display, body["id"])
    assert row.code is None and row.paired_by_id == world.lead.id
    page = screen.get("/display").get_data(as_text=True)
    assert "Morning" in page and "ds-huddle" in page
    # The code was single-use.
    again = _pair(client, login, world.admin, code, world.here)
    assert again.status_code == 422
    listed = client.get(f"/api/v1/displays?location_id={world.here.id}").get_json()
    assert [item["id"] for item in listed] == [body["id"]]


@pytest.mark.parametrize("who", ["staff", "other_lead"])
def test_only_a_lead_of_the_location_or_an_admin_pairs(screen, client, login, world, who):
    code = _code(screen.get("/display").get_data(as_text=True))
    user = world.staff if who == "staff" else world.other_lead
    response = _pair(client, login, user, code, world.here)
    assert response.status_code == 403
    assert "Harbour" not in response.get_json()["error"]["message"] or who == "other_lead"
    assert db.session.scalar(sa.select(Display.location_id)) is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"code": "ABC", "location_id": 1}, "code"),
        ({"code": "AAAAAA"}, "location_id"),
        ({"code": "AAAAAA", "location_id": "x"}, "location_id"),
        ({"code": None, "location_id": 1}, "code"),
    ],
)
def test_bad_pairing_requests_say_what_is_wrong(client, login, world, body, field):
    if body.get("location_id") == 1:
        body = {**body, "location_id": world.here.id}
    login(world.lead)
    response = client.post("/api/v1/displays/pair", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_the_screen_credential_opens_nothing_but_the_screen(screen, client, login, world, soon):
    code = _code(screen.get("/display").get_data(as_text=True))
    assert _pair(client, login, world.lead, code, world.here).status_code == 201
    token = _cookie(screen)
    thief = screen.application.test_client()
    # Sent everywhere (as if its path were "/"), it signs nobody in.
    thief.set_cookie(COOKIE, token, path="/")
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/api/v1/locations").status_code == 401
    agenda = thief.get(f"/api/v1/shifts/{soon.id}/agenda")
    assert agenda.status_code == 401
    assert thief.get("/").headers["Location"].startswith("/login")
    assert thief.get("/displays").headers["Location"].startswith("/login")
    assert thief.get(f"/huddle/{soon.id}/2026-01-01").headers["Location"].startswith("/login")
    assert thief.post("/displays/follow", json={"shift_id": soon.id}).status_code in (302, 401)
    # As a bearer token it is no API token either.
    response = thief.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    # The screen shows its own location, whatever it asks for.
    state = thief.get(f"/display/state?location_id={world.there.id}").get_json()
    assert state["location"] == world.here.name
    assert world.there.name not in state["html"]


def test_unpairing_turns_the_screen_back_into_a_code_at_once(screen, client, login, world):
    code = _code(screen.get("/display").get_data(as_text=True))
    display_id = _pair(client, login, world.lead, code, world.here).get_json()["id"]
    old_token = _cookie(screen)
    assert screen.get("/display/state").get_json()["mode"] in ("idle", "huddle")
    # Another location's lead cannot unpair it.
    login(world.other_lead)
    assert client.delete(f"/api/v1/displays/{display_id}").status_code == 403
    login(world.lead)
    response = client.delete(f"/api/v1/displays/{display_id}")
    assert response.status_code == 200 and db.session.get(Display, display_id) is None
    state = screen.get("/display/state").get_json()
    assert state["mode"] == "code"
    assert _cookie(screen) != old_token
    assert _code(state["html"]) != code
    assert client.delete(f"/api/v1/displays/{display_id}").status_code == 404


def test_the_pairing_page_pairs_and_unpairs_with_errors_next_to_the_field(
    screen, client, login, world
):
    login(world.lead)
    page = client.get("/displays")
    assert page.status_code == 200 and "Pair a screen" in page.get_data(as_text=True)
    wrong = client.post("/displays", data={"code": "QQQQQQ", "location_id": world.here.id})
    assert wrong.status_code == 422
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    other = client.post("/displays", data={"code": "QQQQQQ", "location_id": world.there.id})
    assert other.status_code == 422 and "Pick one of your locations" in other.get_data(True)
    code = _code(screen.get("/display").get_data(as_text=True))
    done = client.post(
        "/displays", data={"code": code, "location_id": world.here.id, "name": "Kitchen TV"}
    )
    assert done.status_code == 302
    listing = client.get("/displays").get_data(as_text=True)
    assert "Kitchen TV" in listing
    display_id = db.session.scalar(sa.select(Display.id))
    assert client.post(f"/displays/{display_id}/unpair").status_code == 302
    assert db.session.get(Display, display_id) is None


def _thank(giver, to_user_id: int, message: str) -> None:
    give_kudos(
        giver, to_user_id=to_user_id, message=message, value=None, now=utcnow(), daily_cap=100
    )


def _paired_stage(screen, client, login, world) -> str:
    """The HTML a new screen shows once the world's lead has paired it to 'here'."""
    code = _code(screen.get("/display").get_data(as_text=True))
    _pair(client, login, world.lead, code, world.here)
    return screen.get("/display/state").get_json()["html"]


def _lena_id() -> int:
    return db.session.scalar(sa.select(User.id).where(User.name == "Lena Lindqvist"))


def test_a_screen_shows_first_names_only(screen, client, login, world, soon):
    _thank(world.lead, _lena_id(), "Thanks for covering the desk.")
    html = _paired_stage(screen, client, login, world)
    assert "Lena" in html and "Thanks for covering the desk." in html
    assert "Lindqvist" not in html
    assert world.lead.name not in html and world.lead.name.split()[0] in html


def test_the_screen_reads_out_the_ten_the_lead_does_and_says_how_many_wait(
    screen, client, login, world, soon
):
    """The TV shows the thank-yous the lead's screen reads out (the oldest ten) and, like it,
    how many more wait on the wall."""
    for n in range(12):
        _thank(world.lead, _lena_id(), f"Thanks number {n}.")
    html = _paired_stage(screen, client, login, world)
    assert "Thanks number 9." in html and "Thanks number 10." not in html
    assert "More thank-yous on the wall: 2" in html


def test_between_huddles_the_screen_is_idle_with_the_next_time_and_thank_yous(
    screen, client, login, world, make_shift
):
    world.shift.active = False
    db.session.commit()
    zone = ZoneInfo(world.here.timezone)
    later = (datetime.now(zone) + timedelta(hours=3)).replace(second=0, microsecond=0)
    make_shift(world.here, "Evening", time(later.hour, later.minute), 120, roster=[world.staff])
    give_kudos(
        world.staff,
        to_user_id=world.colleague.id,
        message="You saved the morning.",
        value=None,
        now=utcnow(),
        daily_cap=5,
    )
    code = _code(screen.get("/display").get_data(as_text=True))
    _pair(client, login, world.lead, code, world.here)
    state = screen.get("/display/state").get_json()
    assert state["mode"] == "idle"
    assert later.strftime("%H:%M") in state["html"] and "Evening" in state["html"]
    assert "You saved the morning." in state["html"] and "Cleo" in state["html"]
    assert "Colleague" not in state["html"]


def test_a_running_huddle_is_shown_and_the_lead_moves_the_slot(
    screen, client, login, world, soon, count_queries
):
    code = _code(screen.get("/display").get_data(as_text=True))
    _pair(client, login, world.lead, code, world.here)
    first = screen.get("/display/state")
    assert first.get_json()["mode"] == "huddle"
    etag = first.headers["ETag"]
    with count_queries() as counter:
        again = screen.get("/display/state", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert counter.count == 1, counter.statements
    agenda = db.session.scalar(sa.select(Agenda).where(Agenda.shift_id == soon.id))
    day = agenda.day.isoformat()
    login(world.lead)
    assert client.post(f"/huddle/{soon.id}/{day}/start").status_code in (200, 302)
    moved = client.post("/displays/follow", json={"shift_id": soon.id, "date": day, "slot": 2})
    assert moved.status_code == 200, moved.get_json()
    state = screen.get("/display/state", headers={"If-None-Match": etag})
    assert state.status_code == 200
    assert 'data-slot="2"' in state.get_json()["html"]
    assert 'data-status="running"' in state.get_json()["html"]
    assert db.session.get(DisplayState, world.here.id).slot == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"date": "2026-01-01", "slot": 1}, "shift_id"),
        ({"shift_id": "x", "date": "2026-01-01", "slot": 1}, "shift_id"),
        ({"shift_id": 0, "date": "not a date", "slot": 1}, "date"),
        ({"shift_id": 0, "slot": -1}, "slot"),
        ({"shift_id": 0, "slot": True}, "slot"),
    ],
)
def test_follow_refuses_bad_input(client, login, world, soon, body, field):
    if body.get("shift_id") == 0:
        body = {**body, "shift_id": soon.id}
    if field == "slot":
        body["date"] = datetime.now(ZoneInfo(world.here.timezone)).date().isoformat()
        day = datetime.fromisoformat(body["date"]).date()
        from huddles.agenda.planning import get_agenda

        get_agenda(soon, day, now=utcnow())
    login(world.lead)
    response = client.post("/displays/follow", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_follow_is_for_the_location_lead_only(client, login, world, soon):
    login(world.other_lead)
    response = client.post(
        "/displays/follow", json={"shift_id": soon.id, "date": "2026-01-01", "slot": 0}
    )
    assert response.status_code == 403


def test_pair_service_refuses_codes_of_the_wrong_shape():
    for raw in ("", "ABCDE", "ABCDEFG", "ABCDE0", "ABC DE!"):
        with pytest.raises(FieldError):
            service.normalise_code(raw)
    assert service.normalise_code(" acd-efg ") == "ACDEFG"


def test_unpaired_screens_nobody_looks_at_are_forgotten(app):
    now = utcnow()
    old, _token = service.new_display(now=now - timedelta(days=3))
    fresh, _token = service.new_display(now=now)
    assert service.prune_unpaired(now) == 1
    assert db.session.get(Display, fresh.id) is not None


def test_openapi_describes_the_screen_and_location_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/displays/pair"] and "get" in paths["/displays"]
    assert "delete" in paths["/displays/{id}"] and "patch" in paths["/locations/{id}"]


@pytest.fixture
def limited_app(database_url):
    from huddles import create_app
    from tests.conftest import test_config

    app = create_app(test_config(database_url, RATELIMIT_ENABLED=True))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_client_address_cannot_flood_the_table_with_screens(app, limited_app, monkeypatch):
    monkeypatch.setattr("huddles.displays.views.NEW_SCREENS_LIMIT", "3 per hour")
    client = limited_app.test_client()
    statuses = []
    for _ in range(5):
        client.delete_cookie(COOKIE, path="/display")
        statuses.append(client.get("/display").status_code)
    assert statuses == [200, 200, 200, 429, 429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Display)) == 3


def test_a_start_and_a_mark_show_on_the_screen_without_a_new_slot(
    screen, client, login, world, soon, count_queries
):
    code = _code(screen.get("/display").get_data(as_text=True))
    _pair(client, login, world.lead, code, world.here)
    screen.get("/display/state")  # makes the agenda of the huddle in its window
    day = db.session.scalar(sa.select(Agenda.day).where(Agenda.shift_id == soon.id))
    login(world.lead)
    client.post("/displays/follow", json={"shift_id": soon.id, "date": day.isoformat(), "slot": 0})
    etag = screen.get("/display/state").headers["ETag"]
    # The huddle starts and someone is marked: no follow call, no signal, yet the ETag moves.
    client.post(f"/huddle/{soon.id}/{day.isoformat()}/start")
    started = screen.get("/display/state", headers={"If-None-Match": etag})
    assert started.status_code == 200 and 'data-status="running"' in started.get_json()["html"]
    etag = started.headers["ETag"]
    response = client.put(
        f"/api/v1/shifts/{soon.id}/attendance/{world.lead.id}?date={day.isoformat()}",
        json={"status": "present"},
    )
    assert response.status_code == 200
    marked = screen.get("/display/state", headers={"If-None-Match": etag})
    assert marked.status_code == 200
    assert "1 of 2 here" in marked.get_json()["html"]
    etag = marked.headers["ETag"]
    with count_queries() as counter:
        assert screen.get("/display/state", headers={"If-None-Match": etag}).status_code == 304
    assert counter.count == 1


def test_after_the_finish_the_screen_thanks_the_room_then_goes_idle(
    screen, client, login, world, soon
):
    code = _code(screen.get("/display").get_data(as_text=True))
    _pair(client, login, world.lead, code, world.here)
    screen.get("/display/state")
    day = db.session.scalar(sa.select(Agenda.day).where(Agenda.shift_id == soon.id)).isoformat()
    login(world.lead)
    client.post(f"/huddle/{soon.id}/{day}/start")
    client.post("/displays/follow", json={"shift_id": soon.id, "date": day, "slot": 4})
    client.post(f"/huddle/{soon.id}/{day}/finish")
    state = screen.get("/display/state").get_json()
    assert state["mode"] == "done" and "Huddle done. Thank you!" in state["html"]
    agenda = db.session.scalar(sa.select(Agenda).where(Agenda.shift_id == soon.id))
    agenda.finished_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert screen.get("/display/state").get_json()["mode"] == "idle"


def test_a_thank_you_reaches_the_screens_of_its_location_at_their_next_poll(
    screen, client, login, world, make_shift
):
    """Between huddles the screen shows the thank-yous waiting to be read out."""
    world.shift.active = False
    db.session.commit()
    later = (datetime.now(ZoneInfo(world.here.timezone)) + timedelta(hours=3)).time()
    make_shift(world.here, "Evening", later.replace(second=0, microsecond=0), 120)
    code = _code(screen.get("/display").get_data(as_text=True))
    _pair(client, login, world.lead, code, world.here)
    etag = screen.get("/display/state").headers["ETag"]
    other = db.session.scalar(
        sa.select(DisplayState.version).where(DisplayState.location_id == world.there.id)
    )
    _thank(world.staff, world.colleague.id, "You covered the desk at once.")
    posted = screen.get("/display/state", headers={"If-None-Match": etag})
    assert posted.status_code == 200
    assert "You covered the desk at once." in posted.get_json()["html"]
    # Hidden by the lead, it leaves the screen at once too.
    kudos_id = db.session.scalar(sa.select(Kudos.id).order_by(Kudos.id.desc()))
    hide_kudos(world.lead, world.here, kudos_id, reason="Names a guest", now=utcnow())
    hidden = screen.get("/display/state", headers={"If-None-Match": posted.headers["ETag"]})
    assert hidden.status_code == 200
    assert "You covered the desk at once." not in hidden.get_json()["html"]
    # Another location's screens are left alone.
    assert (
        db.session.scalar(
            sa.select(DisplayState.version).where(DisplayState.location_id == world.there.id)
        )
        == other
    )
