"""The library in content/ follows the writers' format and is big enough for the rotation."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from huddles.topics import files
from huddles.topics.models import KINDS

CONTENT = Path(__file__).resolve().parents[2] / "content"
PATHS = sorted(CONTENT.glob("*.md"))
# The default weekly themes (DESIGN.md), Monday first; the phrase slot draws a lexicon topic daily.
WEEKLY_THEMES = [
    "default-of-yes",
    "wow-story",
    "culture-matrix",
    "habit",
    "recovery",
    "wow-story",
    "tip",
]
COOLDOWN_DAYS = 28


def _words(text: str) -> int:
    return len(re.findall(r"[\w’'-]+", text))


@pytest.fixture(scope="module")
def library(app_module) -> dict[str, files.TopicData]:
    return {path.name: files.parse(path.read_text(encoding="utf-8")) for path in PATHS}


@pytest.fixture(scope="module")
def app_module():
    from huddles import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    with app.app_context():
        yield app


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
    low, high = (60, 120) if topic.kind == "lexicon" else (80, 200)
    assert low <= _words(topic.body) <= high, _words(topic.body)
    paragraphs = [p for p in topic.body.split("\n\n") if p.strip()]
    assert paragraphs[-1].startswith("**Today:**")
    # The writers' layout is the export layout: the file is exactly what an export writes.
    assert files.dump(topic) == text


def test_slugs_are_unique(library) -> None:
    slugs = Counter(topic.slug for topic in library.values())
    assert [slug for slug, n in slugs.items() if n > 1] == []


def test_the_library_is_big_enough(library) -> None:
    published = [topic for topic in library.values() if topic.status == "published"]
    kinds = Counter(topic.kind for topic in published)
    assert len([t for t in published if t.kind != "lexicon"]) >= 60
    assert kinds["lexicon"] >= 60


@pytest.mark.parametrize("kind", sorted(set(WEEKLY_THEMES) | {"lexicon"}))
def test_every_kind_lasts_a_cooldown(library, kind: str) -> None:
    """Each theme day recurs COOLDOWN_DAYS / 7 times in a cool-down window; none may repeat."""
    per_day = 7 if kind == "lexicon" else WEEKLY_THEMES.count(kind)
    needed = per_day * COOLDOWN_DAYS // 7
    available = sum(
        1 for topic in library.values() if topic.kind == kind and topic.status == "published"
    )
    assert available >= needed, f"{kind}: {available} published, {needed} needed"
