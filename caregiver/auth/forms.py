"""Account forms."""
from datetime import time

from wtforms import (
    BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField, TimeField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..forms import AppForm
from ..clock import is_timezone
from ..i18n import lazy_gettext as _l

PASSWORD_RULES = (
    DataRequired(message=_l("Choose a password.")),
    Length(min=10, max=200, message=_l("Use at least 10 characters.")),
)


def strip(value):
    return value.strip() if isinstance(value, str) else value


EMAIL_RULES = (
    DataRequired(message=_l("Enter your e-mail address.")),
    Email(message=_l("This does not look like an e-mail address."), check_deliverability=False),
    Length(max=254, message=_l("Keep it under 254 characters.")),
)


def valid_timezone(form, field):
    # An empty zone too: every page that shows a time reads the account's zone.
    if not is_timezone(field.data or ""):
        raise ValidationError(_l("Choose a time zone from the list."))


class SignUpForm(AppForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(message=_l("Tell us your name.")),
        Length(max=80, message=_l("Keep it under 80 characters.")),
    ])
    email = EmailField(_l("E-mail"), filters=[strip], validators=EMAIL_RULES)
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    confirm = PasswordField(_l("Password again"), validators=[
        EqualTo("password", message=_l("The two passwords are not the same.")),
    ])
    # Filled in by the browser's script with its own time zone; UTC without it or if unknown.
    timezone = HiddenField()
    submit = SubmitField(_l("Create account"))


class SignInForm(AppForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=[
        DataRequired(message=_l("Enter your e-mail address.")),
    ])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class PasswordChangeForm(AppForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password.")),
    ])
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(_l("New password again"), validators=[
        EqualTo("password", message=_l("The two passwords are not the same.")),
    ])
    submit = SubmitField(_l("Change password"))


class SettingsForm(AppForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(message=_l("Tell us your name.")),
        Length(max=80, message=_l("Keep it under 80 characters.")),
    ])
    email = EmailField(_l("E-mail"), filters=[strip], validators=EMAIL_RULES,
                       description=_l("A new address is used once you confirm it from there."))
    timezone = SelectField(_l("Your time zone"), validate_choice=False, validators=[valid_timezone])
    private_emails = BooleanField(_l("No health details in e-mails or notifications"),
                                  description=_l("They then only say that something is waiting in the app."))
    quiet_from = TimeField(_l("Quiet hours from (optional)"), validators=[Optional()])
    quiet_until = TimeField(_l("Quiet hours until"), validators=[Optional()],
                            description=_l("No alerts in these hours, except urgent ones; they wait until the end."))
    submit = SubmitField(_l("Save"))

    def validate_quiet_until(self, field):
        if bool(self.quiet_from.data) != bool(field.data):
            raise ValidationError(_l("Give both times, or neither."))

    def load(self, user):
        self.quiet_from.data = time.fromisoformat(user.quiet_from) if user.quiet_from else None
        self.quiet_until.data = time.fromisoformat(user.quiet_until) if user.quiet_until else None

    def quiet_hours(self):
        return tuple(value.strftime("%H:%M") if value else None for value in (self.quiet_from.data, self.quiet_until.data))


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=EMAIL_RULES)
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(AppForm):
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(_l("New password again"), validators=[
        EqualTo("password", message=_l("The two passwords are not the same.")),
    ])
    submit = SubmitField(_l("Save the new password"))


class DeleteAccountForm(AppForm):
    """Two confirmations: the password, and a box to tick."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Enter your password."))])
    understood = BooleanField(_l("I understand that my account, and the diaries only I manage, are deleted for good."),
                              validators=[DataRequired(message=_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Delete my account for good"))
