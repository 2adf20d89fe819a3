"""The reports: coverage, attendance, topics and kudos, through /api/v1/reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from huddles.extensions import db
from tests.feature.agenda_helpers import add_topic
from tests.feature.report_helpers import add_huddle, add_kudos, backdate, today_in


def q(world_location, start, end, **extra):
    params = {"location_id": world_location.id, "from": start.isoformat(), "to": end.isoformat()}
    params.update(extra)
    return "&".join(f"{k}={v}" for k, v in params.items())


# --- coverage ----------------------------------------------------------------------------------


def test_coverage_shows_every_status_and_off_and_missed_without_an_agenda(
    client, world, login, make_shift
):
    today = today_in()
    start = today - timedelta(days=6)
    skipped = (today - timedelta(days=5)).weekday()
    shift = make_shift(
        world.here, "Late", weekdays=[d for d in range(7) if d != skipped], roster=[world.staff]
    )
    backdate(shift)
    add_huddle(shift, today - timedelta(days=6), "done")
    add_huddle(shift, today - timedelta(days=4), "ended")
    add_huddle(shift, today - timedelta(days=3), "missed")
    # today - 2 and today - 1: no agenda at all, the shift ran: missed. Today: planned.
    login(world.lead)
    body = client.get(
        f"/api/v1/reports/coverage?{q(world.here, start, today + timedelta(days=1))}"
    ).get_json()
    assert body["from"] == start.isoformat()
    late = next(s for s in body["shifts"] if s["shift_id"] == shift.id)
    assert late["name"] == "Late"
    assert [d["status"] for d in late["days"]] == [
        "done",
        "off",
        "ended",
        "missed",
        "missed",
        "missed",
        "planned",
        "planned",
    ]
    assert late["days"][0]["date"] == start.isoformat()
    # Held: done and ended (2) of the 5 days that were due.
    assert late["held_share"] == 0.4
    # The world's Early shift was made today: the days before it existed are off, not missed.
    early = next(s for s in body["shifts"] if s["shift_id"] == world.shift.id)
    assert {d["status"] for d in early["days"][:6]} == {"off"}


def test_coverage_csv_lists_every_cell(client, world, login):
    backdate(world.shift)
    today = today_in()
    add_huddle(world.shift, today - timedelta(days=1), "done")
    login(world.admin)
    response = client.get(
        f"/api/v1/reports/coverage?{q(world.here, today - timedelta(days=1), today)}&format=csv"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["shift_id", "shift", "date", "status"]
    assert rows[1:] == [
        [str(world.shift.id), "Early", (today - timedelta(days=1)).isoformat(), "done"],
        [str(world.shift.id), "Early", today.isoformat(), "planned"],
    ]


# --- attendance --------------------------------------------------------------------------------


def test_attendance_rates_per_shift_and_person(client, world, login, make_user):
    backdate(world.shift)
    today = today_in()
    visitor = make_user("staff", world.here, name="Vic Visitor")
    first = add_huddle(
        world.shift,
        today - timedelta(days=3),
        "done",
        minutes=5,
        marks={world.staff: "present", world.colleague: "late", visitor: "present"},
    )
    add_huddle(
        world.shift,
        today - timedelta(days=2),
        "done",
        minutes=9,
        marks={world.staff: "absent", world.colleague: "excused"},
        caught_up=(world.staff,),
    )
    # A missed huddle expects nobody; a planned one neither.
    add_huddle(world.shift, today - timedelta(days=1), "missed", marks={world.staff: "absent"})
    add_huddle(world.shift, today + timedelta(days=1), "planned")
    assert first.id
    login(world.lead)
    body = client.get(
        f"/api/v1/reports/attendance?{q(world.here, today - timedelta(days=7), today)}"
    ).get_json()
    [shift] = body["shifts"]
    assert shift == {
        "shift_id": world.shift.id,
        "name": "Early",
        "huddles": 2,
        "expected": 6,
        "attended": 3,
        "rate": 0.5,
        "average_duration_s": 420.0,
        "overruns": 1,
    }
    people = {p["name"]: p for p in body["people"]}
    assert {n: (p["expected"], p["attended"]) for n, p in people.items()} == {
        "Lena Lead": (2, 0),
        "Sam Staff": (2, 1),
        "Cleo Colleague": (1, 1),
        "Vic Visitor": (1, 1),
    }
    assert people["Cleo Colleague"]["late"] == 1
    # The lead was never marked and never caught up; Sam caught up on the one he missed.
    assert people["Lena Lead"]["not_caught_up"] == 2
    assert people["Sam Staff"]["not_caught_up"] == 0
    assert people["Sam Staff"]["rate"] == 0.5
    assert sum(w["expected"] for w in body["weeks"]) == 6


def test_attendance_csv_is_the_people_rows_and_neutralises_formulas(
    client, world, login, make_user
):
    backdate(world.shift)
    today = today_in()
    add_huddle(world.shift, today - timedelta(days=1), "done", marks={world.staff: "present"})
    world.colleague.name = '=HYPERLINK("http://evil.test","x")'
    from huddles.extensions import db

    db.session.commit()
    login(world.lead)
    text = client.get(
        f"/api/v1/reports/attendance?{q(world.here, today - timedelta(days=3), today)}&format=csv"
    ).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "user_id",
        "name",
        "expected",
        "attended",
        "rate",
        "late",
        "not_caught_up",
    ]
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.test","x")' in names
    assert "Sam Staff" in names


# --- topics ------------------------------------------------------------------------------------


def test_topics_used_last_used_and_feedback_never_counts_planned(client, world, login):
    backdate(world.shift)
    today = today_in()
    liked = add_topic("liked-topic", "tip", title="A liked topic")
    disliked = add_topic("disliked-topic", "habit")
    unused = add_topic("never-used-topic", "recovery")
    add_topic("draft-topic", "recovery", status="draft")
    add_huddle(world.shift, today - timedelta(days=5), "done", topic=liked, feedback="up")
    add_huddle(world.shift, today - timedelta(days=4), "ended", topic=liked, feedback="up")
    add_huddle(world.shift, today - timedelta(days=3), "done", topic=disliked, feedback="down")
    add_huddle(world.shift, today - timedelta(days=2), "missed", topic=disliked)
    # Planned for tomorrow: not used, so never "last used" in the future.
    add_huddle(world.shift, today + timedelta(days=1), "planned", topic=liked)
    login(world.lead)
    period = q(world.here, today - timedelta(days=7), today + timedelta(days=7))
    body = client.get(f"/api/v1/reports/topics?{period}").get_json()
    topics = {t["slug"]: t for t in body["topics"]}
    assert topics["liked-topic"] == {
        "slug": "liked-topic",
        "kind": "tip",
        "title": "A liked topic",
        "used": 2,
        "last_used": (today - timedelta(days=4)).isoformat(),
        "up": 2,
        "down": 0,
    }
    assert (topics["disliked-topic"]["used"], topics["disliked-topic"]["down"]) == (1, 1)
    assert topics[unused.slug]["used"] == 0 and topics[unused.slug]["last_used"] is None
    assert "draft-topic" not in topics


def test_never_used_counts_only_the_topics_the_location_is_given(client, world, login):
    """A hotel is never offered a contact centre's topic, so it is not "never used" there."""
    world.here.setting = "hotel"
    db.session.commit()
    backdate(world.shift)
    today = today_in()
    add_topic("for-every-place", "tip")
    add_topic("for-hotels", "tip", settings=("hotel", "restaurant"))
    add_topic("for-phones", "tip", settings=("contact-centre",))
    # Used here once (an admin's pin, say): a used topic counts whatever its setting.
    pinned = add_topic("pinned-for-phones", "habit", settings=("contact-centre",))
    add_huddle(world.shift, today - timedelta(days=2), "done", topic=pinned)
    login(world.lead)
    period = q(world.here, today - timedelta(days=7), today)
    body = client.get(f"/api/v1/reports/topics?{period}").get_json()
    used = {t["slug"]: t["used"] for t in body["topics"]}
    assert used == {"pinned-for-phones": 1, "for-every-place": 0, "for-hotels": 0}
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/api/v1/reports/topics?{period}&format=csv").get_data(as_text=True)
            )
        )
    )
    assert {row["slug"] for row in rows} == set(used)
    # A contact centre is given its own topics, and never the hotels.
    world.there.setting = "contact-centre"
    db.session.commit()
    login(world.admin)
    there = q(world.there, today - timedelta(days=7), today)
    body = client.get(f"/api/v1/reports/topics?{there}").get_json()
    assert {t["slug"] for t in body["topics"]} == {
        "for-every-place",
        "for-phones",
        "pinned-for-phones",
    }


