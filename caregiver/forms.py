"""What every form shares: messages from our own catalogue, a kind CSRF message, common fields."""
from flask_babel import gettext, get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, SubmitField
from wtforms.validators import Optional

from .catalogue import TIME_RANGES, RangeChoice

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
