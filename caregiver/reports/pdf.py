"""The visit summary as HTML (the preview) and as a PDF, from one template, in any language."""
from datetime import date
from functools import cache
from pathlib import Path

from flask import current_app, render_template, url_for
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from ..i18n import language_and_zone, text_direction
from ..trends.figures import summary_figures


def static_uri(path):
    """Files of static/ as file:// URIs, so WeasyPrint reads them from disk, not over HTTP."""
    return Path(current_app.static_folder, path).resolve().as_uri()


def static_url(path):
    return url_for("static", filename=path)


def render_summary_html(summary, options, for_pdf=False, share_url=None):
    """options: language, paper, notes, carer, appendix (reports.forms.ReportForm.options)."""
    language = options["language"]
    with language_and_zone(language, summary.tz):
        return render_template(
            "reports/summary.html", summary=summary, patient=summary.patient, options=options,
            figures=summary_figures(summary, summary.patient.weight_unit), for_pdf=for_pdf,
            asset=static_uri if for_pdf else static_url, made_on=date.today(), share_url=share_url,
            report_lang=language.replace("_", "-"), report_dir=text_direction(language),
        )


@cache
def fonts(static_folder):
    """The @font-face rules, loaded once per process: decoding the WOFF2 files on every PDF cost
    0.8 s a document. (Rendering is one document at a time per process, as gunicorn's sync
    workers serve one request at a time.)"""
    font_config = FontConfiguration()
    return font_config, CSS(filename=str(Path(static_folder, "css", "fonts.css")), font_config=font_config)


def summary_pdf(summary, options, share_url=None):
    html = render_summary_html(summary, options, for_pdf=True, share_url=share_url)
    font_config, font_css = fonts(current_app.static_folder)
    return HTML(string=html, base_url=current_app.static_folder).write_pdf(
        stylesheets=[font_css], font_config=font_config)
