"""`flask content import [DIR]` and `flask content export DIR`: the Markdown library in and out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from huddles.db import utcnow
from huddles.rotation import DEFAULT_TEMPLATE
from huddles.topics import files, health, reading, service
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


@content_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The first day of the run (default: today).",
)
def check_command(directory: Path | None, start: datetime | None) -> None:
    """Run the rotation over the library of DIRECTORY (default: content/) in memory: per setting
    the days before a topic or phrase repeats and the pools per kind, then the topics that
    take too long to read. Fails when a hotel, restaurant, shop or contact centre would hear a
    repeat within 91 days, or a file is broken."""
    directory = directory or Path(current_app.config["HUDDLES_CONTENT_DIR"])
    if not directory.is_dir():
        raise click.ClickException(f"{directory} is not a directory.")
    topics = []
    broken = 0
    for path in service.library_files(directory):
        try:
            topics.append(files.parse(path.read_text(encoding="utf-8")))
        except (FieldError, UnicodeDecodeError) as error:
            broken += 1
            click.echo(f"broken {path.name}: {getattr(error, 'message', error)}", err=True)
    first = start.date() if start else utcnow().date()
    report = health.library_health(topics, first)
    published = [topic for topic in topics if topic.status == "published"]
    click.echo(
        f"{len(published)} published topics in {directory}; the default template from {first}."
    )
    slots = [slot.key for slot in DEFAULT_TEMPLATE.slots if slot.fill == "rotation"]
    kinds = list(report[0].pools) if report else []
    click.echo(
        f"{'setting':<16}"
        + "".join(f"{slot + ' days':>13}" for slot in slots)
        + "".join(f"{kind:>16}" for kind in kinds)
        + f"{'seasonal':>10}"
    )
    short = []
    for row in report:
        days = "".join(f"{_days(row.days[slot], health.HORIZON_DAYS):>13}" for slot in slots)
        pools = "".join(f"{row.pools[kind]:>16}" for kind in kinds)
        mark = "" if row.lasts_a_quarter else f"  < {health.QUARTER_DAYS} days"
        if row.setting == "other" and not row.lasts_a_quarter:
            # "Other" places hear the topics that fit every workplace; the promise of a quarter
            # without a repeat is made for the four named settings.
            mark += " (not counted: only topics for every workplace fit)"
        click.echo(f"{row.setting:<16}{days}{pools}{row.seasonal:>10}{mark}")
        if not row.lasts_a_quarter and row.setting != "other":
            short.append(row.setting)
    offenders = reading.reading_offenders(published)
    if offenders:
        click.echo(f"{len(offenders)} topics take too long to read aloud (words / most):")
        for offender in offenders:
            click.echo(f"  {offender.slug} ({offender.kind}): {offender.words} / {offender.limit}")
    else:
        click.echo("Every topic can be read aloud in its slot.")
    if short or broken:
        raise click.ClickException(
            "; ".join(
                part
                for part in (
                    f"repeats within {health.QUARTER_DAYS} days for {', '.join(short)}"
                    if short
                    else "",
                    f"{broken} broken files" if broken else "",
                )
                if part
            )
        )


def _days(days: int, horizon: int) -> str:
    return f"{horizon}+" if days >= horizon else str(days)
