"""Every route of the app, tried as each role and with another location's ids.

The walk is generic: a new route is covered the moment it is registered. A route with a URL
variable that ROUTE_VALUES does not know makes the test fail and say which value to add.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.conftest import World

# Routes that anyone may open without signing in.
PUBLIC = {
    "auth.login",
    "auth.logout",
    "auth.set_password",
    "auth.choose_password",
    "auth.claim_set_password_link",
    "auth.forgot_password",
    "api.health",
    "api.openapi",
    "static",
    "displays.screen",
    "displays.state",
    "pwa.manifest",
    "pwa.favicon",
    "pwa.service_worker",
    # The language switcher works signed out too (a cookie keeps the choice).
    "i18n.choose_language",
}
# Routes that staff may use (read or post) at their own location; everything else under /admin
# and every write that is not listed here is for leads and admins only.
STAFF_WRITES = {"auth.account", "auth.revoke_token", "auth.logout", "kudos.wall", "kudos.give"}
STAFF_WRITES |= {"auth.end_other_sessions", "auth.change_password", "i18n.choose_language"}


def _today(world: World) -> str:
    return datetime.now(ZoneInfo(world.there.timezone)).date().isoformat()


def _other_kudos(world: World) -> int:
    """A kudos at the other location (made once per test)."""
    import sqlalchemy as sa

    from huddles.extensions import db
    from huddles.kudos.models import Kudos

    found = db.session.scalar(sa.select(Kudos.id).where(Kudos.location_id == world.there.id))
    if found is not None:
        return found
    kudos = Kudos(
        location_id=world.there.id,
        from_user_id=world.other_lead.id,
        to_user_id=world.other_staff.id,
        message="Thanks",
        given_on=date(2026, 1, 1),
        daily_number=1,
    )
    db.session.add(kudos)
    db.session.commit()
    return kudos.id


def _other_story(world: World) -> int:
    """A wow story told at the other location (made once per test)."""
    import sqlalchemy as sa

    from huddles.extensions import db
    from huddles.stories.models import Story

    found = db.session.scalar(sa.select(Story.id).where(Story.location_id == world.there.id))
    if found is not None:
        return found
    story = Story(
        organisation_id=world.there.organisation_id,
        location_id=world.there.id,
        teller_id=world.other_staff.id,
        title="At the bistro",
        body="A story.",
    )
    db.session.add(story)
    db.session.commit()
    return story.id


def _other_display(world: World) -> int:
    """A screen paired at the other location (made once per test)."""
    import sqlalchemy as sa

    from huddles.displays.models import Display
    from huddles.extensions import db

    found = db.session.scalar(sa.select(Display.id).where(Display.location_id == world.there.id))
    if found is not None:
        return found
    display = Display(token_hash="0" * 64, location_id=world.there.id, name="Bistro TV")
    db.session.add(display)
    db.session.commit()
    return display.id


# For each URL variable: a function of the world giving the value that points at the OTHER
# location (where the signed-in lead and staff have no business).
ROUTE_VALUES: dict[str, Callable[[World], Any]] = {
    "location_id": lambda w: w.there.id,
    "shift_id": lambda w: w.other_shift.id,
    "user_id": lambda w: w.other_staff.id,
    "token_id": lambda w: 999_999,
    "token": lambda w: "not-a-token",
    "filename": lambda w: "css/app.css",
    "day": _today,
    "date": _today,
    "kudos_id": _other_kudos,
    "story_id": _other_story,
    # Topics belong to no location: an unknown slug must give a clean 404 to everyone.
    "slug": lambda w: "not-a-topic",
    "number": lambda w: 999_999,
    "pin_id": lambda w: 999_999,
    "display_id": _other_display,
}


def _url(app: Flask, rule: Rule, world: World) -> str:
    values = {}
    for name in rule.arguments:
        if name not in ROUTE_VALUES:
            pytest.fail(
                f"tests/feature/test_access.py: add a value for <{name}> (route {rule.rule})"
            )
        value = ROUTE_VALUES[name](world)
        values[name] = value.isoformat() if isinstance(value, date) else value
    with app.test_request_context():
        return rule.build(values, append_unknown=False)[1]


def _rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


def _method(rule: Rule) -> str:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if method in rule.methods:
            return method
    raise AssertionError(rule)


def _call(client, method: str, url: str):
    response = client.open(url, method=method, json=None if method == "GET" else {})
    response.get_data()
    response.close()
    return response


def test_every_route_asks_anonymous_visitors_to_sign_in(app, client, world):
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = _call(client, method, _url(app, rule, world))
            where = f"{method} {rule.rule}"
            if rule.rule.startswith("/api/"):
                assert response.status_code == 401, where
                assert response.get_json()["error"]["code"], where
            else:
                assert response.status_code in (302, 401), where
                if response.status_code == 302:
                    assert response.headers["Location"].startswith("/login"), where


@pytest.mark.parametrize("role", ["staff", "lead"])
def test_no_route_shows_or_changes_another_locations_data(app, client, world, login, role):
    """A lead or staff member of one location gets 403/404 for everything of the other."""
    login(world.by_role(role))
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or not rule.arguments - {"filename", "token_id", "token"}:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = _call(client, method, _url(app, rule, world))
            where = f"{role} {method} {rule.rule}"
            assert response.status_code in (403, 404), where
            if rule.rule.startswith("/api/"):
                assert response.get_json()["error"]["message"], where
            else:
                page = response.get_data(as_text=True)
                assert "Traceback" not in page, where


@pytest.mark.parametrize("role", ["staff", "lead"])
def test_admin_pages_are_for_admins_only(app, client, world, login, role):
    login(world.by_role(role))
    for rule in _rules(app):
        if not rule.rule.startswith("/admin") or rule.endpoint == "org.roster":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(app, rule, world).replace(str(world.there.id), str(world.here.id))
            response = _call(client, method, url)
            assert response.status_code in (403, 404), f"{role} {method} {rule.rule}"


@pytest.mark.parametrize("role", ["anonymous", "staff", "lead", "admin"])
def test_no_route_fails_for_any_role(app, client, world, login, role):
    """Whatever a role asks for, with whatever ids, the answer is never a server error."""
    login(world.by_role(role))
    for rule in _rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for url in {
                _url(app, rule, world),
                _url(app, rule, world).replace(str(world.there.id), str(world.here.id)),
            }:
                response = _call(client, method, url)
                assert response.status_code < 500, f"{role} {method} {url}"
