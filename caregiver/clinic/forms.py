"""Forms of the clinic's side and of a family's consent."""
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from .. import catalogue, rules
from ..forms import AppForm, choices
from ..i18n import lazy_gettext as _l, LANGUAGES

REQUEST_MAX = 300


class StaffInviteForm(AppForm):
    email = EmailField(_l("Their e-mail address (optional: without one, copy the link yourself)"), validators=[
        Optional(), Email(message=_l("Enter an e-mail address like name@example.org.")),
        Length(max=254, message=_l("Keep it under %(max)d characters.", max=254))])
    role = RadioField(_l("What they may do"), choices=choices(catalogue.CLINIC_ROLES), default="clinician")
    profession = SelectField(_l("Their work"), choices=choices(catalogue.PROFESSIONS), default="nurse")
    language = SelectField(_l("Language of the e-mail"), validate_choice=False,
                           choices=[(language.code, language.native_name) for language in LANGUAGES])
    submit = SubmitField(_l("Invite"))


class StaffSettingsForm(AppForm):
    """Fields push_<level> and email_<level>, as a family member's; admins also choose names."""

    show_names = BooleanField(_l("Families see our names beside our roles"))
    submit = SubmitField(_l("Save"))

    def load(self, staff, push_levels, email_levels):
        for level in rules.LEVELS:
            self[f"push_{level}"].data = level in push_levels
            self[f"email_{level}"].data = level in email_levels
        self.show_names.data = staff.clinic.show_staff_names

    def chosen(self, prefix):
        return [key for key in rules.LEVELS if self[f"{prefix}_{key}"].data]


for _level, _about in rules.LEVELS.items():
    setattr(StaffSettingsForm, f"push_{_level}", BooleanField(_about.name))
    setattr(StaffSettingsForm, f"email_{_level}", BooleanField(_about.name))


class RequestForm(AppForm):
    text = TextAreaField(_l("A short request to the family"), description=_l(
        "For example: please weigh him weekly; bring your questions to the visit."), validators=[
        DataRequired(message=_l("Write the request.")),
        Length(max=REQUEST_MAX, message=_l("Keep the request under %(max)d characters.", max=REQUEST_MAX))])
    submit = SubmitField(_l("Send to the family"))


class LinkCodeForm(AppForm):
    code = StringField(_l("The clinic's code"), validators=[
        DataRequired(message=_l("Enter the code the clinic gave you.")),
        Length(max=20, message=_l("Keep it under %(max)d characters.", max=20))])
    submit = SubmitField(_l("Next"))


class ConsentForm(AppForm):
    code = HiddenField()
    full_history = BooleanField(_l("Also every entry of the history, with the notes"))
    submit = SubmitField(_l("Link the diary to this clinic"))
