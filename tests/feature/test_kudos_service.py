"""Kudos service functions: giving, the cap, the huddle's thank-yous, read-outs, the nudge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda
from huddles.extensions import db
from huddles.kudos import service
from huddles.kudos.models import Kudos
from huddles.validation import FieldError

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def request_context(app):
    """Messages are translated, and the locale is picked per request."""
    with app.test_request_context():
        yield


def give(giver, receiver, message="Thanks for covering the desk", value=None, now=NOW, cap=5):
    return service.give_kudos(
        giver, to_user_id=receiver.id, message=message, value=value, now=now, daily_cap=cap
    )


def test_give_kudos_saves_it_at_the_receivers_location(world):
    kudos = give(world.staff, world.colleague, "  Great save with the late check-in  ", "recovery")
    assert kudos.id is not None
    assert kudos.message == "Great save with the late check-in"
    assert kudos.location_id == world.here.id
    assert kudos.given_on == date(2026, 3, 10)
    assert kudos.value == "recovery"


def test_admin_may_thank_anyone_and_the_location_is_the_receivers(world):
    kudos = give(world.admin, world.other_staff)
    assert kudos.location_id == world.there.id


@pytest.mark.parametrize(
    ("receiver", "message", "value", "field"),
    [
        ("nobody", "Thanks", None, "to_user_id"),
        ("staff", "Thanks", None, "to_user_id"),
        ("other_staff", "Thanks", None, "to_user_id"),
        ("admin", "Thanks", None, "to_user_id"),
        ("colleague", "   ", None, "message"),
        ("colleague", "x" * 501, None, "message"),
        ("colleague", "Thanks", "bravery", "value"),
    ],
)
def test_bad_kudos_name_the_field_and_save_nothing(world, receiver, message, value, field):
    to_user_id = 999_999 if receiver == "nobody" else getattr(world, receiver).id
    with pytest.raises(FieldError) as error:
        service.give_kudos(
            world.staff, to_user_id=to_user_id, message=message, value=value, now=NOW, daily_cap=5
        )
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Kudos)) == 0


def test_inactive_people_cannot_be_thanked(world, make_user):
    gone = make_user("staff", world.here, active=False)
    with pytest.raises(FieldError) as error:
        give(world.staff, gone)
    assert error.value.field == "to_user_id"


def test_message_of_exactly_500_characters_is_fine(world):
    assert len(give(world.staff, world.colleague, "y" * 500).message) == 500


def test_daily_cap_counts_the_givers_local_day(world):
    # Berlin is UTC+1 in March: 23:30 UTC is already the next local day.
    for _ in range(2):
        give(world.staff, world.colleague, now=datetime(2026, 3, 10, 12, 0, tzinfo=UTC), cap=2)
    with pytest.raises(service.KudosCapReached) as error:
        give(world.staff, world.lead, now=datetime(2026, 3, 10, 22, 30, tzinfo=UTC), cap=2)
    assert "You have thanked 2 people today" in error.value.message
    next_day = give(world.staff, world.lead, now=datetime(2026, 3, 10, 23, 30, tzinfo=UTC), cap=2)
    assert next_day.given_on == date(2026, 3, 11)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Kudos)) == 3


def test_the_cap_is_per_giver(world):
    give(world.staff, world.colleague, cap=1)
    give(world.colleague, world.staff, cap=1)
    with pytest.raises(service.KudosCapReached):
        give(world.staff, world.lead, cap=1)


def test_two_kudos_racing_for_the_same_place_in_the_day_cannot_both_win(world):
    give(world.staff, world.colleague)
    clash = Kudos(
        location_id=world.here.id,
        from_user_id=world.staff.id,
        to_user_id=world.lead.id,
        message="Race",
        given_on=date(2026, 3, 10),
        daily_number=1,
    )
    db.session.add(clash)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def make_agenda(shift, day, *, started=None, finished=None, status="planned"):
    agenda = Agenda(
        shift_id=shift.id,
        day=day,
        scope_key=f"location:{shift.location_id}",
        status=status,
        started_at=started,
        finished_at=finished,
    )
    db.session.add(agenda)
    db.session.commit()
    return agenda


def test_kudos_for_huddle_takes_the_roster_since_the_previous_huddle(
    world, make_user, count_queries
):
    outsider = make_user("staff", world.here, name="Not On Early")
    previous_start = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)
    make_agenda(world.shift, date(2026, 3, 9), started=previous_start, status="done")
    today = make_agenda(world.shift, date(2026, 3, 10))

    before = give(world.staff, world.colleague, "Before", now=previous_start - timedelta(hours=1))
    first = give(world.staff, world.colleague, "First", now=previous_start + timedelta(hours=1))
    second = give(world.colleague, world.lead, "Second", now=previous_start + timedelta(hours=2))
    give(world.lead, outsider, "Not on the roster", now=previous_start + timedelta(hours=3))
    hidden = give(world.lead, world.staff, "Hidden", now=previous_start + timedelta(hours=4))
    service.hide_kudos(world.lead, world.here, hidden.id, reason="Private joke", now=NOW)
    db.session.expire_all()
    db.session.refresh(today)

    with count_queries() as counter:
        found = service.kudos_for_huddle(today)
        names = [(k.giver.name, k.receiver.name) for k in found]
    assert [k.id for k in found] == [first.id, second.id]
    assert before.id not in [k.id for k in found]
    assert names == [("Sam Staff", "Cleo Colleague"), ("Cleo Colleague", "Lena Lead")]
    assert counter.count <= 2

    service.mark_read_out(today, [first.id], NOW)
    tomorrow = make_agenda(world.shift, date(2026, 3, 11))
    assert [k.id for k in service.kudos_for_huddle(tomorrow)] == [second.id]
    # The agenda that read it out still lists it.
    assert first.id in [k.id for k in service.kudos_for_huddle(today)]


def test_kudos_for_huddle_without_a_previous_huddle_looks_back_a_week(world):
    agenda = make_agenda(world.shift, date(2026, 3, 10))
    old = give(world.staff, world.colleague, "Old", now=datetime(2026, 3, 2, 12, tzinfo=UTC))
    recent = give(world.staff, world.colleague, "Recent", now=datetime(2026, 3, 4, 12, tzinfo=UTC))
    assert [k.id for k in service.kudos_for_huddle(agenda)] == [recent.id]
    assert old.id != recent.id


def test_mark_read_out_is_idempotent_and_refuses_other_locations_kudos(world):
    agenda = make_agenda(world.shift, date(2026, 3, 10))
    mine = give(world.staff, world.colleague)
    theirs = give(world.other_lead, world.other_staff)
    service.mark_read_out(agenda, [mine.id], NOW)
    service.mark_read_out(agenda, [mine.id], NOW + timedelta(hours=1))
    db.session.refresh(mine)
    assert mine.read_out_agenda_id == agenda.id
    assert mine.read_out_at == NOW
    with pytest.raises(FieldError) as error:
        service.mark_read_out(agenda, [theirs.id], NOW)
    assert error.value.field == "kudos_ids"


def test_unthanked_people_lists_the_roster_nobody_thanked_lately(world, count_queries):
    give(world.staff, world.colleague, now=NOW - timedelta(days=3))
    give(world.colleague, world.lead, now=NOW - timedelta(days=40))
    shift_ids = [world.shift.id, world.other_shift.id]
    with count_queries() as counter:
        people = service.unthanked_people(shift_ids, NOW)
    assert counter.count == 1
    assert [p.name for p in people] == ["Lena Lead", "Ola Staff", "Olek Lead", "Sam Staff"]
    assert service.unthanked_people([], NOW) == []


def test_kudos_json(world):
    kudos = give(world.staff, world.colleague, value="wow")
    data = service.kudos_json(kudos)
    assert data["from_name"] == "Sam Staff"
    assert data["to_name"] == "Cleo Colleague"
    assert data["value"] == "wow"
    assert data["value_label"]
    assert data["created_at"] == "2026-03-10T09:00:00Z"
    assert "hidden_reason" not in data
    assert service.kudos_json(kudos, moderation=True)["hidden"] is False


def test_a_lost_race_for_a_place_in_the_day_counts_again(world, monkeypatch):
    """Two requests read the same count; the one that loses the unique place retries, once."""
    first = give(world.staff, world.colleague)
    real_scalar = db.session.scalar
    calls = []

    def scalar(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            return None  # the count read "before" the other request's insert landed
        return real_scalar(*args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", scalar)
    second = give(world.staff, world.lead, cap=2)
    assert (first.daily_number, second.daily_number) == (1, 2)
    assert len(calls) == 2
    monkeypatch.setattr(db.session, "scalar", scalar)
    with pytest.raises(service.KudosCapReached):
        give(world.staff, world.lead, cap=2)
