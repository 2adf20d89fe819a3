"""The CLI of the contract: demo load, users create, users token."""

import sqlalchemy as sa

from huddles.auth.models import User
from huddles.extensions import db
from huddles.org.models import Location, Shift


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_load_makes_two_locations_and_is_idempotent(runner, monkeypatch):
    monkeypatch.setenv("HUDDLES_DEMO_PASSWORD", "demo password 123")
    result = runner.invoke(args=["demo", "load"])
    assert "demo password 123" in result.output
    assert count(Location) == 2
    people = count(User)
    lead = db.session.scalar(sa.select(User).where(User.email == "lead@example.com"))
    lead2 = db.session.scalar(sa.select(User).where(User.email == "lead2@example.com"))
    assert lead.location_id != lead2.location_id
    assert lead.check_password("demo password 123")
    for location in db.session.scalars(sa.select(Location)):
        shifts = db.session.scalars(sa.select(Shift).where(Shift.location_id == location.id)).all()
        assert len(shifts) >= 2
        rostered = {entry.user_id for shift in shifts for entry in shift.roster}
        assert len(rostered) >= 13
    again = runner.invoke(args=["demo", "load"])
    assert "already loaded" in again.output
    assert count(User) == people


def test_demo_load_makes_a_random_password_when_none_is_given(runner, monkeypatch):
    monkeypatch.delenv("HUDDLES_DEMO_PASSWORD", raising=False)
    result = runner.invoke(args=["demo", "load"])
    password = result.output.split("password: ")[1].strip()
    assert len(password) >= 10
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.com"))
    assert admin.check_password(password)


def test_demo_load_if_empty_leaves_a_used_database_alone(runner, make_user):
    make_user("admin")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "no demo data" in result.output
    assert count(Location) == 0


def test_users_create_and_token(runner, client, monkeypatch, make_location):
    make_location("Harbour Hotel")
    monkeypatch.setenv("HUDDLES_PASSWORD", "a long enough password")
    created = runner.invoke(
        args=[
            "users",
            "create",
            "Kim@Example.com",
            "--name",
            "Kim",
            "--role",
            "lead",
            "--location",
            "Harbour Hotel",
        ]
    )
    assert created.exit_code == 0, created.output
    kim = db.session.scalar(sa.select(User).where(User.email == "kim@example.com"))
    assert kim.role == "lead" and kim.check_password("a long enough password")
    token = runner.invoke(args=["users", "token", "kim@example.com"]).output.strip()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["email"] == "kim@example.com"


def test_users_create_explains_bad_input(runner, monkeypatch, make_location):
    monkeypatch.setenv("HUDDLES_PASSWORD", "a long enough password")
    no_location = runner.invoke(
        args=["users", "create", "a@example.com", "--name", "A", "--role", "staff"]
    )
    assert no_location.exit_code != 0 and "need a location" in no_location.output
    unknown = runner.invoke(
        args=["users", "create", "a@example.com", "--name", "A", "--role", "owner"]
    )
    assert unknown.exit_code != 0 and "owner" in unknown.output
    missing = runner.invoke(args=["users", "token", "nobody@example.com"])
    assert missing.exit_code != 0 and "no active person" in missing.output
    assert count(User) == 0


def test_demo_load_if_empty_reminds_of_the_demo_sign_ins(runner, monkeypatch):
    monkeypatch.setenv("HUDDLES_DEMO_PASSWORD", "demo password 123")
    runner.invoke(args=["demo", "load"])
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "lead@example.com" in again.output
    assert "demo password 123" not in again.output
