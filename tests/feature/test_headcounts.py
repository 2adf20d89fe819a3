"""One way of counting "N of M here": the roster not excused plus visitors who came."""

from __future__ import annotations

from datetime import date

from huddles.agenda.planning import get_agenda
from huddles.attendance.models import Attendance
from huddles.attendance.service import Headcount, headcounts
from huddles.db import utcnow
from huddles.extensions import db


def _mark(agenda, user, status, visitor=False):
    db.session.add(Attendance(agenda_id=agenda.id, user_id=user.id, status=status, visitor=visitor))
    db.session.commit()


def test_excused_are_not_expected_and_visitors_who_came_are(world, make_user, make_shift):
    now = utcnow()
    agenda = get_agenda(world.shift, date(2026, 12, 2), now=now)
    visitor = make_user("staff", world.here, name="Vera Visitor")
    no_show_visitor = make_user("staff", world.here, name="Nils Visitor")
    _mark(agenda, world.lead, "present")
    _mark(agenda, world.staff, "excused")
    _mark(agenda, visitor, "late", visitor=True)
    _mark(agenda, no_show_visitor, "absent", visitor=True)
    # Roster of 3, one excused: 2 expected of the roster, plus the visitor who came.
    assert headcounts([agenda.id]) == {agenda.id: Headcount(here=2, expected=3)}


def test_an_agenda_with_no_marks_counts_the_whole_roster(world):
    agenda = get_agenda(world.shift, date(2026, 12, 2), now=utcnow())
    assert headcounts([agenda.id]) == {agenda.id: Headcount(0, 3)}
    assert headcounts([]) == {}


def test_inactive_people_on_the_roster_are_not_expected(world):
    agenda = get_agenda(world.shift, date(2026, 12, 2), now=utcnow())
    world.colleague.active = False
    db.session.commit()
    assert headcounts([agenda.id])[agenda.id] == Headcount(0, 2)


def test_one_query_for_any_number_of_agendas(world, count_queries):
    now = utcnow()
    agendas = [get_agenda(world.shift, date(2026, 12, day), now=now) for day in range(1, 8)]
    agendas.append(get_agenda(world.other_shift, date(2026, 12, 1), now=now))
    _mark(agendas[0], world.staff, "present")
    _mark(agendas[-1], world.other_staff, "present")
    ids = [agenda.id for agenda in agendas]
    with count_queries() as counter:
        counts = headcounts(ids)
    assert counter.count == 1
    assert counts[ids[0]] == Headcount(1, 3)
    assert counts[ids[1]] == Headcount(0, 3)
    assert counts[ids[-1]] == Headcount(1, 2)
