"""What every form shares: messages from our own catalogue, a kind CSRF message, common fields,
and the profile form, which the profile page and a backup's import both hold a profile to."""
from datetime import date

from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, DecimalField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField,
)
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from . import catalogue
from .catalogue import TIME_RANGES, RangeChoice
from .i18n import gettext, lazy_gettext as _l

MAX_NOTE_LENGTH = 5000


def choices(table, blank=None):
    """(key, label) pairs of a catalogue table for a select or radio field, with an optional blank first."""
    options = [(key, label) for key, label in table.items()]
    return ([("", blank)] if blank else []) + options


def stripped(text):
    """Text without surrounding blanks, or None when nothing is left: blanks stay blanks."""
    return (text or "").strip() or None


class _OurCatalogue:
    """WTForms' built-in messages, looked up in the app's own catalogue (see messages.py).

    Unformatted: WTForms fills in its own placeholders (%(max)d, ...) afterwards."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


def drop_nul(value):
    """NUL characters are never meant, and PostgreSQL refuses to store them."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class AppForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _OurCatalogue()

        def bind_field(self, form, unbound_field, options):
            filters = (*unbound_field.kwargs.get("filters", ()), drop_nul)
            return unbound_field.bind(form=form, **{**options, "filters": filters})

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            # Flask-WTF's own wording is technical and untranslated; what was typed is kept.
            self.csrf_token.errors = [
                gettext("This form was open too long or came from another site. "
                        "Nothing was saved: please check it and press the button again.")
            ]
        return valid


class NumberField(DecimalField):
    """A decimal number that must be finite: 'NaN' and 'inf' parse as decimals but are not numbers."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class ButtonForm(AppForm):
    """A form with only a button (delete, restore, sign out, ...): still CSRF-protected."""

    submit = SubmitField(_l("Confirm"))


class RangeForm(AppForm):
    """The time range of a page (history, trends, a visit summary), in the query string, so that it
    can be bookmarked and shared within the team."""

    class Meta:
        csrf = False

    default_range = "since_visit"
    range = SelectField(_l("Time"), choices=[(key, time_range.label) for key, time_range in TIME_RANGES.items()],
                        validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.range.data not in TIME_RANGES:
            self.range.data = self.default_range

    def choice(self):
        """What was asked for; a date that does not parse is left out rather than refused."""
        self.validate()
        return RangeChoice(self.range.data, self.since.data if not self.since.errors else None,
                           self.until.data if not self.until.errors else None)


def not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError(_l("This date is in the future."))


class PatientForm(AppForm):
    display_name = StringField(_l("Name"), description=_l("The name the family uses is fine."), validators=[
        DataRequired(message=_l("Enter a name.")),
        Length(max=80, message=_l("Keep it under 80 characters.")),
    ])
    birth_year = IntegerField(_l("Year of birth (optional)"), validators=[
        Optional(),
        NumberRange(min=1900, max=date.today().year, message=_l("Enter a year between 1900 and this year.")),
    ])
    diagnosis = SelectField(_l("Diagnosis"), choices=choices(catalogue.DIAGNOSES))
    onset_month = MonthField(_l("Month of the first symptom (optional)"), validators=[Optional(), not_in_future])
    onset_region = SelectField(_l("Where it started (optional)"),
                               choices=choices(catalogue.ONSET_REGIONS, blank=_l("Not sure")))
    height_cm = NumberField(_l("Height in cm (optional)"), places=1, validators=[
        Optional(), NumberRange(min=50, max=250, message=_l("Enter a height between 50 and 250 cm.")),
    ])
    weight_unit = RadioField(_l("Weigh in"), choices=choices(catalogue.WEIGHT_UNITS), default="kg")
    usual_weight = NumberField(_l("Usual weight before the illness (optional)"), places=1,
                                description=_l("In the unit chosen above."), validators=[Optional()])
    neurologist = StringField(_l("Neurologist (optional)"), validators=[
        Length(max=120, message=_l("Keep it under 120 characters.")),
    ])
    clinic = StringField(_l("Clinic or hospital (optional)"), validators=[
        Length(max=120, message=_l("Keep it under 120 characters.")),
    ])
    feeding_tube = BooleanField(_l("Has a feeding tube"))
    breathing_support = SelectField(_l("Breathing support"), choices=choices(catalogue.BREATHING_SUPPORT))
    niv_settings_holder = StringField(
        _l("Who holds the breathing machine settings (optional)"),
        description=_l("For example the respiratory team of a hospital. Shown on the emergency card."),
        validators=[Length(max=200, message=_l("Keep it under 200 characters."))])
    allergies = TextAreaField(_l("Allergies (optional)"), description=_l("Shown on the emergency card."),
                              validators=[Length(max=500, message=_l("Keep it under 500 characters."))])
    emergency_contacts = TextAreaField(
        _l("Emergency contacts (optional)"),
        description=_l("One a line: name, how they are related, phone. Shown on the emergency card."),
        validators=[Length(max=500, message=_l("Keep it under 500 characters."))])
    is_me = BooleanField(_l("I am this person (the diary is my own)"))
    submit = SubmitField(_l("Save"))

    def validate_usual_weight(self, field):
        limits = catalogue.WEIGHT_LIMITS
        low, high = limits[self.weight_unit.data if self.weight_unit.data in limits else "kg"]
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(_l("Enter a weight between %(low)d and %(high)d %(unit)s.",
                                     low=low, high=high, unit=self.weight_unit.data))

    def load(self, patient, is_patient):
        """The form shows the profile as saved: the usual weight in the family's unit."""
        self.process(obj=patient)
        self.is_me.data = is_patient
        if patient.usual_weight_kg is not None:
            self.usual_weight.data = round(catalogue.from_kg(patient.usual_weight_kg, patient.weight_unit), 1)
        self.onset_region.data = patient.onset_region or ""

    def fill(self, patient):
        patient.display_name = self.display_name.data.strip()
        patient.birth_year = self.birth_year.data
        patient.diagnosis = self.diagnosis.data
        patient.onset_month = self.onset_month.data
        patient.onset_region = self.onset_region.data or None
        patient.height_cm = float(self.height_cm.data) if self.height_cm.data is not None else None
        patient.weight_unit = self.weight_unit.data
        patient.usual_weight_kg = (catalogue.to_kg(self.usual_weight.data, self.weight_unit.data)
                                   if self.usual_weight.data is not None else None)
        for name in ("neurologist", "clinic", "niv_settings_holder", "allergies", "emergency_contacts"):
            setattr(patient, name, stripped(self[name].data))
        patient.feeding_tube = self.feeding_tube.data
        patient.breathing_support = self.breathing_support.data
