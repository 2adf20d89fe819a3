"""A huddle's life: start only in its window, a read-only preview, closing what was left open."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from huddles import signals
from huddles.agenda.models import Agenda, JobRun
from huddles.agenda.planning import get_agenda
from huddles.extensions import db
from huddles.huddle import service
from huddles.scheduler import job_named, run_job
from tests.conftest import IN_THE_EARLY_SHIFT

pytestmark = pytest.mark.usefixtures("clock")

TODAY = date(2026, 12, 2)


def page(world, day: date = TODAY, shift=None) -> str:
    return f"/huddle/{(shift or world.shift).id}/{day.isoformat()}"


def agenda_of(shift, day: date = TODAY) -> Agenda | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Agenda).where(Agenda.shift_id == shift.id, Agenda.day == day)
    )


def agendas() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Agenda))


@pytest.fixture
def received():
    """The signals sent during the test: [(name, kwargs)]."""
    seen: list[tuple[str, dict]] = []
    receivers = []
    for signal in (
        signals.huddle_started,
        signals.huddle_finished,
        signals.huddle_closed,
        signals.huddle_changed,
    ):

        def receiver(sender, _name=signal.name, **kwargs):
            seen.append((_name, kwargs))

        signal.connect(receiver)
        receivers.append((signal, receiver))
    yield seen
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def start(client, world, day: date = TODAY):
    return client.post(page(world, day) + "/start", headers={"Accept": "application/json"})


def test_the_lead_starts_the_huddle_in_its_window_and_it_is_announced(
    client, world, login, received
):
    login(world.lead)
    response = start(client, world)
    assert response.status_code == 200
    assert response.get_json()["status"] == "running"
    agenda = agenda_of(world.shift)
    assert agenda.status == "running" and agenda.started_by_id == world.lead.id
    assert ("huddle-started", {"agenda_id": agenda.id, "actor_id": world.lead.id}) in received
    assert start(client, world).status_code == 200, "starting again changes nothing"
    assert [name for name, _ in received].count("huddle-started") == 1


def test_a_future_huddle_cannot_be_started_and_says_when_it_can(client, world, login):
    login(world.lead)
    tomorrow = TODAY + timedelta(days=1)
    response = start(client, world, tomorrow)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert "from 06:30 on 2026-12-03" in error["message"]
    assert agendas() == 0, "a refused start makes nothing"


def test_a_huddle_cannot_be_started_after_its_shift_ended(client, world, login, clock):
    login(world.lead)
    client.get(page(world))  # opened, never started
    clock.move_to(datetime(2026, 12, 2, 14, 5, tzinfo=UTC))  # 15:05 in Berlin, the shift is over
    login(world.lead)
    response = start(client, world)
    assert response.status_code == 409
    assert (
        "Too late: this shift ended at 2026-12-02 15:00" in response.get_json()["error"]["message"]
    )
    assert agenda_of(world.shift).status == "planned"


def test_half_an_hour_before_the_shift_the_huddle_may_start(client, world, login, clock):
    clock.move_to(datetime(2026, 12, 2, 5, 29, tzinfo=UTC))  # 06:29 in Berlin
    login(world.lead)
    assert start(client, world).status_code == 409
    clock.move_to(datetime(2026, 12, 2, 5, 30, tzinfo=UTC))  # 06:30
    assert start(client, world).status_code == 200


def test_the_prepare_screen_of_a_future_huddle_is_a_preview_without_a_start(client, world, login):
    login(world.lead)
    html = client.get(page(world, TODAY + timedelta(days=2))).get_data(as_text=True)
    assert "js-start-form" not in html
    assert "Can be started from 06:30" in html
    assert "Preview: this huddle can be started from 06:30" in html
    assert '"can_start": false' in html
    assert agenda_of(world.shift, TODAY + timedelta(days=2)).status == "planned"


def test_todays_screen_offers_the_start_and_says_it_is_a_preview(client, world, login):
    login(world.lead)
    html = client.get(page(world)).get_data(as_text=True)
    assert "js-start-form" in html
    assert "The huddle starts only when you press Start huddle." in html


def test_a_finish_without_a_start_is_refused(client, world, login):
    login(world.lead)
    client.get(page(world))
    response = client.post(page(world) + "/finish", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert agenda_of(world.shift).status == "planned"


def test_a_past_huddle_page_is_its_record_for_the_lead(client, world, login, clock):
    login(world.lead)
    start(client, world)
    client.post(page(world) + "/finish")
    clock.move_to(datetime(2026, 12, 3, 7, 0, tzinfo=UTC))
    login(world.lead)  # a fresh session at the new time
    response = client.get(page(world))
    assert response.status_code == 302
    assert response.headers["Location"] == page(world) + "/record"
    # The language asked for in the address goes along to the record; junk does not.
    arabic = client.get(page(world) + "?lang=ar")
    assert arabic.headers["Location"] == page(world) + "/record?lang=ar"
    assert client.get(page(world) + "?lang=xx").headers["Location"] == page(world) + "/record"


def test_a_past_day_without_an_agenda_had_no_huddle(client, world, login):
    login(world.lead)
    response = client.get(page(world, TODAY - timedelta(days=3)))
    assert response.status_code == 404
    assert "No huddle was planned for 2026-11-29" in response.get_data(as_text=True)
    assert agendas() == 0


# --- Closing what was left open -----------------------------------------------------------


def close(now: datetime):
    return service.close_open_huddles(now=now)


def test_a_huddle_left_running_is_ended_after_three_times_its_length(
    app, world, received, make_shift
):
    agenda = get_agenda(world.shift, TODAY, now=IN_THE_EARLY_SHIFT)
    started = IN_THE_EARLY_SHIFT
    db.session.execute(
        sa.update(Agenda)
        .where(Agenda.id == agenda.id)
        .values(status="running", started_at=started, started_by_id=world.lead.id)
    )
    db.session.commit()
    # The default agenda is 5 minutes long: still running after 14, ended at 15.
    assert close(started + timedelta(minutes=14)) == []
    closed = close(started + timedelta(minutes=15))
    assert [(item.status, item.reason) for item in closed] == [("ended", "overran")]
    stored = agenda_of(world.shift)
    assert stored.status == "ended"
    assert stored.closed_reason == "overran"
    assert stored.finished_at == started + timedelta(minutes=15)
    assert ("huddle-closed", {"agenda_id": agenda.id, "status": "ended"}) in received
    assert close(started + timedelta(minutes=30)) == [], "closing again changes nothing"
    assert [name for name, _ in received].count("huddle-closed") == 1


def test_a_huddle_never_started_is_missed_once_its_shift_is_over(app, world, make_shift):
    night = make_shift(world.here, "Night", time(22, 30), 480)
    early = get_agenda(world.shift, TODAY, now=IN_THE_EARLY_SHIFT)
    tonight = get_agenda(night, TODAY, now=IN_THE_EARLY_SHIFT)
    # 15:00 in Berlin: the early shift is over, the night shift has not begun.
    closed = close(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    assert [(item.agenda_id, item.status, item.reason) for item in closed] == [
        (early.id, "missed", "never-started")
    ]
    # The night shift of the 2nd ends at 06:30 on the 3rd.
    assert close(datetime(2026, 12, 3, 5, 29, tzinfo=UTC)) == []
    assert [item.agenda_id for item in close(datetime(2026, 12, 3, 5, 30, tzinfo=UTC))] == [
        tonight.id
    ]


def test_the_closing_job_is_in_the_scheduler_and_runs_once_per_period(app, world):
    get_agenda(world.shift, TODAY, now=IN_THE_EARLY_SHIFT)
    job = job_named("close-huddles")
    after = datetime(2026, 12, 2, 14, 1, tzinfo=UTC)
    assert run_job(job, now=after) == "ended 0, missed 1 huddle(s)"
    assert run_job(job, now=after + timedelta(minutes=1)) is None, "same five minutes: once"
    assert run_job(job, now=after + timedelta(minutes=5)) == "ended 0, missed 0 huddle(s)"
    runs = db.session.scalar(
        sa.select(sa.func.count()).select_from(JobRun).where(JobRun.job == "close-huddles")
    )
    assert runs == 2


def test_a_huddle_the_lead_finished_is_left_alone(client, world, login):
    login(world.lead)
    start(client, world)
    client.post(page(world) + "/finish")
    assert close(datetime(2026, 12, 3, 7, 0, tzinfo=UTC)) == []
    assert agenda_of(world.shift).status == "done"


def test_an_ended_huddle_cannot_be_finished_afterwards(client, world, login):
    login(world.lead)
    start(client, world)
    close(IN_THE_EARLY_SHIFT + timedelta(hours=1))
    response = client.post(page(world) + "/finish", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert "closed automatically" in response.get_json()["error"]["message"]
    assert agenda_of(world.shift).status == "ended"


def test_an_ended_huddle_says_why_and_has_no_made_up_duration(client, world, login, clock):
    login(world.lead)
    start(client, world)
    close(IN_THE_EARLY_SHIFT + timedelta(minutes=20))
    body = client.get(f"/api/v1/shifts/{world.shift.id}/huddle?date={TODAY.isoformat()}").get_json()
    assert body["status"] == "ended"
    assert body["closed_reason"] == "overran"
    assert body["finished_at"].startswith("2026-12-02T07:50")
    assert body["duration_s"] is None, "nobody knows when it really ended"
    html = client.get(page(world) + "/record").get_data(as_text=True)
    assert "closed automatically: it ran far past its planned length" in html


def test_a_huddle_that_ended_counts_as_held_for_who_missed_it(client, world, login):
    from huddles.attendance.service import missed_huddles

    login(world.lead)
    start(client, world)
    close(IN_THE_EARLY_SHIFT + timedelta(minutes=20))
    missed = missed_huddles(world.staff, now=IN_THE_EARLY_SHIFT + timedelta(hours=1))
    assert [agenda.day for agenda, _shift in missed] == [TODAY]
