"""The summary of a time range, one pipeline for the trends page, the visit summary, share links and
the summary command: the range (ranges) → the rows read for it (read) → pure parts (parts)."""
from .parts import EVERYTHING, Period, Profile, Shown, build
from ..catalogue import RangeChoice
from .ranges import summary_span
from .read import read_diary


def summary_for(patient, choice, tz, now=None, shown=EVERYTHING):
    """The summary of the range `choice` (a RangeChoice) asks for, in the time zone `tz`, with the
    parts `shown` (a Shown)."""
    span = summary_span(patient, choice, tz, now)
    return build_summary(patient, span.since, span.until, tz, span.last_visit, shown)


def build_summary(patient, since, until, tz, last_visit=None, shown=EVERYTHING):
    """The summary of [since, until), compared with `last_visit` (an appointment entry) if given."""
    period = Period(since, until, tz, last_visit.occurred_at if last_visit is not None else None)
    return build(Profile.of(patient), period, read_diary(patient, period), shown)


__all__ = ["EVERYTHING", "RangeChoice", "Shown", "build_summary", "summary_for"]
