"""`flask scheduler run`: the scheduler as its own process, never inside a web worker.

In development `make run` starts it beside `flask run` (honcho, `Procfile.dev`); in production
it is one service of its own.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from huddles.scheduler import JOBS, build_scheduler, job_named, run_job

scheduler_cli = AppGroup("scheduler", help="The periodic jobs.")


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in the foreground (one per deployment is enough; more are safe)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app)
    names = ", ".join(job.name for job in JOBS)
    click.echo(f"Scheduler running ({names}). Ctrl+C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@scheduler_cli.command("once")
@click.argument("name", type=click.Choice([job.name for job in JOBS]))
@with_appcontext
def once(name: str) -> None:
    """Run one job now (skipped when it already ran this period)."""
    from huddles.db import utcnow

    result = run_job(job_named(name), now=utcnow())
    click.echo(result if result is not None else f"{name} already ran this period; skipped.")