def test_a_topic_out_of_season_all_period_is_not_never_used(client, world, login):
    """The rotation offers a seasonal topic only in its season: outside it all period long, it
    is not "never used" (an admin would retire a Christmas topic in June otherwise)."""
    backdate(world.shift)
    today = today_in()
    start = today - timedelta(days=7)
    inside = (start + timedelta(days=3)).strftime("%m-%d")
    later = today + timedelta(days=40)
    add_topic("always", "tip")
    add_topic("in-this-season", "tip", season=(inside, inside))
    add_topic("out-of-season", "tip", season=(later.strftime("%m-%d"), later.strftime("%m-%d")))
    add_topic("a-year-round-wrap", "tip", season=(today.strftime("%m-%d"), start.strftime("%m-%d")))
    login(world.lead)
    body = client.get(f"/api/v1/reports/topics?{q(world.here, start, today)}").get_json()
    never = {t["slug"] for t in body["topics"] if t["used"] == 0}
    assert {"always", "in-this-season", "a-year-round-wrap"} <= never
    assert "out-of-season" not in never


# --- kudos -------------------------------------------------------------------------------------


def test_kudos_given_received_values_and_top_share(client, world, login):
    today = today_in()
    day = today - timedelta(days=2)
    for _ in range(3):
        add_kudos(world.staff, world.colleague, day, "wow")
    add_kudos(world.lead, world.colleague, day, "recovery")
    add_kudos(world.colleague, world.staff, day, "wow")
    add_kudos(world.staff, world.colleague, day, "wow", hidden=True)  # moderated out
    add_kudos(world.staff, world.colleague, today - timedelta(days=40))  # before the period
    add_kudos(world.other_staff, world.other_lead, day)  # another location
    login(world.lead)
    body = client.get(
        f"/api/v1/reports/kudos?{q(world.here, today - timedelta(days=7), today)}"
    ).get_json()
    assert body["total"] == 5
    assert body["values"] == [{"value": "wow", "count": 4}, {"value": "recovery", "count": 1}]
    people = {p["name"]: (p["given"], p["received"]) for p in body["people"]}
    assert people == {"Cleo Colleague": (1, 4), "Lena Lead": (1, 0), "Sam Staff": (3, 1)}
    # Three people: the top fifth is one person, who received 4 of the 5.
    assert body["top_share"] == 0.8
    assert "Ola Staff" not in str(body)


