"""Kept answers (huddles.page_cache): the busiest pages come from memory while nothing has
changed, and never once something has, a session has ended or the minute has turned."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from huddles import page_cache
from huddles.auth.models import UserSession
from huddles.auth.service import issue_api_token, revoke_api_token
from huddles.db import utcnow
from huddles.extensions import db
from huddles.kudos.service import give_kudos
from huddles.org.models import Location
from tests.conftest import MADE_ANEW
from tests.feature.agenda_helpers import add_library

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def pages(world):
    """The four kept pages of the world's lead, with a library to plan from."""
    add_library(per_kind=2, lexicon=2)
    day = utcnow().astimezone(ZoneInfo(world.here.timezone)).date().isoformat()
    shift = world.shift.id
    return {
        "huddle": f"/huddle/{shift}/{day}",
        "agenda_api": f"/api/v1/shifts/{shift}/agenda?date={day}",
        "wall": "/kudos",
        "today": "/",
    }


def kept_twice(client, count_queries, url: str, **kwargs) -> tuple[str, str, int]:
    """The page as made, then again: (first, again, the statements of again). The very first
    view may write (the agenda is made, the session gets its CSRF token), so it is not kept."""
    client.get(url, **kwargs)
    first = client.get(url, **kwargs)
    assert first.status_code == 200, url
    with count_queries() as counter:
        again = client.get(url, **kwargs)
    assert again.status_code == 200
    return first.get_data(as_text=True), again.get_data(as_text=True), counter.count


def server_now(page: str) -> datetime:
    data = page.split('id="huddle-data">', 1)[1].split("</script>", 1)[0]
    return datetime.fromisoformat(json.loads(data)["server_now"])


def thank(giver, receiver, message: str) -> None:
    give_kudos(
        giver, to_user_id=receiver.id, message=message, value=None, now=utcnow(), daily_cap=100
    )


@pytest.mark.parametrize("page", ["huddle", "wall", "today"])
def test_the_same_page_again_is_one_statement(client, login, world, pages, count_queries, page):
    login(world.lead)
    first, again, statements = kept_twice(client, count_queries, pages[page])
    assert statements == 1
    if page == "huddle":
        # Only the time the page's scripts count from differs: it is the time it was sent.
        assert server_now(again) > server_now(first)
        first, again = (re.sub(r'"server_now": "[^"]+"', "", text) for text in (first, again))
    assert again == first


def test_the_agenda_api_again_is_one_statement(client, world, pages, count_queries):
    headers = {"Authorization": f"Bearer {issue_api_token(world.lead, 'kept')}"}
    first, again, statements = kept_twice(
        client, count_queries, pages["agenda_api"], headers=headers
    )
    assert statements == 1 and again == first


def test_each_person_and_each_language_is_its_own_answer(client, login, world, pages):
    login(world.lead)
    lead_today = client.get("/").get_data(as_text=True)
    assert client.get("/?lang=de").get_data(as_text=True) != lead_today
    login(world.staff)
    assert client.get("/").get_data(as_text=True) != lead_today
    assert client.get("/", headers={"Accept-Language": "pl"}).status_code == 200


def test_a_thank_you_a_mark_and_a_change_elsewhere_show_at_once(
    app, client, login, world, pages, count_queries
):
    login(world.lead)
    for url in pages.values():
        kept_twice(client, count_queries, url)
    thank(world.staff, world.colleague, "Thanks for the spare apron")
    for name in ("huddle", "wall"):
        assert "Thanks for the spare apron" in client.get(pages[name]).get_data(as_text=True)
    client.put(
        pages["agenda_api"].replace("/agenda?", f"/attendance/{world.staff.id}?"),
        json={"status": "late"},
    )
    roster = json.loads(
        client.get(pages["huddle"])
        .get_data(as_text=True)
        .split('id="huddle-data">', 1)[1]
        .split("</script>", 1)[0]
    )["roster"]
    assert {row["user_id"]: row["status"] for row in roster}[world.staff.id] == "late"
    # A write of another connection, in plain SQL, as another process would make it.
    with app.extensions["sqlalchemy"].engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE locations SET name = 'Harbour Hotel & Spa' WHERE id = :id"),
            {"id": world.here.id},
        )
    db.session.expire_all()  # the test's own session holds the location as it was
    assert "Harbour Hotel &amp; Spa" in client.get("/").get_data(as_text=True)


