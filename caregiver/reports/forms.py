"""What the visit summary covers, in which language and on which paper."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField

from ..i18n import LANGUAGES
from ..trends.forms import RangeForm

PAPER_SIZES = {"A4": _l("A4"), "Letter": _l("US Letter")}


class ReportForm(RangeForm):
    language = SelectField(_l("Language of the summary"), validate_choice=False,
                           choices=[(language.code, language.native_name) for language in LANGUAGES])
    paper = RadioField(_l("Paper"), choices=list(PAPER_SIZES.items()), default="A4", validate_choice=False)
    notes = BooleanField(_l("Include the family's notes"), default=True)
    carer = BooleanField(_l("Include the carer's own check"), default=True)
    appendix = BooleanField(_l("Include every entry as an appendix"), default=True)

    def options(self):
        """The validated choices, with safe defaults for anything unknown."""
        codes = [language.code for language in LANGUAGES]
        return {
            "language": self.language.data if self.language.data in codes else None,
            "paper": self.paper.data if self.paper.data in PAPER_SIZES else "A4",
            "notes": self.notes.data, "carer": self.carer.data, "appendix": self.appendix.data,
        }
