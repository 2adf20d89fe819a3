"""`flask content import [DIR]` and `flask content export DIR`: the Markdown library in and out."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from huddles.db import utcnow
from huddles.topics import service
from huddles.validation import FieldError

content_cli = AppGroup("content", help="The topic library as Markdown files.")

PROGRESS_FROM = 50


def _print_list(label: str, slugs: list[str]) -> None:
    if slugs:
        click.echo(f"  {label}: {', '.join(slugs)}")


@content_cli.command("import")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--verbose", "-v", is_flag=True, help="List the slugs added and changed.")
def import_command(directory: Path | None, verbose: bool) -> None:
    """Upsert the topics of DIRECTORY (default: content/) by slug and report what changed."""
    directory = directory or Path(current_app.config["HUDDLES_CONTENT_DIR"])
    if not directory.is_dir():
        raise click.ClickException(f"{directory} is not a directory.")
    count = len(service.library_files(directory))
    try:
        if count >= PROGRESS_FROM:
            with click.progressbar(length=count, label="Reading topics", file=None) as bar:
                report = service.import_library(
                    directory, None, utcnow(), on_file=lambda _path: bar.update(1)
                )
        else:
            report = service.import_library(directory, None, utcnow())
    except FieldError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Imported {directory}: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.rejected)} rejected."
    )
    if verbose:
        _print_list("added", report.added)
    _print_list("changed", report.changed)
    for name, reason in report.rejected:
        click.echo(f"  rejected {name}: {reason}", err=True)


@content_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Write every topic to DIRECTORY/<slug>.md (import it again and nothing changes)."""
    count = service.export_library(directory)
    click.echo(f"Exported {count} topics to {directory}.")
