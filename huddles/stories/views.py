"""The /stories page: tell a wow story from the phone, see your own; admins curate them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from huddles.db import utcnow
from huddles.stories import service
from huddles.stories.forms import StoryForm
from huddles.stories.models import MAX_BODY, MAX_REASON, MAX_TITLE, STORY_STATUSES, Story
from huddles.topics.forms import SETTING_LABELS
from huddles.validation import FieldError, attach_to_form

bp = Blueprint("stories", __name__)


def _status_label(status: str) -> str:
    labels = {
        "submitted": _("Waiting for an admin"),
        "published": _("In the library"),
        "declined": _("Declined"),
    }
    return labels.get(status, status)


def _page_arg() -> int:
    page = request.args.get("page", type=int) or 1
    return max(page, 1)


def _render(
    form: StoryForm,
    *,
    status: int = 200,
    curate_errors: dict[int, dict[str, str]] | None = None,
    curate_values: dict[int, dict[str, str]] | None = None,
):
    people = service.colleagues_of(current_user)
    form.about_user_id.choices = [("", _("Nobody in particular, or the team"))] + [
        (person.id, person.name) for person in people
    ]
    per_page = current_app.config["HUDDLES_PER_PAGE"]
    mine = service.stories_page(current_user, mine=True, page=_page_arg(), per_page=per_page)
    queue = None
    shown = ""
    if current_user.is_admin:
        shown = request.args.get("status", "submitted")
        shown = shown if shown in STORY_STATUSES else "submitted"
        queue = service.stories_page(current_user, status=shown, page=1, per_page=50)
    return render_template(
        "stories/index.html",
        form=form,
        mine=mine,
        queue=queue,
        shown=shown,
        statuses=STORY_STATUSES,
        status_label=_status_label,
        setting_labels=SETTING_LABELS,
        curate_errors=curate_errors or {},
        curate_values=curate_values or {},
        max_title=MAX_TITLE,
        max_body=MAX_BODY,
        max_reason=MAX_REASON,
    ), status


@bp.route("/stories", methods=["GET", "POST"])
@login_required
def index():
    form = StoryForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                service.tell_story(
                    current_user,
                    title=form.title.data,
                    body=form.body.data,
                    about_user_id=form.about_user_id.data,
                    now=utcnow(),
                )
            except FieldError as error:
                attach_to_form(form, error)
            else:
                flash(
                    _("Thank you! Your story is with an admin, who will read it soon."), "success"
                )
                return redirect(url_for("stories.index", _anchor="mine"))
        return _render(form, status=422)
    return _render(form)


def _curated(story_id: int) -> Story:
    if not current_user.is_admin:
        abort(403, _("Only an admin can publish or decline stories."))
    try:
        return service.story_for(current_user, story_id)
    except FieldError as error:
        abort(404, error.message)


def _failed(story: Story, error: FieldError, values: dict[str, str]):
    if getattr(error, "status", 422) == 409:
        flash(error.message, "error")
        return redirect(url_for("stories.index", _anchor=f"story-{story.id}"))
    return _render(
        StoryForm(formdata=None),
        status=422,
        curate_errors={story.id: {error.field: error.message}},
        curate_values={story.id: values},
    )


@bp.post("/stories/<int:story_id>/publish")
@login_required
def publish(story_id: int):
    story = _curated(story_id)
    values = {name: request.form.get(name, "") for name in ("title", "body", "prompt")}
    try:
        story = service.publish_story(
            story,
            current_user,
            now=utcnow(),
            title=values["title"],
            body=values["body"],
            prompt=values["prompt"],
        )
    except FieldError as error:
        return _failed(story, error, values)
    flash(_("Published: “%(title)s” is in the library as a wow story.", title=story.title))
    return redirect(url_for("stories.index", _anchor=f"story-{story.id}"))


@bp.post("/stories/<int:story_id>/decline")
@login_required
def decline(story_id: int):
    story = _curated(story_id)
    values: dict[str, Any] = {"reason": request.form.get("reason", "")}
    try:
        service.decline_story(story, current_user, reason=values["reason"], now=utcnow())
    except FieldError as error:
        return _failed(story, error, values)
    flash(_("Declined. The teller sees your reason."))
    return redirect(url_for("stories.index"))
