"""Time: every timestamp is stored as naive UTC, with the zone it was logged in kept beside it."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

_TIMEZONES = frozenset(available_timezones())


def utc_now():
    """Naive UTC, as every timestamp is stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def is_timezone(name):
    return name in _TIMEZONES


def to_utc(local, tz_name):
    """A naive local wall-clock time in tz_name, as naive UTC for storage."""
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc).replace(tzinfo=None)


def to_local(utc, tz_name):
    """A stored naive UTC time as naive wall-clock time in tz_name."""
    return utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def local_today(tz_name, now=None):
    return to_local(now or utc_now(), tz_name).date()


def start_of_day(day, tz_name):
    """Midnight at the start of a local calendar day, as naive UTC."""
    return to_utc(datetime.combine(day, time()), tz_name)


def day_range(since_day, until_day, tz_name):
    """Local calendar days (inclusive) as a UTC half-open range; None for an open end."""
    since = start_of_day(since_day, tz_name) if since_day else None
    until = start_of_day(until_day + timedelta(days=1), tz_name) if until_day else None
    return since, until
