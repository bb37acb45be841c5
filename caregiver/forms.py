"""What every form shares: messages from our own catalogue, a kind CSRF message, common fields."""
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

MAX_NOTE_LENGTH = 5000


def stripped(text):
    """Text without surrounding blanks, or None when nothing is left: blanks stay blanks."""
    return (text or "").strip() or None


class _OurCatalogue:
    """WTForms' built-in messages, looked up in the app's own catalogue (see messages.py)."""

    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


class AppForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _OurCatalogue()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            # Flask-WTF's own wording is technical and untranslated; what was typed is kept.
            self.csrf_token.errors = [
                gettext("This form was open too long or came from another site. "
                        "Nothing was saved: please check it and press the button again.")
            ]
        return valid


class ButtonForm(AppForm):
    """A form with only a button (delete, restore, sign out, ...): still CSRF-protected."""

    submit = SubmitField(_l("Confirm"))
