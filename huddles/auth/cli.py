"""`flask users …`: create people and issue API tokens from the shell."""

from __future__ import annotations

import os

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from huddles.auth import service
from huddles.extensions import db
from huddles.org.models import Location, Organisation
from huddles.validation import FieldError

users_cli = AppGroup("users", help="Create people and API tokens.")


def _organisation() -> Organisation:
    organisation = db.session.scalar(sa.select(Organisation).order_by(Organisation.id))
    if organisation is None:
        organisation = Organisation(name="Huddles")
        db.session.add(organisation)
        db.session.flush()
    return organisation


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", required=True, type=click.Choice(["admin", "lead", "staff"]))
@click.option("--location", "location_name", help="Name of the home location (leads, staff).")
@click.option("--locale", default=None, help="Preferred language: en, de, ru, pl or ar.")
def create_user(
    email: str, name: str, role: str, location_name: str | None, locale: str | None
) -> None:
    """Create a person; the password comes from HUDDLES_PASSWORD or a prompt."""
    organisation = _organisation()
    location = None
    if location_name:
        location = db.session.scalar(
            sa.select(Location).where(
                Location.organisation_id == organisation.id, Location.name == location_name
            )
        )
        if location is None:
            raise click.BadParameter(
                f"no location named {location_name!r}", param_hint="--location"
            )
    password = os.environ.get("HUDDLES_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = service.create_user(
            organisation,
            name=name,
            email=email,
            role=role,
            location=location,
            locale=locale,
            password=password,
        )
    except FieldError as error:
        raise click.BadParameter(error.message, param_hint=error.field) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token(email: str, name: str) -> None:
    """Print a new API token for that person (use it as `Authorization: Bearer …`)."""
    user = service.find_user_by_email(email)
    if user is None or not user.active:
        raise click.BadParameter(f"no active person with the email {email!r}", param_hint="EMAIL")
    click.echo(service.issue_api_token(user, name))
