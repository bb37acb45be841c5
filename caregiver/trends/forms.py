"""The time range a trends page or a visit summary covers."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from ..forms import AppForm

RANGES = {
    "since_visit": _l("Since the last appointment"),
    "1": _l("Last month"),
    "3": _l("Last 3 months"),
    "6": _l("Last 6 months"),
    "12": _l("Last 12 months"),
    "custom": _l("Dates below"),
}


class RangeForm(AppForm):
    """In the query string, so a chosen range can be bookmarked and shared within the team."""

    class Meta:
        csrf = False

    range = SelectField(_l("Time"), choices=list(RANGES.items()), default="since_visit", validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
