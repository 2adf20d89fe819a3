"""End to end in headless Chromium: an invite link opens on the choose-password form, and the
token after '#' never reaches the server in a request path (so no access log holds it)."""

from __future__ import annotations

import logging

import pytest
from flask import request

from huddles.auth import service
from huddles.auth.models import User
from huddles.extensions import db
from tests.e2e.test_huddle_browser import eventually

pytestmark = pytest.mark.browser
NEW_SECRET = "a brand new secret"


@pytest.fixture
def invited(app, make_user, make_location):
    person = make_user("staff", make_location(), email="nia@example.com")
    return person, service.make_set_password_token(person, app.config["SECRET_KEY"])


@pytest.fixture
def server_log(app, caplog):
    """The paths the app was asked for, and the lines of the server's own access log."""
    paths: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: paths.append(request.full_path))
    caplog.set_level(logging.INFO, logger="werkzeug")
    return paths, caplog


def _never_seen(token: str, server_log) -> None:
    paths, caplog = server_log
    access_log = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/set-password" in line for line in access_log), access_log
    assert not any(token in line for line in access_log), access_log
    assert paths and not any(token in path for path in paths), paths


def test_an_invite_link_opens_on_the_choose_password_form(
    live_server, browser, invited, server_log
):
    person, token = invited
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/set-password#{token}")
    page.wait_for_selector("text=Choose a password for nia@example.com")
    assert page.url == f"{live_server}/set-password"  # the token left the address bar too
    page.fill("input[name=password]", NEW_SECRET)
    page.fill("input[name=confirm]", NEW_SECRET)
    page.click("button:has-text('Set password')")
    page.wait_for_url(live_server + "/")
    eventually(lambda: db.session.get(User, person.id).check_password(NEW_SECRET))
    # Back does not bring the token back either: the history entry is the plain page.
    assert token not in page.evaluate("window.location.href")
    context.close()
    _never_seen(token, server_log)


def test_without_scripts_the_person_pastes_the_link(live_server, browser, invited, server_log):
    person, token = invited
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    link = f"{live_server}/set-password#{token}"
    page.goto(link)
    assert "Scripts are off in this browser" in page.inner_text("main")
    page.fill("input[name=code]", link)
    page.click("button:has-text('Open the link')")
    page.wait_for_selector("text=Choose a password for nia@example.com")
    context.close()
    _never_seen(token, server_log)


def test_a_dead_link_shows_the_invalid_link_page(live_server, browser, invited):
    person, token = invited
    service.reset_password(person)  # a newer link replaced it
    context = browser.new_context()
    page = context.new_page()
    response_statuses: list[int] = []
    page.on("response", lambda response: response_statuses.append(response.status))
    page.goto(f"{live_server}/set-password#{token}")
    page.wait_for_selector("text=This link does not work any more")
    assert 404 in response_statuses
    context.close()
