"""The kudos forms. The service judges the input; the forms carry it and the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField

from huddles.kudos.models import MAX_MESSAGE_LENGTH


def optional_int(value: object) -> int | None:
    """A select's value as an id, or None when it is empty or not a number."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


class KudosForm(FlaskForm):
    to_user_id = SelectField(
        _l("Who do you want to thank?"), coerce=optional_int, validate_choice=False
    )
    message = TextAreaField(
        _l("What did they do?"),
        render_kw={"maxlength": MAX_MESSAGE_LENGTH, "rows": 4},
        description=_l("Be specific: what happened, and what difference it made."),
    )
    value = SelectField(_l("Service value (optional)"), validate_choice=False)
