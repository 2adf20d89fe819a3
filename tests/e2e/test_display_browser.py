"""End to end in Chromium with two pages: a break-room TV paired by its code, and the lead's
phone that runs the huddle; the TV follows within a second and keeps its keyboard."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from huddles.config import PROJECT_ROOT
from huddles.db import utcnow
from huddles.extensions import db
from huddles.kudos.service import give_kudos
from huddles.topics.service import import_library
from tests.conftest import PASSWORD
from tests.e2e.conftest import new_screen, wait_for_service_worker, wait_until

pytestmark = pytest.mark.browser

# Set HUDDLES_SCREENSHOTS=/some/dir to keep pictures of the pages for a look.
SHOTS = os.environ.get("HUDDLES_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def team(world, make_shift, make_user):
    """The world's lead with a password, and a shift of theirs starting in ten minutes."""
    world.lead.set_password(PASSWORD)
    world.shift.active = False
    db.session.commit()
    import_library(Path(PROJECT_ROOT) / "content", None, utcnow())
    zone = ZoneInfo(world.here.timezone)
    local = (datetime.now(zone) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    lena = make_user("staff", world.here, name="Lena Lindqvist")
    shift = make_shift(
        world.here,
        "Morning",
        time(local.hour, local.minute),
        240,
        roster=[world.lead, world.staff, lena],
    )
    give_kudos(
        world.staff,
        to_user_id=lena.id,
        message="Thank you for taking the late check-in.",
        value=None,
        now=utcnow(),
        daily_cap=5,
    )
    return world, shift, local.date()


def test_the_lead_runs_the_paired_screen_from_a_phone(live_server, browser, team):
    world, shift, day = team
    tv_context, tv, code, errors = new_screen(browser, live_server)
    assert len(code) == 6
    _shot(tv, "display-code")

    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(live_server + "/login")
    phone.fill("input[name=email]", world.lead.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(live_server + "/")
    phone.goto(live_server + "/displays")
    phone.fill("input[name=code]", code.lower())
    phone.click("form.stack button[type=submit]")
    phone.wait_for_selector("text=now shows Harbour Hotel")
    _shot(phone, "phone-displays")

    # The TV notices by itself, with no reload and nobody signed in on it.
    tv.wait_for_selector(".ds-huddle", timeout=5000)
    assert "Lena" in tv.inner_text(".ds-huddle") and "Lindqvist" not in tv.content()
    _shot(tv, "display-huddle")

    phone.goto(f"{live_server}/huddle/{shift.id}/{day.isoformat()}")
    _shot(phone, "phone-huddle")
    phone.click(".js-start")
    tv.wait_for_selector('.ds-huddle[data-status="running"]', timeout=5000)
    phone.click(".js-next")
    tv.wait_for_selector('.ds-slot[data-index="1"]:not([hidden])', timeout=2000)
    assert "Thank you for taking the late check-in." in tv.inner_text(".ds-slot.is-current")
    phone.click(".js-next")
    tv.wait_for_selector('.ds-slot[data-index="2"]:not([hidden])', timeout=2000)
    assert tv.locator(".ds-slot:visible").count() == 1
    _shot(tv, "display-topic")
    phone.click(".js-prev")
    tv.wait_for_selector('.ds-slot[data-index="1"]:not([hidden])', timeout=2000)

    # The TV's own keys still work: a look at the next slot, until the lead moves again.
    tv.keyboard.press("ArrowRight")
    assert tv.locator('.ds-slot[data-index="2"]').is_visible()
    assert tv.locator('.ds-slot[data-index="1"]').is_hidden()
    phone.click(".js-next")
    phone.click(".js-next")
    tv.wait_for_selector('.ds-slot[data-index="3"]:not([hidden])', timeout=2000)

    # The lead's attendance panel works on the phone.
    phone.click(".js-attendance")
    row = phone.locator(f'.ap-row[data-user-id="{world.staff.id}"]')
    row.get_by_role("button", name="Present").click()
    _shot(phone, "phone-attendance")
    tv.wait_for_selector("text=1 of 3 here", timeout=3000)
    phone.click(".js-attendance-close")
    phone.click(".js-finish")
    tv.wait_for_selector(".ds-done", timeout=3000)
    assert "Huddle done" in tv.inner_text(".ds-done")
    _shot(tv, "display-done")
    assert errors == []
    tv_context.close()
    phone_context.close()


def test_the_screen_reads_right_to_left_in_arabic(live_server, browser, team):
    world, shift, day = team
    context, page, code, _errors = new_screen(browser, live_server, "/display?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator(".ds-pair-code").get_attribute("dir") == "ltr"
    _shot(page, "display-code-ar")
    from huddles.displays.service import pair

    pair(code, world.here, actor=world.lead, now=utcnow())
    page.wait_for_selector(".ds-huddle", timeout=5000)
    # People's names keep their own direction inside the right-to-left page.
    assert page.locator(".ds-person bdi").count() == 3
    page.keyboard.press("ArrowLeft")  # forward, in a right-to-left page
    page.wait_for_selector('.ds-slot[data-index="1"]:not([hidden])')
    _shot(page, "display-huddle-ar")
    context.close()


def test_between_huddles_the_screen_is_calm(live_server, browser, world, make_shift):
    world.shift.active = False
    db.session.commit()
    import_library(Path(PROJECT_ROOT) / "content", None, utcnow())
    zone = ZoneInfo(world.here.timezone)
    later = (datetime.now(zone) + timedelta(hours=3)).replace(second=0, microsecond=0)
    make_shift(world.here, "Evening", time(later.hour, later.minute), 120, roster=[world.staff])
    give_kudos(
        world.staff,
        to_user_id=world.colleague.id,
        message="You kept the queue calm on a full Saturday.",
        value=None,
        now=utcnow(),
        daily_cap=5,
    )
    context, page, code, _errors = new_screen(browser, live_server)
    from huddles.displays.service import pair

    pair(code, world.here, actor=world.lead, now=utcnow())
    page.wait_for_selector(".ds-idle", timeout=5000)
    text = page.inner_text(".ds-idle")
    assert later.strftime("%H:%M") in text and "Cleo" in text
    if later.date() == datetime.now(zone).date():
        assert "today's topic" in text.lower()
    wait_until(page, "document.querySelector('.js-clock').textContent.length > 0")
    _shot(page, "display-idle")
    context.close()


def test_a_screen_that_loses_the_network_keeps_showing_the_huddle(live_server, browser, team):
    world, shift, day = team
    context, page, code, _errors = new_screen(browser, live_server)
    from huddles.displays.service import pair

    pair(code, world.here, actor=world.lead, now=utcnow())
    page.wait_for_selector(".ds-huddle", timeout=5000)
    # The service worker takes over, and the next visit of the page is kept in its cache.
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_selector(".ds-huddle", timeout=5000)
    context.set_offline(True)
    page.wait_for_selector("#display-offline:not([hidden])", timeout=5000)
    assert "Morning" in page.inner_text(".ds-huddle")
    # Even a reload without any network shows the day's huddle, from the worker's cache.
    page.reload()
    page.wait_for_selector(".ds-huddle", timeout=5000)
    assert "Morning" in page.inner_text(".ds-huddle")
    page.wait_for_selector("#display-offline:not([hidden])", timeout=5000)
    context.set_offline(False)
    page.wait_for_selector("#display-offline[hidden]", state="attached", timeout=20000)
    context.close()
