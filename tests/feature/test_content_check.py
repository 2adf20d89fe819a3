"""`flask content check`: days before a repeat per setting, pools per kind, reading offenders."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from huddles import rotation
from huddles.extensions import db
from huddles.topics.models import Topic

THEMES = rotation.DEFAULT_TEMPLATE.weekday_themes


def topic_file(slug: str, kind: str, body: str = "A short body.", settings: str = "") -> str:
    lines = [
        "---",
        f"slug: {slug}",
        f"kind: {kind}",
        f'title: "{slug}"',
        f"minutes: {0.5 if kind == 'lexicon' else 2}",
        'prompt: "Why?"',
        "tags: [test]",
        'source: "Test"',
        "status: published",
    ]
    if settings:
        lines.append(f"settings: [{settings}]")
    if kind == "lexicon":
        lines += ['avoid: "No."', 'say_instead: "Yes."']
    lines += ["translations: {}", "---", body, ""]
    return "\n".join(lines)


def write_library(directory: Path, per_day: int, settings: str = "", prefix: str = "") -> None:
    for kind in set(THEMES):
        for n in range(per_day * THEMES.count(kind)):
            slug = f"{prefix}{kind}-{n}"
            (directory / f"{slug}.md").write_text(topic_file(slug, kind, settings=settings))
    for n in range(per_day * 7):
        slug = f"{prefix}phrase-{n}"
        (directory / f"{slug}.md").write_text(topic_file(slug, "lexicon", settings=settings))


def test_a_library_for_a_quarter_passes(app, runner, tmp_path):
    write_library(tmp_path, 13)
    result = runner.invoke(args=["content", "check", str(tmp_path), "--from", "2027-01-01"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "182 published topics" in lines[0] and "from 2027-01-01" in lines[0]
    header = lines[1].split()
    assert header[:5] == ["setting", "topic", "days", "phrase", "days"]
    rows = {line.split()[0]: line.split() for line in lines[2:7]}
    assert set(rows) == {"hotel", "restaurant", "retail", "contact-centre", "other"}
    # 13 topics of each theme day: 91 days of topics and of phrases; habit twice a week.
    # Exactly a quarter: on day 92 the first topic of the quarter comes round again.
    assert all(row[1:3] == ["91", "91"] for row in rows.values())
    habit = header.index("habit") - 2  # the two "days" headers are two words each
    assert rows["retail"][habit] == "26"
    assert "Every topic can be read aloud in its slot." in result.output
    # Pure: nothing was written to the database.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 0


def test_a_short_setting_and_long_topics_fail_the_check(app, runner, tmp_path):
    write_library(tmp_path, 13, settings="hotel")
    (tmp_path / "phrase-0.md").write_text(topic_file("phrase-0", "lexicon", "word " * 60))
    (tmp_path / "tip-0.md").unlink()
    result = runner.invoke(args=["content", "check", str(tmp_path), "--from", "2027-01-01"])
    assert result.exit_code != 0
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:7]}
    assert "< 91 days" in rows["hotel"]
    assert "1 topics take too long to read aloud" in result.output
    assert "phrase-0 (lexicon): 64 / 56" in result.output
    assert "repeats within 91 days for hotel" in result.output


def test_a_broken_file_is_named_and_fails(app, runner, tmp_path):
    write_library(tmp_path, 13)
    (tmp_path / "broken.md").write_text("no front matter\n")
    result = runner.invoke(args=["content", "check", str(tmp_path), "--from", "2027-01-01"])
    assert result.exit_code != 0
    assert "broken broken.md" in result.output
    assert "1 broken files" in result.output


def test_a_missing_directory_is_refused(app, runner, tmp_path):
    result = runner.invoke(args=["content", "check", str(tmp_path / "nope")])
    assert result.exit_code != 0 and "is not a directory" in result.output


def test_other_places_are_reported_but_do_not_fail_the_check(app, runner, tmp_path):
    # One universal library for a quarter, then a second quarter's worth for each named setting:
    # a place of kind "other" hears only the universal topics and repeats first.
    write_library(tmp_path, 7)
    for setting in ("hotel", "restaurant", "retail", "contact-centre"):
        write_library(tmp_path, 7, settings=setting, prefix=f"{setting}-")
    result = runner.invoke(args=["content", "check", str(tmp_path), "--from", "2027-01-01"])
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:7]}
    assert "< 91 days" in rows["other"] and "not counted" in rows["other"]
    assert "< 91 days" not in rows["hotel"]
    assert result.exit_code == 0, result.output
