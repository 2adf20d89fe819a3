"""`flask agenda generate --days N`: make the coming agendas ahead of time."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from huddles.agenda import planning
from huddles.db import utcnow
from huddles.extensions import db
from huddles.org.models import Shift
from huddles.topics.models import Topic

agenda_cli = AppGroup("agenda", help="Daily agendas.")


@agenda_cli.command("generate")
@click.option(
    "--days", default=7, show_default=True, type=click.IntRange(1, 366), help="How many days."
)
def generate(days: int) -> None:
    """Make the agendas of every active shift for today and the next days (idempotent)."""
    made = planning.generate_agendas(days, now=utcnow())
    ids = {item.topic_id for agenda in made for item in agenda.items if item.topic_id}
    slugs = dict(db.session.execute(sa.select(Topic.id, Topic.slug).where(Topic.id.in_(ids))).all())
    names = dict(db.session.execute(sa.select(Shift.id, Shift.name)).all())
    for agenda in made:
        topics = ", ".join(
            f"{item.slot_key}: {slugs.get(item.topic_id, '-') if item.topic_id else '-'}"
            for item in agenda.items
            if item.fill == "rotation"
        )
        shift = names.get(agenda.shift_id, agenda.shift_id)
        click.echo(f"made {agenda.day.isoformat()} {shift} (shift {agenda.shift_id}): {topics}")
    click.echo(
        f"{len(made)} agenda(s) made for the next {days} day(s); the others already existed."
    )
