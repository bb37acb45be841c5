"""Front door, language choice and health check."""
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from ..forms import ButtonForm
from ..i18n import LANGUAGE_BY_CODE, set_language_cookie
from ..navigation import safe_next
from . import bp


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    return render_template("main/index.html")


@bp.route("/language", methods=["POST"])
def language():
    """The switcher: remember the choice in a cookie, and as the account's preference when signed in."""
    code = request.form.get("lang", "")
    if code not in LANGUAGE_BY_CODE:
        abort(400)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    response = redirect(safe_next(url_for("main.index")))
    set_language_cookie(response, code)
    return response


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure of the database means "not healthy", whatever its kind
        db.session.rollback()
        return {"status": "error", "db": "unavailable"}, 503
    return {"status": "ok", "db": "ok"}
