"""Forms of the topic editor. The service validates the content; the forms only carry it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from huddles.i18n import LANGUAGE_NAMES
from huddles.org.models import SETTINGS
from huddles.seasons import MAX_OFFSET_DAYS, MOVABLE_NAMES
from huddles.topics.files import TRANSLATED_FIELDS, TRANSLATION_LANGUAGES, TRANSLATION_STATUSES
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
# The seasons that move with a calendar, as the topic form offers them.
MOVABLE_SEASON_LABELS = {"ramadan": _l("Ramadan (Islamic calendar)")}
MOVABLE_SEASON_CHOICES = [SelectChoice(name, MOVABLE_SEASON_LABELS[name]) for name in MOVABLE_NAMES]
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "retired": _l("Retired")}
SETTING_LABELS = {
    "hotel": _l("Hotel"),
    "restaurant": _l("Restaurant"),
    "retail": _l("Store"),
    "contact-centre": _l("Contact centre"),
    "other": _l("Other workplace"),
}


TRANSLATION_STATUS_LABELS = {"draft": _l("Draft"), "reviewed": _l("Reviewed")}


class TranslationForm(Form):
    """One language's translation of a topic, edited beside the English."""

    title = StringField(_l("Title"))
    prompt = StringField(_l("Question for the team"))
    avoid = StringField(_l("Avoid saying"))
    say_instead = StringField(_l("Say instead"))
    body = TextAreaField(_l("Text"))
    status = SelectField(
        _l("Translation status"),
        choices=[SelectChoice(s, TRANSLATION_STATUS_LABELS[s]) for s in TRANSLATION_STATUSES],
        default="draft",
        validate_choice=False,
        description=_l(
            "Reviewed: someone other than its last translator read it against the English."
        ),
    )

    def translation(self) -> dict[str, str]:
        """The filled fields and the status; empty when nothing is translated."""
        fields = {
            name: (self[name].data or "").strip()
            for name in TRANSLATED_FIELDS
            if (self[name].data or "").strip()
        }
        if fields:
            fields["status"] = self.status.data or "draft"
        return fields


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
    season_name = SelectField(
        _l("Or a season that moves each year"),
        choices=[SelectChoice("", _l("None")), *MOVABLE_SEASON_CHOICES],
        default="",
        validate_choice=False,
        description=_l("Its dates come from its calendar every year; leave the days above empty."),
    )
    season_before = StringField(
        _l("From days before it"),
        description=_l("0 to %(n)s, so the team can prepare.", n=MAX_OFFSET_DAYS),
    )
    season_after = StringField(
        _l("Until days after it"), description=_l("0 to %(n)s.", n=MAX_OFFSET_DAYS)
    )
    avoid = StringField(_l("Avoid saying"), description=_l("Lexicon phrases only."))
    say_instead = StringField(_l("Say instead"), description=_l("Lexicon phrases only."))
    revision = HiddenField()

    def topic_fields(self, *, with_slug: bool) -> dict[str, object]:
        """The fields as the service takes them."""
        season: dict[str, str] | None = None
        days = {
            "from": (self.season_from.data or "").strip(),
            "to": (self.season_to.data or "").strip(),
        }
        if any(days.values()):
            season = days
        name = (self.season_name.data or "").strip()
        if name:
            # With days of the year too, the service says to choose one of the two.
            season = {
                "name": name,
                "before": (self.season_before.data or "").strip(),
                "after": (self.season_after.data or "").strip(),
                **{key: value for key, value in days.items() if value},
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
        fields["translations"] = {
            code: translation
            for code in TRANSLATION_LANGUAGES
            if (translation := self.translation_form(code).translation())
        }
        if with_slug:
            fields["slug"] = (self.slug.data or "").strip()
        return fields

    def translation_form(self, code: str) -> TranslationForm:
        """The subform of one language."""
        form: TranslationForm = getattr(self, f"tr_{code}").form
        return form


for _code in TRANSLATION_LANGUAGES:
    setattr(TopicForm, f"tr_{_code}", FormField(TranslationForm, label=LANGUAGE_NAMES[_code]))


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF protection for state changes without fields."""