def test_a_tap_makes_anew_only_the_pages_that_show_attendance(
    client, login, world, pages, count_queries
):
    """Attendance has a version of its own: the wall and the agenda API, which show none, stay
    kept through the taps of a huddle; the huddle page and Today show the mark at once."""
    headers = {"Authorization": f"Bearer {issue_api_token(world.lead, 'kept')}"}
    login(world.lead)
    for name, url in pages.items():
        kept_twice(client, count_queries, url, headers=headers if name == "agenda_api" else {})
    mark = pages["agenda_api"].replace("/agenda?", f"/attendance/{world.staff.id}?")
    assert client.put(mark, json={"status": "late"}).status_code == 200
    for name in ("wall", "agenda_api"):
        with count_queries() as counter:
            kept = client.get(pages[name], headers=headers if name == "agenda_api" else {})
        assert kept.status_code == 200 and counter.count == 1, name
    with count_queries() as counter:
        huddle = client.get(pages["huddle"]).get_data(as_text=True)
    assert counter.count > 1
    data = json.loads(huddle.split('id="huddle-data">', 1)[1].split("</script>", 1)[0])
    assert {row["user_id"]: row["status"] for row in data["roster"]}[world.staff.id] == "late"
    login(world.staff)
    assert kept_twice(client, count_queries, "/")[2] == 1
    # The lead marks them absent: the colleague's own Today is made again.
    login(world.lead)
    assert client.put(mark, json={"status": "absent"}).status_code == 200
    login(world.staff)
    with count_queries() as counter:
        assert client.get("/").status_code == 200
    assert counter.count > 1


def test_a_thank_you_makes_anew_every_page_that_shows_thank_yous(
    client, login, world, pages, count_queries
):
    headers = {"Authorization": f"Bearer {issue_api_token(world.lead, 'kept')}"}
    login(world.lead)
    kept_twice(client, count_queries, pages["agenda_api"], headers=headers)
    kept_twice(client, count_queries, pages["wall"])
    thank(world.staff, world.colleague, "Thanks for taking table nine")
    agenda = client.get(pages["agenda_api"], headers=headers).get_json()
    assert "Thanks for taking table nine" in json.dumps(agenda)
    assert "Thanks for taking table nine" in client.get(pages["wall"]).get_data(as_text=True)


def test_each_group_of_tables_has_a_number_of_its_own(app, world):
    def numbers() -> tuple[int, ...]:
        version = page_cache.parse_version(_version())
        assert version is not None and len(version) == len(page_cache.ORDER)
        return version

    thank(world.staff, world.colleague, "A first thank-you")
    world.here.name = "Harbour Hotel (renamed)"
    db.session.commit()
    before = numbers()
    thank(world.staff, world.colleague, "A second thank-you")
    after_kudos = numbers()
    changed = {g for g, a, b in zip(page_cache.ORDER, before, after_kudos, strict=True) if a != b}
    assert changed == {page_cache.GROUPS["kudos"]}
    world.here.name = "Harbour Hotel"
    db.session.commit()
    changed = {
        g for g, a, b in zip(page_cache.ORDER, after_kudos, numbers(), strict=True) if a != b
    }
    assert changed == {page_cache.EVERYTHING}


def test_the_time_for_the_scripts_is_the_time_of_sending(
    client, login, world, pages, count_queries, clock
):
    login(world.lead)
    kept_twice(client, count_queries, pages["huddle"])
    clock.shift(timedelta(seconds=20))  # 07:30:20: the same minute
    with count_queries() as counter:
        page = client.get(pages["huddle"]).get_data(as_text=True)
    assert counter.count == 1
    assert abs(server_now(page) - utcnow()) < timedelta(seconds=2)


