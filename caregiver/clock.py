"""Time: every timestamp is stored as naive UTC, with the zone it was logged in kept beside it."""
from datetime import datetime, time, timedelta, timezone
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo, available_timezones

_TIMEZONES = frozenset(available_timezones())


def _tzdata_text(name):
    return files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


@cache
def canonical_timezones():
    """The zones of tzdata's zone.tab (one Area/Location per place, none of the backward aliases
    such as "GB", "Cuba", "EET" or "Factory"), and UTC."""
    zones = {line.split("\t")[2] for line in _tzdata_text("zone.tab").splitlines()
             if line and not line.startswith("#")}
    return frozenset(zones | {"UTC"})


@cache
def _zone_links():
    """{alias: zone} from tzdata's link lines ("L Asia/Kolkata Asia/Calcutta")."""
    return {parts[2]: parts[1] for parts in (line.split() for line in _tzdata_text("tzdata.zi").splitlines())
            if parts and parts[0] == "L"}


def canonical_zone(name):
    """The zone an alias stands for ("Asia/Calcutta", which some browsers still report, is
    "Asia/Kolkata"); a zone that is not an alias comes back as it is."""
    seen = set()
    while name in _zone_links() and name not in canonical_timezones() and name not in seen:
        seen.add(name)
        name = _zone_links()[name]
    return "UTC" if name == "Etc/UTC" else name  # the picker's one name for it


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
