"""Use cases of the topic library: create, edit, retire, restore, import, export, search."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from huddles import seasons
from huddles.agenda.models import Agenda, AgendaItem
from huddles.auth.models import User
from huddles.extensions import db
from huddles.signals import topic_changed
from huddles.topics import files, health
from huddles.topics.files import TopicData
from huddles.topics.models import Topic, TopicRevision, fits_setting, settings_key
from huddles.validation import FieldError

SUMMARY_LIMIT = 300
# Revision summaries are stored data (in English), not interface text.


class Conflict(FieldError):
    """The change cannot be made because of the current state (a duplicate, a newer revision)."""


def topic_rank(slug: str) -> int:
    """A stable 63-bit hash of the slug: the order in which the rotation reads the library."""
    digest = hashlib.blake2b(slug.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def revision_data(revision: TopicRevision, slug: str) -> TopicData:
    """A stored revision as TopicData."""
    return TopicData(
        slug=slug,
        kind=revision.kind,
        status=revision.status,
        title=revision.title,
        minutes=float(revision.minutes),
        prompt=revision.prompt or "",
        body=revision.body or "",
        tags=tuple(revision.tags or ()),
        source=revision.source or "",
        settings=tuple(revision.settings or ()),
        illustrative=bool(revision.illustrative),
        season_start=revision.season_start,
        season_end=revision.season_end,
        season_name=revision.season_name,
        season_before=revision.season_before or 0,
        season_after=revision.season_after or 0,
        avoid=revision.avoid,
        say_instead=revision.say_instead,
        translations=dict(revision.translations or {}),
    )


def current_data(topic: Topic) -> TopicData:
    """The topic's current revision as TopicData."""
    assert topic.current_revision is not None
    return revision_data(topic.current_revision, topic.slug)


def next_season_window(revision: TopicRevision, today: date) -> tuple[date, date] | None:
    """A movable season's days (with those before and after) now or next; None for the others."""
    if not revision.season_name:
        return None
    try:
        season = revision.season
    except ValueError:
        return None
    if not isinstance(season, seasons.MovableSeason):
        return None
    windows = season.windows(today, today + timedelta(days=400))
    return windows[0] if windows else None


def topic_by_slug(slug: str) -> Topic | None:
    """The topic with this slug, or None."""
    return db.session.scalar(sa.select(Topic).where(Topic.slug == slug))


def _summary(changed: list[str]) -> str:
    return f"Changed {', '.join(changed)}"[:SUMMARY_LIMIT]


def _add_revision(
    topic: Topic, data: TopicData, number: int, actor: User | None, now: datetime, summary: str
) -> TopicRevision:
    revision = TopicRevision(
        topic=topic,
        number=number,
        kind=data.kind,
        status=data.status,
        title=data.title,
        minutes=data.minutes,
        prompt=data.prompt,
        body=data.body,
        tags=list(data.tags),
        source=data.source,
        settings=list(data.settings),
        illustrative=data.illustrative,
        season_start=data.season_start,
        season_end=data.season_end,
        season_name=data.season_name,
        season_before=data.season_before,
        season_after=data.season_after,
        avoid=data.avoid,
        say_instead=data.say_instead,
        translations=data.translations,
        summary=summary[:SUMMARY_LIMIT],
        author_id=actor.id if actor is not None else None,
        created_at=now,
    )
    db.session.add(revision)
    topic.current_revision = revision
    # The denormalised copy the rotation and the library filter on.
    topic.kind = data.kind
    topic.status = data.status
    topic.title = data.title
    topic.season_start = data.season_start
    topic.season_end = data.season_end
    topic.season_name = data.season_name
    topic.season_before = data.season_before
    topic.season_after = data.season_after
    topic.settings_key = settings_key(data.settings)
    topic.updated_at = now
    return revision


def _new_topic(data: TopicData, actor: User | None, now: datetime, summary: str) -> Topic:
    topic = Topic(
        slug=data.slug,
        kind=data.kind,
        status=data.status,
        title=data.title,
        rank=topic_rank(data.slug),
        created_at=now,
        updated_at=now,
    )
    db.session.add(topic)
    _add_revision(topic, data, 1, actor, now, summary)
    return topic


