"""The topics API: /api/v1/topics (read for everyone signed in, write for admins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from huddles import seasons
from huddles.api import json_body, page_args, require_login, require_role
from huddles.config import LOCALES
from huddles.db import utcnow
from huddles.errors import ApiError
from huddles.extensions import db
from huddles.org.models import SETTINGS
from huddles.topics import service
from huddles.topics.files import TRANSLATION_LANGUAGES
from huddles.topics.models import KINDS, Topic, TopicRevision
from huddles.topics.rendering import localized, render_markdown
from huddles.topics.slugs import free_slug
from huddles.validation import FieldError

bp = Blueprint("topics_api", __name__, url_prefix="/api/v1")


def topic_json(topic: Topic, revision: TopicRevision, locale: str | None) -> dict[str, Any]:
    """A topic as the API returns it, its text in `locale` where translated."""
    text = localized(revision, locale)
    season = seasons.stored_json(revision)
    return {
        "slug": topic.slug,
        "kind": revision.kind,
        "status": revision.status,
        "title": text.title,
        "minutes": revision.minutes,
        "prompt": text.prompt,
        "body": text.body,
        "body_html": str(render_markdown(text.body)),
        "tags": list(revision.tags or ()),
        "source": revision.source,
        "settings": list(revision.settings or ()),
        "illustrative": bool(revision.illustrative),
        "season": season,
        "avoid": text.avoid,
        "say_instead": text.say_instead,
        "lang": text.lang,
        "untranslated": list(text.untranslated),
        "translations": translations_json(revision),
        "revision": revision.number,
        "updated_at": topic.updated_at.isoformat(),
    }


def translations_json(revision: TopicRevision) -> dict[str, dict[str, Any]]:
    """Per language: the translated fields and the status (`draft` or `reviewed`)."""
    result: dict[str, dict[str, Any]] = {}
    for language, translation in sorted((revision.translations or {}).items()):
        if isinstance(translation, dict):
            result[language] = {**translation, "status": translation.get("status") or "draft"}
    return result


def asked_language() -> str | None:
    """`?lang=` checked: a language of the app, or None when not asked; 400 for any other."""
    asked = request.args.get("lang")
    if asked is None or asked == "":
        return None
    if asked not in LOCALES:
        raise ApiError(
            400,
            _(
                "Unknown language %(lang)s (use one of %(langs)s).",
                lang=asked[:20],
                langs=", ".join(LOCALES),
            ),
            field="lang",
        )
    return asked


def _locale() -> str:
    # ?lang= (checked), else the person's language, else their location's (select_locale).
    return asked_language() or str(get_locale() or "en")


def _field_error(error: FieldError) -> ApiError:
    status = 409 if isinstance(error, service.Conflict) else 422
    return ApiError(status, error.message, field=error.field)


def _topic_or_404(slug: str) -> Topic:
    topic = service.topic_by_slug(slug)
    hidden = topic is None or (not current_user.is_admin and topic.status != "published")
    if hidden or topic is None or topic.current_revision is None:
        raise ApiError(404, _("There is no topic %(slug)s.", slug=slug))
    return topic


@bp.get("/topics")
def list_topics():
    require_login()
    kind = request.args.get("kind", "")
    if kind and kind not in KINDS:
        raise ApiError(
            400,
            _("Unknown kind %(kind)s (use one of %(kinds)s).", kind=kind, kinds=", ".join(KINDS)),
            field="kind",
        )
    setting = request.args.get("setting", "")
    if setting and setting not in SETTINGS:
        raise ApiError(
            400,
            _(
                "Unknown setting %(setting)s (use one of %(settings)s).",
                setting=setting[:40],
                settings=", ".join(SETTINGS),
            ),
            field="setting",
        )
    status = request.args.get("status", "")
    translated = request.args.get("translated", "")
    if status and not current_user.is_admin:
        status = ""
    filters = service.LibraryFilters(
        q=request.args.get("q", "").strip()[:200],
        kind=kind,
        setting=setting,
        tag=request.args.get("tag", "").strip().lower()[:40],
        status=status if status in ("draft", "published", "retired") else "",
        language=translated if translated in TRANSLATION_LANGUAGES else "",
    )
    page, per_page = page_args()
    result = service.library_page(
        filters,
        published_only=not current_user.is_admin,
        today=utcnow().date(),
        page=page,
        per_page=per_page,
    )
    locale = _locale()
    return jsonify(
        {
            "items": [topic_json(row.topic, row.revision, locale) for row in result.rows],
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
        }
    )


@bp.get("/topics/<slug>")
def get_topic(slug: str):
    require_login()
    topic = _topic_or_404(slug)
    assert topic.current_revision is not None
    return jsonify(topic_json(topic, topic.current_revision, _locale()))


@bp.post("/topics")
def create_topic():
    require_role("admin")
    data = json_body()
    derive = not data.get("slug") and isinstance(data.get("title"), str)
    # Without a slug the title gives one; a race for the same free slug tries the next one.
    for _attempt in range(3):
        if derive:
            data = {**data, "slug": free_slug(data["title"])}
        try:
            topic = service.create_topic(data, current_user, utcnow())
            break
        except service.Conflict as error:
            if not derive or error.field != "slug":
                raise _field_error(error) from None
        except FieldError as error:
            raise _field_error(error) from None
    else:
        raise ApiError(409, _("Another topic took that slug at the same time; try again."))
    assert topic.current_revision is not None
    response = jsonify(topic_json(topic, topic.current_revision, "en"))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/topics/{topic.slug}"
    return response


@bp.patch("/topics/<slug>")
def update_topic(slug: str):
    require_role("admin")
    topic = _topic_or_404(slug)
    data = json_body()
    expected = data.pop("revision", None)
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ApiError(422, _("revision must be a whole number."), field="revision")
    try:
        service.update_topic(topic, data, current_user, utcnow(), expected_revision=expected)
    except FieldError as error:
        raise _field_error(error) from None
    db.session.refresh(topic)
    assert topic.current_revision is not None
    return jsonify(topic_json(topic, topic.current_revision, "en"))


@bp.delete("/topics/<slug>")
def retire_topic(slug: str):
    require_role("admin")
    topic = _topic_or_404(slug)
    service.set_status(topic, "retired", current_user, utcnow())
    assert topic.current_revision is not None
    return jsonify(topic_json(topic, topic.current_revision, "en"))


__all__ = ["asked_language", "bp", "topic_json", "translations_json"]
