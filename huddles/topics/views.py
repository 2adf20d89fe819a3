"""Pages of the topic library: browse, read, and (admins) edit, preview, restore and retire."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request
from flask import url_for as flask_url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from huddles.auth.access import admin_required, roles_required
from huddles.db import utcnow
from huddles.errors import ApiError
from huddles.i18n import LANGUAGE_NAMES
from huddles.org.models import SETTINGS
from huddles.topics import service
from huddles.topics.files import MAX_TEXT, TRANSLATION_LANGUAGES
from huddles.topics.forms import (
    KIND_LABELS,
    MOVABLE_SEASON_LABELS,
    SETTING_LABELS,
    STATUS_LABELS,
    TRANSLATION_STATUS_LABELS,
    ConfirmForm,
    TopicForm,
)
from huddles.topics.health import QUARTER_DAYS
from huddles.topics.models import KINDS, STATUSES, Topic
from huddles.topics.rendering import localized, render_markdown
from huddles.validation import FieldError, attach_to_form

bp = Blueprint("topics", __name__, url_prefix="/topics")

LAST_USED_LABELS = {
    "never": _l("Never"),
    "7": _l("In the last 7 days"),
    "30": _l("In the last 30 days"),
    "over-30": _l("More than 30 days ago"),
    "over-90": _l("More than 90 days ago"),
}
USES_LABELS = {"0": _l("Not yet"), "1-2": "1–2", "3-9": "3–9", "10+": "10+"}
SORT_LABELS = {
    "title": _l("Title"),
    "kind": _l("Kind"),
    "updated": _l("Recently edited"),
    "last-used": _l("Recently used"),
    "uses": _l("Most used"),
}
FORM_FIELDS_BY_ERROR = {"season": "season_from", "revision": "", "translations": ""}


def _choice(name: str, allowed: Any) -> str:
    value = request.args.get(name, "").strip()
    return value if value in allowed else ""


def _positive_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def _plain_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _today() -> date:
    return utcnow().date()


def _visible_topic(slug: str) -> Topic:
    """The topic if this person may read it: admins every topic, others published ones."""
    topic = service.topic_by_slug(slug)
    if topic is None or topic.current_revision is None:
        abort(404, _("There is no topic %(slug)s.", slug=slug))
    if not current_user.is_admin and topic.status != "published":
        abort(404, _("There is no topic %(slug)s.", slug=slug))
    return topic


def _attach(form: TopicForm, error: FieldError) -> None:
    parts = error.field.split(".")
    if len(parts) == 3 and parts[0] == "translations" and parts[1] in TRANSLATION_LANGUAGES:
        # "translations.de.status": next to that field of the language's tab.
        attach_to_form(form.translation_form(parts[1]), FieldError(parts[2], error.message))
        return
    target = FORM_FIELDS_BY_ERROR.get(error.field, error.field)
    if error.field == "season" and (form.season_name.data or "").strip():
        # A movable season's error (its name, its days) stands by its own fields.
        target = "season_name"
    attach_to_form(form, FieldError(target or "-", error.message))


@bp.get("")
@roles_required("admin", "lead", "staff")
def library():
    filters = service.LibraryFilters(
        q=request.args.get("q", "").strip()[:200],
        kind=_choice("kind", KINDS),
        setting=_choice("setting", SETTINGS),
        tag=request.args.get("tag", "").strip().lower()[:40],
        status=_choice("status", STATUSES) if current_user.is_admin else "",
        language=_choice("language", TRANSLATION_LANGUAGES),
        missing=_choice("missing", TRANSLATION_LANGUAGES),
        last_used=_choice("last_used", service.LAST_USED_CHOICES),
        uses=_choice("uses", service.USES_CHOICES),
        sort=_choice("sort", service.SORTS) or "title",
    )
    per_page = min(
        _positive_arg("per_page", current_app.config["HUDDLES_PER_PAGE"]),
        current_app.config["HUDDLES_MAX_PER_PAGE"],
    )
    page = service.library_page(
        filters,
        published_only=not current_user.is_admin,
        today=_today(),
        page=_positive_arg("page", 1),
        per_page=per_page,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return flask_url_for("topics.library") + "?" + urlencode({**args, "page": number})

    locale = str(get_locale() or "en")
    return render_template(
        "topics/library.html",
        filters=filters,
        result=page,
        texts={row.topic.id: localized(row.revision, locale) for row in page.rows},
        translation_status_labels=TRANSLATION_STATUS_LABELS,
        page_url=page_url,
        tags=service.all_tags(),
        kinds=KINDS,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        last_used_labels=LAST_USED_LABELS,
        uses_labels=USES_LABELS,
        sort_labels=SORT_LABELS,
        languages=TRANSLATION_LANGUAGES,
        language_names=LANGUAGE_NAMES,
        settings=SETTINGS,
        setting_labels=SETTING_LABELS,
        health=service.pool_health(_today()) if current_user.is_admin else None,
        quarter_days=QUARTER_DAYS,
        filtered=any(v for k, v in args.items() if k not in ("per_page", "sort") and k != "page"),
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = TopicForm()
    if request.method == "GET":
        form.status.data = "draft"
        form.kind.data = request.args.get("kind") if request.args.get("kind") in KINDS else "tip"
    if form.validate_on_submit():
        try:
            topic = service.create_topic(form.topic_fields(with_slug=True), current_user, utcnow())
        except FieldError as error:
            _attach(form, error)
        else:
            flash(_("Topic %(title)s created.", title=topic.title), "success")
            return redirect(flask_url_for("topics.show", slug=topic.slug))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "topics/edit.html",
            form=form,
            topic=None,
            translation_info={},
            people={},
            **_translation_context(),
        ),
        status,
    )


@bp.post("/preview")
@admin_required
def preview():
    data = request.get_json(silent=True)
    body = data.get("body") if isinstance(data, dict) else request.form.get("body")
    if not isinstance(body, str):
        raise ApiError(400, _("Send the text to preview as body."), field="body")
    if len(body) > MAX_TEXT:
        raise ApiError(413, _("The text is too long to preview."), field="body")
    return jsonify({"html": str(render_markdown(body))})


@bp.get("/<slug>")
@roles_required("admin", "lead", "staff")
def show(slug: str):
    topic = _visible_topic(slug)
    revision = topic.current_revision
    assert revision is not None
    text = localized(revision, str(get_locale() or "en"))
    times_used, last_used = service.topic_usage(topic)
    return render_template(
        "topics/show.html",
        topic=topic,
        revision=revision,
        text=text,
        body_html=render_markdown(text.body),
        times_used=times_used,
        last_used=last_used,
        season_window=service.next_season_window(revision, _today()),
        movable_season_labels=MOVABLE_SEASON_LABELS,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        setting_labels=SETTING_LABELS,
        language_names=LANGUAGE_NAMES,
        translation_status_labels=TRANSLATION_STATUS_LABELS,
        confirm=ConfirmForm(),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit(slug: str):
    topic = _visible_topic(slug)
    revision = topic.current_revision
    assert revision is not None
    form = TopicForm()
    if request.method == "GET":
        form.process(
            data={
                "slug": topic.slug,
                "kind": revision.kind,
                "status": revision.status,
                "title": revision.title,
                "minutes": _plain_number(revision.minutes),
                "prompt": revision.prompt,
                "body": revision.body,
                "tags": ", ".join(revision.tags or ()),
                "source": revision.source,
                "settings": list(revision.settings or ()),
                "illustrative": bool(revision.illustrative),
                "season_from": revision.season_start or "",
                "season_to": revision.season_end or "",
                "season_name": revision.season_name or "",
                "season_before": str(revision.season_before or 0) if revision.season_name else "",
                "season_after": str(revision.season_after or 0) if revision.season_name else "",
                "avoid": revision.avoid or "",
                "say_instead": revision.say_instead or "",
                "revision": str(revision.number),
                **{
                    f"tr_{code}": dict((revision.translations or {}).get(code) or {})
                    for code in TRANSLATION_LANGUAGES
                },
            }
        )
    if form.validate_on_submit():
        expected = form.revision.data
        try:
            saved = service.update_topic(
                topic,
                form.topic_fields(with_slug=False),
                current_user,
                utcnow(),
                expected_revision=int(expected) if (expected or "").isdigit() else None,
            )
        except FieldError as error:
            _attach(form, error)
        else:
            if saved is None:
                flash(_("Nothing changed."), "info")
            else:
                flash(_("Saved as revision %(n)s.", n=saved.number), "success")
            return redirect(flask_url_for("topics.show", slug=topic.slug))
    status = 422 if request.method == "POST" else 200
    info = service.translation_info(topic)
    people = service.user_names(
        {i.changed_by for i in info.values()} | {i.reviewed_by for i in info.values()}
    )
    return (
        render_template(
            "topics/edit.html",
            form=form,
            topic=topic,
            translation_info=info,
            people=people,
            **_translation_context(),
        ),
        status,
    )


def _translation_context() -> dict[str, Any]:
    return {
        "translation_languages": TRANSLATION_LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "translation_status_labels": TRANSLATION_STATUS_LABELS,
    }


@bp.get("/<slug>/history")
@admin_required
def history(slug: str):
    topic = _visible_topic(slug)
    revisions = service.revisions(topic)
    return render_template(
        "topics/history.html",
        topic=topic,
        revisions=revisions,
        authors=service.authors(revisions),
        status_labels=STATUS_LABELS,
        confirm=ConfirmForm(),
    )


@bp.get("/<slug>/revisions/<int:number>")
@admin_required
def revision(slug: str, number: int):
    topic = _visible_topic(slug)
    shown = service.revision_by_number(topic, number)
    if shown is None:
        abort(404, _("There is no revision %(n)s.", n=number))
    against = request.args.get("against", "previous")
    if against == "current":
        base, new = shown, topic.current_revision
    else:
        base = service.revision_by_number(topic, number - 1) if number > 1 else None
        new = shown
    assert new is not None
    return render_template(
        "topics/revision.html",
        topic=topic,
        shown=shown,
        base=base,
        new=new,
        against=against,
        diff=service.revision_diff(topic, base, new),
        authors=service.authors([shown]),
        body_html=render_markdown(shown.body),
        confirm=ConfirmForm(),
    )


@bp.post("/<slug>/revisions/<int:number>/restore")
@admin_required
def restore(slug: str, number: int):
    topic = _visible_topic(slug)
    try:
        saved = service.restore_revision(topic, number, current_user, utcnow())
    except FieldError as error:
        abort(404, error.message)
    flash(_("Revision %(old)s restored as revision %(n)s.", old=number, n=saved.number), "success")
    return redirect(flask_url_for("topics.show", slug=topic.slug))


@bp.post("/<slug>/retire")
@admin_required
def retire(slug: str):
    topic = _visible_topic(slug)
    service.set_status(topic, "retired", current_user, utcnow())
    flash(_("Retired: %(title)s will not be picked for new huddles.", title=topic.title), "success")
    return redirect(flask_url_for("topics.show", slug=topic.slug))


@bp.post("/<slug>/unretire")
@admin_required
def unretire(slug: str):
    topic = _visible_topic(slug)
    service.set_status(topic, "published", current_user, utcnow())
    flash(_("Published again: %(title)s.", title=topic.title), "success")
    return redirect(flask_url_for("topics.show", slug=topic.slug))
