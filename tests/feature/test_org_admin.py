"""Admin pages for locations, shifts, rosters and people: bad input is named, nothing half-saved."""

import re

import pytest
import sqlalchemy as sa

from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import Location, RosterEntry, Shift
from tests.conftest import open_set_password_link, sign_in_client


def error_text(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    return page


def test_admin_creates_a_location(client, world, login):
    login(world.admin)
    response = client.post(
        "/admin/locations/new",
        data={"name": "Airport Lounge", "timezone": "Asia/Dubai", "locale": "ar"},
    )
    created = db.session.scalar(sa.select(Location).where(Location.name == "Airport Lounge"))
    assert response.headers["Location"] == f"/admin/locations/{created.id}"
    assert (created.timezone, created.locale) == ("Asia/Dubai", "ar")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "X", "timezone": "Mars/Olympus", "locale": "en"}, "Unknown time zone"),
        ({"name": "Harbour Hotel", "timezone": "UTC", "locale": "en"}, "already a location"),
        ({"name": "", "timezone": "UTC", "locale": "en"}, "This field is required"),
        ({"name": "Y", "timezone": "UTC", "locale": "xx"}, "Not a valid choice"),
    ],
)
def test_a_bad_location_is_refused_next_to_the_field(client, world, login, data, message):
    login(world.admin)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Location))
    page = error_text(client.post("/admin/locations/new", data=data))
    assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Location)) == before


def test_admin_creates_a_night_shift(client, world, login):
    login(world.admin)
    client.post(
        f"/admin/locations/{world.here.id}/shifts/new",
        data={
            "name": "Night",
            "starts_at": "22:00",
            "ends_at": "06:30",
            "overnight": "y",
            "weekdays": ["0", "1", "2", "3", "4"],
            "active": "y",
        },
    )
    night = db.session.scalar(sa.select(Shift).where(Shift.name == "Night"))
    assert night.duration_minutes == 510
    assert night.weekdays == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_at": "14:00", "ends_at": "08:00"}, "The end is before the start"),
        ({"starts_at": "08:00", "ends_at": "14:00", "overnight": "y"}, "must end before it starts"),
        ({"starts_at": "08:00", "ends_at": "14:00", "weekdays": []}, "Pick at least one weekday"),
        ({"starts_at": "25:00", "ends_at": "14:00"}, "Not a valid time"),
        ({"name": "Early"}, "already has a shift named Early"),
    ],
)
def test_a_bad_shift_is_refused_next_to_the_field(client, world, login, data, message):
    login(world.admin)
    form = {
        "name": "Brunch",
        "starts_at": "09:00",
        "ends_at": "13:00",
        "weekdays": ["5", "6"],
        **data,
    }
    page = error_text(client.post(f"/admin/locations/{world.here.id}/shifts/new", data=form))
    assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shift)) == 2


def test_a_lead_edits_the_roster_of_their_own_shift(client, world, login, make_user):
    newcomer = make_user("staff", world.here, name="Nia New")
    login(world.lead)
    client.post(
        f"/admin/shifts/{world.shift.id}/roster",
        data={"people": [str(world.staff.id), str(newcomer.id)]},
    )
    on_roster = set(
        db.session.scalars(
            sa.select(RosterEntry.user_id).where(RosterEntry.shift_id == world.shift.id)
        )
    )
    assert on_roster == {world.staff.id, newcomer.id}


def test_nobody_from_another_location_can_join_a_roster(client, world, login):
    login(world.admin)
    response = client.post(
        f"/admin/shifts/{world.shift.id}/roster", data={"people": [str(world.other_staff.id)]}
    )
    assert response.status_code == 422
    assert len(db.session.get(Shift, world.shift.id).roster) == 3


def test_inviting_a_person_shows_a_one_time_link(client, world, login):
    login(world.admin)
    response = client.post(
        "/admin/people/new",
        data={
            "name": "Nia New",
            "email": "Nia@Example.com",
            "role": "staff",
            "location_id": str(world.here.id),
            "locale": "pl",
        },
    )
    page = response.get_data(as_text=True)
    assert "/set-password/" not in page  # the token is after '#', out of every request path
    nia = db.session.scalar(sa.select(User).where(User.email == "nia@example.com"))
    assert (nia.role, nia.locale, nia.password_hash) == ("staff", "pl", None)
    link = re.search(r'value="(http://localhost/set-password#[^"]+)"', page).group(1)
    client.post("/logout")
    claimed = open_set_password_link(client, link)
    assert "Choose a password for nia@example.com" in client.get(
        claimed.headers["Location"]
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "LENA.LEAD@example.com"}, "already uses the email"),
        ({"email": "not an email"}, "not a valid email"),
        ({"role": "owner"}, "Not a valid choice"),
        ({"role": "staff", "location_id": "0"}, "need a location"),
    ],
)
def test_a_bad_person_is_refused_next_to_the_field(client, world, login, data, message):
    world.lead.email = "lena.lead@example.com"
    db.session.commit()
    login(world.admin)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    form = {
        "name": "Nia",
        "email": "nia@example.com",
        "role": "staff",
        "location_id": str(world.here.id),
        "locale": "",
        **data,
    }
    page = error_text(client.post("/admin/people/new", data=form))
    assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_deactivating_ends_the_persons_sessions(app, world, login, client):
    other_client = app.test_client()
    sign_in_client(other_client, world.staff)
    assert other_client.get("/").status_code == 200
    login(world.admin)
    client.post(f"/admin/people/{world.staff.id}/active", data={"active": "0"})
    assert db.session.get(User, world.staff.id).active is False
    assert other_client.get("/").status_code == 302


def test_admins_cannot_deactivate_themselves(client, world, login):
    login(world.admin)
    client.post(f"/admin/people/{world.admin.id}/active", data={"active": "0"})
    assert db.session.get(User, world.admin.id).active is True


def test_resetting_a_password_ends_sessions_and_gives_a_link(client, world, login, app):
    world.staff.set_password("an old password")
    db.session.commit()
    login(world.admin)
    page = client.post(f"/admin/people/{world.staff.id}/reset-password").get_data(as_text=True)
    assert "http://localhost/set-password#" in page and "/set-password/" not in page
    staff = db.session.get(User, world.staff.id)
    assert staff.password_hash is None
    assert not staff.check_password("an old password")


def test_admin_pages_render(client, world, login):
    login(world.admin)
    for url in [
        "/admin/locations",
        f"/admin/locations/{world.here.id}",
        "/admin/people",
        f"/admin/shifts/{world.shift.id}",
        f"/admin/shifts/{world.shift.id}/roster",
        f"/admin/people/{world.staff.id}",
        "/admin/people/new",
        "/admin/locations/new",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/admin/locations/{world.here.id}").get_data(as_text=True)
    assert "Early" in page and "Europe/Berlin" in page
