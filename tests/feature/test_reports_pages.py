"""The /reports pages: the overview a lead reads in a minute, the four reports, CSV downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from huddles.extensions import db
from huddles.topics.models import Topic
from tests.feature.agenda_helpers import add_topic
from tests.feature.report_helpers import add_huddle, add_kudos, backdate, today_in

XSS = '<script>alert("x")</script>'
PAGES = [
    "/reports",
    "/reports/coverage",
    "/reports/attendance",
    "/reports/content",
    "/reports/kudos",
]


@pytest.fixture
def month(world, make_user):
    """A month of a location: held, ended and missed huddles, an absentee, kudos for some."""
    backdate(world.shift)
    today = today_in()
    topic = add_topic("greet-like-a-host", "habit", title="Greet like a host")
    for offset in range(1, 8):
        day = today - timedelta(days=offset)
        status = "missed" if offset == 4 else "ended" if offset == 6 else "done"
        add_huddle(
            world.shift,
            day,
            status,
            topic=topic,
            feedback="down" if offset % 2 else "up",
            marks={world.staff: "absent", world.colleague: "present", world.lead: "present"},
        )
        add_kudos(world.staff, world.colleague, day, "wow")
    return today


@pytest.mark.parametrize("page", PAGES)
def test_leads_and_admins_read_reports_staff_get_403(client, world, login, page):
    login(world.staff)
    assert client.get(page).status_code == 403
    login(world.lead)
    assert client.get(page).status_code == 200
    assert client.get(f"{page}?location_id={world.there.id}").status_code == 403
    login(world.admin)
    response = client.get(f"{page}?location_id={world.there.id}")
    assert response.status_code == 200
    assert "Old Town Bistro" in response.get_data(as_text=True)
    login(None)
    assert client.get(page).status_code == 302


def test_the_overview_answers_the_three_questions(client, world, login, month):
    login(world.lead)
    start = (month - timedelta(days=7)).isoformat()
    page = client.get(f"/reports?from={start}&to={month.isoformat()}").get_data(as_text=True)
    # Did my huddles happen: 6 of 7 due (one missed), and the grid.
    assert "Did our huddles happen?" in page
    assert "6 of 7 due · 1 missed" in page
    assert "86 %" in page
    assert 'class="st st-missed' in page and 'class="st st-ended' in page
    # Who missed them: Sam missed all six.
    section = page.split("Who keeps missing huddles")[1].split("</section>")[0]
    assert "Sam Staff" in section and "6 / 6" in section
    assert "Cleo Colleague" not in section
    # Who is never thanked: everyone but Cleo.
    thanked = page.split("Nobody thanked them yet")[1].split("</section>")[0]
    assert "Lena Lead" in thanked and "Sam Staff" in thanked and "Cleo" not in thanked
    assert "All locations" not in page  # the comparison is for admins


def test_admins_compare_locations(client, world, login, month):
    login(world.admin)
    page = client.get(f"/reports/coverage?location_id={world.here.id}").get_data(as_text=True)
    comparison = page.split("All locations")[1]
    assert "Harbour Hotel" in comparison and "Old Town Bistro" in comparison


@pytest.mark.parametrize("page", PAGES[1:])
def test_every_report_has_charts_tables_and_csv(client, world, login, month, page):
    login(world.lead)
    html = client.get(page).get_data(as_text=True)
    assert '<svg class="chart' in html and 'role="img"' in html
    assert '<table class="numbers">' in html
    assert "Download CSV" in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]
    assert "style=" not in html


def test_content_flags_a_stale_topic_and_never_used(client, world, login, month):
    add_topic("never-told", "wow-story", title="A story never told")
    login(world.lead)
    html = client.get("/reports/content").get_data(as_text=True)
    assert "Greet like a host" in html
    assert "feels stale" in html  # 4 thumbs down, 2 up
    assert "A story never told" in html


def test_never_used_on_the_page_and_in_its_csv_fits_the_locations_setting(
    client, world, login, month
):
    world.here.setting = "hotel"
    db.session.commit()
    add_topic("told-at-the-desk", "wow-story", title="A story for the desk", settings=("hotel",))
    add_topic(
        "told-on-the-line", "wow-story", title="A story for the line", settings=("contact-centre",)
    )
    login(world.lead)
    html = client.get("/reports/content").get_data(as_text=True)
    never = html.split("Never used in this period")[1].split("</section>")[0]
    assert "A story for the desk" in never
    assert "A story for the line" not in html
    assert "· 1</span>" in never
    rows = list(
        csv.reader(
            io.StringIO(client.get("/reports/topics.csv?table=topics").get_data(as_text=True))
        )
    )
    slugs = [row[0] for row in rows[1:]]
    assert "told-at-the-desk" in slugs and "told-on-the-line" not in slugs


def test_the_content_page_names_topics_in_the_readers_language(client, world, login, month):
    greet = db.session.scalar(sa.select(Topic).filter_by(slug="greet-like-a-host"))
    greet.current_revision.translations = {"ar": {"title": "رحّب كمضيف"}}
    add_topic("never-told", "wow-story", title="A story never told")
    add_topic("told-in-arabic", "wow-story", title="A story", translations={"ar": {"title": "قصة"}})
    db.session.commit()
    login(world.lead)
    arabic = client.get("/reports/content?lang=ar").get_data(as_text=True)
    assert "رحّب كمضيف" in arabic and "Greet like a host" not in arabic
    never = arabic.split('class="columns-list"')[1].split("</ul>")[0]
    # Untranslated, a topic keeps its English title; translated, it is sorted by its own.
    assert "A story never told" in never and ">قصة<" in never and "A story<" not in never
    english = client.get("/reports/content?lang=en").get_data(as_text=True)
    assert "Greet like a host" in english and "رحّب" not in english
    # What scripts read stays the library's own titles, whatever the reader's language.
    client.get("/reports?lang=ar")
    topics = client.get("/api/v1/reports/topics").get_json()["topics"]
    assert {t["slug"]: t["title"] for t in topics}["greet-like-a-host"] == "Greet like a host"


def test_kudos_page_shows_the_spread(client, world, login, month):
    login(world.lead)
    html = client.get("/reports/kudos").get_data(as_text=True)
    assert "Received by the top fifth" in html and "100 %" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=31.12.2026", "from", "from must be a date as YYYY-MM-DD."),
        ("from=2026-03-10&to=2026-03-01", "to", "to must not be before from."),
        ("from=2024-01-01&to=2026-01-01", "to", "at most 366 days"),
    ],
)
def test_a_bad_period_is_a_422_with_the_error_at_the_field(
    client, world, login, query, field, message
):
    login(world.lead)
    response = client.get(f"/reports/attendance?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="report-{field}-error">' in html
    assert message in html.split(f'id="report-{field}-error">')[1].split("</p>")[0]


def test_csv_download_and_names_are_escaped(client, world, login, month):
    world.colleague.name = XSS
    db.session.commit()
    login(world.lead)
    html = client.get("/reports/kudos").get_data(as_text=True)
    assert XSS not in html and "&lt;script&gt;" in html
    week = f"from={month - timedelta(days=7)}&to={month}"
    response = client.get(f"/reports/kudos.csv?table=people&{week}")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["user_id", "name", "given", "received"]
    assert rows[[r[1] for r in rows].index(XSS)][1:] == [XSS, "0", "7"]
    assert client.get("/reports/kudos.csv?table=nope").status_code == 400
    assert client.get("/reports/nothing.csv").status_code == 404


def test_arabic_pages_render_right_to_left(client, world, login, month):
    login(world.lead)
    html = client.get("/reports?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert "<bdi>Sam Staff</bdi>" in html
    # "Huddles" the count is a word of the language; "Huddles" the name stays the name.
    html = client.get("/reports/attendance?lang=ar").get_data(as_text=True)
    assert '<th scope="col">الاجتماعات</th>' in html and "· Huddles</title>" in html


@pytest.mark.parametrize("page", PAGES)
def test_statements_per_page_stay_flat(client, world, login, count_queries, page):
    backdate(world.shift)
    today = today_in()
    login(world.admin)

    def grow(first, last):
        for offset in range(first, last):
            add_huddle(world.shift, today - timedelta(days=offset), marks={world.staff: "present"})
            add_kudos(world.staff, world.colleague, today - timedelta(days=offset))

    grow(1, 3)
    client.get(page)
    with count_queries() as small:
        client.get(page)
    grow(3, 25)
    client.get(page)
    with count_queries() as large:
        client.get(page)
    assert large.count == small.count


def test_the_records_of_a_period_are_one_pdf(client, world, login, month):
    login(world.lead)
    start = (month - timedelta(days=7)).isoformat()
    response = client.get(f"/reports/records.pdf?from={start}&to={month.isoformat()}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="huddle-')
    body = response.get_data()
    assert body.startswith(b"%PDF")
    # Seven huddles whose time came (held, ended, missed): a page or more each.
    assert body.count(b"/Type /Page\n") + body.count(b"/Type /Page>") >= 7 or (
        body.count(b"/Type /Page") - body.count(b"/Type /Pages") >= 7
    )
    link = client.get(f"/reports?from={start}&to={month.isoformat()}").get_data(as_text=True)
    assert "records.pdf" in link


def test_the_records_pdf_is_capped_and_for_leads_and_admins(client, world, login):
    login(world.lead)
    long = client.get("/reports/records.pdf?from=2026-01-01&to=2026-06-30")
    assert long.status_code == 400
    assert "at most 93 days" in long.get_data(as_text=True)
    login(world.staff)
    assert client.get("/reports/records.pdf").status_code == 403
    login(world.lead)
    assert client.get(f"/reports/records.pdf?location_id={world.there.id}").status_code == 403
