"""The visit summary and the emergency card as HTML (the preview) and as PDF, in any language.

Made without a request (the summary command makes the same PDF as the app); url_for needs only the app."""
import gc
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import cache
from pathlib import Path

import segno
from flask import current_app, render_template, url_for
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .i18n import language_and_zone, text_direction
from .summary.figures import summary_figures


def static_uri(path):
    """Files of static/ as file:// URIs, so WeasyPrint reads them from disk, not over HTTP."""
    return Path(current_app.static_folder, path).resolve().as_uri()


def static_url(path):
    return url_for("static", filename=path)


def qr_code(url):
    """The URL as a QR code in inline SVG (no style attributes, so the CSP allows it)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=3, border=2, omitsize=True, svgclass="qr"))


def render_summary_html(patient, summary, options, for_pdf=False, share=None, pdf_url=None):
    """options: language, paper, notes, carer, appendix (REPORT_OPTIONS).

    share: a ShareLink whose address the summary prints with a QR code; pdf_url: a download link
    shown on screen.
    """
    language = options["language"]
    share_url = url_for("reports.shared", token=share.token, _external=True) if share else None
    with language_and_zone(language, summary.period.tz):
        return render_template(
            "reports/summary.html", summary=summary, patient=patient, options=options,
            figures=summary_figures(summary, patient.weight_unit), for_pdf=for_pdf,
            asset=static_uri if for_pdf else static_url, made_on=date.today(), pdf_url=pdf_url,
            share=share, share_url=share_url, share_qr=qr_code(share_url) if share_url else None,
            report_lang=language.replace("_", "-"), report_dir=text_direction(language),
        )


def render_card_html(patient, medicines, language, tz, for_pdf=False, pdf_url=None):
    """The emergency card: a panel in the family's language beside one in English."""
    panels = []
    for code in dict.fromkeys((language, "en")):
        with language_and_zone(code, tz):
            panels.append(Markup(render_template(
                "reports/_card_panel.html", patient=patient, medicines=medicines,
                panel_lang=code.replace("_", "-"), panel_dir=text_direction(code))))
    # Long lists get smaller type, so that the card stays one sheet and nothing is cut off.
    written = sum(len(text or "") for text in (patient.allergies, patient.emergency_contacts,
                                                 patient.niv_settings_holder))
    dense = len(medicines) > 6 or written > 300
    return render_template("reports/emergency_card.html", patient=patient, panels=panels, for_pdf=for_pdf, dense=dense,
                           asset=static_uri if for_pdf else static_url, pdf_url=pdf_url, made_on=date.today())


@cache
def fonts(static_folder):
    """The @font-face rules, loaded once per process: decoding the WOFF2 files on every PDF cost
    0.8 s a document. Each document's child process inherits them decoded."""
    font_config = FontConfiguration()
    return font_config, CSS(filename=str(Path(static_folder, "css", "fonts.css")), font_config=font_config)


def _write_pdf(html, static_folder):
    gc.freeze()  # the child's collections then leave the parent's objects (and their pages) alone
    font_config, font_css = fonts(static_folder)
    return HTML(string=html, base_url=static_folder).write_pdf(stylesheets=[font_css], font_config=font_config)


# Held while the fonts load and while a child is forked, so that no thread of this process is
# inside fontconfig or Pango when another forks (a child would inherit its locks held).
_FORKING = threading.Lock()


def html_to_pdf(html):
    """The PDF, laid out and written by WeasyPrint in a child forked for this one document.

    Layout leaves 30-40 MB of high-water mark that Python keeps: laid out in process, four
    10-year summaries took a worker from 144 MB to 181 MB, and forked, to 151 MB and no further.
    The child hands its memory back to the system when it exits. It also costs less CPU, not more:
    0.75-0.84 x the same layout in process (bench/pdf_cost.py), as its collections skip the
    parent's objects."""
    static_folder = current_app.static_folder
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as child:
        with _FORKING:
            fonts(static_folder)
            made = child.submit(_write_pdf, html, static_folder)  # the child is forked here
        return made.result()


def summary_pdf(patient, summary, options, share=None):
    return html_to_pdf(render_summary_html(patient, summary, options, for_pdf=True, share=share))


def card_pdf(patient, medicines, language, tz):
    return html_to_pdf(render_card_html(patient, medicines, language, tz, for_pdf=True))