# --- access and bad input ----------------------------------------------------------------------


@pytest.mark.parametrize("report", ["attendance", "coverage", "kudos", "topics"])
def test_staff_get_403_and_leads_only_their_location(client, world, login, report):
    login(world.staff)
    assert client.get(f"/api/v1/reports/{report}").status_code == 403
    login(world.lead)
    assert client.get(f"/api/v1/reports/{report}").status_code == 200
    response = client.get(f"/api/v1/reports/{report}?location_id={world.there.id}")
    assert response.status_code == 403
    assert "Ola" not in response.get_data(as_text=True)
    login(world.admin)
    assert client.get(f"/api/v1/reports/{report}?location_id={world.there.id}").status_code == 200
    missing = client.get(f"/api/v1/reports/{report}")
    assert missing.status_code == 400
    assert missing.get_json()["error"]["field"] == "location_id"
    assert client.get(f"/api/v1/reports/{report}").status_code == 400
    login(None)
    assert client.get(f"/api/v1/reports/{report}").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-03-10&to=2026-03-01", "to"),
        ("from=2024-01-01&to=2025-12-31", "to"),
        ("location_id=abc", "location_id"),
        ("location_id=99999999999", "location_id"),
        ("format=xml", "format"),
        ("format=csv&table=nope", "table"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, world, login, query, field):
    login(world.lead)
    response = client.get(f"/api/v1/reports/attendance?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_a_year_is_allowed_and_no_location_is_a_404(client, world, login):
    login(world.admin)
    ok = client.get(
        f"/api/v1/reports/coverage?location_id={world.here.id}&from=2025-01-01&to=2025-12-31"
    )
    assert ok.status_code == 200
    assert client.get("/api/v1/reports/coverage?location_id=424242").status_code == 404


# --- speed -------------------------------------------------------------------------------------


@pytest.mark.parametrize("report", ["attendance", "coverage", "kudos", "topics"])
def test_statements_per_report_stay_flat_with_history(client, world, login, count_queries, report):
    backdate(world.shift)
    today = today_in()
    topic = add_topic("some-topic")
    login(world.lead)
    url = f"/api/v1/reports/{report}?{q(world.here, today - timedelta(days=40), today)}"

    def grow(first: int, last: int) -> None:
        for offset in range(first, last):
            day = today - timedelta(days=offset)
            add_huddle(
                world.shift,
                day,
                "done",
                topic=topic,
                feedback="up",
                marks={world.staff: "present", world.colleague: "absent"},
            )
            add_kudos(world.staff, world.colleague, day, "wow")

    grow(1, 3)
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow(3, 30)
    client.get(url)  # the same warm start as above: the session's identity map is shared
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count
    assert small.count <= 10
