"""Use cases of wow stories from the floor: tell, list, publish into the library, decline."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from huddles.auth.models import User
from huddles.extensions import db
from huddles.stories.models import MAX_BODY, MAX_REASON, MAX_TITLE, STORY_STATUSES, Story
from huddles.topics import service as topics
from huddles.topics.files import MAX_SLUG
from huddles.topics.models import Topic
from huddles.validation import FieldError

MAX_PROMPT = 300
# The question of a published story when the admin gives none (library text is English).
DEFAULT_PROMPT = "What would you have done in their place?"


class StoryConflict(FieldError):
    """The story was already published or declined (HTTP 409)."""

    status = 409


class StoryNotFound(FieldError):
    """No such story for this person (HTTP 404)."""

    status = 404


def _text(value: Any, name: str, limit: int, required: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(name, _("%(name)s must be text.", name=name))
    value = value.replace("\r\n", "\n").strip()
    if not value:
        raise FieldError(name, required)
    if len(value) > limit:
        raise FieldError(
            name, _("%(name)s is too long (at most %(n)s characters).", name=name, n=limit)
        )
    return str(value)


def _colleague(teller: User, about_user_id: Any) -> User | None:
    """The colleague the story is about: an active person of the teller's location."""
    if about_user_id is None or about_user_id == "":
        return None
    if isinstance(about_user_id, bool) or not isinstance(about_user_id, int):
        raise FieldError("about_user_id", _("about_user_id must be a person's id."))
    if about_user_id == teller.id:
        raise FieldError(
            "about_user_id",
            _("Choose the colleague who did it, not yourself (or leave it empty)."),
        )
    person = db.session.get(User, about_user_id)
    same_place = (
        person is not None
        and person.active
        and person.organisation_id == teller.organisation_id
        and (teller.location_id is None or person.location_id == teller.location_id)
    )
    if person is None or not same_place:
        # Never say who that is: they may work somewhere the teller cannot see.
        raise FieldError(
            "about_user_id", _("There is no colleague %(id)s at your location.", id=about_user_id)
        )
    return person


def tell_story(
    teller: User, *, title: Any, body: Any, about_user_id: Any = None, now: datetime
) -> Story:
    """A wow story told by `teller`, waiting for an admin. Commits."""
    story = Story(
        organisation_id=teller.organisation_id,
        location_id=teller.location_id,
        teller_id=teller.id,
        title=_text(title, "title", MAX_TITLE, _("Give the story a title.")),
        body=_text(body, "body", MAX_BODY, _("Tell what happened.")),
        about=_colleague(teller, about_user_id),
        status="submitted",
        created_at=now,
        updated_at=now,
    )
    db.session.add(story)
    db.session.commit()
    return story


def colleagues_of(teller: User) -> list[User]:
    """Whom a story can be about: the active people of the teller's location, by name."""
    if teller.location_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.location_id == teller.location_id,
                User.active.is_(True),
                User.id != teller.id,
            )
            .order_by(User.name, User.id)
        )
    )


def story_for(viewer: User, story_id: int) -> Story:
    """The story if `viewer` may see it (its teller, an admin of its organisation)."""
    story = db.session.get(Story, story_id)
    visible = story is not None and (
        story.teller_id == viewer.id
        or (viewer.is_admin and story.organisation_id == viewer.organisation_id)
    )
    if story is None or not visible:
        raise StoryNotFound("id", _("There is no story %(id)s.", id=story_id))
    return story


