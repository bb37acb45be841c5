"""Acknowledging an alert, and how alerts and reminders reach a member."""
from wtforms import BooleanField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from .. import rules
from ..alerts import SNOOZE_HOURS
from ..forms import AppForm
from ..i18n import lazy_gettext as _l, lazy_ngettext
from ..reminders import REMINDERS

SNOOZE_CHOICES = [(hours, lazy_ngettext("%(num)d hour", "%(num)d hours", hours)) for hours in SNOOZE_HOURS]


class DoneForm(AppForm):
    note = TextAreaField(_l("What was done (optional)"), validators=[
        Length(max=1000, message=_l("Keep the note under %(max)d characters.", max=1000))])
    submit = SubmitField(_l("Mark as done"))


class SnoozeForm(AppForm):
    hours = RadioField(_l("Remind us again in"), coerce=int, default=4, choices=SNOOZE_CHOICES,
                       validators=[InputRequired(message=_l("Choose one of the options in the list."))])
    submit = SubmitField(_l("Snooze"))


class MemberSettingsForm(AppForm):
    """Fields push_<level>, email_<level>, reminder_<key> are made from the tables below."""

    weekly_digest = BooleanField(_l("A weekly digest by e-mail: what was logged, the alerts, what is new or worse"))
    submit = SubmitField(_l("Save"))

    def load(self, membership, push_levels, email_levels, reminders):
        for level in rules.LEVELS:
            self[f"push_{level}"].data = level in push_levels
            self[f"email_{level}"].data = level in email_levels
        for key in REMINDERS:
            self[f"reminder_{key}"].data = key in reminders
        self.weekly_digest.data = membership.weekly_digest

    def chosen(self, prefix, table):
        return [key for key in table if self[f"{prefix}_{key}"].data]


for _level, _about in rules.LEVELS.items():
    setattr(MemberSettingsForm, f"push_{_level}", BooleanField(_about.name))
    setattr(MemberSettingsForm, f"email_{_level}", BooleanField(_about.name))
for _key, _reminder in REMINDERS.items():
    setattr(MemberSettingsForm, f"reminder_{_key}", BooleanField(_reminder.name))


class ScheduleForm(AppForm):
    """The diary's own schedule, for those who manage the team: fields days_<reminder key>."""

    escalate_after_minutes = IntegerField(
        _l("If no one sees an urgent alert within this many minutes, send it to those who manage the team"),
        validators=[InputRequired(message=_l("Enter a number of minutes from 5 to 240.")),
                    NumberRange(min=5, max=240, message=_l("Enter a number of minutes from 5 to 240."))])
    submit = SubmitField(_l("Save the schedule"))


for _key, _reminder in REMINDERS.items():
    setattr(ScheduleForm, f"days_{_key}", IntegerField(
        _reminder.name, description=_l("Days between reminders; 0 switches it off."),
        validators=[InputRequired(message=_l("Enter a number of days from 0 to 90.")),
                    NumberRange(min=0, max=90, message=_l("Enter a number of days from 0 to 90."))]))
