"""The floor each figure is measured against: a minimal Flask route, and a one-page WeasyPrint
document with the same fonts, served by gunicorn exactly as the app is (bench/run.py)."""
from pathlib import Path

from flask import Flask, Response
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STATIC = Path(__file__).resolve().parent.parent / "static"
app = Flask(__name__)
font_config = FontConfiguration()
fonts = CSS(filename=str(STATIC / "css" / "fonts.css"), font_config=font_config)


@app.route("/")
def minimal():
    return "ok"


@app.route("/pdf")
def one_page():
    html = '<!doctype html><meta charset="utf-8"><body style="font-family: Noto Sans"><h1>One page</h1><p>Floor.</p>'
    document = HTML(string=html, base_url=str(STATIC)).write_pdf(stylesheets=[fonts], font_config=font_config)
    return Response(document, mimetype="application/pdf")
