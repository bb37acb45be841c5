"""Front door and health check."""
from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from . import bp


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    return render_template("main/index.html")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure of the database means "not healthy", whatever its kind
        db.session.rollback()
        return {"status": "error", "db": "unavailable"}, 503
    return {"status": "ok", "db": "ok"}
