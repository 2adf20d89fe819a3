"""Concurrent requests and several schedulers: unique keys and locks make each effect once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask import Flask

from huddles.agenda import planning
from huddles.agenda.models import Agenda, AgendaItem, JobRun, ScopeChoice, TopicUsage
from huddles.extensions import db
from huddles.org.models import Shift
from huddles.scheduler import Job, advisory_lock_id, job_named, run_job
from tests.feature.agenda_helpers import add_library

MONDAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
THREADS = 6


def in_threads(app: Flask, work: Callable[[], Any], count: int = THREADS) -> list[Any]:
    """Run `work` in `count` threads released together, each with its own app context."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[index] = work()
            except BaseException as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_concurrent_requests_for_a_missing_agenda_make_exactly_one(app, world):
    add_library()
    shift_id = world.shift.id

    def make() -> tuple[int, dict[str, int | None]]:
        shift = db.session.get(Shift, shift_id)
        agenda = planning.get_agenda(shift, MONDAY, now=NOW)
        return agenda.id, {item.slot_key: item.topic_id for item in agenda.items}

    results = in_threads(app, make)
    assert len(set(agenda_id for agenda_id, _topics in results)) == 1
    assert len({tuple(sorted(topics.items())) for _id, topics in results}) == 1
    assert count(Agenda) == 1 and count(AgendaItem) == 5
    assert count(ScopeChoice) == 2
    assert set(db.session.scalars(sa.select(TopicUsage.uses))) == {1}


def test_shifts_of_one_scope_made_at_once_still_share_the_topic(app, world, make_shift):
    add_library()
    shift_ids = [world.shift.id] + [
        make_shift(world.here, f"Shift {n}", time(6 + n, 0)).id for n in range(THREADS - 1)
    ]
    index = iter(range(THREADS))
    lock = threading.Lock()

    def make() -> tuple[int | None, ...]:
        with lock:
            shift = db.session.get(Shift, shift_ids[next(index)])
        agenda = planning.get_agenda(shift, MONDAY, now=NOW)
        return tuple(item.topic_id for item in agenda.items)

    results = in_threads(app, make)
    assert len(set(results)) == 1 and results[0][2] is not None
    assert count(Agenda) == THREADS and count(ScopeChoice) == 2


def _counting_job(calls: list[int]) -> Job:
    def work(now: datetime) -> str:
        made = planning.generate_agendas(3, now=now)
        calls.append(len(made))
        return f"made {len(made)}"

    return Job("test-job", {"trigger": "interval", "minutes": 5}, work, lambda now: "fixed-key")


def test_two_schedulers_running_the_same_job_have_one_effect(app, world):
    add_library()
    calls: list[int] = []
    job = _counting_job(calls)
    results = in_threads(app, lambda: run_job(job, now=NOW), count=2)
    assert sorted(result is None for result in results) == [False, True]
    assert len(calls) == 1 and calls[0] == 6
    runs = db.session.scalars(sa.select(JobRun)).all()
    assert len(runs) == 1 and runs[0].finished_at is not None and runs[0].result == "made 6"
    assert count(Agenda) == 6
    # The same period again: nothing happens anywhere.
    assert run_job(job, now=NOW) is None and len(calls) == 1


def test_a_job_runs_again_in_the_next_period(app, world):
    job = job_named("make-agendas")
    assert run_job(job, now=NOW).startswith("made ")
    assert run_job(job, now=NOW.replace(minute=40)) is None
    assert run_job(job, now=NOW.replace(hour=6)) == "made 0 agenda(s) for the next 14 day(s)"
    assert count(JobRun) == 2


def test_a_failing_job_is_recorded_not_raised(app, world):
    def broken(now: datetime) -> str:
        raise RuntimeError("the library is on fire")

    job = Job("broken", {"trigger": "interval", "minutes": 5}, broken, lambda now: "k")
    assert run_job(job, now=NOW).startswith("failed: RuntimeError")
    assert "on fire" in db.session.scalar(sa.select(JobRun.result))


def test_on_postgresql_a_held_advisory_lock_makes_other_schedulers_skip(app, world):
    if db.engine.dialect.name != "postgresql":
        return
    calls: list[int] = []
    job = _counting_job(calls)
    with db.engine.connect() as other, other.begin():
        key = advisory_lock_id(job.name, db.engine.url.database)
        other.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
        assert run_job(job, now=NOW) is None
    assert calls == [] and count(JobRun) == 0
    assert run_job(job, now=NOW) == "made 6"


def test_the_advisory_lock_key_is_per_database():
    """Advisory locks are server-wide: two databases' schedulers must not block each other."""
    key = advisory_lock_id("make-agendas", "huddles")
    assert key == advisory_lock_id("make-agendas", "huddles")
    assert key != advisory_lock_id("make-agendas", "huddles_test_gw0")