def test_the_page_is_made_again_when_the_minute_turns(
    client, login, world, pages, count_queries, clock
):
    login(world.lead)
    kept_twice(client, count_queries, pages["today"])
    clock.shift(timedelta(minutes=1))
    with count_queries() as counter:
        client.get(pages["today"])
    assert counter.count > 1


def test_a_signed_out_cookie_gets_no_kept_page(app, client, login, world, pages, count_queries):
    login(world.lead)
    kept_twice(client, count_queries, pages["huddle"])
    cookie = client.get_cookie("session").value
    client.post("/logout")
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    answer = copy.get(pages["huddle"])
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize("how", ["idle", "expired", "deactivated"])
def test_a_session_that_ended_on_its_own_gets_no_kept_page(
    client, login, world, pages, count_queries, how
):
    login(world.lead)
    kept_twice(client, count_queries, pages["today"])
    long_ago = utcnow() - timedelta(hours=3)
    if how == "deactivated":
        world.lead.active = False
    else:
        # Straight in the table (its writes change no version): the check itself must see it.
        db.session.execute(
            sa.update(UserSession)
            .where(UserSession.user_id == world.lead.id)
            .values(last_seen_at=long_ago, created_at=long_ago)
            if how == "idle"
            else sa.update(UserSession)
            .where(UserSession.user_id == world.lead.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    db.session.commit()
    answer = client.get(pages["today"])
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_session_due_its_note_of_being_seen_goes_the_full_way(
    client, login, world, pages, count_queries
):
    login(world.lead)
    kept_twice(client, count_queries, pages["today"])
    a_while_ago = utcnow() - timedelta(seconds=90)
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == world.lead.id)
        .values(last_seen_at=a_while_ago)
    )
    db.session.commit()
    with count_queries() as counter:
        assert client.get(pages["today"]).status_code == 200
    assert counter.count > 1
    db.session.expire_all()
    seen = db.session.scalar(
        sa.select(UserSession.last_seen_at).where(UserSession.user_id == world.lead.id)
    )
    assert seen > a_while_ago + timedelta(seconds=60)


def test_a_revoked_token_gets_no_kept_answer(client, world, pages, count_queries):
    token = issue_api_token(world.lead, "kept")
    headers = {"Authorization": f"Bearer {token}"}
    kept_twice(client, count_queries, pages["agenda_api"], headers=headers)
    token_id = world.lead.tokens[0].id
    assert revoke_api_token(token_id, world.lead)
    assert client.get(pages["agenda_api"], headers=headers).status_code == 401


def test_a_flashed_message_is_shown_once(client, login, world, pages):
    login(world.lead)
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Marked as read (kept-page test).")]
    assert "Marked as read (kept-page test)." in client.get("/").get_data(as_text=True)
    assert "Marked as read (kept-page test)." not in client.get("/").get_data(as_text=True)


def _version() -> str | None:
    return db.session.scalar(sa.select(page_cache.version_column()))


def test_only_writes_to_shown_tables_change_the_version(app, world):
    thank(world.staff, world.colleague, "A first thank-you")
    before = _version()
    assert before is not None
    db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow()))
    db.session.commit()
    assert _version() == before
    db.session.execute(sa.update(Location).where(Location.id == world.here.id).values(name="X"))
    db.session.rollback()
    assert _version() == before
    world.here.name = "Harbour Hotel (renamed)"
    db.session.commit()
    assert _version() != before


