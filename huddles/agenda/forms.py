"""Forms of the agenda pages: a location's template and its pins."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from huddles.i18n import lazy_pgettext
from huddles.rotation import FILLS, KINDS

KIND_LABELS = {
    "tip": _l("Tip"),
    "wow-story": _l("Wow story"),
    "default-of-yes": _l("Default of yes"),
    "culture-matrix": _l("Service-culture matrix"),
    "habit": _l("Habit"),
    "recovery": _l("Recovery and guarantee"),
    "lexicon": _l("Phrase (lexicon)"),
}
FILL_LABELS = {
    "roster": _l("The roster (roll call)"),
    "kudos": _l("Thank-yous"),
    "rotation": _l("A topic from the rotation"),
    "notes": _l("The lead's notes and the closing question"),
}
# A huddle's status (Agenda.status) as people read it.
HUDDLE_STATUS_LABELS = {
    "planned": _l("Not started"),
    "running": _l("Running"),
    "done": _l("Done"),
    "ended": _l("Ended (left running)"),
    "missed": _l("Missed"),
}
WEEKDAY_NAMES = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]


def kind_choices(blank: str | None = None) -> list[SelectChoice]:
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(kind, str(KIND_LABELS[kind])) for kind in KINDS]


class SlotForm(Form):
    key = StringField(_l("Key"), validators=[Optional(), Length(max=40)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=120)])
    fill = SelectField(
        _l("Filled by"),
        choices=[SelectChoice(fill, FILL_LABELS[fill]) for fill in FILLS],
        default="rotation",
    )
    kind = SelectField(_l("Kind of topic"), validators=[Optional()])
    minutes = DecimalField(
        _l("Minutes"), places=1, validators=[Optional(), NumberRange(min=0, max=10)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices(str(_l("The day's theme")))


class TemplateForm(FlaskForm):
    slots = FieldList(FormField(SlotForm), min_entries=1, max_entries=12)
    theme_0 = SelectField(WEEKDAY_NAMES[0])
    theme_1 = SelectField(WEEKDAY_NAMES[1])
    theme_2 = SelectField(WEEKDAY_NAMES[2])
    theme_3 = SelectField(WEEKDAY_NAMES[3])
    theme_4 = SelectField(WEEKDAY_NAMES[4])
    theme_5 = SelectField(WEEKDAY_NAMES[5])
    theme_6 = SelectField(WEEKDAY_NAMES[6])
    cooldown_days = IntegerField(
        _l("Cool-down (days)"),
        validators=[InputRequired(), NumberRange(min=0, max=365)],
        description=_l("A topic is not repeated within this many days unless all are used."),
    )
    scope = SelectField(
        _l("Who discusses the same topic on a day"),
        choices=[
            SelectChoice("shift", _l("Each shift on its own")),
            SelectChoice("location", _l("Every shift of this location")),
            SelectChoice("organisation", _l("Every location of the organisation")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday in range(7):
            getattr(self, f"theme_{weekday}").choices = kind_choices()

    @property
    def themes(self):
        return [getattr(self, f"theme_{weekday}") for weekday in range(7)]


class PinForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    slot_key = SelectField(_l("Slot"))
    topic = StringField(
        _l("Topic"),
        validators=[InputRequired(), Length(max=300)],
        description=_l("Start typing its title and choose one of the suggestions."),
        render_kw={"list": "pin-topics", "autocomplete": "off", "dir": "auto"},
    )
    scope = SelectField(
        lazy_pgettext("a pin applies to", "For"),
        choices=[
            SelectChoice("location", _l("This location")),
            SelectChoice("organisation", _l("The whole organisation")),
            SelectChoice("shift", _l("One shift")),
        ],
        default="location",
    )
    shift_id = SelectField(_l("Shift (when for one shift)"), coerce=int, validators=[Optional()])


class UnpinForm(FlaskForm):
    pin_id = HiddenField(validators=[InputRequired()])
