"""The topic file format: validating topic fields, reading and writing `content/<slug>.md`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import frontmatter
import yaml
from flask_babel import lazy_gettext as _l

from huddles import seasons
from huddles.config import LOCALES
from huddles.org.models import SETTINGS
from huddles.topics.models import KINDS, STATUSES
from huddles.topics.rendering import TRANSLATED_FIELDS
from huddles.validation import FieldError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SEASON_RE = re.compile(r"^(\d\d)-(\d\d)$")
MAX_SLUG = 120
# Taken by the library's own pages (/topics/new, /topics/preview).
RESERVED_SLUGS = frozenset({"new", "preview"})
MAX_TITLE = 200
MAX_SOURCE = 300
MAX_TAGS = 10
MAX_TAG = 40
MAX_TEXT = 20_000
MAX_MINUTES = 10
MOVABLE_SEASONS = seasons.MOVABLE_NAMES
MAX_SEASON_DAYS = seasons.MAX_OFFSET_DAYS
FIELDS = (
    "slug",
    "kind",
    "title",
    "minutes",
    "prompt",
    "tags",
    "source",
    "status",
    "settings",
    "illustrative",
    "season",
    "avoid",
    "say_instead",
    "translations",
    "body",
)
TRANSLATION_LANGUAGES = tuple(code for code in LOCALES if code != "en")
# A translation is a draft until someone other than its translator has read it against the English.
TRANSLATION_STATUSES = ("draft", "reviewed")
# The front matter of content/translations/<lang>/<slug>.md, in the translators' order.
TRANSLATION_FILE_FIELDS = ("title", "prompt", "avoid", "say_instead", "status")


@dataclass(frozen=True)
class TopicData:
    """Every field of one topic revision, validated."""

    slug: str
    kind: str
    title: str
    status: str = "draft"
    minutes: float = 2.0
    prompt: str = ""
    body: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""
    # The settings (kinds of workplace) the topic fits, in the order given; empty fits all.
    settings: tuple[str, ...] = ()
    # An invented wow story, told as "picture this" (only a wow-story can be one).
    illustrative: bool = False
    season_start: str | None = None
    season_end: str | None = None
    # Or a season that moves with a calendar ("ramadan"), widened by days before and after.
    season_name: str | None = None
    season_before: int = 0
    season_after: int = 0
    avoid: str | None = None
    say_instead: str | None = None
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def changed_fields(self, other: TopicData) -> list[str]:
        """The names of the fields that differ from `other`."""
        names = [
            "slug",
            "kind",
            "status",
            "title",
            "minutes",
            "prompt",
            "body",
            "tags",
            "source",
            "settings",
            "illustrative",
            "season",
            "avoid",
            "say_instead",
            "translations",
        ]
        return [name for name in names if _value(self, name) != _value(other, name)]

    @property
    def seasonal(self) -> bool:
        """Whether the topic has a season (fixed days or a movable one)."""
        return bool(self.season_name or (self.season_start and self.season_end))

    @property
    def season(self) -> seasons.TopicSeason | None:
        """The season as the rotation engine takes it; None when always in season."""
        return seasons.stored(self)


def _value(data: TopicData, name: str) -> Any:
    if name == "season":
        return (
            data.season_start,
            data.season_end,
            data.season_name,
            data.season_before,
            data.season_after,
        )
    return getattr(data, name)


def _text(raw: Mapping[str, Any], name: str, *, limit: int = MAX_TEXT) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(name, str(_l("%(name)s must be text.", name=name)))
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise FieldError(
            name, str(_l("%(name)s is too long (at most %(n)s characters).", name=name, n=limit))
        )
    return value


def _season_day(value: Any) -> str:
    match = SEASON_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise FieldError("season", str(_l("A season runs between two days written as MM-DD.")))
    try:
        date(2000, int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise FieldError(
            "season", str(_l("%(day)s is not a day of the year.", day=value))
        ) from None
    return value


@dataclass(frozen=True)
class SeasonFields:
    """A season checked: fixed MM-DD bounds, or a movable season's name and days around it."""

    start: str | None = None
    end: str | None = None
    name: str | None = None
    before: int = 0
    after: int = 0


def _season_days(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key, 0)
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEASON_DAYS:
        message = (
            _l("Days before the season: a whole number from 0 to %(n)s.", n=MAX_SEASON_DAYS)
            if key == "before"
            else _l("Days after the season: a whole number from 0 to %(n)s.", n=MAX_SEASON_DAYS)
        )
        raise FieldError("season", str(message))
    return value


