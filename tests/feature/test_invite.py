"""The invite form: a new person is staff at a location unless the admin chooses otherwise."""

from __future__ import annotations

from html.parser import HTMLParser

import sqlalchemy as sa

from huddles.auth.models import User
from huddles.extensions import db


class FormDefaults(HTMLParser):
    """What a browser would submit for a form when nobody touches it."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("checkbox", "submit"):
            self.values[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            value = attributes.get("value") or ""
            if self._first is None:
                self._first = value
            if "selected" in attributes:
                self.values[self._select] = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.values.setdefault(self._select, self._first or "")
            self._select = None


def untouched_form(html: str) -> dict[str, str]:
    parser = FormDefaults()
    form = next(part for part in html.split("<form")[1:] if 'name="email"' in part)
    parser.feed("<form" + form.split("</form>", 1)[0])
    return parser.values


def test_inviting_without_touching_the_role_makes_staff_at_a_location(client, world, login):
    login(world.admin)
    page = client.get("/admin/people/new").get_data(as_text=True)
    data = untouched_form(page)
    assert data["role"] == "staff"
    assert data["location_id"] == str(world.here.id), "the first location (by name) is chosen"
    data.update(name="Nia New", email="nia@example.com")
    response = client.post("/admin/people/new", data=data)
    assert response.status_code == 200
    nia = db.session.scalar(sa.select(User).where(User.email == "nia@example.com"))
    assert (nia.role, nia.location_id) == ("staff", world.here.id)
    assert "invited as Staff at <bdi>Harbour Hotel</bdi>" in response.get_data(as_text=True)


def test_an_admin_is_made_only_when_chosen(client, world, login):
    login(world.admin)
    data = untouched_form(client.get("/admin/people/new").get_data(as_text=True))
    data.update(name="Ari Admin", email="ari@example.com", role="admin", location_id="0")
    page = client.post("/admin/people/new", data=data).get_data(as_text=True)
    ari = db.session.scalar(sa.select(User).where(User.email == "ari@example.com"))
    assert (ari.role, ari.location_id) == ("admin", None)
    assert "invited as Admin" in page


def test_staff_without_a_location_is_refused_and_nothing_is_made(client, world, login):
    login(world.admin)
    data = untouched_form(client.get("/admin/people/new").get_data(as_text=True))
    data.update(name="Nia New", email="nia@example.com", location_id="0")
    response = client.post("/admin/people/new", data=data)
    assert response.status_code == 422
    assert db.session.scalar(sa.select(User).where(User.email == "nia@example.com")) is None


def test_editing_a_person_keeps_their_role_and_location(client, world, login):
    login(world.admin)
    data = untouched_form(client.get(f"/admin/people/{world.lead.id}").get_data(as_text=True))
    assert (data["role"], data["location_id"]) == ("lead", str(world.here.id))
    data = untouched_form(client.get(f"/admin/people/{world.admin.id}").get_data(as_text=True))
    assert (data["role"], data["location_id"]) == ("admin", "0")
