"""The huddle's record: the page, the PDF sign-in sheet, the JSON, and the room's feedback."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda
from huddles.extensions import db
from huddles.huddle.record import build_record, records_pdf

pytestmark = pytest.mark.usefixtures("clock")

TODAY = date(2026, 12, 2)


def base(world) -> str:
    return f"/huddle/{world.shift.id}/{TODAY.isoformat()}"


def api(world, what: str) -> str:
    return f"/api/v1/shifts/{world.shift.id}/{what}?date={TODAY.isoformat()}"


@pytest.fixture
def held(client, world, login, make_user, make_shift, clock):
    from tests.feature.agenda_helpers import add_topic

    for kind in ("tip", "default-of-yes", "wow-story", "culture-matrix", "habit", "recovery"):
        add_topic(f"a-{kind}", kind)
    add_topic("a-phrase", "lexicon", avoid="No.", say_instead="Let me find out.")
    """Today's huddle, run: started 08:30, marks, a visitor, notes, feedback, finished 08:36."""
    visitor = make_user("staff", world.here, name="Vera Visitor")
    make_shift(world.here, "Late", roster=[visitor])
    login(world.staff)
    client.post(api(world, "check-in"), json={"via": "today"})
    login(world.lead)
    client.post(base(world) + "/start")
    client.put(api(world, f"attendance/{world.colleague.id}"), json={"status": "excused"})
    client.put(api(world, f"attendance/{visitor.id}"), json={"status": "late", "via": "screen"})
    client.put(api(world, f"attendance/{world.lead.id}"), json={"status": "present"})
    client.post(base(world) + "/notes", data={"notes": "Fire drill at 14:00."})
    client.post(api(world, "feedback"), json={"topic": "up"})
    clock.move_to(datetime(2026, 12, 2, 7, 36, tzinfo=UTC))
    login(world.lead)
    client.post(base(world) + "/finish")
    db.session.expire_all()
    return db.session.scalar(sa.select(Agenda).where(Agenda.shift_id == world.shift.id))


def test_the_json_record_follows_the_contract(client, world, login, held):
    login(world.staff)  # signed in, that location
    response = client.get(api(world, "huddle"))
    assert response.status_code == 200
    body = response.get_json()
    assert {
        "shift_id",
        "date",
        "status",
        "started_at",
        "finished_at",
        "duration_s",
        "led_by",
        "items",
        "attendance",
        "notes",
        "feedback",
    } <= set(body)
    assert body["status"] == "done"
    assert body["started_at"].startswith("2026-12-02T07:30")
    assert 355 <= body["duration_s"] <= 365
    assert body["led_by"] == {"user_id": world.lead.id, "name": "Lena Lead"}
    assert [item["slot"] for item in body["items"]] == [
        "welcome",
        "thanks",
        "topic",
        "phrase",
        "close",
    ]
    people = {row["name"]: row for row in body["attendance"]}
    assert people["Sam Staff"]["status"] == "present"
    assert people["Sam Staff"]["self_check_in"] is True
    assert people["Sam Staff"]["via"] == "today"
    assert people["Vera Visitor"]["visitor"] is True and people["Vera Visitor"]["status"] == "late"
    assert people["Vera Visitor"]["marked_by"] == {"user_id": world.lead.id, "name": "Lena Lead"}
    assert people["Cleo Colleague"]["status"] == "excused"
    assert (body["here"], body["expected"]) == (3, 3)
    assert body["notes"] == "Fire drill at 14:00."
    assert body["feedback"] == "up"


def test_the_record_of_another_location_is_not_theirs(client, world, login, held):
    login(world.other_lead)
    assert client.get(api(world, "huddle")).status_code in (403, 404)
    assert client.get(base(world) + "/record").status_code in (403, 404)


def test_a_day_without_a_huddle_has_no_record(client, world, login):
    login(world.lead)
    assert client.get(api(world, "huddle")).status_code == 404
    assert client.get(base(world) + "/record").status_code == 404


