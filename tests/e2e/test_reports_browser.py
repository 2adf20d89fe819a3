"""The reports in Chromium: the first screen answers its questions on a TV, a phone and in Arabic,
with no CSP violation (the charts are server-drawn SVG: no script, no inline style)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from huddles.extensions import db
from tests.conftest import PASSWORD
from tests.feature.report_helpers import add_huddle, add_kudos, backdate, today_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def history(world):
    world.lead.set_password(PASSWORD)
    db.session.commit()
    backdate(world.shift, days=9)  # the days before are "no shift"
    today = today_in()
    for offset in range(1, 10):
        add_huddle(
            world.shift,
            today - timedelta(days=offset),
            "missed" if offset == 3 else "done",
            marks={world.staff: "absent", world.colleague: "present"},
        )
        add_kudos(world.staff, world.colleague, today - timedelta(days=offset), "wow")
    return world


@pytest.mark.parametrize(
    ("size", "query"), [((1920, 1080), ""), ((390, 844), ""), ((390, 844), "?lang=ar")]
)
def test_the_overview_reads_on_every_screen(live_server, browser, history, size, query):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/login")
    page.fill("input[name=email]", history.lead.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/reports" + query)
    assert page.locator(".coverage-grid td.st-missed").count() == 1
    assert page.locator(".coverage-grid td.st-done").count() == 8
    missing = page.locator("section#keeps-missing")
    assert "Sam Staff" in missing.inner_text()
    # Nothing is wider than the screen: the grid scrolls inside its own box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0] + 1
    page.goto(live_server + "/reports/attendance" + query)
    assert page.locator("svg.chart[role=img]").count() == 3
    assert not [p for p in problems if "Content Security Policy" in p], problems
    context.close()