def _movable_name(value: Any) -> str:
    name = value.strip().lower() if isinstance(value, str) else None
    if name not in MOVABLE_SEASONS:
        raise FieldError(
            "season",
            str(
                _l(
                    "Unknown season %(name)s (use MM-DD days or one of %(names)s).",
                    name=str(value)[:40],
                    names=", ".join(MOVABLE_SEASONS),
                )
            ),
        )
    return name


def _season(raw: Any) -> SeasonFields:
    if raw is None or raw == {} or raw == "":
        return SeasonFields()
    if isinstance(raw, str):
        return SeasonFields(name=_movable_name(raw))
    if isinstance(raw, Mapping) and "name" in raw:
        if "from" in raw or "to" in raw:
            raise FieldError(
                "season",
                str(_l("Choose days of the year or a season that moves, not both.")),
            )
        if not set(raw) <= {"name", "before", "after"}:
            raise FieldError(
                "season", str(_l("A movable season takes only name, before and after."))
            )
        return SeasonFields(
            name=_movable_name(raw["name"]),
            before=_season_days(raw, "before"),
            after=_season_days(raw, "after"),
        )
    if not isinstance(raw, Mapping) or set(raw) != {"from", "to"}:
        raise FieldError("season", str(_l('A season is {"from": "MM-DD", "to": "MM-DD"}.')))
    return SeasonFields(start=_season_day(raw["from"]), end=_season_day(raw["to"]))


def _words(raw: Any, field: str, message: str) -> list[str]:
    """A list (or comma-separated text) of words, stripped, lower-cased, each once, in order."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise FieldError(field, message)
    words: list[str] = []
    for item in raw:
        item = item.strip().lower()
        if item and item not in words:
            words.append(item)
    return words


def _tags(raw: Any) -> tuple[str, ...]:
    tags = _words(raw, "tags", str(_l("tags must be a list of words.")))
    for tag in tags:
        if len(tag) > MAX_TAG or not TAG_RE.match(tag):
            raise FieldError(
                "tags",
                str(_l("The tag %(tag)s may hold only a-z, 0-9 and hyphens.", tag=tag[:MAX_TAG])),
            )
    if len(tags) > MAX_TAGS:
        raise FieldError("tags", str(_l("At most %(n)s tags.", n=MAX_TAGS)))
    return tuple(tags)


def _settings(raw: Any) -> tuple[str, ...]:
    settings = _words(raw, "settings", str(_l("settings must be a list of settings.")))
    for item in settings:
        if item not in SETTINGS:
            raise FieldError(
                "settings",
                str(
                    _l(
                        "Unknown setting %(setting)s (use any of %(settings)s).",
                        setting=item[:40],
                        settings=", ".join(SETTINGS),
                    )
                ),
            )
    return tuple(settings)


def _illustrative(raw: Any, kind: str) -> bool:
    if raw is None or raw is False or raw == "":
        return False
    if raw is not True:
        raise FieldError("illustrative", str(_l("illustrative must be true or false.")))
    if kind != "wow-story":
        raise FieldError(
            "illustrative", str(_l("Only a wow story can be illustrative (an invented story)."))
        )
    return True


def _minutes(raw: Any, kind: str) -> float:
    if raw is None or raw == "":
        return 0.5 if kind == "lexicon" else 2.0
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise FieldError("minutes", str(_l("minutes must be a number.")))
    value = float(raw)
    if not 0 < value <= MAX_MINUTES:
        raise FieldError(
            "minutes", str(_l("minutes must be more than 0 and at most %(n)s.", n=MAX_MINUTES))
        )
    return value


def _translation(language: str, fields: Any) -> dict[str, str]:
    """One language's translation checked: its text fields and its status (default draft)."""
    if not isinstance(fields, Mapping):
        raise FieldError("translations", str(_l("translations maps a language to its fields.")))
    unknown = sorted(set(fields) - set(TRANSLATED_FIELDS) - {"status"})
    if unknown:
        raise FieldError(
            "translations",
            str(_l("A translation cannot hold %(names)s.", names=", ".join(map(str, unknown)))),
        )
    status = fields.get("status") or "draft"
    if status not in TRANSLATION_STATUSES:
        raise FieldError(
            "translations",
            str(
                _l(
                    "Unknown translation status %(s)s for %(lang)s (use one of %(all)s).",
                    s=str(status)[:40],
                    lang=language,
                    all=", ".join(TRANSLATION_STATUSES),
                )
            ),
        )
    cleaned = {}
    for name in TRANSLATED_FIELDS:
        if name in fields:
            value = _text(fields, name)
            if value:
                cleaned[name] = value
    if cleaned:
        cleaned["status"] = str(status)
    return cleaned


