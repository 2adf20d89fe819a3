"""Forms of the topic editor. The service validates the content; the forms only carry it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from huddles.org.models import SETTINGS
from huddles.topics.models import KINDS, STATUSES

KIND_LABELS = {
    "tip": _l("Tip"),
    "wow-story": _l("Wow story"),
    "default-of-yes": _l("Default of yes"),
    "culture-matrix": _l("Culture matrix"),
    "habit": _l("Habit"),
    "recovery": _l("Recovery and guarantee"),
    "lexicon": _l("Lexicon phrase"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "retired": _l("Retired")}
SETTING_LABELS = {
    "hotel": _l("Hotel"),
    "restaurant": _l("Restaurant"),
    "retail": _l("Store"),
    "contact-centre": _l("Contact centre"),
    "other": _l("Other workplace"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TopicForm(FlaskForm):
    slug = StringField(
        _l("Slug"),
        description=_l("The topic's permanent name in links and files: a-z, 0-9 and hyphens."),
    )
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    status = SelectField(
        _l("Status"), choices=[SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES]
    )
    title = StringField(_l("Title"), validators=[InputRequired()])
    minutes = FloatField(_l("Minutes"), validators=[Optional()])
    prompt = StringField(
        _l("Question for the team"), description=_l("The one question the lead asks; ends with ?")
    )
    body = TextAreaField(
        _l("Text"),
        description=_l("Markdown: **bold**, *italic*, lists, > quotes. End with **Today:** …"),
    )
    tags = StringField(_l("Tags"), description=_l("Separated by commas, e.g. front-desk, phone"))
    source = StringField(_l("Source"))
    settings = MultiCheckboxField(
        _l("Fits these workplaces"),
        choices=[SelectChoice(s, SETTING_LABELS[s]) for s in SETTINGS],
        description=_l("None ticked: it fits every workplace."),
        validate_choice=False,
    )
    illustrative = BooleanField(
        _l("An invented story, told as “picture this” (wow stories only)"),
    )
    season_from = StringField(_l("In season from (MM-DD)"), validators=[Optional()])
    season_to = StringField(_l("In season until (MM-DD)"), validators=[Optional()])
    avoid = StringField(_l("Avoid saying"), description=_l("Lexicon phrases only."))
    say_instead = StringField(_l("Say instead"), description=_l("Lexicon phrases only."))
    revision = HiddenField()

    def topic_fields(self, *, with_slug: bool) -> dict[str, object]:
        """The fields as the service takes them."""
        season = None
        if (self.season_from.data or "").strip() or (self.season_to.data or "").strip():
            season = {
                "from": (self.season_from.data or "").strip(),
                "to": (self.season_to.data or "").strip(),
            }
        fields: dict[str, object] = {
            "kind": self.kind.data,
            "status": self.status.data,
            "title": self.title.data or "",
            "minutes": self.minutes.data,
            "prompt": self.prompt.data or "",
            "body": self.body.data or "",
            "tags": self.tags.data or "",
            "source": self.source.data or "",
            "settings": list(self.settings.data or []),
            "illustrative": bool(self.illustrative.data),
            "season": season,
            "avoid": self.avoid.data or None,
            "say_instead": self.say_instead.data or None,
        }
        if with_slug:
            fields["slug"] = (self.slug.data or "").strip()
        return fields


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF protection for state changes without fields."""
