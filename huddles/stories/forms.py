"""The story forms. The service judges the input; the forms carry it and the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from huddles.kudos.forms import optional_int
from huddles.stories.models import MAX_BODY, MAX_TITLE


class StoryForm(FlaskForm):
    title = StringField(
        _l("A title"),
        render_kw={"maxlength": MAX_TITLE, "autocomplete": "off"},
        description=_l("A few words, e.g. “The umbrella at the door”."),
    )
    body = TextAreaField(
        _l("What happened?"),
        render_kw={"maxlength": MAX_BODY, "rows": 7},
        description=_l("Who was the guest, what did they need, what was done, how did it end?"),
    )
    about_user_id = SelectField(
        _l("Who did it? (optional)"), coerce=optional_int, validate_choice=False
    )