def _translations(raw: Any) -> dict[str, dict[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise FieldError("translations", str(_l("translations maps a language to its fields.")))
    result: dict[str, dict[str, str]] = {}
    for language in sorted(raw, key=str):
        if language not in TRANSLATION_LANGUAGES:
            raise FieldError(
                "translations",
                str(
                    _l(
                        "Unknown language %(lang)s (use one of %(langs)s).",
                        lang=str(language),
                        langs=", ".join(TRANSLATION_LANGUAGES),
                    )
                ),
            )
        cleaned = _translation(language, raw[language])
        if cleaned:
            result[language] = cleaned
    return result


def validate(raw: Mapping[str, Any]) -> TopicData:
    """Check and normalise a topic's fields (from a file, a form or the API), or FieldError."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise FieldError(unknown[0], str(_l("Unknown field %(name)s.", name=unknown[0])))
    slug = raw.get("slug")
    if not isinstance(slug, str) or not slug.strip():
        raise FieldError("slug", str(_l("A slug is required.")))
    slug = slug.strip()
    if len(slug) > MAX_SLUG or not SLUG_RE.match(slug):
        raise FieldError(
            "slug",
            str(_l("A slug holds only lowercase a-z, 0-9 and single hyphens (at most 120).")),
        )
    if slug in RESERVED_SLUGS:
        raise FieldError("slug", str(_l("The slug %(slug)s is reserved.", slug=slug)))
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise FieldError(
            "kind",
            str(
                _l(
                    "Unknown kind %(kind)s (use one of %(kinds)s).",
                    kind=kind,
                    kinds=", ".join(KINDS),
                )
            ),
        )
    status = raw.get("status") or "draft"
    if status not in STATUSES:
        raise FieldError(
            "status",
            str(
                _l("Unknown status %(s)s (use one of %(all)s).", s=status, all=", ".join(STATUSES))
            ),
        )
    title = _text(raw, "title", limit=MAX_TITLE)
    if not title:
        raise FieldError("title", str(_l("A title is required.")))
    season = _season(raw.get("season"))
    avoid = _text(raw, "avoid") or None
    say_instead = _text(raw, "say_instead") or None
    if kind == "lexicon":
        if not avoid:
            raise FieldError("avoid", str(_l("A lexicon phrase needs the words to avoid.")))
        if not say_instead:
            raise FieldError("say_instead", str(_l("A lexicon phrase needs what to say instead.")))
    return TopicData(
        slug=slug,
        kind=str(kind),
        status=str(status),
        title=title,
        minutes=_minutes(raw.get("minutes"), str(kind)),
        prompt=_text(raw, "prompt"),
        body=_text(raw, "body"),
        tags=_tags(raw.get("tags")),
        source=_text(raw, "source", limit=MAX_SOURCE),
        settings=_settings(raw.get("settings")),
        illustrative=_illustrative(raw.get("illustrative"), str(kind)),
        season_start=season.start,
        season_end=season.end,
        season_name=season.name,
        season_before=season.before,
        season_after=season.after,
        avoid=avoid,
        say_instead=say_instead,
        translations=_translations(raw.get("translations")),
    )


def as_fields(data: TopicData) -> dict[str, Any]:
    """The fields of `validate` that give back `data` (for merging a partial change)."""
    season = seasons.stored_json(data)
    return {
        "slug": data.slug,
        "kind": data.kind,
        "status": data.status,
        "title": data.title,
        "minutes": data.minutes,
        "prompt": data.prompt,
        "body": data.body,
        "tags": list(data.tags),
        "source": data.source,
        "settings": list(data.settings),
        "illustrative": data.illustrative,
        "season": season,
        "avoid": data.avoid,
        "say_instead": data.say_instead,
        "translations": data.translations,
    }


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter and the body of a Markdown file; FieldError (field 'file') if broken."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if not text.startswith("---"):
        raise FieldError("file", str(_l("The file does not start with front matter (---).")))
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or type(error).__name__
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise FieldError(
            "file",
            str(_l("Broken front matter: %(problem)s%(where)s.", problem=problem, where=where)),
        ) from None
    except ValueError as error:
        raise FieldError("file", str(_l("Broken front matter: %(e)s.", e=str(error)))) from None
    if not isinstance(post.metadata, dict) or not post.metadata:
        raise FieldError("file", str(_l("The front matter is empty or not a mapping.")))
    if "body" in post.metadata:
        raise FieldError("body", str(_l("The body goes after the front matter, not in it.")))
    return dict(post.metadata), post.content


def parse(text: str) -> TopicData:
    """A topic file's text to its data; FieldError (field 'file' for broken front matter)."""
    metadata, body = _front_matter(text)
    return validate({**metadata, "body": body})


def parse_translation(text: str, language: str) -> dict[str, str]:
    """A file content/translations/<language>/<slug>.md to its translation; FieldError."""
    if language not in TRANSLATION_LANGUAGES:
        raise FieldError(
            "translations",
            str(
                _l(
                    "Unknown language %(lang)s (use one of %(langs)s).",
                    lang=language,
                    langs=", ".join(TRANSLATION_LANGUAGES),
                )
            ),
        )
    metadata, body = _front_matter(text)
    unknown = sorted(set(metadata) - set(TRANSLATION_FILE_FIELDS), key=str)
    if unknown:
        raise FieldError(str(unknown[0]), str(_l("Unknown field %(name)s.", name=str(unknown[0]))))
    if metadata.get("status") is None:
        raise FieldError(
            "status",
            str(_l("A translation needs a status (%(all)s).", all=", ".join(TRANSLATION_STATUSES))),
        )
    translation = _translation(language, {**metadata, "body": body})
    if not translation.get("title"):
        raise FieldError("title", str(_l("A title is required.")))
    return translation


def dump_translation(translation: Mapping[str, str]) -> str:
    """The file text of one translation (`parse_translation(dump_translation(t)) == t`)."""
    lines = ["---"]
    for name in TRANSLATION_FILE_FIELDS:
        if name == "status":
            lines.append(f"status: {translation.get('status') or 'draft'}")
        elif name in ("title", "prompt"):
            lines.append(f"{name}: {_quoted(translation.get(name, ''))}")
        elif name in translation:
            lines.append(f"{name}: {_quoted(translation[name])}")
    lines.append("---")
    return "\n".join(lines) + "\n" + translation.get("body", "") + "\n"


def _quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def _minutes_text(minutes: float) -> str:
    return str(int(minutes)) if float(minutes).is_integer() else repr(float(minutes))


def dump(data: TopicData) -> str:
    """The file text of a topic, in the writers' layout (`parse(dump(d)) == d`)."""
    lines = [
        "---",
        f"slug: {data.slug}",
        f"kind: {data.kind}",
        f"title: {_quoted(data.title)}",
        f"minutes: {_minutes_text(data.minutes)}",
        f"prompt: {_quoted(data.prompt)}",
        f"tags: [{', '.join(data.tags)}]",
        f"source: {_quoted(data.source)}",
        f"status: {data.status}",
    ]
    # Both are left out when they say nothing (fits all, a true story).
    if data.settings:
        lines.append(f"settings: [{', '.join(data.settings)}]")
    if data.illustrative:
        lines.append("illustrative: true")
    if data.season_name:
        # `season: ramadan`, or with the days around it: `{name: ramadan, before: 5}`.
        around = [
            f"{key}: {days}"
            for key, days in (("before", data.season_before), ("after", data.season_after))
            if days
        ]
        name = data.season_name
        lines.append(
            f"season: {{name: {name}, {', '.join(around)}}}" if around else f"season: {name}"
        )
    elif data.season_start and data.season_end:
        lines.append(
            f"season: {{from: {_quoted(data.season_start)}, to: {_quoted(data.season_end)}}}"
        )
    if data.avoid is not None:
        lines.append(f"avoid: {_quoted(data.avoid)}")
    if data.say_instead is not None:
        lines.append(f"say_instead: {_quoted(data.say_instead)}")
    if data.translations:
        lines.append("translations:")
        for language, fields in sorted(data.translations.items()):
            lines.append(f"  {language}:")
            for name in TRANSLATED_FIELDS:
                if name in fields:
                    lines.append(f"    {name}: {_quoted(fields[name])}")
            lines.append(f"    status: {fields.get('status') or 'draft'}")
    else:
        lines.append("translations: {}")
    lines.append("---")
    return "\n".join(lines) + "\n" + data.body + "\n"


def with_status(data: TopicData, status: str) -> TopicData:
    """The same data with another status."""
    return replace(data, status=status)
