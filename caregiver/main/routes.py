"""Front door, language choice and health check."""
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from ..forms import ButtonForm
from ..jobs import queue_health
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
    """The database, and the job queue: how many jobs wait, how long the most overdue message has
    waited, and when a worker last answered. 503 when either is unavailable or jobs are stuck."""
    try:
        db.session.execute(text("SELECT 1"))
        queue = queue_health(current_app.config["JOBS_STUCK_SECONDS"])
    except Exception:  # any failure of the database or the queue means "not healthy", whatever its kind
        db.session.rollback()
        return {"status": "error", "db": "unavailable"}, 503
    healthy = not queue.pop("stuck")
    return {"status": "ok" if healthy else "error", "db": "ok", "queue": "ok" if healthy else "stuck",
            **{f"jobs_{name}": value for name, value in queue.items()}}, 200 if healthy else 503
