"""What the visit summary covers, in which language and on which paper; links for the clinic."""
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, SelectField, SubmitField

from ..forms import AppForm, RangeForm
from ..i18n import lazy_gettext as _l, LANGUAGE_BY_CODE, LANGUAGES
from ..summary import Shown

PAPER_SIZES = {"A4": _l("A4"), "Letter": _l("US Letter")}
# The query-string keys of a report; a share link keeps them to show the same summary.
REPORT_KEYS = ("range", "since", "until", "language", "paper", "notes", "carer", "appendix")


class ReportForm(RangeForm):
    language = SelectField(_l("Language of the summary"), validate_choice=False,
                           choices=[(language.code, language.native_name) for language in LANGUAGES])
    paper = RadioField(_l("Paper"), choices=list(PAPER_SIZES.items()), default="A4", validate_choice=False)
    notes = BooleanField(_l("Include a selection of the family's notes"), default=True)
    carer = BooleanField(_l("Include the carer's own check"), default=True)
    # Off by default: page one and the tables are the two-minute read; a year of entries is ten pages.
    appendix = BooleanField(_l("Include every entry as an appendix (long)"), default=False)

    def options(self, default_language):
        """The validated choices, with safe defaults for anything unknown."""
        return {
            "language": self.language.data if self.language.data in LANGUAGE_BY_CODE else default_language,
            "paper": self.paper.data if self.paper.data in PAPER_SIZES else "A4",
            "notes": self.notes.data, "carer": self.carer.data, "appendix": self.appendix.data,
        }


def report_query(args):
    """The report choices of a query string, as a plain dict (for links and share links)."""
    return {key: args[key] for key in REPORT_KEYS if args.get(key)}


def report_form(args):
    """The form from query-string values; with nothing chosen yet, its defaults."""
    return ReportForm(MultiDict(args) if "range" in args else None)


SHARE_DAYS = {1: _l("1 day"), 7: _l("7 days"), 30: _l("30 days"), 90: _l("90 days")}


class ShareForm(AppForm):
    """A link for the clinic: how long it works, and what of the team's own it shows."""

    days = SelectField(_l("The link works for"), coerce=int, default=7, choices=list(SHARE_DAYS.items()))
    # On: the family writes its questions down for the appointment, and the clinic reading ahead
    # can prepare the answers. The two below are about the team, not the patient: off unless chosen.
    shows_questions = BooleanField(_l("Show the family's questions for the appointment"), default=True)
    shows_names = BooleanField(_l("Show the names of the care team, with how many entries each made"),
                               default=False)
    shows_coping = BooleanField(_l("Show the carer's own check: how the carer is coping"), default=False)
    submit = SubmitField(_l("Make a link for the clinic"))

    def shown(self):
        return Shown(names=self.shows_names.data, coping=self.shows_coping.data,
                     questions=self.shows_questions.data)
