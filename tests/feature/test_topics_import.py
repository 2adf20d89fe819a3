"""`flask content import/export`, the import report, revisions and the round trip."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda, AgendaItem
from huddles.extensions import db
from huddles.topics import service
from huddles.topics.models import Topic, TopicRevision

CONTENT = Path(__file__).resolve().parents[2] / "content"
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
SAMPLE = [
    "a-great-hello.md",
    "say-a-full-phone-hello-not-yeah.md",
]

GOOD = """---
slug: {slug}
kind: tip
title: "{title}"
minutes: 2
prompt: "What will you try?"
tags: [front-desk, greeting]
source: "Huddles editorial team"
status: published
translations: {{}}
---
A short body for the test.

**Today:** Try it once.
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    directory = tmp_path / "sample"
    directory.mkdir()
    for name in SAMPLE:
        shutil.copy(CONTENT / name, directory / name)
    return directory


def test_import_adds_then_reports_unchanged(app, sample):
    first = service.import_library(sample, None, NOW)
    assert sorted(first.added) == ["a-great-hello", "say-a-full-phone-hello-not-yeah"]
    second = service.import_library(sample, None, NOW)
    assert second.added == [] and second.changed == [] and second.rejected == []
    assert sorted(second.unchanged) == sorted(first.added)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TopicRevision)) == 2


def test_round_trip_is_byte_for_byte(app, sample, tmp_path):
    service.import_library(sample, None, NOW)
    out = tmp_path / "out"
    assert service.export_library(out) == 2
    for name in SAMPLE:
        assert (out / name).read_bytes() == (sample / name).read_bytes()
    again = service.import_library(out, None, NOW)
    assert len(again.unchanged) == 2 and not again.added and not again.changed


def test_round_trip_keeps_seasons_translations_and_odd_text(app, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    write(
        source,
        "winter-welcome.md",
        """---
slug: winter-welcome
kind: lexicon
title: "Snow, \\"quotes\\" and: colons"
minutes: 0.5
prompt: "Is it cold?"
tags: [winter]
source: "Huddles editorial team"
status: draft
season: {from: "12-01", to: "01-06"}
avoid: "Shut the door!"
say_instead: "Come in from the cold \u2014 welcome."
translations:
  ar:
    title: "\u0645\u0631\u062d\u0628\u0627"
  de:
    title: "Willkommen"
    body: "Zeile eins.\\n\\nZeile zwei."
---
Line one with a # hash and a --- rule

---

**Today:** Hold the door.
""",
    )
    service.import_library(source, None, NOW)
    topic = db.session.scalar(sa.select(Topic))
    assert (topic.season_start, topic.season_end) == ("12-01", "01-06")
    assert topic.current_revision.translations["de"]["body"] == "Zeile eins.\n\nZeile zwei."
    out = tmp_path / "out"
    service.export_library(out)
    # Export writes the translations in their own files (the library's layout), and reading
    # that export back gives the very same topic.
    exported = (out / "winter-welcome.md").read_text(encoding="utf-8")
    assert "translations: {}" in exported and "Willkommen" not in exported
    assert 'title: "Willkommen"' in (out / "translations" / "de" / "winter-welcome.md").read_text()
    again = service.import_library(out, None, NOW)
    assert again.unchanged == ["winter-welcome"] and not again.rejected


def test_a_changed_file_makes_a_new_revision_with_a_summary(app, tmp_path):
    write(tmp_path, "tip-one.md", GOOD.format(slug="tip-one", title="First title"))
    service.import_library(tmp_path, None, NOW)
    write(tmp_path, "tip-one.md", GOOD.format(slug="tip-one", title="Second title"))
    report = service.import_library(tmp_path, None, NOW)
    assert report.changed == ["tip-one"]
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "tip-one"))
    assert topic.title == "Second title"
    assert [r.number for r in topic.revisions] == [1, 2]
    assert "title" in topic.revisions[-1].summary
    assert topic.current_revision.number == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\nslug: [unclosed\ntitle: x\n---\nbody\n", "Broken front matter"),
        ("no front matter here\n", "front matter"),
        (GOOD.replace("kind: tip", "kind: poem"), "Unknown kind poem"),
        (GOOD.replace('title: "{title}"\n', ""), "title"),
        (GOOD.replace("minutes: 2", "minutes: lots"), "minutes"),
        (GOOD.replace("slug: {slug}", "slug: Not A Slug"), "slug"),
        (GOOD.replace("status: published", "status: maybe"), "status"),
        (GOOD.replace("translations: {{}}", "translations: {{xx: {{title: a}}}}"), "xx"),
        (GOOD.replace("status: published", "status: published\ncolour: red"), "colour"),
    ],
)
def test_a_bad_file_is_rejected_with_its_name_and_reason_and_the_rest_loads(
    app, tmp_path, text, reason
):
    write(tmp_path, "a-good-one.md", GOOD.format(slug="a-good-one", title="Good"))
    write(tmp_path, "broken.md", text.format(slug="broken", title="Broken"))
    report = service.import_library(tmp_path, None, NOW)
    assert report.added == ["a-good-one"]
    assert len(report.rejected) == 1
    name, why = report.rejected[0]
    assert name == "broken.md"
    assert reason in why
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 1


