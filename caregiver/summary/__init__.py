"""The summary of a time range, one pipeline for the trends page, the visit summary, share links and
the summary command: the range (ranges) → the rows read for it (read) → pure parts (parts).

The trends page's summary (trends_for) reads whole months as tallies, and leaves out the parts it
does not show (the entries one by one, red flags, notes, topics); everything it shows is the same.
A printed summary reads its entries one by one only for the appendix that lists them."""
from .parts import EVERYTHING, Period, Profile, Shown, build
from ..catalogue import RangeChoice
from .ranges import summary_span
from .read import read_diary, read_printed, read_trends


def summary_for(patient, choice, tz, now=None, shown=EVERYTHING, appendix=False):
    """The summary of the range `choice` (a RangeChoice) asks for, in the time zone `tz`, with the
    parts `shown` (a Shown), and its entries one by one if `appendix`."""
    span = summary_span(patient, choice, tz, now)
    period = period_of(span.since, span.until, tz, span.last_visit)
    read = read_diary if appendix or not shown.coping else read_printed  # tallies count the carer's own entries
    return build(Profile.of(patient), period, read(patient, period), shown)


def trends_for(patient, choice, tz, now=None):
    """What the trends page shows of the range `choice` asks for, in the time zone `tz`."""
    span = summary_span(patient, choice, tz, now)
    period = period_of(span.since, span.until, tz, span.last_visit)
    return build(Profile.of(patient), period, read_trends(patient, period))


def build_summary(patient, since, until, tz, last_visit=None, shown=EVERYTHING):
    """The summary of [since, until), compared with `last_visit` (an appointment entry) if given."""
    period = period_of(since, until, tz, last_visit)
    return build(Profile.of(patient), period, read_diary(patient, period), shown)


def period_of(since, until, tz, last_visit):
    return Period(since, until, tz, last_visit.occurred_at if last_visit is not None else None)


__all__ = ["EVERYTHING", "RangeChoice", "Shown", "build_summary", "summary_for", "trends_for"]
