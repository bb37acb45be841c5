"""What every template can use: languages, catalogue tables, formatting filters."""
import unicodedata
from urllib.parse import urlencode

from flask import current_app, request
from markupsafe import Markup, escape
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from . import catalogue, clinics, rules
from .entries import entry_lines, entry_title, measure_value, reporter, severity_words
from .i18n import (
    LANGUAGE_BY_CODE, LANGUAGES, format_date, format_datetime, format_decimal, format_time, install_gettext,
    plural_samples, text_direction,
)


def register_template_helpers(app):
    install_gettext(app.jinja_env)

    @app.context_processor
    def globals_for_templates():
        locale = str(get_locale())
        return {
            "catalogue": catalogue,
            "languages": LANGUAGES,
            "current_locale": locale,
            "current_language": LANGUAGE_BY_CODE.get(locale, LANGUAGES[0]),
            "html_lang": locale.replace("_", "-"),
            "text_direction": text_direction(locale),
        }

    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        time=format_time,
        decimal=format_decimal,
    )
    app.jinja_env.globals.update(region_label=catalogue.region_label, severity_words=severity_words,
                                 entry_title=entry_title, entry_lines=entry_lines, reporter=reporter, measure_value=measure_value, here_without_lang=here_without_lang,
                                 red_flag_for=rules.logged_flag, rules=rules,
                                 clinic_staff_shown=clinics.display_of,
                                 csrf_token=csrf_token, plural_samples=plural_samples)
    app.jinja_env.filters["direction"] = direction
    app.jinja_env.filters["event_name"] = lambda event_type: catalogue.EVENT_TYPES[event_type]
    # A (region, side) pair as words: "right calf".
    app.jinja_env.filters["join_place"] = lambda place: catalogue.region_label(*place)
    app.jinja_env.filters["severity_months"] = severity_months
    app.jinja_env.globals["number"] = number


def number(value, digits=1):
    """A measured value rounded to `digits` in the reader's language, or a dash for none."""
    return "–" if value is None else format_decimal(round(value, digits))


def severity_months(severity_by_month, month_names):
    """A symptom's typical severity by month as the symptom table shows it, "Jan 3 · Feb – · Mar 4";
    `month_names` are the months' short names, formatted once for the whole table (ten years of
    months for thirty symptoms were otherwise 7,000 calls to format)."""
    shown = {None: "–"}
    spans = []
    for name, (_month, typical) in zip(month_names, severity_by_month):
        value = None if typical is None else round(typical, 0)
        if value not in shown:
            shown[value] = format_decimal(value)
        spans.append(f"<span>{escape(name)} {escape(shown[value])}</span>")
    return Markup(" · ".join(spans))


def here_without_lang():
    """This page's path and query without ?lang=, where the switcher sends the reader back to."""
    query = urlencode([(key, value) for key, value in request.args.items(multi=True) if key != "lang"])
    return request.path + ("?" + query if query else "")


def csrf_token():
    """The form token for hand-written forms and the sync requests (none where CSRF is off)."""
    return generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""


def direction(text):
    """'rtl' or 'ltr' by the first letter of a family's own text: an English question keeps its
    punctuation in place on an Arabic page, and an Arabic note on an English one (dir="auto"
    does this in browsers, but not in WeasyPrint)."""
    for character in text or "":
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "auto"