def test_a_duplicate_slug_is_rejected(app, tmp_path):
    write(tmp_path, "a.md", GOOD.format(slug="same", title="One"))
    write(tmp_path, "b.md", GOOD.format(slug="same", title="Two"))
    report = service.import_library(tmp_path, None, NOW)
    assert report.added == ["same"]
    assert report.rejected == [("b.md", "Duplicate slug same (also in a.md).")]


def test_rank_is_a_stable_63_bit_hash_of_the_slug(app, tmp_path):
    write(tmp_path, "tip-one.md", GOOD.format(slug="tip-one", title="One"))
    service.import_library(tmp_path, None, NOW)
    topic = db.session.scalar(sa.select(Topic))
    assert topic.rank == service.topic_rank("tip-one")
    assert 0 <= topic.rank < 2**63
    expected = int.from_bytes(hashlib.blake2b(b"tip-one", digest_size=8).digest(), "big") >> 1
    assert topic.rank == expected


def test_the_whole_library_imports_cleanly(app):
    report = service.import_library(CONTENT, None, NOW)
    assert report.rejected == []
    assert len(report.added) >= 120


def test_cli_import_prints_the_report(app, runner, tmp_path):
    write(tmp_path, "tip-one.md", GOOD.format(slug="tip-one", title="One"))
    write(tmp_path, "bad.md", GOOD.replace("kind: tip", "kind: poem").format(slug="bad", title="x"))
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 changed, 0 unchanged, 1 rejected" in result.output
    assert "rejected bad.md: kind: Unknown kind poem" in result.output
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert "0 added, 0 changed, 1 unchanged, 1 rejected" in result.output


def test_cli_import_shows_progress_for_a_large_library(app, runner, tmp_path):
    for n in range(60):
        write(tmp_path, f"tip-{n}.md", GOOD.format(slug=f"tip-{n}", title=f"Tip {n}"))
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert "Reading topics" in result.output
    assert "60 added" in result.output


def test_cli_export_writes_files(app, runner, tmp_path):
    write(tmp_path, "tip-one.md", GOOD.format(slug="tip-one", title="One"))
    runner.invoke(args=["content", "import", str(tmp_path)])
    out = tmp_path / "out"
    result = runner.invoke(args=["content", "export", str(out)])
    assert "Exported 1 topics" in result.output
    assert (out / "tip-one.md").read_text() == (tmp_path / "tip-one.md").read_text()


def test_cli_import_of_a_missing_directory_fails_clearly(app, runner, tmp_path):
    result = runner.invoke(args=["content", "import", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "is not a directory" in result.output


def test_a_topic_used_by_an_agenda_cannot_be_hard_deleted(app, tmp_path, world):
    write(tmp_path, "tip-one.md", GOOD.format(slug="tip-one", title="One"))
    service.import_library(tmp_path, None, NOW)
    topic = db.session.scalar(sa.select(Topic))
    agenda = Agenda(shift_id=world.shift.id, day=date(2025, 3, 1), scope_key="loc:1")
    agenda.items.append(
        AgendaItem(
            position=1,
            slot_key="topic",
            slot_title="Topic",
            fill="rotation",
            kind="tip",
            minutes=2,
            topic_id=topic.id,
            topic_revision_id=topic.current_revision_id,
        )
    )
    db.session.add(agenda)
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.delete(Topic).where(Topic.id == topic.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 1
