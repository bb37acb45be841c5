"""Error pages: translated, in the site's layout, and never a stack trace."""
from flask import render_template, request

from .i18n import lazy_gettext as _l

ERROR_MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    403: (_l("You cannot do that here"), _l("Your role in this care team does not allow it. Ask the person who manages the team.")),
    404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    410: (_l("This link no longer works"), _l("It has expired or the family has withdrawn it. Please ask them for a new one.")),
    413: (_l("That was too much to send at once"), _l("Please send less, for example a shorter note.")),
    429: (_l("Too many tries"), _l("To keep accounts safe, signing in is paused for a few minutes after many wrong passwords. Please wait and try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you did caused this. What you saved before is safe. Please try again in a moment.")),
}


def register_error_handlers(app):
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code not in ERROR_MESSAGES:
            code = 500
        if code == 500:
            from .extensions import db

            db.session.rollback()
        title, text = ERROR_MESSAGES[code]
        limit = getattr(error, "limit", None)  # a limit of Flask-Limiter's with a message of its own
        if code == 429 and limit is not None and limit.error_message:
            text = limit.error_message
        if request.accept_mimetypes.best == "application/json":
            return {"error": str(title)}, code
        return render_template("errors/error.html", title=title, text=text, code=code), code

    for code in ERROR_MESSAGES:
        app.register_error_handler(code, render_error)