def test_the_record_page_shows_everything_an_auditor_reads(client, world, login, held):
    login(world.lead)
    html = client.get(base(world) + "/record").get_data(as_text=True)
    for text in (
        "Huddle record",
        f"HR-{held.id:06d}",
        "Harbour Hotel",
        "Early",
        "07:00–07:05",  # planned: the shift starts 07:00 in Berlin, 5 minutes
        "08:30",
        "08:36",
        "Lena Lead",
        "3 of 3",
        "Vera Visitor",
        "visitor, added by the lead · huddle screen",
        "self check-in · Today page",
        "Excused",
        "Fire drill at 14:00.",
        "👍 Up: it landed",
        "record.pdf",
    ):
        assert text in html, text


def test_the_record_page_makes_the_same_number_of_queries_for_any_roster(
    client, world, login, held, make_user, count_queries
):
    login(world.lead)
    db.session.expire_all()
    with count_queries() as counter:
        client.get(base(world) + "/record")
    few = counter.count
    for number in range(15):
        person = make_user("staff", world.here, name=f"Extra {number}")
        world.shift.roster.append(type(world.shift.roster[0])(user=person))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as counter:
        html = client.get(base(world) + "/record").get_data(as_text=True)
    assert "Extra 14" in html
    assert counter.count == few


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 (a fixed command on a file of the test)
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("lang", ["en", "de", "ru", "pl", "ar"])
def test_the_pdf_sign_in_sheet_renders_in_every_language(client, world, login, held, lang):
    login(world.lead)
    response = client.get(base(world) + f"/record.pdf?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "inline" in response.headers["Content-Disposition"]
    if os.environ.get("HUDDLES_KEEP_PDF"):
        Path(os.environ["HUDDLES_KEEP_PDF"], f"record-{lang}.pdf").write_bytes(response.data)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_holds_the_names_and_the_record_id(client, world, login, held, tmp_path):
    login(world.lead)
    text = _pdf_text(client.get(base(world) + "/record.pdf").data, tmp_path)
    for expected in (f"HR-{held.id:06d}", "Lena Lead", "Vera Visitor", "Fire drill at 14:00."):
        assert expected in text


def test_several_records_bind_into_one_pdf(app, world, held):
    record = build_record(held)
    pdf = records_pdf([record, record], "en")
    assert (
        pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
        or pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2
    )
    assert records_pdf([], "ar").startswith(b"%PDF-")


# --- Feedback ------------------------------------------------------------------------------


def test_feedback_needs_a_started_huddle_and_replaces_itself(client, world, login):
    login(world.lead)
    client.get(base(world))
    response = client.post(api(world, "feedback"), json={"topic": "up"})
    assert response.status_code == 409
    client.post(base(world) + "/start")
    assert client.post(api(world, "feedback"), json={"topic": "up"}).status_code == 200
    response = client.post(api(world, "feedback"), json={"topic": "down"})
    assert response.get_json()["topic"] == "down"
    db.session.expire_all()
    agenda = db.session.scalar(sa.select(Agenda))
    assert (agenda.topic_feedback, agenda.feedback_by_id) == ("down", world.lead.id)


@pytest.mark.parametrize("body", [{"topic": "meh"}, {"topic": 1}, {}])
def test_bad_feedback_is_refused_naming_the_field(client, world, login, body):
    login(world.lead)
    client.post(base(world) + "/start")
    response = client.post(api(world, "feedback"), json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "topic"
    assert db.session.scalar(sa.select(Agenda.topic_feedback)) is None


def test_staff_cannot_give_the_rooms_feedback(client, world, login):
    login(world.staff)
    assert client.post(api(world, "feedback"), json={"topic": "up"}).status_code == 403


def test_the_topic_page_counts_the_rooms_feedback(client, world, login, held):
    slug = next(item.topic_slug for item in build_record(held).items if item.slot == "topic")
    login(world.lead)
    html = client.get(f"/topics/{slug}").get_data(as_text=True)
    assert "👍 1" in html and "👎 0" in html


def test_the_new_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/shifts/{id}/huddle"]
    assert "post" in paths["/shifts/{id}/check-in"]
    assert "409" in paths["/shifts/{id}/check-in"]["post"]["responses"]
    assert paths["/shifts/{id}/feedback"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]["properties"]["topic"]["enum"] == ["up", "down"]
