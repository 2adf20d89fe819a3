"""The topic library: a topic and its revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huddles import seasons
from huddles.db import utcnow
from huddles.extensions import db
from huddles.topics.rendering import language_of

KINDS = ("tip", "wow-story", "default-of-yes", "culture-matrix", "habit", "recovery", "lexicon")
STATUSES = ("draft", "published", "retired")


class Topic(db.Model):
    """A topic. What it says lives in its revisions; the current title and kind are copied here."""

    __tablename__ = "topics"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'published', 'retired')", name="status"),
        sa.Index("ix_topics_kind_status_rank", "kind", "status", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    title: Mapped[str] = mapped_column(sa.String(200))
    # MM-DD bounds, inclusive; a season may wrap around the new year.
    season_start: Mapped[str | None] = mapped_column(sa.String(5))
    season_end: Mapped[str | None] = mapped_column(sa.String(5))
    # Or a season that moves with a calendar ("ramadan"), from days before to days after it.
    season_name: Mapped[str | None] = mapped_column(sa.String(32))
    season_before: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    season_after: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # The settings it fits, for the rotation's SQL: "" fits all, else ",hotel,restaurant,".
    settings_key: Mapped[str] = mapped_column(sa.String(120), default="")
    # A stable pseudo-random order (hash of the slug): the rotation reads a bounded window by it.
    rank: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    current_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("topic_revisions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def settings(self) -> tuple[str, ...]:
        """The settings the topic fits (empty: all)."""
        return tuple(part for part in self.settings_key.split(",") if part)

    @property
    def season(self) -> seasons.TopicSeason | None:
        """The season (None: always in season); ValueError if the stored one is broken."""
        return seasons.stored(self)

    current_revision: Mapped[TopicRevision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    revisions: Mapped[list[TopicRevision]] = relationship(
        back_populates="topic",
        foreign_keys="TopicRevision.topic_id",
        order_by="TopicRevision.number",
    )


class TopicRevision(db.Model):
    """One saved state of a topic; agendas point at the revision they used."""

    __tablename__ = "topic_revisions"
    __table_args__ = (sa.UniqueConstraint("topic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(200))
    minutes: Mapped[float] = mapped_column(sa.Float, default=2.0)
    prompt: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    # The settings (kinds of workplace) it fits; empty fits all.
    settings: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # An invented wow story, told as "picture this".
    illustrative: Mapped[bool] = mapped_column(default=False)
    season_start: Mapped[str | None] = mapped_column(sa.String(5))
    season_end: Mapped[str | None] = mapped_column(sa.String(5))
    season_name: Mapped[str | None] = mapped_column(sa.String(32))
    season_before: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    season_after: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    avoid: Mapped[str | None] = mapped_column(sa.Text)
    say_instead: Mapped[str | None] = mapped_column(sa.Text)
    # {"de": {"title": ..., "prompt": ..., "body": ..., "avoid": ..., "say_instead": ...}, ...}
    translations: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[Topic] = relationship(back_populates="revisions", foreign_keys=[topic_id])

    @property
    def season(self) -> seasons.TopicSeason | None:
        """The season (None: always in season); ValueError if the stored one is broken."""
        return seasons.stored(self)


def settings_key(settings: tuple[str, ...] | list[str]) -> str:
    """The stored form of a topic's settings: "" for all, else ",hotel,restaurant,"."""
    return f",{','.join(settings)}," if settings else ""


def in_rotation() -> sa.ColumnElement[bool]:
    """SQL: the rotation may pick the topic (published, with a current revision)."""
    return sa.and_(Topic.status == "published", Topic.current_revision_id.is_not(None))


def offered_at(setting: str) -> sa.ColumnElement[bool]:
    """SQL: the rotation offers the topic to a location of `setting` (in rotation, fits it)."""
    return sa.and_(in_rotation(), fits_setting(setting))


def current_titles(locale: str | None, slugs: list[str] | None = None) -> dict[str, str]:
    """Each topic's current title (of those `slugs`, or all) by slug, in the language of
    `locale`: its translation's where that has one, else the title as written. One statement."""
    language = language_of(locale)
    translated = (
        TopicRevision.translations[(language, "title")].as_string()
        if language != "en"
        else sa.null()
    )
    statement = sa.select(Topic.slug, Topic.title, translated).outerjoin(
        TopicRevision, TopicRevision.id == Topic.current_revision_id
    )
    if slugs is not None:
        statement = statement.where(Topic.slug.in_(slugs))
    return {
        slug: own if own and own.strip() else title
        for slug, title, own in db.session.execute(statement).tuples()
    }


def fits_setting(setting: str) -> sa.ColumnElement[bool]:
    """SQL: the topic fits a location of `setting` (made for it, or for every setting)."""
    return sa.or_(
        Topic.settings_key == "",
        Topic.settings_key.contains(f",{setting},", autoescape=True),
    )
