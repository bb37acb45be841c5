"""Languages the app ships, how a request's language and time zone are chosen, and formatting."""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytz
from flask import g, has_request_context, request
from flask_babel import force_locale
from flask_login import current_user


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str  # shown in the switcher in its own script
    rtl: bool = False


# English is the source language; the others are added as their catalogues are complete.
LANGUAGES = (Language("en", "English"),)
LANGUAGE_BY_CODE = {language.code: language for language in LANGUAGES}
LANG_COOKIE = "lang"


def select_locale():
    """Saved preference, then ?lang=, then the cookie, then Accept-Language, then English."""
    if not has_request_context():
        return "en"
    if current_user.is_authenticated and current_user.locale in LANGUAGE_BY_CODE:
        return current_user.locale
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGE_BY_CODE:
            return candidate
    return request.accept_languages.best_match(list(LANGUAGE_BY_CODE)) or "en"


def select_timezone():
    if has_request_context() and current_user.is_authenticated:
        return current_user.timezone
    return "UTC"


@contextmanager
def language_and_zone(language, tz):
    """Render in this language and time zone, whatever the request's (a report for someone else).

    Flask-Babel can force a locale but not a time zone; it caches the zone (a pytz zone, which
    its formatting expects) on g._flask_babel, which force_locale has just made sure exists.
    """
    with force_locale(language):
        babel_context = g._flask_babel
        previous = getattr(babel_context, "babel_tzinfo", None)
        babel_context.babel_tzinfo = pytz.timezone(tz)
        try:
            yield
        finally:
            babel_context.babel_tzinfo = previous


def text_direction(code):
    language = LANGUAGE_BY_CODE.get(code)
    return "rtl" if language and language.rtl else "ltr"


def is_timezone(name):
    return name in _TIMEZONES


_TIMEZONES = frozenset(available_timezones())


def utc_now():
    """Naive UTC, as every timestamp is stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_utc(local, tz_name):
    """A naive local wall-clock time in tz_name, as naive UTC for storage."""
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc).replace(tzinfo=None)


def to_local(utc, tz_name):
    """A stored naive UTC time as naive wall-clock time in tz_name."""
    return utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)