def _next_number(topic: Topic) -> int:
    latest = db.session.scalar(
        sa.select(sa.func.max(TopicRevision.number)).where(TopicRevision.topic_id == topic.id)
    )
    return (latest or 0) + 1


def _commit(slug: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "slug",
            str(
                _l(
                    "The topic %(slug)s was changed at the same time; reload and try again.",
                    slug=slug,
                )
            ),
        ) from None


def _announce(topic_ids: list[int], now: datetime) -> None:
    """Tell the features that follow the library (after the commit) which topics changed."""
    if topic_ids:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        topic_changed.send(app, topic_ids=topic_ids, now=now)


def create_topic(raw: Mapping[str, Any], actor: User | None, now: datetime) -> Topic:
    """Validate and create a topic with its first revision; Conflict if the slug is taken."""
    data = files.validate(raw)
    topic = _new_topic(data, actor, now, "Created")
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "slug", str(_l("There is already a topic %(slug)s.", slug=data.slug))
        ) from None
    return topic


def stage_topic(raw: Mapping[str, Any], actor: User | None, now: datetime, summary: str) -> Topic:
    """Validate a new topic and add it with its first revision to the session, uncommitted.

    For a use case that commits the topic together with its own change (a published story).
    """
    data = files.validate(raw)
    topic = _new_topic(data, actor, now, summary)
    db.session.flush()
    return topic


def update_topic(
    topic: Topic,
    changes: Mapping[str, Any],
    actor: User | None,
    now: datetime,
    *,
    expected_revision: int | None = None,
    summary: str | None = None,
) -> TopicRevision | None:
    """Apply (partial) changes as a new revision; None when nothing changed. The slug is fixed."""
    if "slug" in changes and changes["slug"] != topic.slug:
        raise FieldError("slug", str(_l("A topic's slug cannot change.")))
    current = current_data(topic)
    if (
        expected_revision is not None
        and topic.current_revision is not None
        and topic.current_revision.number != expected_revision
    ):
        raise Conflict(
            "revision",
            str(
                _l(
                    "Someone saved revision %(n)s while you were editing; "
                    "reload to see it before saving.",
                    n=topic.current_revision.number,
                )
            ),
        )
    data = files.validate({**files.as_fields(current), **changes, "slug": topic.slug})
    if actor is not None:
        data = _check_reviews(topic, current, data, actor)
    changed = data.changed_fields(current)
    if not changed:
        return None
    revision = _add_revision(
        topic, data, _next_number(topic), actor, now, summary or _summary(changed)
    )
    _commit(topic.slug)
    _announce([topic.id], now)
    return revision


# --- Translations and their reviews ----------------------------------------------------------


