"""Patient profile and care-team forms."""
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from .. import catalogue
from ..forms import AppForm, NumberField, choices, stripped
from ..i18n import LANGUAGE_BY_CODE, LANGUAGES


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


class InviteForm(AppForm):
    role = SelectField(_l("What they may do"), default="log",
                       choices=[(key, role.invite) for key, role in catalogue.ROLES.items()])
    is_patient = BooleanField(_l("This invite is for the patient themself"))
    email = EmailField(_l("Their e-mail (optional)"), filters=[lambda value: (value or "").strip().lower() or None],
                       description=_l("We send them the link. You can also copy it and share it another way."),
                       validators=[Optional(), Email(message=_l("This does not look like an e-mail address."),
                                                     check_deliverability=False),
                                   Length(max=254, message=_l("Keep it under 254 characters."))])
    language = SelectField(_l("Language of the e-mail"), validate_choice=False,
                           choices=[(language.code, language.native_name) for language in LANGUAGES])
    submit = SubmitField(_l("Make an invite link"))

    def chosen_language(self):
        return self.language.data if self.language.data in LANGUAGE_BY_CODE else None


class MemberRoleForm(AppForm):
    role = SelectField(_l("Role"), choices=[(key, role.name) for key, role in catalogue.ROLES.items()])
    submit = SubmitField(_l("Change"))


class DeletePatientForm(AppForm):
    """Two confirmations: a box to tick, and the name typed again."""

    understood = BooleanField(_l("I understand that every entry of this diary is deleted for good."),
                              validators=[DataRequired(message=_l("Tick the box to confirm."))])
    name = StringField(_l("Type the name of the diary to confirm"), validators=[
        DataRequired(message=_l("Type the name to confirm.")),
        Length(max=80, message=_l("Keep it under 80 characters."))])
    submit = SubmitField(_l("Delete this diary for good"))

    def __init__(self, *args, expected_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_name = expected_name

    def validate_name(self, field):
        if field.data.strip() != self.expected_name:
            raise ValidationError(_l("The name does not match."))