def test_a_write_that_changes_no_row_keeps_the_pages(client, login, world, pages, count_queries):
    login(world.lead)
    mark = pages["agenda_api"].replace("/agenda?", f"/attendance/{world.staff.id}?")
    assert client.put(mark, json={"status": "late"}).status_code == 200
    kept_twice(client, count_queries, pages["huddle"])
    before = _version()
    # The same status again, a delete of nothing and an update of nothing change no row.
    assert client.put(mark, json={"status": "late"}).status_code == 200
    db.session.execute(sa.delete(Location).where(Location.id == -1))
    db.session.commit()
    assert _version() == before
    with count_queries() as counter:
        assert client.get(pages["huddle"]).status_code == 200
    assert counter.count == 1
    assert client.put(mark, json={"status": "present"}).status_code == 200
    assert _version() != before


TABLE = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?([a-z_]+)"?', re.IGNORECASE)


def test_the_kept_pages_read_no_table_whose_writes_change_no_version(
    client, login, world, pages, count_queries
):
    """`UNSHOWN` must hold only tables the kept pages never show (the session's and token's are
    checked on every kept answer instead)."""
    token = issue_api_token(world.lead, "kept")
    read: set[str] = set()
    for person in (world.lead, world.staff):
        login(person)
        for name, url in pages.items():
            headers = {"Authorization": f"Bearer {token}"} if name == "agenda_api" else {}
            thank(world.colleague, world.staff, f"Fresh for {name}")  # a full render, not kept
            with count_queries() as counter:
                assert client.get(url, headers=headers).status_code in (200, 403), url
            read |= {match.lower() for s in counter.statements for match in TABLE.findall(s)}
    assert "kudos" in read and "attendance" in read
    assert read & page_cache.UNSHOWN <= {"user_sessions", "api_tokens", "page_version"}


def test_a_made_page_reads_the_version_before_anything_else(
    client, login, world, pages, count_queries
):
    """A page read before the version could be kept under a newer one than its data."""
    token = issue_api_token(world.lead, "kept")
    login(world.lead)
    for name, url in pages.items():
        headers = {"Authorization": f"Bearer {token}"} if name == "agenda_api" else {}
        client.get(url, headers=headers)
        with count_queries() as counter:
            assert client.get(url, headers={**headers, **MADE_ANEW}).status_code == 200
        assert "page_version" in counter.statements[0], name


def test_the_kept_answers_are_bounded(app, client, login, world, pages, monkeypatch):
    monkeypatch.setattr(page_cache, "MAX_ENTRIES", 2)
    kept = app.extensions[page_cache.EXTENSION]
    login(world.lead)
    for url in ("/", "/kudos", "/?lang=de"):
        client.get(url)
    assert [key[:2] for key in kept.entries] == [("/kudos", ""), ("/", "lang=de")]


@pytest.mark.parametrize("app_config", [{"HUDDLES_KEEP_PAGES": False}])
def test_kept_answers_can_be_turned_off(app, client, login, world, pages, count_queries):
    login(world.lead)
    _first, _again, statements = kept_twice(client, count_queries, pages["today"])
    assert statements > 1
    assert page_cache.EXTENSION not in app.extensions


def test_a_failing_check_falls_through_to_the_full_request(
    app, client, login, world, pages, count_queries, monkeypatch
):
    login(world.lead)
    kept_twice(client, count_queries, pages["today"])
    kept = app.extensions[page_cache.EXTENSION]

    def refused(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("the server closed the connection"))

    monkeypatch.setattr(kept, "_check_row", refused)
    with count_queries() as counter:
        answer = client.get(pages["today"])
    assert answer.status_code == 200 and counter.count > 1
    assert kept.entries  # made anew and kept again


def test_a_read_whose_statement_wrote_changes_the_version(app, client, login, world):
    def touches():
        db.session.execute(
            sa.update(Location).where(Location.id == world.here.id).values(name="Touched")
        )
        return "ok"

    app.add_url_rule("/_test/touches", "touches", touches)
    thank(world.staff, world.colleague, "Before the touch")
    before = _version()
    db.session.commit()
    assert client.get("/_test/touches").status_code == 200
    db.session.rollback()
    assert _version() != before