def _text_of(translation: Mapping[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (translation or {}).items() if k != "status"}


@dataclass(frozen=True)
class TranslationInfo:
    """Who last changed a language's translation of a topic, and who reviewed it (user ids)."""

    changed_by: int | None
    reviewed_by: int | None


def translation_info(topic: Topic) -> dict[str, TranslationInfo]:
    """Per language, from the revisions: the author of the last change to the translation's
    text, and the author of the revision that marked it reviewed (None while a draft)."""
    info: dict[str, TranslationInfo] = {}
    before: dict[str, Any] = {}
    for revision in db.session.scalars(
        sa.select(TopicRevision)
        .where(TopicRevision.topic_id == topic.id)
        .order_by(TopicRevision.number)
    ):
        now = revision.translations or {}
        for language, translation in now.items():
            old = before.get(language)
            last = info.get(language, TranslationInfo(None, None))
            changed_by = last.changed_by
            if old is None or _text_of(old) != _text_of(translation):
                changed_by = revision.author_id
            reviewed_by = None
            if translation.get("status") == "reviewed":
                was_reviewed = old is not None and old.get("status") == "reviewed"
                reviewed_by = last.reviewed_by if was_reviewed else revision.author_id
            info[language] = TranslationInfo(changed_by, reviewed_by)
        for language in set(info) - set(now):
            del info[language]
        before = now
    return info


def _check_reviews(topic: Topic, current: TopicData, data: TopicData, actor: User) -> TopicData:
    """A translation becomes reviewed only by someone other than the one who last changed it.

    Changing the text of a reviewed translation makes it a draft again (it needs a new read);
    marking it reviewed in the same save as changing it, or as its last translator, is refused.
    """
    from huddles.i18n import LANGUAGE_NAMES

    translations = dict(data.translations)
    info: dict[str, TranslationInfo] | None = None
    for language, translation in data.translations.items():
        if translation.get("status") != "reviewed":
            continue
        old = current.translations.get(language)
        was_reviewed = old is not None and old.get("status") == "reviewed"
        name = LANGUAGE_NAMES.get(language, language)
        if old is None or _text_of(old) != _text_of(translation):
            if was_reviewed:
                translations[language] = {**translation, "status": "draft"}
                continue
            raise FieldError(
                f"translations.{language}.status",
                str(
                    _l(
                        "You are changing the %(language)s translation, so someone else must "
                        "review it: save it as a draft.",
                        language=name,
                    )
                ),
            )
        if was_reviewed:
            continue
        if info is None:
            info = translation_info(topic)
        last = info.get(language)
        if last is not None and last.changed_by == actor.id:
            raise FieldError(
                f"translations.{language}.status",
                str(
                    _l(
                        "You made the last change to the %(language)s translation; someone "
                        "else must review it against the English.",
                        language=name,
                    )
                ),
            )
    return replace(data, translations=translations)


def set_status(
    topic: Topic, status: str, actor: User | None, now: datetime
) -> TopicRevision | None:
    """Retire, unretire (to published) or publish: a new revision with only the status changed."""
    summaries = {"retired": "Retired", "published": "Published", "draft": "Made a draft"}
    return update_topic(topic, {"status": status}, actor, now, summary=summaries.get(status))


def restore_revision(topic: Topic, number: int, actor: User | None, now: datetime) -> TopicRevision:
    """A new revision copying revision `number` (history is never rewritten)."""
    old = db.session.scalar(
        sa.select(TopicRevision).where(
            TopicRevision.topic_id == topic.id, TopicRevision.number == number
        )
    )
    if old is None:
        raise FieldError("revision", str(_l("There is no revision %(n)s.", n=number)))
    data = revision_data(old, topic.slug)
    revision = _add_revision(
        topic,
        data,
        _next_number(topic),
        actor,
        now,
        f"Restored revision {number}",
    )
    _commit(topic.slug)
    _announce([topic.id], now)
    return revision


# --- Import and export -----------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did: slugs added, changed and unchanged, and files rejected with a reason."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + len(self.unchanged) + len(self.rejected)


def library_files(directory: Path) -> list[Path]:
    """The topic files of a directory, by name."""
    return sorted(path for path in directory.glob("*.md") if path.is_file())


TRANSLATIONS_DIR = "translations"


def translation_files(directory: Path) -> list[Path]:
    """The translation files of a library: `translations/<lang>/<slug>.md`, by language, name."""
    root = directory / TRANSLATIONS_DIR
    if not root.is_dir():
        return []
    return sorted(path for path in root.glob("*/*.md") if path.is_file())


def _merge_translations(
    directory: Path, parsed: dict[str, tuple[str, TopicData]], report: ImportReport
) -> None:
    """Read every translation file into the topic it translates; reject the ones that cannot."""
    for path in translation_files(directory):
        language, slug = path.parent.name, path.stem
        name = f"{TRANSLATIONS_DIR}/{language}/{path.name}"
        if slug not in parsed:
            report.rejected.append(
                (name, str(_l("There is no topic %(slug)s to translate.", slug=slug)))
            )
            continue
        try:
            translation = files.parse_translation(path.read_text(encoding="utf-8"), language)
        except UnicodeDecodeError:
            report.rejected.append((name, str(_l("The file is not UTF-8 text."))))
            continue
        except FieldError as error:
            reason = error.message if error.field == "file" else f"{error.field}: {error.message}"
            report.rejected.append((name, reason))
            continue
        topic_file, data = parsed[slug]
        if language in data.translations:
            report.rejected.append(
                (
                    name,
                    str(
                        _l(
                            "The %(lang)s translation is also given in %(f)s; keep one.",
                            lang=language,
                            f=topic_file,
                        )
                    ),
                )
            )
            continue
        translations = {**data.translations, language: translation}
        parsed[slug] = (
            topic_file,
            replace(data, translations=dict(sorted(translations.items()))),
        )


def import_library(
    directory: Path,
    actor: User | None,
    now: datetime,
    *,
    on_file: Callable[[Path], None] | None = None,
) -> ImportReport:
    """Upsert every topic file of `directory` by slug; bad files are rejected, the rest load."""
    if not directory.is_dir():
        raise FieldError("directory", str(_l("%(dir)s is not a directory.", dir=str(directory))))
    report = ImportReport()
    parsed: dict[str, tuple[str, TopicData]] = {}
    for path in library_files(directory):
        try:
            data = files.parse(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            report.rejected.append((path.name, str(_l("The file is not UTF-8 text."))))
        except FieldError as error:
            reason = error.message if error.field == "file" else f"{error.field}: {error.message}"
            report.rejected.append((path.name, reason))
        else:
            if data.slug in parsed:
                first = parsed[data.slug][0]
                report.rejected.append(
                    (
                        path.name,
                        str(
                            _l("Duplicate slug %(slug)s (also in %(f)s).", slug=data.slug, f=first)
                        ),
                    )
                )
            else:
                parsed[data.slug] = (path.name, data)
        if on_file is not None:
            on_file(path)
    _merge_translations(directory, parsed, report)

    existing = {
        topic.slug: topic
        for topic in db.session.scalars(
            sa.select(Topic)
            .where(Topic.slug.in_(list(parsed)))
            .options(selectinload(Topic.current_revision))
        )
    }
    numbers: dict[int, int] = dict(
        db.session.execute(
            sa.select(TopicRevision.topic_id, sa.func.max(TopicRevision.number))
            .where(TopicRevision.topic_id.in_([t.id for t in existing.values()]))
            .group_by(TopicRevision.topic_id)
        )
        .tuples()
        .all()
    )
    edited: list[Topic] = []
    for slug, (_name, data) in parsed.items():
        topic = existing.get(slug)
        if topic is None:
            _new_topic(data, actor, now, "Imported")
            report.added.append(slug)
            continue
        changed = data.changed_fields(current_data(topic))
        if not changed:
            report.unchanged.append(slug)
            continue
        number = (numbers.get(topic.id) or 0) + 1
        summary = f"Imported: changed {', '.join(changed)}"
        _add_revision(topic, data, number, actor, now, summary)
        report.changed.append(slug)
        edited.append(topic)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "directory", str(_l("The library changed during the import; run it again."))
        ) from None
    _announce([topic.id for topic in edited], now)
    return report


def export_library(directory: Path, *, include_retired: bool = True) -> int:
    """Write every topic's current revision to `directory/<slug>.md` and its translations to
    `directory/translations/<lang>/<slug>.md` (the layout import reads); the number of topics."""
    directory.mkdir(parents=True, exist_ok=True)
    query = (
        sa.select(Topic)
        .where(Topic.current_revision_id.is_not(None))
        .options(selectinload(Topic.current_revision))
        .order_by(Topic.slug)
    )
    if not include_retired:
        query = query.where(Topic.status != "retired")
    count = 0
    for topic in db.session.scalars(query):
        data = current_data(topic)
        text = files.dump(replace(data, translations={}))
        (directory / f"{topic.slug}.md").write_text(text, encoding="utf-8", newline="\n")
        for language, translation in sorted(data.translations.items()):
            folder = directory / TRANSLATIONS_DIR / language
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{topic.slug}.md").write_text(
                files.dump_translation(translation), encoding="utf-8", newline="\n"
            )
        count += 1
    return count


