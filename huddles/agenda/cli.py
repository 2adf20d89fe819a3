"""`flask agenda generate --days N`: make the coming agendas ahead of time."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from huddles.agenda import service
from huddles.db import utcnow

agenda_cli = AppGroup("agenda", help="Daily agendas.")


@agenda_cli.command("generate")
@click.option(
    "--days", default=7, show_default=True, type=click.IntRange(1, 366), help="How many days."
)
def generate(days: int) -> None:
    """Make the agendas of every active shift for today and the next days (idempotent)."""
    made = service.generate_agendas(days, now=utcnow())
    for agenda in made:
        topics = ", ".join(
            f"{item.slot_key}={item.topic_id if item.topic_id else '-'}"
            for item in agenda.items
            if item.fill == "rotation"
        )
        click.echo(f"made {agenda.day.isoformat()} shift {agenda.shift_id} ({topics})")
    click.echo(
        f"{len(made)} agenda(s) made for the next {days} day(s); the others already existed."
    )
