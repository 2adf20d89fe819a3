"""End to end in headless Chromium: on a shared screen, signing out really signs out."""

from __future__ import annotations

import time

import pytest

from huddles.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import wait_for_service_worker

pytestmark = pytest.mark.browser


def signed_in_lead(live_server, browser, world, *, remember: bool = False):
    """A TV-sized browser context with the world's lead signed in, and its page."""
    world.lead.set_password(PASSWORD)
    db.session.commit()
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=email]", world.lead.email)
    page.fill("input[name=password]", PASSWORD)
    if remember:
        page.check("input[name=remember]")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(live_server + "/")
    return context, page


def test_sign_out_with_keep_me_signed_in_leaves_the_next_person_nothing(
    live_server, browser, world
):
    context, page = signed_in_lead(live_server, browser, world, remember=True)
    copied = context.cookies()
    assert any(cookie["name"] == "session" and cookie["expires"] > 0 for cookie in copied)
    # The service worker has installed (its copies made): sign-out then clears them, rather than
    # cutting its downloads off half-way, which the test server would report.
    wait_for_service_worker(page)

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


def _kept_pages(page) -> list[str]:
    return page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )


def test_sign_out_empties_the_service_workers_copies_of_huddle_pages(
    live_server, browser, world, clock
):
    """The service worker keeps the huddle page for when the network drops; after sign-out the
    next person at the screen finds no copy of it (Clear-Site-Data)."""
    context, page = signed_in_lead(live_server, browser, world)
    wait_for_service_worker(page)
    huddle = f"{live_server}/huddle/{world.shift.id}/2026-12-02"
    page.goto(huddle)
    # Polled from here: the page's CSP refuses the string evaluation an async wait_for_function
    # predicate needs, while page.evaluate is not subject to it.
    deadline = time.monotonic() + 10
    while huddle not in _kept_pages(page):
        assert time.monotonic() < deadline, "the service worker kept no copy of the huddle page"
        page.wait_for_timeout(100)
    page.goto(live_server + "/")
    page.click("header button:has-text('Sign out')")
    page.wait_for_url(live_server + "/login")
    assert not [url for url in _kept_pages(page) if "/huddle/" in url]
    context.close()
