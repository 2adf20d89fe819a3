"""Today is right at every hour, in the location's zone, night shifts too."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from huddles.agenda import planning
from huddles.attendance.models import Attendance, CatchUp
from huddles.attendance.service import headcounts
from huddles.extensions import db
from huddles.main import service as today_service
from huddles.org.models import RosterEntry
from tests.conftest import MADE_ANEW
from tests.feature.agenda_helpers import add_library

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 3, 3)
MONDAY = TUESDAY - timedelta(days=1)
WEDNESDAY = TUESDAY + timedelta(days=1)
# (name, start, minutes): the day shift, the late shift to 23:00, the night shift to 06:30.
SHIFTS = [("Early", time(7, 0), 480), ("Late", time(15, 0), 480), ("Night", time(22, 30), 480)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock moment in Berlin as aware UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def shifts(world, make_shift):
    world.shift.name, world.shift.active = "Retired", False  # ours replaces the world's Early
    db.session.commit()
    made = {
        name: make_shift(world.here, name, start, minutes, roster=[world.lead, world.staff])
        for name, start, minutes in SHIFTS
    }
    return made


def expected_status(name: str, day: date, now: datetime) -> str:
    """An independent statement of the rule for huddles nobody started: planned until the
    shift is over, then missed."""
    start, minutes = next((start, minutes) for n, start, minutes in SHIFTS if n == name)
    shift_over = datetime.combine(day, start, tzinfo=BERLIN) + timedelta(minutes=minutes)
    return "missed" if now >= shift_over else "planned"


def lines(view):
    (place,) = view.locations
    return (
        [(card.shift.name, card.day, card.status) for card in place.todays],
        [(card.shift.name, card.day) for card in place.tomorrows],
    )


HOURS = [(hour, 0) for hour in range(24)] + [(2, 40), (6, 29), (6, 30), (22, 59), (23, 59)]


@pytest.mark.parametrize(("hour", "minute"), HOURS)
def test_a_lead_sees_last_night_today_and_tonight_at_every_hour(app, world, shifts, hour, minute):
    now = at(TUESDAY, hour, minute)
    todays, tomorrows = lines(today_service.today_for(world.lead, now=now))
    assert todays == [
        ("Night", MONDAY, expected_status("Night", MONDAY, now)),
        ("Early", TUESDAY, expected_status("Early", TUESDAY, now)),
        ("Late", TUESDAY, expected_status("Late", TUESDAY, now)),
        ("Night", TUESDAY, "planned"),
    ]
    assert tomorrows == [("Early", WEDNESDAY), ("Late", WEDNESDAY), ("Night", WEDNESDAY)]


def next_expected(now: datetime) -> tuple[str, date]:
    """The first huddle, by start, whose shift is not over yet."""
    options = []
    for day in (MONDAY, TUESDAY, WEDNESDAY):
        for name, start, minutes in SHIFTS:
            begins = datetime.combine(day, start, tzinfo=BERLIN)
            if now < begins + timedelta(minutes=minutes):
                options.append((begins, name, day))
    _begins, name, day = min(options)
    return name, day


@pytest.mark.parametrize(("hour", "minute"), HOURS)
def test_staff_see_their_next_huddle_at_every_hour(app, world, shifts, hour, minute):
    now = at(TUESDAY, hour, minute)
    card = today_service.today_for(world.staff, now=now).next_huddle
    assert (card.shift.name, card.day) == next_expected(now)
    assert card.status == "planned"


def make_agenda(shift, day, **values):
    agenda = planning.get_agenda(shift, day, now=at(day, 0))
    for name, value in values.items():
        setattr(agenda, name, value)
    db.session.commit()
    return agenda


def test_at_0240_last_nights_done_huddle_belongs_to_last_night_and_tonights_is_shown(
    app, world, shifts
):
    add_library()
    make_agenda(
        shifts["Night"],
        MONDAY,
        status="done",
        started_at=at(MONDAY, 22, 31),
        finished_at=at(MONDAY, 22, 37),
    )
    now = at(TUESDAY, 2, 40)
    todays, _tomorrows = lines(today_service.today_for(world.lead, now=now))
    assert ("Night", MONDAY, "done") in todays
    assert ("Night", TUESDAY, "planned") in todays
    card = today_service.today_for(world.staff, now=now).next_huddle
    assert (card.shift.name, card.day) == ("Early", TUESDAY), "not last night's, which is done"


def test_a_done_huddle_is_not_the_next_one_while_a_later_one_is_to_come(app, world, shifts):
    add_library()
    make_agenda(
        shifts["Early"],
        TUESDAY,
        status="done",
        started_at=at(TUESDAY, 7, 2),
        finished_at=at(TUESDAY, 7, 8),
    )
    card = today_service.today_for(world.staff, now=at(TUESDAY, 7, 20)).next_huddle
    assert (card.shift.name, card.day) == ("Late", TUESDAY)


def test_a_huddle_left_running_shows_as_ended_and_is_not_next(app, world, shifts):
    add_library()
    make_agenda(shifts["Night"], MONDAY, status="running", started_at=at(MONDAY, 22, 31))
    now = at(TUESDAY, 2, 40)
    todays, _tomorrows = lines(today_service.today_for(world.lead, now=now))
    assert ("Night", MONDAY, "ended") in todays
    card = today_service.today_for(world.staff, now=now).next_huddle
    assert (card.shift.name, card.day) == ("Early", TUESDAY)


@pytest.mark.parametrize("stored", ["ended", "missed"])
def test_closed_huddles_show_as_they_were_closed(app, world, shifts, stored):
    add_library()
    make_agenda(shifts["Early"], TUESDAY, status=stored, finished_at=at(TUESDAY, 15, 0))
    todays, _tomorrows = lines(today_service.today_for(world.lead, now=at(TUESDAY, 16, 0)))
    assert ("Early", TUESDAY, stored) in todays


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock of the Today page."""

    def freeze(moment: datetime) -> None:
        monkeypatch.setattr("huddles.main.views.utcnow", lambda: moment)

    return freeze


