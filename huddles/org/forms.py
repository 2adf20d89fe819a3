from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from huddles.i18n import lazy_pgettext


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LocationForm(FlaskForm):
    name = StringField(
        lazy_pgettext("the name of a place", "Name"), validators=[DataRequired(), Length(max=120)]
    )
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("An IANA name, such as Europe/Berlin or America/New_York."),
    )
    locale = SelectField(_l("Default language"))


class ShiftForm(FlaskForm):
    name = StringField(
        lazy_pgettext("the name of a shift", "Name"), validators=[DataRequired(), Length(max=120)]
    )
    starts_at = TimeField(_l("Starts at"), validators=[InputRequired()])
    ends_at = TimeField(_l("Ends at"), validators=[InputRequired()])
    overnight = BooleanField(_l("Ends the next day (night shift)"))
    weekdays = MultiCheckboxField(_l("Weekdays"), coerce=int)
    active = BooleanField(_l("Active"), default=True)


class RosterForm(FlaskForm):
    people = MultiCheckboxField(_l("People on this shift"), coerce=int)


class PersonForm(FlaskForm):
    name = StringField(
        lazy_pgettext("the name of a person", "Name"), validators=[DataRequired(), Length(max=120)]
    )
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    # A new person is staff unless the admin chooses otherwise: making an admin is deliberate.
    role = SelectField(
        _l("Role"),
        default="staff",
        description=_l(
            "Staff check in and read their location's huddles; shift leads run them; "
            "admins manage the whole organisation."
        ),
    )
    location_id = SelectField(_l("Home location"), coerce=int, validators=[Optional()])

    def default_location(self, location_ids: list[int]) -> None:
        """A new person's location, before the admin picks: the first one there is."""
        if not self.is_submitted() and not self.location_id.data and location_ids:
            self.location_id.data = location_ids[0]

    locale = SelectField(_l("Language"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF protection for state changes without fields."""