# --- Reading the library ---------------------------------------------------------------------

LAST_USED_CHOICES = ("never", "7", "30", "over-30", "over-90")
USES_CHOICES = ("0", "1-2", "3-9", "10+")
SORTS = ("title", "kind", "updated", "last-used", "uses")


@dataclass(frozen=True)
class LibraryFilters:
    """What the library is narrowed to. Empty strings mean 'any'."""

    q: str = ""
    kind: str = ""
    # A setting: the topics that fit it (made for it, or for every setting).
    setting: str = ""
    tag: str = ""
    status: str = ""
    language: str = ""
    # A language: the topics that have no translation into it yet.
    missing: str = ""
    last_used: str = ""
    uses: str = ""
    sort: str = "title"


@dataclass(frozen=True)
class LibraryRow:
    """One topic in a list, with how it has been used."""

    topic: Topic
    revision: TopicRevision
    times_used: int
    last_used: date | None


@dataclass(frozen=True)
class LibraryPage:
    """A page of the library."""

    rows: list[LibraryRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def usage_subquery() -> sa.Subquery:
    """Per topic: times used and the last day used, from agenda items joined with agendas."""
    return (
        sa.select(
            AgendaItem.topic_id.label("topic_id"),
            sa.func.count(AgendaItem.id).label("times_used"),
            sa.func.max(Agenda.day).label("last_used"),
        )
        .join(Agenda, Agenda.id == AgendaItem.agenda_id)
        .where(AgendaItem.topic_id.is_not(None))
        .group_by(AgendaItem.topic_id)
        .subquery("usage")
    )


def _has_translation(language: str) -> sa.ColumnElement[bool]:
    column = TopicRevision.translations
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.json_extract_path(column, language).is_not(None)
    return sa.func.json_extract(column, f"$.{language}").is_not(None)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def library_query(filters: LibraryFilters, *, published_only: bool, today: date) -> sa.Select[Any]:
    """The select of (Topic, TopicRevision, times_used, last_used) rows matching the filters."""
    usage = usage_subquery()
    times_used = sa.func.coalesce(usage.c.times_used, 0)
    query = (
        sa.select(Topic, TopicRevision, times_used.label("times_used"), usage.c.last_used)
        .join(TopicRevision, TopicRevision.id == Topic.current_revision_id)
        .outerjoin(usage, usage.c.topic_id == Topic.id)
    )
    if published_only:
        query = query.where(Topic.status == "published")
    elif filters.status:
        query = query.where(Topic.status == filters.status)
    if filters.kind:
        query = query.where(Topic.kind == filters.kind)
    if filters.setting:
        query = query.where(fits_setting(filters.setting))
    if filters.q.strip():
        pattern = _like(filters.q.strip().lower())
        query = query.where(
            sa.or_(
                sa.func.lower(TopicRevision.title).like(pattern, escape="\\"),
                sa.func.lower(TopicRevision.body).like(pattern, escape="\\"),
                sa.func.lower(TopicRevision.prompt).like(pattern, escape="\\"),
                sa.func.lower(sa.cast(TopicRevision.tags, sa.Text)).like(pattern, escape="\\"),
                Topic.slug.like(pattern, escape="\\"),
            )
        )
    if filters.tag:
        pattern = _like(f'"{filters.tag.strip().lower()}"')
        query = query.where(sa.cast(TopicRevision.tags, sa.Text).like(pattern, escape="\\"))
    if filters.language:
        query = query.where(_has_translation(filters.language))
    if filters.missing:
        query = query.where(sa.not_(_has_translation(filters.missing)))
    if filters.last_used == "never":
        query = query.where(usage.c.last_used.is_(None))
    elif filters.last_used in ("7", "30"):
        query = query.where(usage.c.last_used >= today - timedelta(days=int(filters.last_used)))
    elif filters.last_used in ("over-30", "over-90"):
        days = int(filters.last_used.removeprefix("over-"))
        query = query.where(usage.c.last_used < today - timedelta(days=days))
    if filters.uses == "0":
        query = query.where(times_used == 0)
    elif filters.uses == "1-2":
        query = query.where(times_used.between(1, 2))
    elif filters.uses == "3-9":
        query = query.where(times_used.between(3, 9))
    elif filters.uses == "10+":
        query = query.where(times_used >= 10)
    orders: dict[str, list[Any]] = {
        "kind": [Topic.kind, Topic.title],
        "updated": [Topic.updated_at.desc(), Topic.title],
        "last-used": [usage.c.last_used.is_(None), usage.c.last_used.desc(), Topic.title],
        "uses": [times_used.desc(), Topic.title],
    }
    order = orders.get(filters.sort, [Topic.title])
    return query.order_by(*order, Topic.id)


def library_page(
    filters: LibraryFilters, *, published_only: bool, today: date, page: int, per_page: int
) -> LibraryPage:
    """One page of the library: two queries (count and rows), whatever the page size."""
    query = library_query(filters, published_only=published_only, today=today)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    rows = [
        LibraryRow(topic=topic, revision=revision, times_used=int(uses), last_used=last)
        for topic, revision, uses, last in result
    ]
    return LibraryPage(rows=rows, page=page, per_page=per_page, total=int(total or 0))


def all_tags() -> list[str]:
    """Every tag used by a current revision, sorted."""
    tags: set[str] = set()
    for value in db.session.scalars(
        sa.select(TopicRevision.tags).join(Topic, Topic.current_revision_id == TopicRevision.id)
    ):
        tags.update(value or ())
    return sorted(tags)


def topic_usage(topic: Topic) -> tuple[int, date | None]:
    """How many agenda items used the topic, and the last day."""
    usage = usage_subquery()
    row = db.session.execute(
        sa.select(usage.c.times_used, usage.c.last_used).where(usage.c.topic_id == topic.id)
    ).first()
    return (int(row[0]), row[1]) if row else (0, None)


def revisions(topic: Topic) -> list[TopicRevision]:
    """The topic's revisions, newest first, with their authors loaded."""
    return list(
        db.session.scalars(
            sa.select(TopicRevision)
            .where(TopicRevision.topic_id == topic.id)
            .order_by(TopicRevision.number.desc())
        )
    )


def revision_by_number(topic: Topic, number: int) -> TopicRevision | None:
    """One revision of a topic, or None."""
    return db.session.scalar(
        sa.select(TopicRevision).where(
            TopicRevision.topic_id == topic.id, TopicRevision.number == number
        )
    )


@dataclass(frozen=True)
class DiffLine:
    """A line of a diff: kind is ' ', '+', '-' or '@' (a hunk header)."""

    kind: str
    text: str


def revision_diff(topic: Topic, old: TopicRevision | None, new: TopicRevision) -> list[DiffLine]:
    """The difference between two revisions, as lines of their file text."""
    before = files.dump(revision_data(old, topic.slug)).splitlines() if old else []
    after = files.dump(revision_data(new, topic.slug)).splitlines()
    lines: list[DiffLine] = []
    for line in difflib.unified_diff(before, after, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = "@" if line.startswith("@@") else line[:1]
        lines.append(DiffLine(kind=kind, text=line if kind == "@" else line[1:]))
    return lines


def user_names(ids: set[int | None]) -> dict[int, str]:
    """The names of some people, by id (one query; none for no ids)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted)))
    return {int(user_id): str(name) for user_id, name in rows}


def authors(revision_list: list[TopicRevision]) -> dict[int, User]:
    """The authors of some revisions, by id (one query)."""
    ids = {r.author_id for r in revision_list if r.author_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


# --- Pool health -----------------------------------------------------------------------------

# The last few answers, by the library's state and the day: the run takes a moment, and the
# answer depends only on that key.
_HEALTH: dict[tuple[int, str, date], list[health.SettingHealth]] = {}
_HEALTH_KEEP = 4


def pool_health(today: date) -> list[health.SettingHealth]:
    """Per setting: how many days the published library lasts without a repeat from `today`,
    and its pools per kind (one query; the engine's run is kept until the library changes)."""
    # A checksum of the slugs' ranks tells apart two libraries of the same size and time.
    count, latest, ranks = db.session.execute(
        sa.select(
            sa.func.count(Topic.id),
            sa.func.max(Topic.updated_at),
            sa.func.sum(Topic.rank % 1_000_003),
        ).where(Topic.status == "published")
    ).one()
    key = (int(count or 0), f"{latest}/{ranks}", today)
    if key not in _HEALTH:
        rows = db.session.execute(
            sa.select(Topic.slug, TopicRevision)
            .join(TopicRevision, TopicRevision.id == Topic.current_revision_id)
            .where(Topic.status == "published")
        ).all()
        topics = [revision_data(revision, slug) for slug, revision in rows]
        while len(_HEALTH) >= _HEALTH_KEEP:
            _HEALTH.pop(next(iter(_HEALTH)))
        _HEALTH[key] = health.library_health(topics, today, horizon=health.QUARTER_DAYS + 1)
    return _HEALTH[key]
