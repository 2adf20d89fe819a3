"""Speed that tests can hold: the huddle page and the agenda API stay at six SQL statements or
fewer whatever the roster, kudos and library; what is kept between requests is never stale."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from huddles.agenda import rendered
from huddles.attendance import service as attendance
from huddles.auth.service import issue_api_token
from huddles.db import utcnow
from huddles.extensions import db
from huddles.huddle import service as huddle_service
from huddles.kudos.service import give_kudos
from huddles.topics.models import Topic, TopicRevision
from tests.conftest import MADE_ANEW
from tests.feature.agenda_helpers import add_library, add_topic

pytestmark = pytest.mark.usefixtures("clock")

MOST_STATEMENTS = 6


def today(location) -> date:
    return utcnow().astimezone(ZoneInfo(location.timezone)).date()


def thank(giver, receiver, message: str) -> None:
    give_kudos(
        giver, to_user_id=receiver.id, message=message, value=None, now=utcnow(), daily_cap=1000
    )


def grown_world(make_location, make_user, make_shift, name: str, people: int, kudos: int):
    """A location with a lead, `people` staff on its Early shift, visitors and thank-yous."""
    location = make_location(name, "Europe/Berlin")
    lead = make_user("lead", location)
    staff = [make_user("staff", location) for _ in range(people)]
    make_user("staff", location)  # at the location, not on the shift: a possible visitor
    shift = make_shift(location, "Early", roster=[lead, *staff])
    for number in range(kudos):
        thank(staff[number % people], staff[(number + 1) % people], f"Thanks #{number}")
    return location, lead, staff, shift


def huddle_page_statements(client, login, count_queries, world_parts, *, started: bool) -> int:
    location, lead, staff, shift = world_parts
    day = today(location)
    login(lead)
    url = f"/huddle/{shift.id}/{day.isoformat()}"
    assert client.get(url).status_code == 200  # the agenda is made (and rendered) on first sight
    for person in staff[: len(staff) // 2]:
        client.put(
            f"/api/v1/shifts/{shift.id}/attendance/{person.id}?date={day}",
            json={"status": "present"},
        )
    client.put(
        f"/api/v1/shifts/{shift.id}/attendance/{staff[-1].id}?date={day}",
        json={"status": "excused"},
    )
    if started:
        huddle_service.start_huddle(shift, day, actor=lead, now=utcnow())
    with count_queries() as counter:
        response = client.get(url, headers=MADE_ANEW)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("started", [False, True], ids=["prepare", "running"])
def test_the_huddle_page_takes_as_many_statements_whatever_the_size(
    app, client, login, make_location, make_user, make_shift, count_queries, started
):
    add_library(per_kind=2, lexicon=2)
    small = huddle_page_statements(
        client,
        login,
        count_queries,
        grown_world(make_location, make_user, make_shift, "Small Inn", 2, 1),
        started=started,
    )
    for number in range(60):
        add_topic(f"more-tip-{number}", "tip", commit=False)
    db.session.commit()
    large = huddle_page_statements(
        client,
        login,
        count_queries,
        grown_world(make_location, make_user, make_shift, "Grand Hotel", 40, 60),
        started=started,
    )
    assert small == large
    # The Prepare screen only names the slots a lead may swap (their choices have a page of
    # their own), and each topic's text in every language comes from the rendered cache.
    assert large <= MOST_STATEMENTS


def agenda_api_statements(client, count_queries, world_parts) -> int:
    location, lead, _staff, shift = world_parts
    headers = {"Authorization": f"Bearer {issue_api_token(lead, 'speed')}"}
    url = f"/api/v1/shifts/{shift.id}/agenda?date={today(location)}"
    assert client.get(url, headers=headers).status_code == 200
    with count_queries() as counter:
        response = client.get(url, headers={**headers, **MADE_ANEW})
    assert response.status_code == 200
    assert response.get_json()["items"]
    return counter.count


def test_the_agenda_api_takes_at_most_six_statements_whatever_the_size(
    app, client, make_location, make_user, make_shift, count_queries
):
    add_library(per_kind=2, lexicon=2)
    small = agenda_api_statements(
        client,
        count_queries,
        grown_world(make_location, make_user, make_shift, "Small Inn", 2, 1),
    )
    for number in range(60):
        add_topic(f"more-tip-{number}", "tip", commit=False)
    db.session.commit()
    large = agenda_api_statements(
        client,
        count_queries,
        grown_world(make_location, make_user, make_shift, "Grand Hotel", 40, 60),
    )
    assert small == large
    assert large <= MOST_STATEMENTS


def test_thank_yous_and_marks_after_the_first_view_show_at_once(
    app, client, login, make_location, make_user, make_shift
):
    add_library(per_kind=2, lexicon=2)
    location, lead, staff, shift = grown_world(
        make_location, make_user, make_shift, "Harbour", 3, 0
    )
    day = today(location)
    login(lead)
    url = f"/huddle/{shift.id}/{day.isoformat()}"
    api = f"/api/v1/shifts/{shift.id}/agenda?date={day}"
    assert "Thanks for the late cover" not in client.get(url).get_data(as_text=True)
    assert client.get(api).get_json()["kudos"] == []
    thank(staff[0], staff[1], "Thanks for the late cover")
    client.put(
        f"/api/v1/shifts/{shift.id}/attendance/{staff[2].id}?date={day}",
        json={"status": "late"},
    )
    page = client.get(url).get_data(as_text=True)
    assert "Thanks for the late cover" in page
    assert [k["message"] for k in client.get(api).get_json()["kudos"]] == [
        "Thanks for the late cover"
    ]
    screen = huddle_service.huddle_screen(
        shift, day, viewer=lead, can_lead=True, now=utcnow(), locale="en"
    )
    assert {row.user_id: row.status for row in screen.roster}[staff[2].id] == "late"
    assert (screen.headcount.here, screen.headcount.expected) == (1, 4)


def test_a_revision_is_rendered_once_per_language_and_kept(
    app, client, login, make_location, make_user, make_shift, count_queries
):
    add_library(per_kind=2, lexicon=2)
    location, lead, _staff, shift = grown_world(
        make_location, make_user, make_shift, "Harbour", 2, 0
    )
    login(lead)
    api = f"/api/v1/shifts/{shift.id}/agenda?date={today(location)}"
    english = client.get(api).get_json()
    topic = next(item for item in english["items"] if item["topic_slug"])
    assert "<strong>body</strong>" in topic["body_html"]
    with count_queries() as counter:
        again = client.get(api).get_json()
    assert again["items"] == english["items"]
    assert not any("topic_revisions" in statement for statement in counter.statements)
    # Another language is its own entry (rendered once, then kept too).
    with count_queries() as counter:
        client.get(api + "&lang=de")
    assert any("topic_revisions" in statement for statement in counter.statements)
    assert rendered.cache().get((0, "en")) is None


def test_the_topics_in_every_language_are_made_once_and_follow_a_swap(
    app, client, login, make_location, make_user, make_shift, count_queries
):
    """The huddle screen's live language switch: its texts are kept per set of revisions, so a
    second view reads no revision, and a swapped topic is a new set, shown at once."""
    for topic in add_library(per_kind=2, lexicon=2):
        revision = db.session.get(TopicRevision, topic.current_revision_id)
        revision.translations = {"de": {"title": f"DE {revision.title}", "body": "Text."}}
    db.session.commit()
    location, lead, _staff, shift = grown_world(
        make_location, make_user, make_shift, "Harbour", 2, 0
    )
    login(lead)
    url = f"/huddle/{shift.id}/{today(location).isoformat()}"
    first = client.get(url).get_data(as_text=True)
    with count_queries() as counter:
        again = client.get(url).get_data(as_text=True)
    assert not any("topic_revisions" in statement for statement in counter.statements)
    languages = again.split('id="huddle-languages">', 1)[1].split("</script>", 1)[0]
    assert languages == first.split('id="huddle-languages">', 1)[1].split("</script>", 1)[0]
    agenda = attendance.find_agenda(shift, today(location))
    topic = next(item for item in agenda.items if item.slot_key == "topic")
    before = json.loads(languages)["items"]["en"][str(topic.position)]["title"]
    assert client.post(f"{url}/swap", data={"slot": "topic"}).status_code == 302
    swapped = client.get(url).get_data(as_text=True)
    texts = json.loads(swapped.split('id="huddle-languages">', 1)[1].split("</script>", 1)[0])
    db.session.expire_all()
    now_title = db.session.get(Topic, topic.topic_id).title
    assert texts["items"]["en"][str(topic.position)]["title"] == now_title != before


def test_the_cache_is_bounded_and_forgets_the_least_recently_used():
    cache = rendered.RevisionCache(capacity=2)
    entry = rendered.RenderedRevision("s", "t", "<p>b</p>", "p", None, None, "en")
    cache.put((1, "en"), entry)
    cache.put((2, "en"), entry)
    assert cache.get((1, "en")) is entry
    cache.put((3, "en"), entry)
    assert cache.get((2, "en")) is None
    assert cache.get((1, "en")) is entry and cache.get((3, "en")) is entry


def test_the_screen_headcount_is_the_one_rule(app, make_location, make_user, make_shift):
    """The huddle page counts from its roster; the same figures as `headcounts` everywhere."""
    add_library(per_kind=2, lexicon=2)
    location, lead, staff, shift = grown_world(
        make_location, make_user, make_shift, "Harbour", 5, 0
    )
    visitor = make_user("staff", location)
    day = today(location)
    now = utcnow()
    agenda = huddle_service.huddle_screen(
        shift, day, viewer=lead, can_lead=True, now=now, locale="en"
    ).agenda
    for person, status in zip(staff, ["present", "late", "excused", "absent"], strict=False):
        attendance.mark(shift, day, person.id, status, actor=lead, now=now)
    attendance.mark(shift, day, visitor.id, "present", actor=lead, now=now)
    staff[0].active = False  # marked present, then left: counted as a visitor who came
    db.session.commit()
    rows = attendance.roster(shift, agenda)
    assert attendance.headcount_of(rows) == attendance.headcounts([agenda.id])[agenda.id]


def test_the_wall_counts_its_kudos_only_so_far(app, make_location, make_user, make_shift):
    from huddles.kudos.service import kudos_page

    location, _lead, staff, _shift = grown_world(
        make_location, make_user, make_shift, "Harbour", 3, 7
    )
    bounded = kudos_page(location, include_hidden=False, per_page=2, count_bound=2)
    assert (bounded.total, bounded.more, len(bounded.items)) == (4, True, 2)
    second = kudos_page(location, include_hidden=False, page=2, per_page=2, count_bound=2)
    assert (second.total, second.more) == (6, True)
    enough = kudos_page(location, include_hidden=False, per_page=2, count_bound=10)
    assert (enough.total, enough.more, enough.pages) == (7, False, 4)
    exact = kudos_page(location, include_hidden=False, per_page=2)
    assert (exact.total, exact.more) == (7, False)


def test_the_wall_says_there_are_more_than_it_counted(
    app, client, login, make_location, make_user, make_shift, monkeypatch
):
    from huddles.kudos import views

    location, lead, staff, _shift = grown_world(
        make_location, make_user, make_shift, "Harbour", 3, 30
    )
    login(staff[0])
    assert "(30)" in client.get("/kudos").get_data(as_text=True)
    monkeypatch.setattr(views, "WALL_COUNT_BOUND", 5)
    page = client.get("/kudos?per_page=10").get_data(as_text=True)
    assert "(15+)" in page
    assert 'rel="next"' in page


def _add_route(app, path, view):
    app.add_url_rule(path, path.strip("/").replace("/", "_"), view)


def test_a_read_keeps_its_statements_prepared_on_postgresql(database_url):
    """A page that only read ends with COMMIT: psycopg forgets a connection's prepared
    statements on every ROLLBACK, and PostgreSQL would plan every statement anew."""
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's")
    import sqlalchemy as sa

    from huddles import create_app
    from tests.conftest import test_config

    # An app of its own: each request has its own app context and ends as in production.
    served = create_app(test_config(database_url))

    def prepared():
        found = db.session.execute(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        return str(found.scalar())

    _add_route(served, "/_test/prepared", prepared)
    client = served.test_client()
    counts = [int(client.get("/_test/prepared").get_data(as_text=True)) for _ in range(8)]
    with served.app_context():
        db.engine.dispose()
    assert counts[-1] >= 1, counts


def test_a_change_that_reads_its_answer_back_keeps_the_statements_prepared(database_url):
    """A tap or a thank-you commits, then reads its answer back: that last transaction ends with
    COMMIT too, or every write would plan its statements anew."""
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's")
    import sqlalchemy as sa

    from huddles import create_app
    from tests.conftest import test_config

    served = create_app(test_config(database_url))

    def change():
        db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
        found = db.session.execute(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        return str(found.scalar())

    served.add_url_rule("/_test/change", "change", change, methods=["POST"])
    client = served.test_client()
    counts = [int(client.post("/_test/change").get_data(as_text=True)) for _ in range(8)]
    with served.app_context():
        db.engine.dispose()
    assert counts[-1] >= 1, counts


def test_a_change_left_uncommitted_is_rolled_back(app, client, world):
    import sqlalchemy as sa

    from huddles.org.models import Location

    location_id = world.here.id

    def half_done():
        db.session.execute(
            sa.update(Location).where(Location.id == location_id).values(name="Half done")
        )
        return "ok"

    app.add_url_rule("/_test/half-done", "half_done", half_done, methods=["POST"])
    db.session.commit()
    assert client.post("/_test/half-done").status_code == 200
    db.session.rollback()  # the request shares the test's session: what it left is let go here
    db.session.expire_all()
    assert db.session.scalar(sa.select(Location.name).where(Location.id == location_id)) == (
        "Harbour Hotel"
    )


def test_a_read_that_changed_something_unsaved_or_failed_writes_nothing(app, client, world):
    """Only a clean read is committed: a change left unsaved, or a failed GET, is rolled back."""
    import sqlalchemy as sa
    from flask import abort

    from huddles.org.models import Location

    location_id = world.here.id

    def unsaved():
        db.session.get(Location, location_id).name = "Changed, never saved"
        return "ok"

    def failed():
        db.session.execute(
            sa.update(Location).where(Location.id == location_id).values(name="Half done")
        )
        abort(404)

    _add_route(app, "/_test/unsaved", unsaved)
    _add_route(app, "/_test/failed", failed)
    before = world.here.name
    db.session.commit()
    assert client.get("/_test/unsaved").status_code == 200
    assert client.get("/_test/failed").status_code == 404
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Location.name).where(Location.id == location_id)) == before