def row_of(html: str, shift_name: str, day: date | None = None) -> str:
    rows = html.split('<li class="huddle-row')[1:]
    for row in rows:
        row = row.split("</li>")[0]
        if f"<bdi>{shift_name}</bdi>" in row and (day is None or day.isoformat() in row):
            return row
    raise AssertionError(f"no row for {shift_name} {day}")


def test_the_page_never_offers_to_continue_a_huddle_that_ended(app, world, shifts, login, frozen):
    add_library()
    make_agenda(shifts["Night"], MONDAY, status="running", started_at=at(MONDAY, 22, 31))
    make_agenda(shifts["Early"], TUESDAY, status="running", started_at=at(TUESDAY, 2, 35))
    frozen(at(TUESDAY, 2, 40))
    html = login(world.lead).get("/").get_data(as_text=True)
    last_night = row_of(html, "Night", MONDAY)
    assert "Ended (left running)" in last_night and "Continue huddle" not in last_night
    assert "since last night" in last_night
    assert "Continue huddle" in row_of(html, "Early", TUESDAY)
    tonight = row_of(html, "Night", TUESDAY)
    assert "Not started" in tonight and "Prepare" in tonight


def test_the_page_says_missed_and_offers_the_record(app, world, shifts, login, frozen):
    frozen(at(TUESDAY, 16, 0))
    html = login(world.lead).get("/").get_data(as_text=True)
    early = row_of(html, "Early", TUESDAY)
    assert "Missed" in early and "View" in early and "Open huddle" not in early
    late = row_of(html, "Late", TUESDAY)
    assert "Open huddle" in late and "0 of 2 here" in late


def test_staff_see_which_huddle_is_next_on_the_page(app, world, shifts, login, frozen):
    add_library()
    make_agenda(
        shifts["Early"],
        TUESDAY,
        status="done",
        started_at=at(TUESDAY, 7, 2),
        finished_at=at(TUESDAY, 7, 8),
    )
    frozen(at(TUESDAY, 7, 20))
    html = login(world.staff).get("/").get_data(as_text=True)
    section = html.split("Your next huddle")[1].split("</section>")[0]
    assert "<bdi>Late</bdi>" in section and "Not started" in section


def test_today_counts_as_the_huddle_screen_does(app, world, shifts, make_user, login, frozen):
    """ "N of M here" is headcounts': excused are not expected, visitors who came are."""
    add_library()
    early = shifts["Early"]
    visitor = make_user("staff", world.here, name="Vic Visitor")
    agenda = make_agenda(early, TUESDAY, status="running", started_at=at(TUESDAY, 7, 1))
    db.session.add_all(
        [
            Attendance(agenda_id=agenda.id, user_id=world.staff.id, status="present"),
            Attendance(agenda_id=agenda.id, user_id=world.lead.id, status="excused"),
            Attendance(agenda_id=agenda.id, user_id=visitor.id, status="present", visitor=True),
        ]
    )
    db.session.commit()
    count = headcounts([agenda.id])[agenda.id]
    assert (count.here, count.expected) == (2, 2)
    frozen(at(TUESDAY, 7, 3))
    html = login(world.lead).get("/").get_data(as_text=True)
    assert f"{count.here} of {count.expected} here" in row_of(html, "Early", TUESDAY)


