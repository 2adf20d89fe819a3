"""The stories API: /api/v1/stories (tell for everyone signed in, curate for admins)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from huddles.api import json_body, page_args, require_login, require_role
from huddles.db import utcnow
from huddles.errors import ApiError
from huddles.stories import service
from huddles.stories.models import Story
from huddles.validation import FieldError

bp = Blueprint("stories_api", __name__, url_prefix="/api/v1")


def _error(error: FieldError) -> ApiError:
    return ApiError(getattr(error, "status", 422), error.message, field=error.field)


def _story(story_id: int) -> Story:
    try:
        return service.story_for(current_user, story_id)
    except FieldError as error:
        raise _error(error) from None


@bp.post("/stories")
def tell():
    require_login()
    data = json_body()
    try:
        story = service.tell_story(
            current_user,
            title=data.get("title"),
            body=data.get("body"),
            about_user_id=data.get("about_user_id"),
            now=utcnow(),
        )
    except FieldError as error:
        raise _error(error) from None
    response = jsonify(service.story_json(story))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/stories/{story.id}"
    return response


@bp.get("/stories")
def list_stories():
    require_login()
    page, per_page = page_args()
    try:
        result = service.stories_page(
            current_user,
            status=request.args.get("status", "").strip()[:20],
            page=page,
            per_page=per_page,
        )
    except FieldError as error:
        raise ApiError(400, error.message, field=error.field) from None
    return jsonify(
        {
            "items": [service.story_json(story) for story in result.items],
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
        }
    )


@bp.get("/stories/<int:story_id>")
def get_story(story_id: int):
    require_login()
    return jsonify(service.story_json(_story(story_id)))


@bp.post("/stories/<int:story_id>/publish")
def publish(story_id: int):
    require_role("admin")
    story = _story(story_id)
    data = json_body() if request.get_data() else {}
    try:
        story = service.publish_story(
            story,
            current_user,
            now=utcnow(),
            title=data.get("title"),
            body=data.get("body"),
            prompt=data.get("prompt"),
        )
    except FieldError as error:
        raise _error(error) from None
    return jsonify(service.story_json(story))


@bp.post("/stories/<int:story_id>/decline")
def decline(story_id: int):
    require_role("admin")
    story = _story(story_id)
    data = json_body()
    try:
        story = service.decline_story(story, current_user, reason=data.get("reason"), now=utcnow())
    except FieldError as error:
        raise _error(error) from None
    return jsonify(service.story_json(story))