@dataclass(frozen=True)
class StoryPage:
    """A page of stories."""

    items: list[Story]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def stories_page(
    viewer: User, *, status: str = "", mine: bool = False, page: int = 1, per_page: int = 20
) -> StoryPage:
    """Stories newest first: an admin's organisation's (or their own), everyone else's own."""
    if status and status not in STORY_STATUSES:
        raise FieldError(
            "status",
            _(
                "Unknown status %(s)s (use one of %(all)s).",
                s=status,
                all=", ".join(STORY_STATUSES),
            ),
        )
    query = sa.select(Story).where(Story.organisation_id == viewer.organisation_id)
    if mine or not viewer.is_admin:
        query = query.where(Story.teller_id == viewer.id)
    if status:
        query = query.where(Story.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(
            selectinload(Story.teller),
            selectinload(Story.about),
            selectinload(Story.location),
            selectinload(Story.topic),
        )
        .order_by(Story.created_at.desc(), Story.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return StoryPage(list(rows), page, per_page, int(total or 0))


def _slug(story_id: int, title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    slug = f"story-{story_id}-{words}" if words else f"story-{story_id}"
    return slug[:MAX_SLUG].rstrip("-")


def source_of(story: Story) -> str:
    """The topic's source: 'Told by <teller> (<location>), <date>'.

    Like the rest of the library's text it is stored in English (translations sit beside it).
    """
    zone = story.location.timezone if story.location is not None else "UTC"
    day = format_date(story.created_at.astimezone(ZoneInfo(zone)), "d MMMM y", locale="en")
    where = f" ({story.location.name})" if story.location is not None else ""
    return f"Told by {story.teller.name}{where}, {day}"


def _credit(story: Story) -> str:
    if story.about is not None:
        return f"Told by {story.teller.name}, about {story.about.name}."
    return f"Told by {story.teller.name}."


def _decided(story_id: int, values: dict[str, Any]) -> None:
    """Move a story out of `submitted`, once: a second publish or decline is a conflict."""
    result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        sa.update(Story).where(Story.id == story_id, Story.status == "submitted").values(**values)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise StoryConflict("status", _("This story has already been published or declined."))


def _check_open(story: Story) -> None:
    if story.status != "submitted":
        raise StoryConflict("status", _("This story has already been published or declined."))


def publish_story(
    story: Story,
    actor: User,
    *,
    now: datetime,
    title: Any = None,
    body: Any = None,
    prompt: Any = None,
) -> Story:
    """Make the story a published `wow-story` topic crediting the teller (and colleague). Commits.

    The topic fits the teller's setting; the rotation can pick it from now on.
    """
    _check_open(story)
    title = _text(
        story.title if title is None else title, "title", MAX_TITLE, _("Give the story a title.")
    )
    body = _text(story.body if body is None else body, "body", MAX_BODY, _("Tell what happened."))
    question = prompt if prompt not in (None, "") else DEFAULT_PROMPT
    question = _text(question, "prompt", MAX_PROMPT, _("Ask the team a question."))
    raw = {
        "slug": _slug(story.id, title),
        "kind": "wow-story",
        "status": "published",
        "title": title,
        "prompt": question,
        "body": f"{body}\n\n*{_credit(story)}*",
        "tags": ["from-the-floor"],
        "source": source_of(story)[:300],
        "settings": [story.location.setting] if story.location is not None else [],
    }
    try:
        topic = topics.stage_topic(raw, actor, now, "Published from a story of the floor")
        _decided(
            story.id,
            {
                "status": "published",
                "topic_id": topic.id,
                "title": title,
                "body": body,
                "decided_by_id": actor.id,
                "decided_at": now,
                "updated_at": now,
            },
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise StoryConflict(
            "status", _("This story has already been published or declined.")
        ) from None
    except FieldError:
        db.session.rollback()
        raise
    db.session.refresh(story)
    return story


def decline_story(story: Story, actor: User, *, reason: Any, now: datetime) -> Story:
    """Decline the story with a reason its teller sees. Commits."""
    _check_open(story)
    why = _text(reason, "reason", MAX_REASON, _("Say why, so the teller knows."))
    _decided(
        story.id,
        {
            "status": "declined",
            "decline_reason": why,
            "decided_by_id": actor.id,
            "decided_at": now,
            "updated_at": now,
        },
    )
    db.session.commit()
    db.session.refresh(story)
    return story


def story_json(story: Story) -> dict[str, Any]:
    """A story as the API returns it."""
    topic: Topic | None = story.topic
    return {
        "id": story.id,
        "status": story.status,
        "title": story.title,
        "body": story.body,
        "teller": {"user_id": story.teller_id, "name": story.teller.name},
        "about": (
            {"user_id": story.about.id, "name": story.about.name}
            if story.about is not None
            else None
        ),
        "location_id": story.location_id,
        "decline_reason": story.decline_reason or None,
        "topic_slug": topic.slug if topic is not None else None,
        "created_at": story.created_at.isoformat(),
        "decided_at": story.decided_at.isoformat() if story.decided_at else None,
    }
