"""PATCH /api/v1/locations/{id}: an admin changes a location's name, zone, language, setting or
webhook. Everything is checked first; then all of it is saved in one commit, or nothing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from huddles.api import json_body, require_role
from huddles.auth.access import location_for
from huddles.errors import ApiError
from huddles.extensions import db
from huddles.org.models import SETTINGS, Location
from huddles.org.service import _check_location
from huddles.validation import FieldError, commit_or_field_error
from huddles.webhooks import service as webhooks

bp = Blueprint("locations_api", __name__, url_prefix="/api/v1")

FIELDS = ("name", "timezone", "locale", "setting", "webhook_url")


def location_json(location: Location) -> dict[str, Any]:
    return {
        **location.to_json(),
        "setting": location.setting,
        "webhook_url": location.webhook_url,
    }


def patch_location(
    location: Location, changes: dict[str, Any], *, allow_private: bool
) -> str | None:
    """Apply the changes; returns a new webhook secret when the URL changed (shown once)."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise FieldError(
            unknown[0],
            _(
                "Unknown field %(name)s: send any of %(fields)s.",
                name=unknown[0],
                fields=", ".join(FIELDS),
            ),
        )
    for name in FIELDS:
        value = changes.get(name)
        if name in changes and value is not None and not isinstance(value, str):
            raise FieldError(name, _("%(name)s must be text.", name=name))
    name = changes.get("name", location.name)
    timezone = (changes.get("timezone") or location.timezone).strip()
    locale = changes.get("locale") or location.locale
    name = _check_location(location.organisation, name or "", timezone, locale, location)
    setting = changes.get("setting", location.setting)
    if setting not in SETTINGS:
        raise FieldError(
            "setting",
            _(
                "Unknown setting %(value)s: use one of %(all)s.",
                value=setting,
                all=", ".join(SETTINGS),
            ),
        )
    secret = None
    if "webhook_url" in changes:
        secret = webhooks.set_webhook(location, changes["webhook_url"], allow_private=allow_private)
    location.name, location.timezone, location.locale, location.setting = (
        name,
        timezone,
        locale,
        setting,
    )
    commit_or_field_error("name", _("There is already a location named %(name)s.", name=name))
    return secret


@bp.patch("/locations/<int:location_id>")
def patch(location_id: int):
    require_role("admin")
    location = location_for(current_user, location_id)
    try:
        secret = patch_location(
            location,
            json_body(),
            allow_private=bool(current_app.config.get("HUDDLES_WEBHOOK_ALLOW_PRIVATE")),
        )
    except FieldError as error:
        db.session.rollback()
        raise ApiError(422, error.message, field=error.field) from None
    body = location_json(location)
    if secret:
        body["webhook_secret"] = secret
    return jsonify(body)
