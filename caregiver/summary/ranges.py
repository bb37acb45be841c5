"""Where the time ranges of catalogue.TIME_RANGES begin and end, for the history and for summaries."""
from dataclasses import dataclass
from datetime import date, timedelta

from ..catalogue import TIME_RANGES
from ..clock import day_range, local_today, start_of_day, to_local, utc_now
from ..entries import first_entry_at, last_visit
from ..maths import DAYS_PER_MONTH


# Without an appointment on record, a summary "since the last appointment" covers the last three months.
DEFAULT_MONTHS = 3
# No diary is older than this; a custom date before it (a typo, or a hand-made URL) means "from the start".
EARLIEST_DAY = date(1900, 1, 1)
# Appointments may be noted up to a year ahead; a custom end after this (9999-12-31) means "to the end".
DAYS_AHEAD = 2 * 366


def diary_days(since_day, until_day, today):
    """A custom range as the history reads it, kept within any diary's days: a start before 1900
    is the beginning, an end past the last possible day is open, so that 9999-12-31 in a zone
    west of UTC cannot overflow the calendar."""
    latest = today + timedelta(days=DAYS_AHEAD)
    since = None if since_day is None or since_day < EARLIEST_DAY else min(since_day, latest)
    until = None if until_day is None or until_day > latest else max(until_day, EARLIEST_DAY)
    return since, until


def months_back(until, months):
    return until - timedelta(days=DAYS_PER_MONTH * months)


def history_bounds(patient, choice, tz, now=None):
    """(since, until) in naive UTC for the history filter; None leaves that end open."""
    now = now or utc_now()
    if choice.key == "since_visit":
        visit = last_visit(patient)
        return (visit.occurred_at if visit else None), None
    if TIME_RANGES[choice.key].months:
        return months_back(now, TIME_RANGES[choice.key].months), None
    return day_range(*diary_days(choice.since_day, choice.until_day, local_today(tz, now)), tz)


@dataclass(frozen=True)
class Span:
    since: object  # naive UTC, inclusive
    until: object  # naive UTC, exclusive
    last_visit: object  # the appointment the summary compares with, or None


def summary_span(patient, choice, tz, now=None):
    """The range a summary covers (always bounded), and the last appointment before its end."""
    now = now or utc_now()
    today = local_today(tz, now)

    def start_of(day):
        return start_of_day(min(max(day, EARLIEST_DAY), today), tz)

    until = now
    if choice.key == "custom" and choice.until_day and choice.until_day < today:
        until = start_of(choice.until_day + timedelta(days=1))
    visit = last_visit(patient, before=until)
    months = TIME_RANGES[choice.key].months
    if choice.key == "custom" and choice.since_day:
        since = start_of(choice.since_day)
        # Reaching back before the diary's first entry covers the diary, not empty decades: a link
        # "since 1900" made 1,500 empty months that took 12 s to print, at every opening.
        first = first_entry_at(patient)
        if first is not None:
            since = max(since, start_of(to_local(first, tz).date()))
    elif months:
        since = months_back(until, months)
    elif choice.key == "since_visit" and visit is not None:
        since = visit.occurred_at
    elif choice.key == "all":
        since = first_entry_at(patient) or months_back(until, DEFAULT_MONTHS)
    else:
        since = months_back(until, DEFAULT_MONTHS)
    if since >= until:
        since = until - timedelta(days=1)
    return Span(since, until, visit)
