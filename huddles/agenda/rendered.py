"""Topic revisions as an agenda shows them, rendered once per (revision, language) and kept.

A revision never changes (an edit makes a new one), so its text in a language, and the HTML of
its Markdown, are values: the first agenda that shows it loads and renders it; later ones take
it from a small in-process cache that belongs to the app (each app, hence each test database,
has its own). Nothing per-huddle (roster, attendance, thank-yous, notes) is kept here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app
from jinja2.utils import htmlsafe_json_dumps

from huddles.extensions import db
from huddles.topics.models import Topic, TopicRevision
from huddles.topics.rendering import language_of

if TYPE_CHECKING:
    from huddles.agenda.models import Agenda

EXTENSION = "huddles.rendered_revisions"
CAPACITY = 4096  # (revision, language) pairs; a whole library in five languages fits


@dataclass(frozen=True)
class RenderedRevision:
    """A revision's reader-facing text in one language, its body already HTML."""

    slug: str
    title: str
    body_html: str
    prompt: str
    avoid: str | None
    say_instead: str | None
    lang: str


class LruCache:
    """A thread-safe map that forgets the least recently used entry beyond its capacity."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RevisionCache(LruCache):
    """RenderedRevision by (revision id, language)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        super().__init__(capacity)


def _app_cache(name: str, make: Callable[[], LruCache]) -> Any:
    """The current app's cache of that name (made on first use)."""
    found = current_app.extensions.get(name)
    if found is None:
        found = current_app.extensions.setdefault(name, make())
    return found


def cache() -> RevisionCache:
    """The current app's cache of rendered revisions."""
    return _app_cache(EXTENSION, RevisionCache)  # type: ignore[no-any-return]


def rendered_revisions(revision_ids: list[int], locale: str | None) -> dict[int, RenderedRevision]:
    """Each revision in the language of `locale`; one query for those not rendered yet, if any."""
    from huddles.topics.rendering import localized, render_markdown

    language = language_of(locale)
    store = cache()
    found: dict[int, RenderedRevision] = {}
    missing = []
    for revision_id in dict.fromkeys(revision_ids):
        entry = store.get((revision_id, language))
        if entry is None:
            missing.append(revision_id)
        else:
            found[revision_id] = entry
    if missing:
        rows = db.session.execute(
            sa.select(TopicRevision, Topic.slug)
            .join(Topic, Topic.id == TopicRevision.topic_id)
            .where(TopicRevision.id.in_(missing))
        )
        for revision, slug in rows:
            text = localized(revision, locale)
            entry = RenderedRevision(
                slug=slug,
                title=text.title,
                body_html=str(render_markdown(text.body)),
                prompt=text.prompt,
                avoid=text.avoid,
                say_instead=text.say_instead,
                lang=text.lang,
            )
            store.put((revision.id, language), entry)
            found[revision.id] = entry
    return found


TEXTS_EXTENSION = "huddles.rendered_agenda_texts"
TEXTS_CAPACITY = 512  # agendas' topic sets; a location plans a handful a day


class AgendaTexts(dict[str, Any]):
    """`agenda_texts` of one set of (position, revision) pairs, with its JSON made once."""

    def __init__(self, texts: dict[str, Any]) -> None:
        super().__init__(texts)
        # As the templates' `tojson` writes it (the app's JSON settings, safe inside <script>).
        self.json = htmlsafe_json_dumps(texts, dumps=current_app.json.dumps)


def agenda_texts(agenda: Agenda) -> AgendaTexts:
    """The agenda's topics in every language they are in (see topics.languages.agenda_texts),
    made once per set of (position, revision) and kept: revisions never change."""
    from huddles.topics.languages import agenda_texts as make_texts

    key = tuple(
        (item.position, item.topic_revision_id) for item in agenda.items if item.topic_revision_id
    )
    store = _app_cache(TEXTS_EXTENSION, lambda: LruCache(TEXTS_CAPACITY))
    found = store.get(key)
    if found is None:
        found = AgendaTexts(make_texts(agenda))
        store.put(key, found)
    return found  # type: ignore[no-any-return]
