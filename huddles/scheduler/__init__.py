"""Periodic jobs, declared as a plain table, and the one scheduler that runs them.

Several schedulers may run anyway (two hosts on one database): each run of a job takes a
database lock (pg_try_advisory_xact_lock on PostgreSQL) and inserts a JobRun row whose unique
(job, run_key) lets one process per period through; the jobs themselves are idempotent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from huddles.agenda.models import JobRun
from huddles.db import utcnow
from huddles.extensions import db

log = logging.getLogger(__name__)


def make_agendas_ahead(now: datetime) -> str:
    """Make the agendas of the coming days for every active shift."""
    from huddles.agenda.planning import generate_agendas
    from huddles.agenda.window import plan_days

    days = plan_days(current_app.config)
    made = generate_agendas(days, now=now)
    return f"made {len(made)} agenda(s) for the next {days} day(s)"


def close_huddles(now: datetime) -> str:
    """Close what was left open: running huddles long past their length (ended), planned ones
    whose shift is over (missed)."""
    from huddles.huddle.service import close_open_huddles

    closed = close_open_huddles(now=now)
    ended = sum(1 for item in closed if item.status == "ended")
    return f"ended {ended}, missed {len(closed) - ended} huddle(s)"


def prune_job_runs(now: datetime) -> str:
    """Forget job runs older than 90 days."""
    result = db.session.execute(
        sa.delete(JobRun).where(JobRun.started_at < now - timedelta(days=90))
    )
    db.session.commit()
    return f"pruned {result.rowcount} job run(s)"


def prune_sessions(now: datetime) -> str:
    """Forget sign-in sessions that have ended (idle or past their absolute limit)."""
    from huddles.auth.sessions import Lifetimes
    from huddles.auth.sessions import prune_sessions as prune

    count = prune(now, Lifetimes.from_config(current_app.config))
    return f"pruned {count} ended session(s)"


def deliver_webhooks(now: datetime) -> str:
    """Queue the day's agendas and the finished huddles' summaries, then send what is due."""
    from huddles.webhooks.service import run

    return run(now, current_app.config)


def prune_displays(now: datetime) -> str:
    """Forget unpaired screens nobody has looked at for two days."""
    from huddles.displays.service import prune_unpaired

    return f"forgot {prune_unpaired(now)} unpaired screen(s)"


def every_minute(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def hourly(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H")


def every_five_minutes(now: datetime) -> str:
    moment = now.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:") + f"{moment.minute // 5 * 5:02d}"


def daily(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Job:
    """A periodic job: APScheduler trigger arguments, the function and its run key (period)."""

    name: str
    trigger: dict[str, Any]
    function: Callable[[datetime], str]
    run_key: Callable[[datetime], str]
    run_at_start: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


JOBS: tuple[Job, ...] = (
    Job("make-agendas", {"trigger": "cron", "minute": 5}, make_agendas_ahead, hourly, True),
    Job("prune-job-runs", {"trigger": "cron", "hour": 3, "minute": 17}, prune_job_runs, daily),
    Job(
        "close-huddles",
        {"trigger": "cron", "minute": "*/5"},
        close_huddles,
        every_five_minutes,
        True,
    ),
    Job("prune-sessions", {"trigger": "cron", "minute": 41}, prune_sessions, hourly),
    Job("deliver-webhooks", {"trigger": "cron", "second": 7}, deliver_webhooks, every_minute),
    Job("prune-displays", {"trigger": "cron", "hour": 3, "minute": 23}, prune_displays, daily),
)


def job_named(name: str) -> Job:
    """The job of this name; KeyError if there is none."""
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)


def advisory_lock_id(name: str, database: str | None) -> int:
    """A stable signed 64-bit key for pg_try_advisory_xact_lock, one per job and database.

    Advisory locks are server-wide: without the database in the key, the schedulers of two
    databases on one server (staging beside production, parallel test runs) would skip each
    other's jobs.
    """
    key = f"huddles-job:{database or ''}:{name}"
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def run_job(job: Job, *, now: datetime) -> str | None:
    """Run a job once for its current period; None when another process has or had this run."""
    engine = db.engine
    with ExitStack() as stack:
        if engine.dialect.name == "postgresql":
            # The lock lives on its own connection for as long as the job runs, whatever the
            # job commits on the session's connection meanwhile.
            connection = stack.enter_context(engine.connect())
            stack.enter_context(connection.begin())
            lock = advisory_lock_id(job.name, engine.url.database)
            locked = connection.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(lock)))
            if not locked:
                return None
            insert = postgresql.insert
        else:
            insert = sqlite.insert
        key = job.run_key(now)
        run_id = db.session.scalar(
            insert(JobRun)
            .values(job=job.name, run_key=key, started_at=now, result="")
            .on_conflict_do_nothing()
            .returning(JobRun.id)
        )
        db.session.commit()
        if run_id is None:
            return None
        try:
            result = job.function(now)
        except Exception as error:  # a failing job is recorded and logged, never lost
            db.session.rollback()
            log.exception("job %s (%s) failed", job.name, key)
            result = f"failed: {type(error).__name__}: {error}"
        db.session.execute(
            sa.update(JobRun)
            .where(JobRun.id == run_id)
            .values(finished_at=utcnow(), result=result[:2000])
        )
        db.session.commit()
        return result


def _run_in_app(app: Flask, name: str) -> None:
    with app.app_context():
        try:
            result = run_job(job_named(name), now=utcnow())
            log.info("job %s: %s", name, result or "already run elsewhere")
        finally:
            db.session.remove()


def build_scheduler(app: Flask) -> Any:
    """The scheduler of `flask scheduler run`: it blocks its own process (no background thread,
    so it can never end up inside a web worker)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
    )
    for job in JOBS:
        options: dict[str, Any] = dict(job.trigger)
        if job.run_at_start:
            options["next_run_time"] = datetime.now(UTC)
        scheduler.add_job(_run_in_app, args=(app, job.name), id=job.name, name=job.name, **options)
    return scheduler
