"""Languages the app ships, how a request's language and time zone are chosen, and formatting."""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import flask_babel
import pytz
from babel.dates import get_timezone_location, get_timezone_name
from flask import g, has_app_context, has_request_context, request
from flask_babel import force_locale, get_locale, get_timezone
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup

from .clock import canonical_timezones


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str  # shown in the switcher in its own script
    rtl: bool = False


# English is the source language. A test fails if any other catalogue has a message missing.
LANGUAGES = (
    Language("en", "English"),
    Language("hi", "हिन्दी"),
    Language("bn", "বাংলা"),
    Language("ta", "தமிழ்"),
    Language("es", "Español"),
    Language("fr", "Français"),
    Language("pt_BR", "Português (Brasil)"),
    Language("ar", "العربية", rtl=True),
)
LANGUAGE_BY_CODE = {language.code: language for language in LANGUAGES}
LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 60 * 60 * 24 * 365


def select_locale():
    """Saved preference, then ?lang=, then the cookie, then Accept-Language, then English."""
    if not has_request_context():
        return "en"
    if current_user.is_authenticated and current_user.locale in LANGUAGE_BY_CODE:
        return current_user.locale
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGE_BY_CODE:
            return candidate
    return best_accepted_language() or "en"


def best_accepted_language():
    """The browser's preferred language we ship; 'pt' and 'pt-PT' get Brazilian Portuguese."""
    for tag, _quality in request.accept_languages:
        code = tag.replace("-", "_")
        for candidate in (code, code.split("_")[0]):
            if candidate in LANGUAGE_BY_CODE:
                return candidate
            if candidate == "pt":
                return "pt_BR"
    return None


def remember_language_choice(response):
    """?lang=xx on any page is an explicit choice: keep it in a cookie for the next pages.

    Content-Language tells the service worker which offline page to show later."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Language", str(get_locale()).replace("_", "-"))
    if has_request_context() and request.args.get("lang") in LANGUAGE_BY_CODE:
        set_language_cookie(response, request.args["lang"])
    return response


def set_language_cookie(response, code):
    response.set_cookie(LANG_COOKIE, code, max_age=LANG_COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure)


# Offered first in the time-zone picker: the zones of the countries where our languages are most
# spoken (en, hi, bn, ta, es, fr, pt_BR, ar), then UTC. Every other zone follows, by its name.
COMMON_TIMEZONES = (
    "Europe/London", "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Toronto",
    "Australia/Sydney", "Asia/Kolkata", "Asia/Dhaka", "Asia/Colombo", "Asia/Singapore", "Europe/Madrid",
    "America/Mexico_City", "America/Bogota", "America/Argentina/Buenos_Aires", "Europe/Paris",
    "Europe/Brussels", "Africa/Abidjan", "America/Sao_Paulo", "Europe/Lisbon", "Asia/Riyadh", "Asia/Dubai",
    "Africa/Cairo", "Africa/Casablanca", "UTC",
)


def timezone_label(zone, locale):
    """The zone's name in the reader's language: "heure : Inde", "भारत समय"."""
    if zone == "UTC":  # Babel names UTC itself only for a datetime: "temps universel coordonné (UTC)"
        return f'{get_timezone_name(datetime(2000, 1, 1, tzinfo=timezone.utc), width="long", locale=locale)} (UTC)'
    return get_timezone_location(zone, locale=locale)


@cache
def _timezone_choices(locale):
    common = [zone for zone in COMMON_TIMEZONES if zone in canonical_timezones()]
    others = sorted(((zone, timezone_label(zone, locale)) for zone in canonical_timezones() - set(common)),
                    key=lambda choice: choice[1].casefold())
    return tuple((zone, timezone_label(zone, locale)) for zone in common), tuple(others)


def timezone_choices(locale, current=None):
    """(common, others): (zone, localized name) pairs for the picker; `current` (a zone saved
    before aliases were dropped) stays selectable at the top."""
    common, others = _timezone_choices(str(locale))
    if current and current not in canonical_timezones():
        common = ((current, current), *common)
    return common, others


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


def plural_samples():
    """{CLDR plural category: a number in it} for the current language, so that the browser
    (Intl.PluralRules) can pick the right form of a message translated with ngettext."""
    return _plural_samples(get_locale())


@cache
def _plural_samples(locale):
    samples = {}
    for number in [*range(1, 200), 0]:
        samples.setdefault(locale.plural_form(number), number)
    return samples


# ------------------------------------------------------------------------------------------------
# Translating and formatting, at the cost of the work itself
#
# Flask-Babel finds its context, domain and catalogue again on every call (about 10 µs, and a page
# makes hundreds of calls), and Babel parses a format pattern each time it formats. These read the
# catalogue once per request and locale, and remember what a value looks like in a locale and zone.
# They read Flask-Babel's own locale and zone, so force_locale and language_and_zone still apply.

def translations():
    """The catalogue of the locale in force: Flask-Babel's, looked up once per request and locale."""
    try:
        babel_context = g.get("_flask_babel")
    except RuntimeError:  # outside an app context: Flask-Babel's own answer (no translation)
        return flask_babel.get_translations()
    locale = getattr(babel_context, "babel_locale", None)
    if locale is None:
        locale = get_locale()
        babel_context = g._flask_babel
    cached = getattr(babel_context, "translations_of_locale", None)
    if cached is None or cached[0] is not locale:
        cached = babel_context.translations_of_locale = (locale, flask_babel.get_translations())
    return cached[1]


