"""`flask scheduler run` (the scheduler as its own process) and the `flask run` wrapper.

The wrapper is installed as the `run` command through Flask's `flask.commands` entry point,
so `flask run` keeps all its options and, with HUDDLES_RUN_SCHEDULER=1, also runs the one
scheduler of the development server: in the serving process only (the reloader's child when
reloading), never in create_app and never per web worker.
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo, get_debug_flag, with_appcontext
from flask.cli import run_command as flask_run_command

from huddles.scheduler import JOBS, build_scheduler, job_named, run_job

scheduler_cli = AppGroup("scheduler", help="The periodic jobs.")


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in the foreground (one per deployment is enough; more are safe)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app, blocking=True)
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


def should_run_in_process(reload: bool | None, enabled: object) -> bool:
    """Whether this `flask run` process should start the in-process scheduler."""
    if not enabled:
        return False
    reloading = get_debug_flag() if reload is None else reload
    # With the reloader the parent only watches files; the child, which serves, runs jobs.
    return not reloading or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


@click.command(
    "run",
    params=list(flask_run_command.params),
    help=flask_run_command.help,
    short_help=flask_run_command.short_help,
    context_settings=flask_run_command.context_settings,
)
@click.pass_context
def run_command(ctx: click.Context, **options: object) -> None:
    info = ctx.ensure_object(ScriptInfo)
    enabled = os.environ.get("HUDDLES_RUN_SCHEDULER", "").lower() in ("1", "true", "yes", "on")
    if should_run_in_process(options.get("reload"), enabled):  # type: ignore[arg-type]
        app = info.load_app()
        if app.config.get("HUDDLES_RUN_SCHEDULER"):
            build_scheduler(app).start()
            click.echo(" * Scheduler running in this process (HUDDLES_RUN_SCHEDULER=1)")
    ctx.invoke(flask_run_command, **options)
