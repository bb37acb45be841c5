"""What every template can use: languages, catalogue tables, formatting filters."""
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

from . import catalogue
from .i18n import LANGUAGES, text_direction


def register_template_helpers(app):
    @app.context_processor
    def globals_for_templates():
        locale = str(get_locale())
        return {
            "catalogue": catalogue,
            "languages": LANGUAGES,
            "current_locale": locale,
            "html_lang": locale.replace("_", "-"),
            "text_direction": text_direction(locale),
        }

    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        time=format_time,
        decimal=format_decimal,
    )
    from .diary.entries import entry_title

    app.jinja_env.globals.update(region_label=catalogue.region_label, severity_word=catalogue.severity_word,
                                 entry_title=entry_title)
    # A (region, side) pair as words: "right calf".
    app.jinja_env.filters["join_place"] = lambda place: catalogue.region_label(*place)