@dataclass(frozen=True)
class _InForce:
    """The locale and zone in force, with what formatting needs of them: the locale's identifier,
    a cheap key (Babel's Locale hashes and compares in Python), and the zone as zoneinfo has it,
    which converts in C where pytz's converts in Python, and as clock.to_local does everywhere else."""
    locale: object
    tzinfo: object
    key: str
    zone: ZoneInfo


def in_force():
    """The locale and zone in force, as Flask-Babel keeps them on the app context; worked out again
    only when force_locale or language_and_zone change them. (A trends page formats 3,000 values:
    this is one look-up of the app context each.)"""
    babel_context = g.get("_flask_babel")
    known = getattr(babel_context, "in_force", None)
    if known is not None and known.locale is getattr(babel_context, "babel_locale", None) \
            and known.tzinfo is getattr(babel_context, "babel_tzinfo", None):  # flask_babel.refresh() drops them
        return known
    locale, tzinfo = get_locale(), get_timezone()
    known = g._flask_babel.in_force = _InForce(locale, tzinfo, str(locale), ZoneInfo(tzinfo.zone))
    return known


def gettext(string, **variables):
    text = translations().ugettext(string)
    return text % variables if variables else text


def markup_gettext(string, **variables):
    """gettext as a template has it (Jinja's newstyle gettext, autoescaped): the translation is
    trusted markup and the variables are escaped, so that text made in Python for a template is
    the same, byte for byte, as the template's own `_()`."""
    return Markup(translations().ugettext(string)) % variables


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context, string, **variables):
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def npgettext(context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    return translations().unpgettext(context, singular, plural, num) % variables


def lazy_gettext(string, **variables):
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular, plural, num, **variables):
    return LazyString(ngettext, singular, plural, num, **variables)


def install_gettext(jinja_env):
    """Templates translate through the same catalogue lookup (instead of Flask-Babel's per call)."""
    jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


@lru_cache(maxsize=16384, typed=True)
def _formatted(formatter, value, format, rebase, locale, tzinfo):
    """A value as Flask-Babel formats it in this locale and zone (which the key holds, as the
    locale's identifier and the zone, so it is safe to remember)."""
    return formatter(value, format, rebase) if rebase is not None else formatter(value, format)


def format_date(date=None, format=None, rebase=True):
    if date is None:
        return flask_babel.format_date(date, format, rebase)
    here = in_force()
    if rebase and isinstance(date, datetime):
        # Remembered by the local day it falls on, which is all a date shows: the same days come
        # back on every page of a diary, where each moment would be new.
        date = (date if date.tzinfo else date.replace(tzinfo=timezone.utc)).astimezone(here.zone).date()
    return _formatted(flask_babel.format_date, date, format, rebase, here.key, None)


def format_datetime(moment=None, format=None, rebase=True):
    if moment is None:
        return flask_babel.format_datetime(moment, format, rebase)
    here = in_force()
    return _formatted(flask_babel.format_datetime, moment, format, rebase, here.key, here.tzinfo if rebase else None)


def format_time(moment=None, format=None, rebase=True):
    if moment is None:
        return flask_babel.format_time(moment, format, rebase)
    here = in_force()
    return _formatted(flask_babel.format_time, moment, format, rebase, here.key, here.tzinfo if rebase else None)


def format_decimal(number, format=None):
    return _formatted(flask_babel.format_decimal, number, format, None, in_force().key, None)
