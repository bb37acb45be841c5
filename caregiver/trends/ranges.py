"""The time range a trends page or a visit summary covers, from the range form."""
from datetime import date, datetime, time, timedelta

from ..diary.entries import last_visit
from ..i18n import to_local, to_utc, utc_now
from .forms import RANGES
from .maths import DAYS_PER_MONTH

# Without an appointment on record, "since the last appointment" means the last three months.
DEFAULT_MONTHS = 3
# No diary is older than this; a custom date before it (a typo, or a hand-made URL) means "from the start".
EARLIEST_DAY = date(1900, 1, 1)


def chosen_range(patient, form, tz, now=None):
    """(since, until, last visit) in naive UTC for the range the form asks for."""
    now = now or utc_now()
    today = to_local(now, tz).date()
    form.validate()
    choice = form.range.data if form.range.data in RANGES else "since_visit"

    def start_of(day):
        return to_utc(datetime.combine(min(max(day, EARLIEST_DAY), today), time()), tz)

    until = now
    if choice == "custom" and form.until.data and not form.until.errors and form.until.data < today:
        until = start_of(form.until.data + timedelta(days=1))
    visit = last_visit(patient, before=until)
    if choice == "custom" and form.since.data and not form.since.errors:
        since = start_of(form.since.data)
    elif choice in ("1", "3", "6", "12"):
        since = until - timedelta(days=DAYS_PER_MONTH * int(choice))
    elif choice == "since_visit" and visit is not None:
        since = visit.occurred_at
    else:
        since = until - timedelta(days=DAYS_PER_MONTH * DEFAULT_MONTHS)
    if since >= until:
        since = until - timedelta(days=1)
    return since, until, visit