def test_the_count_is_the_same_before_and_after_the_agenda_exists(
    app, world, shifts, login, frozen
):
    add_library()
    frozen(at(TUESDAY, 6, 45))
    client = login(world.lead)
    before = row_of(client.get("/").get_data(as_text=True), "Early", TUESDAY)
    planning.open_agenda(shifts["Early"], TUESDAY, now=at(TUESDAY, 6, 45), actor=world.lead)
    after = row_of(client.get("/").get_data(as_text=True), "Early", TUESDAY)
    assert "0 of 2 here" in before and "0 of 2 here" in after
    later = row_of(client.get("/").get_data(as_text=True), "Early", WEDNESDAY)
    assert "2 expected" in later


def test_the_staff_today_page_makes_the_same_number_of_queries_for_more_shifts(
    app, world, shifts, login, make_shift, count_queries, frozen
):
    frozen(at(TUESDAY, 7, 20))
    client = login(world.staff)
    client.get("/")
    with count_queries() as few:
        client.get("/", headers=MADE_ANEW)
    for number in range(5):
        make_shift(world.here, f"Extra {number}", time(8 + number, 0), roster=[world.staff])
    client.get("/")
    with count_queries() as many:
        client.get("/", headers=MADE_ANEW)
    assert few.count == many.count


def test_every_line_counts_as_headcounts_does_whatever_else_is_marked(
    app, world, shifts, make_user
):
    """Each line's "N of M here" comes from the page's own statement: it must be the headcount of
    that agenda, not be swayed by marks on other agendas (an excuse on another huddle, a visitor
    who is on another shift's roster), and count visitors, inactive people and catch-ups right."""
    add_library()
    early, late, night = shifts["Early"], shifts["Late"], shifts["Night"]
    floater = make_user("staff", world.here, name="Flo Floater")  # on Late's roster only
    drifter = make_user("staff", world.here, name="Dirk Drifter")  # on no roster
    inactive = make_user("staff", world.here, name="Ina Inactive")
    late.roster.append(RosterEntry(user=floater))
    early.roster.append(RosterEntry(user=inactive))
    inactive.active = False
    db.session.commit()
    last_night = make_agenda(night, MONDAY, status="done", started_at=at(MONDAY, 22, 31))
    this_morning = make_agenda(early, TUESDAY, status="running", started_at=at(TUESDAY, 7, 55))
    this_afternoon = make_agenda(late, TUESDAY)
    tomorrow = make_agenda(early, WEDNESDAY)
    marks = [
        (last_night, world.staff, "excused", False),
        (last_night, world.lead, "present", False),
        (last_night, world.colleague, "present", True),
        (this_morning, world.staff, "present", False),
        (this_morning, inactive, "present", False),
        (this_morning, floater, "present", True),
        (this_morning, drifter, "absent", True),
        (this_afternoon, world.lead, "excused", False),
    ]
    db.session.add_all(
        Attendance(agenda_id=agenda.id, user_id=person.id, status=status, visitor=visitor)
        for agenda, person, status, visitor in marks
    )
    db.session.add(CatchUp(agenda_id=last_night.id, user_id=world.staff.id))
    db.session.commit()

    (place,) = today_service.today_for(world.lead, now=at(TUESDAY, 8, 0)).locations
    lines = {(card.shift.name, card.day): card for card in place.cards}
    counted = {key: (card.here, card.expected) for key, card in lines.items()}
    assert counted == {
        ("Night", MONDAY): (2, 2),  # the excused are not expected, the visitor who came is
        ("Early", TUESDAY): (3, 4),  # the inactive and the floater came from off the roster
        ("Late", TUESDAY): (0, 2),  # the lead is excused here, and only here
        ("Night", TUESDAY): (0, 2),  # no agenda yet: the active roster
        ("Early", WEDNESDAY): (0, 2),  # an agenda nobody marked: the active roster
        ("Late", WEDNESDAY): (0, 3),
        ("Night", WEDNESDAY): (0, 2),
    }
    agendas = {
        ("Night", MONDAY): last_night,
        ("Early", TUESDAY): this_morning,
        ("Late", TUESDAY): this_afternoon,
        ("Early", WEDNESDAY): tomorrow,
    }
    screen = headcounts([agenda.id for agenda in agendas.values()])
    for key, agenda in agendas.items():
        assert counted[key] == (screen[agenda.id].here, screen[agenda.id].expected), key
    assert [lines[("Night", MONDAY)].caught_up, lines[("Early", TUESDAY)].caught_up] == [1, 0]
    assert {key: card.my_status for key, card in lines.items() if card.my_status} == {
        ("Night", MONDAY): "present",
        ("Late", TUESDAY): "excused",
    }
    assert all(card.mine for card in place.cards)
    assert [lines[("Night", MONDAY)].status, lines[("Early", TUESDAY)].status] == [
        "done",
        "running",
    ]
