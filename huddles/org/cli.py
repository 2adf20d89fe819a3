"""`flask people import FILE.csv`: people and their shifts from a CSV file."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from huddles.auth import service as auth_service
from huddles.auth.links import set_password_link
from huddles.extensions import db
from huddles.org import people_import
from huddles.org.models import Organisation
from huddles.validation import FieldError

people_cli = AppGroup("people", help="Import people and their shifts.")


def _organisation(name: str | None) -> Organisation:
    query = sa.select(Organisation).order_by(Organisation.id)
    if name:
        query = query.where(Organisation.name == name)
    found = list(db.session.scalars(query.limit(2)))
    if not found:
        raise click.ClickException(
            f"There is no organisation named {name}." if name else "There is no organisation yet."
        )
    if len(found) > 1:
        raise click.ClickException("There are several organisations: name one with --organisation.")
    return found[0]


@people_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@click.option("--organisation", "organisation_name", help="Needed when there are several.")
def import_command(path: str, dry_run: bool, organisation_name: str | None) -> None:
    """Create or update people by email from PATH (name,email,role,location,shifts).

    shifts: shift names separated by ';' (or '|'). Line numbers count the header as line 1.
    """
    organisation = _organisation(organisation_name)
    with open(path, "rb") as handle:
        data = handle.read(people_import.MAX_BYTES + 1)
    try:
        report = people_import.import_people(
            organisation, people_import.decode(data), dry_run=dry_run
        )
    except FieldError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines:
        detail = f": {line.message}" if line.message else ""
        click.echo(f"line {line.line}: {line.outcome} {line.email}{detail}")
    if report.ignored_columns:
        click.echo("ignored columns: " + ", ".join(report.ignored_columns))
    counts = report.counts
    click.echo(
        ("dry run, nothing written: " if dry_run else "")
        + ", ".join(
            f"{counts[key]} {key}" for key in ("created", "updated", "unchanged", "rejected")
        )
    )
    for person in people_import.created_people(report):
        token = auth_service.make_set_password_token(person, current_app.config["SECRET_KEY"])
        click.echo(f"invite {person.email}: {set_password_link(token)}")
    if counts["rejected"]:
        raise SystemExit(1)
