"""End to end in headless Chromium: on a shared screen, signing out really signs out."""

from __future__ import annotations

import pytest

from huddles.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_out_with_keep_me_signed_in_leaves_the_next_person_nothing(
    live_server, browser, world
):
    world.lead.set_password(PASSWORD)
    db.session.commit()
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=email]", world.lead.email)
    page.fill("input[name=password]", PASSWORD)
    page.check("input[name=remember]")
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")
    copied = context.cookies()
    assert any(cookie["name"] == "session" and cookie["expires"] > 0 for cookie in copied)

    page.click("header button:has-text('Sign out')")
    page.wait_for_url(live_server + "/login")
    # The next person at the screen opens the app, and goes Back: the lead is gone.
    page.goto(live_server + "/")
    assert page.url.startswith(live_server + "/login")
    page.go_back()
    page.goto(live_server + "/account")
    assert page.url.startswith(live_server + "/login")

    # Someone who had copied the cookie before the sign-out gets nothing with it either.
    thief = browser.new_context()
    thief.add_cookies(copied)
    other = thief.new_page()
    other.goto(live_server + "/account")
    assert other.url.startswith(live_server + "/login")
    thief.close()
    context.close()
