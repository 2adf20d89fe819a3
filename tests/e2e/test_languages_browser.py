"""In headless Chromium: Arabic pages lay out right to left, and the huddle screen switches
the topic's language live and shows a second one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from huddles.agenda.models import Agenda, AgendaItem
from huddles.db import utcnow
from huddles.extensions import db
from huddles.kudos.service import give_kudos
from huddles.topics.models import TopicRevision
from tests.e2e.test_huddle_browser import people, sign_in  # noqa: F401  (fixture)
from tests.feature.test_huddle import page_url

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clock")]
# Screenshots go where HUDDLES_SCREENSHOTS says (to look at them), else into the test's tmp.


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("HUDDLES_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"


def _thank(people) -> None:  # noqa: F811
    give_kudos(
        people.colleague,
        to_user_id=people.staff.id,
        message="Thanks for the calm handover.",
        value=None,
        now=utcnow(),
        daily_cap=5,
    )


def test_arabic_pages_run_right_to_left_without_overflow(live_server, browser, people, shots):  # noqa: F811
    _thank(people)
    for name, size in (("tv", (1920, 1080)), ("phone", (390, 844))):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        sign_in(page, live_server, people.lead.email)
        pages = {
            "today": "/",
            "huddle": page_url(people),
            "kudos": "/kudos",
            "topic": "/topics/a-great-hello",
            "reports": "/reports",
        }
        for label, path in pages.items():
            page.goto(f"{live_server}{path}?lang=ar")
            assert page.locator("html").get_attribute("dir") == "rtl", label
            assert page.evaluate(NO_OVERFLOW), f"{label} overflows sideways at {size}"
            page.screenshot(path=str(shots / f"ar-{label}-{name}.png"), full_page=False)
        # A mixed line: English names on an Arabic page keep the page's order — the giver
        # (first in the line) stands to the right of the one thanked.
        page.goto(f"{live_server}/kudos?lang=ar")
        who = page.locator(".kudos-who").first
        giver = who.locator("bdi").nth(0).bounding_box()
        receiver = who.locator("bdi").nth(1).bounding_box()
        assert giver and receiver and giver["x"] > receiver["x"]
        # The English message stays whole inside its quotes: the text starts at its left.
        message = page.locator(".kudos-message").first
        assert message.get_attribute("dir") == "auto"
        assert (
            page.evaluate("el => getComputedStyle(el).direction", message.element_handle()) == "ltr"
        )
        assert errors == []
        context.close()


def test_the_huddle_screen_switches_language_live_and_shows_two(
    live_server,
    browser,
    people,  # noqa: F811
    shots,
):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, people.lead.email)
    page.goto(live_server + page_url(people))
    agenda = db.session.scalar(sa.select(Agenda))
    assert agenda is not None
    item = db.session.scalar(
        sa.select(AgendaItem)
        .where(AgendaItem.agenda_id == agenda.id, AgendaItem.topic_revision_id.is_not(None))
        .order_by(AgendaItem.position)
    )
    revision = db.session.get(TopicRevision, item.topic_revision_id)
    german = revision.translations["de"]
    section = page.locator(f'.slot[data-position="{item.position}"]')
    title = section.locator(".js-l-title")
    assert title.text_content().strip() == revision.title
    page.locator("body").press("l")  # English → the next language offered
    page.select_option(".js-lang-main", "de")
    assert title.text_content().strip() == german["title"]
    assert title.get_attribute("lang") == "de"
    page.select_option(".js-lang-second", "ar")
    second = section.locator(".js-l-title2")
    assert second.get_attribute("lang") == "ar" and second.get_attribute("dir") == "rtl"
    assert second.text_content().strip() == revision.translations["ar"]["title"]
    for _step in range(8):  # walk the preview to the topic's slot for the picture
        if "is-current" in (section.get_attribute("class") or ""):
            break
        page.locator("body").press("ArrowRight")
    assert second.is_visible()
    page.screenshot(path=str(shots / "huddle-two-languages.png"))
    # Remembered on this device.
    page.reload()
    assert page.locator(".js-lang-main").input_value() == "de"
    assert section.locator(".js-l-title").text_content().strip() == german["title"]
    assert page.locator(".js-lang-second").input_value() == "ar"
    assert errors == []
    context.close()


def test_the_screens_own_words_follow_the_topic_language(live_server, browser, people, app):  # noqa: F811
    def words(code: str) -> dict[str, str]:
        with app.test_request_context(), force_locale(code):
            return {
                key: gettext(text)
                for key, text in {
                    "attendance": "Attendance",
                    "next": "Next",
                    "not_started": "Not started",
                    "running": "Running",
                    "present": "Present",
                }.items()
            }

    german, arabic = words("de"), words("ar")
    assert german["attendance"] != "Attendance" and arabic["attendance"] != "Attendance"
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, people.lead.email)
    page.goto(live_server + page_url(people))  # an English page
    assert page.locator(".js-attendance").inner_text().startswith("Attendance")

    page.select_option(".js-lang-main", "de")
    assert page.get_attribute("html", "lang") == "de"
    assert page.locator(".js-attendance").inner_text().startswith(german["attendance"])
    assert page.locator(".js-next").inner_text().strip().startswith(german["next"])
    assert page.locator(".js-state").inner_text().strip() == german["not_started"]
    assert german["present"] in page.locator(".ap-choice.ap-present").first.text_content()
    # What the screen writes itself follows too: the state once the huddle runs.
    page.locator(".js-start").click()
    page.wait_for_selector('#huddle[data-status="running"]')
    assert page.locator(".js-state").inner_text().strip() == german["running"]

    # Arabic: its words, right to left, and the arrow that points forward moves on.
    page.select_option(".js-lang-main", "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator(".js-attendance").inner_text().startswith(arabic["attendance"])
    assert page.locator(".js-state").inner_text().strip() == arabic["running"]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")
    assert "is-current" in (page.locator("#slot-1").get_attribute("class") or "")
    assert page.evaluate(NO_OVERFLOW)
    # Remembered on this device with the topic's language.
    page.reload()
    assert page.locator(".js-attendance").inner_text().startswith(arabic["attendance"])
    assert errors == []
    context.close()
