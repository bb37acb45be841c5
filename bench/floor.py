"""The floors each figure is measured against.

- A minimal Flask route, and a one-page WeasyPrint document with the same fonts, served by
  gunicorn exactly as the app is (bench/run.py).
- F, the realistic floor of a diary page: the app's own base.html (navigation, language switcher,
  sync messages, translated strings), signed in, with the membership check, and no diary data.
  add_floor_route puts it on the app at /bench/floor/<patient id> (bench/instructions.py, run.py).
"""
from pathlib import Path

from flask import Flask, Response
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STATIC = Path(__file__).resolve().parent.parent / "static"
app = Flask(__name__)
font_config = FontConfiguration()
fonts = CSS(filename=str(STATIC / "css" / "fonts.css"), font_config=font_config)


def add_floor_route(diary_app):
    from flask import render_template
    from flask_login import login_required

    from caregiver.access import membership_or_404
    from caregiver.forms import ButtonForm

    @login_required
    def floor_page(patient_id):
        membership = membership_or_404(patient_id)
        return render_template("base.html", patient=membership.patient, membership=membership, button=ButtonForm())

    diary_app.add_url_rule("/bench/floor/<int:patient_id>", "bench_floor", floor_page)
    return diary_app


def with_floor():
    """The diary app with F at /bench/floor/<patient id>, for gunicorn ("bench.floor:with_floor()"),
    so that F is served by the same workers as the pages measured against it."""
    from app import app as diary_app

    return add_floor_route(diary_app)


@app.route("/")
def minimal():
    return "ok"


@app.route("/pdf")
def one_page():
    html = '<!doctype html><meta charset="utf-8"><body style="font-family: Noto Sans"><h1>One page</h1><p>Floor.</p>'
    document = HTML(string=html, base_url=str(STATIC)).write_pdf(stylesheets=[fonts], font_config=font_config)
    return Response(document, mimetype="application/pdf")
