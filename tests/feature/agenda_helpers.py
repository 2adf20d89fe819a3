"""Shared helpers for the agenda tests: topics straight into the database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from huddles.extensions import db
from huddles.topics.models import Topic, TopicRevision, settings_key


def rank_of(slug: str) -> int:
    return int.from_bytes(hashlib.blake2b(slug.encode(), digest_size=7).digest(), "big")


def add_topic(
    slug: str,
    kind: str = "tip",
    *,
    status: str = "published",
    season: tuple[str, str] | None = None,
    title: str | None = None,
    prompt: str = "What will you try today?",
    body: str = "Some **body** text.",
    avoid: str | None = None,
    say_instead: str | None = None,
    translations: dict | None = None,
    settings: tuple[str, ...] = (),
    movable: tuple[str, int, int] | None = None,
    commit: bool = True,
) -> Topic:
    title = title or slug.replace("-", " ").title()
    topic = Topic(
        slug=slug,
        kind=kind,
        status=status,
        title=title,
        rank=rank_of(slug),
        season_start=season[0] if season else None,
        season_end=season[1] if season else None,
        settings_key=settings_key(settings),
        season_name=movable[0] if movable else None,
        season_before=movable[1] if movable else 0,
        season_after=movable[2] if movable else 0,
    )
    revision = TopicRevision(
        topic=topic,
        number=1,
        kind=kind,
        status=status,
        title=title,
        prompt=prompt,
        body=body,
        avoid=avoid,
        say_instead=say_instead,
        translations=translations or {},
        season_start=topic.season_start,
        season_end=topic.season_end,
        season_name=topic.season_name,
        season_before=topic.season_before,
        season_after=topic.season_after,
        settings=list(settings),
    )
    db.session.add_all([topic, revision])
    db.session.flush()
    topic.current_revision = revision
    if commit:
        db.session.commit()
    return topic


LIBRARY_KINDS = ("tip", "wow-story", "default-of-yes", "culture-matrix", "habit", "recovery")


def add_library(per_kind: int = 6, lexicon: int = 10, kinds: Iterable[str] = LIBRARY_KINDS):
    """A small library: `per_kind` topics of each kind and `lexicon` phrases."""
    topics = []
    for kind in kinds:
        for number in range(per_kind):
            topics.append(add_topic(f"{kind}-{number}", kind, commit=False))
    for number in range(lexicon):
        topics.append(
            add_topic(
                f"phrase-{number}",
                "lexicon",
                avoid=f"No, we can't {number}.",
                say_instead=f"Here is what I can do {number}.",
                commit=False,
            )
        )
    db.session.commit()
    return topics
