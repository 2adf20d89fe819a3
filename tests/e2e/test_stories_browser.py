"""End to end in headless Chromium: a story told by phone, published by an admin at a desk."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from huddles.extensions import db
from huddles.stories.models import Story
from tests.conftest import PASSWORD
from tests.e2e.test_huddle_browser import eventually, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def people(world):
    world.here.setting = "hotel"
    for person in (world.staff, world.admin):
        person.set_password(PASSWORD)
    db.session.commit()
    return world


def test_a_story_told_by_phone_is_published_into_the_library(live_server, browser, people):
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, live_server, people.staff.email)
    page.click("nav >> text=Stories")
    page.fill("input[name=title]", "The umbrella at the door")
    page.fill("textarea[name=body]", "Cleo walked a soaked family to their taxi.")
    page.select_option("select[name=about_user_id]", str(people.colleague.id))
    page.click("text=Send the story")
    page.wait_for_selector("text=Waiting for an admin")
    # Nothing on the phone page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    eventually(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Story)) == 1)
    phone.close()

    desk = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = desk.new_page()
    sign_in(page, live_server, people.admin.email)
    page.goto(live_server + "/stories")
    page.fill("input[name=prompt]", "When did you last walk the extra metre?")
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=is in the library as a wow story")
    story = db.session.scalar(sa.select(Story))
    eventually(lambda: db.session.get(Story, story.id).status == "published")
    published = db.session.get(Story, story.id)
    assert published.topic.settings == ("hotel",)
    desk.close()
