"""`flask demo load`: the demo organisation."""

from __future__ import annotations

import os
import secrets

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from huddles.auth.models import User
from huddles.demo.data import load_demo
from huddles.extensions import db

demo_cli = AppGroup("demo", help="The demo organisation.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no people yet.")
def load(if_empty: bool) -> None:
    """Load the demo organisation (does nothing when it is already there)."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        demo = db.session.scalar(sa.select(User.id).where(User.email == "admin@example.com"))
        if demo is None:
            click.echo("The database already has people; no demo data loaded.")
        else:
            click.echo(
                "The demo organisation is loaded: sign in as admin@example.com, "
                "lead@example.com or staff1@example.com with the password printed when it was "
                "loaded (or HUDDLES_DEMO_PASSWORD). `make clean` starts over."
            )
        return
    password = os.environ.get("HUDDLES_DEMO_PASSWORD") or secrets.token_urlsafe(9)
    result = load_demo(password)
    if not result.created:
        click.echo("The demo organisation is already loaded.")
        return
    port = os.environ.get("PORT", "5000")
    click.echo(f"Demo organisation loaded. Sign in at http://127.0.0.1:{port}/login with:")
    click.echo("  admin@example.com (admin), lead@example.com and staff1..12@example.com")
    click.echo("  (first location), lead2@example.com and staff13..24@example.com (second)")
    click.echo(f"  password: {password}")
