"""The kudos forms. The service judges the input; the forms carry it and the CSRF token."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, SelectField, TextAreaField
from wtforms.widgets import Select, html_params

from huddles.kudos.models import MAX_MESSAGE_LENGTH


def optional_int(value: object) -> int | None:
    """A select's value as an id, or None when it is empty or not a number."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


class PlainSelect(Select):
    """wtforms' Select for a list of (value, label) pairs, rendered as it renders them.

    The stock widget makes, inspects and formats each option apart (tens of µs an option); the
    wall offers every colleague, so its options are written straight (the same HTML).
    """

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        choices = field.choices
        if self.multiple or not isinstance(choices, list) or any(len(c) != 2 for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = vars(field.flags)
        for key in self.validation_attrs:
            if key in flags and key not in kwargs:
                kwargs[key] = flags[key]
        options = "".join(
            f"<option {'selected ' if field.coerce(value) == field.data else ''}"
            f'value="{escape(value)}">{escape(label or value)}</option>'
            for value, label in choices
        )
        select = f"<select {html_params(name=field.name, **kwargs)}>{options}</select>"
        return Markup(select)  # noqa: S704  (html_params and escape() made every part of it)


class KudosForm(FlaskForm):
    to_user_id = SelectField(
        _l("Who do you want to thank?"),
        coerce=optional_int,
        validate_choice=False,
        widget=PlainSelect(),
    )
    message = TextAreaField(
        _l("What did they do?"),
        render_kw={"maxlength": MAX_MESSAGE_LENGTH, "rows": 4},
        description=_l("Be specific: what happened, and what difference it made."),
    )
    value = SelectField(_l("Service value (optional)"), validate_choice=False, widget=PlainSelect())
