"""The library in content/ follows the writers' format, fits its slots and lasts a quarter.

These tests read the files, not the database. The numbers are issue 13's: in each of the four
settings, 91 days of the default template without a repeated topic of the day or phrase.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from huddles import rotation
from huddles.topics import files, health, reading
from huddles.topics.models import KINDS

# HUDDLES_TEST_CONTENT checks another directory (a writer's draft of the library).
CONTENT = Path(
    os.environ.get("HUDDLES_TEST_CONTENT") or Path(__file__).resolve().parents[2] / "content"
)
PATHS = sorted(CONTENT.glob("*.md"))
TEMPLATE = rotation.DEFAULT_TEMPLATE
WEEKLY_THEMES = list(TEMPLATE.weekday_themes)
SETTINGS = ("hotel", "restaurant", "retail", "contact-centre")
# A quarter from the start of each quarter, so that every season is crossed once.
STARTS = (date(2027, 1, 1), date(2027, 4, 1), date(2027, 7, 1), date(2027, 10, 1))


@pytest.fixture(scope="module")
def app_module():
    from huddles import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    with app.app_context():
        yield app


@pytest.fixture(scope="module")
def library(app_module) -> dict[str, files.TopicData]:
    return {path.name: files.parse(path.read_text(encoding="utf-8")) for path in PATHS}


@pytest.fixture(scope="module")
def published(library) -> list[files.TopicData]:
    return [topic for topic in library.values() if topic.status == "published"]


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_topic_file_follows_the_format(path: Path, app_module) -> None:
    text = path.read_text(encoding="utf-8")
    topic = files.parse(text)
    assert topic.slug == path.stem
    assert topic.kind in KINDS
    assert topic.status in ("draft", "published", "retired")
    assert topic.title and len(topic.title) <= 80 and not topic.title.endswith(".")
    assert topic.prompt.endswith("?")
    assert topic.source
    assert 1 <= len(topic.tags) <= 5
    assert topic.minutes == (0.5 if topic.kind == "lexicon" else 2)
    if topic.kind == "lexicon":
        assert topic.avoid and topic.say_instead
    assert reading.count_words(topic.body) >= (15 if topic.kind == "lexicon" else 60)
    paragraphs = [p for p in topic.body.split("\n\n") if p.strip()]
    assert paragraphs[-1].startswith("**Today:**")
    if topic.illustrative:
        # An invented story says so where it is told.
        assert "picture this" in topic.body.lower()
    # The writers' layout is the export layout: the file is exactly what an export writes.
    assert files.dump(topic) == text


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_reading_aloud_fits_the_slot(path: Path, app_module) -> None:
    """At 150 words a minute in three quarters of the slot: 225 words a topic, 56 a phrase."""
    topic = files.parse(path.read_text(encoding="utf-8"))
    minutes = reading.slot_minutes(topic.kind)
    assert minutes is not None
    words, limit = reading.reading_words(topic), reading.word_limit(minutes)
    assert words <= limit, f"{topic.slug}: {words} words read aloud, at most {limit}"


def test_slugs_are_unique(library) -> None:
    slugs = Counter(topic.slug for topic in library.values())
    assert [slug for slug, n in slugs.items() if n > 1] == []


def test_the_library_is_big_enough(published) -> None:
    kinds = Counter(topic.kind for topic in published)
    assert len([t for t in published if t.kind != "lexicon"]) >= 60
    assert kinds["lexicon"] >= 91
    assert kinds["wow-story"] >= 30


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("kind", sorted(set(WEEKLY_THEMES) | {"lexicon"}))
def test_every_kind_has_a_quarter_of_topics_in_every_setting(published, setting, kind) -> None:
    """Each theme comes 13 times in 91 days per day of the week it holds; a phrase every day."""
    needed = 91 if kind == "lexicon" else 13 * WEEKLY_THEMES.count(kind)
    available = sum(
        1
        for topic in published
        if topic.kind == kind and health.fits(topic, setting) and not topic.seasonal
    )
    assert available >= needed, f"{setting} {kind}: {available} all-year topics, {needed} needed"


@pytest.mark.parametrize("start", STARTS, ids=[start.isoformat() for start in STARTS])
@pytest.mark.parametrize("setting", SETTINGS)
def test_the_engine_runs_a_quarter_without_a_repeat(published, setting, start) -> None:
    result = health.setting_health(published, setting, start, horizon=91)
    assert result.days == {"topic": 91, "phrase": 91}, (
        f"{setting} from {start}: the first repeat comes after {result.days} days"
    )


def test_there_are_seasonal_topics(published) -> None:
    seasonal = [topic for topic in published if topic.seasonal]
    assert len(seasonal) >= 8
