"""An agenda's topic text in every language, for a huddle screen that switches live."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from huddles.config import LOCALES
from huddles.extensions import db
from huddles.topics.models import TopicRevision
from huddles.topics.rendering import localized, render_markdown

if TYPE_CHECKING:
    from huddles.agenda.models import Agenda


def agenda_texts(agenda: Agenda) -> dict[str, Any]:
    """Per language the agenda's topics can be read in (English and every language one of its
    revisions is translated into), per slot position: the title, prompt, phrase, body
    (sanitised HTML) and the language it is really in (English where a translation lacks a
    field). One query, whatever the number of languages."""
    ids = [item.topic_revision_id for item in agenda.items if item.topic_revision_id]
    revisions = (
        {
            r.id: r
            for r in db.session.scalars(sa.select(TopicRevision).where(TopicRevision.id.in_(ids)))
        }
        if ids
        else {}
    )
    offered = {"en"}
    for revision in revisions.values():
        offered.update(code for code in (revision.translations or {}) if code in LOCALES)
    languages = [code for code in LOCALES if code in offered]
    texts: dict[str, Any] = {}
    for code in languages:
        items: dict[str, Any] = {}
        for item in agenda.items:
            revision = revisions.get(item.topic_revision_id or 0)
            if revision is None:
                continue
            text = localized(revision, code)
            items[str(item.position)] = {
                "title": text.title,
                "prompt": text.prompt,
                "avoid": text.avoid,
                "say_instead": text.say_instead,
                "body_html": str(render_markdown(text.body)),
                "lang": text.lang,
                "untranslated": list(text.untranslated),
            }
        texts[code] = items
    return {"languages": languages, "items": texts}
