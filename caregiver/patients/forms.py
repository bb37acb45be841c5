"""Care-team forms (the profile form is in caregiver/forms.py: a backup's profile is held to it too)."""
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from .. import catalogue
from ..forms import AppForm
from ..i18n import lazy_gettext as _l, LANGUAGE_BY_CODE, LANGUAGES


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
