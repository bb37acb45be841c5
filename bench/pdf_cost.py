"""What a fresh visit summary PDF costs beside WeasyPrint's own layout and writing of that document.

Signed in as the demo carer, for each data set and range: the summary (read and built), its HTML,
and the PDF as the app makes it (documents.html_to_pdf: laid out in a forked child), beside
WeasyPrint's own layout (HTML.render) and writing (Document.write_pdf) of the same HTML in this
process. CPU seconds of this process and its children (getrusage, so the other core's work does
not count), the median of three. The goal (issue 18): the whole at most 1.2 x layout and writing.

usage: .venv/bin/python bench/pdf_cost.py [--datasets 2y,10y]   prints a Markdown table.
"""
import argparse
import os
import resource
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

RANGES = (("12 months", {"range": "12"}), ("whole diary", {"range": "all"}))
TIMES = 3


def child(dataset, email):
    """Runs in a process of its own, with the data set's DATABASE_URL / INSTANCE_PATH."""
    from flask import current_app
    from flask_login import login_user
    from sqlalchemy import select
    from weasyprint import HTML
    from werkzeug.datastructures import MultiDict

    from caregiver import create_app
    from caregiver.documents import fonts, html_to_pdf, render_summary_html
    from caregiver.extensions import db
    from caregiver.models import Membership, User
    from caregiver.reports.forms import ReportForm
    from caregiver.summary import summary_for

    app = create_app({"WTF_CSRF_ENABLED": False})
    rows = []
    for label, args in RANGES:
        query = "&".join(f"{key}={value}" for key, value in args.items())
        with app.test_request_context(f"/?{query}&language=en"):
            user = db.session.scalar(select(User).where(User.email == email))
            login_user(user)
            membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
            patient = membership.patient
            form = ReportForm(MultiDict({**args, "language": "en"}))
            font_config, font_css = fonts(current_app.static_folder)
            parts = {"summary": [], "html": [], "pdf": [], "layout": [], "write": []}
            pages = 0
            for _ in range(TIMES + 1):  # the first warms the fonts and templates up
                started = cpu_seconds()
                summary = summary_for(patient, form.choice(), user.timezone, appendix=form.options("en")["appendix"])
                made_summary = cpu_seconds()
                html = render_summary_html(patient, summary, form.options("en"), for_pdf=True)
                made_html = cpu_seconds()
                html_to_pdf(html)
                made_pdf = cpu_seconds()
                document = HTML(string=html, base_url=current_app.static_folder).render(
                    stylesheets=[font_css], font_config=font_config)
                laid_out = cpu_seconds()
                document.write_pdf()
                written = cpu_seconds()
                pages = len(document.pages)
                for part, seconds in zip(parts, (made_summary - started, made_html - made_summary, made_pdf - made_html,
                                                 laid_out - made_pdf, written - laid_out)):
                    parts[part].append(seconds)
            medians = {part: statistics.median(values[1:]) for part, values in parts.items()}
            rows.append((label, pages, medians))
    for label, pages, medians in rows:
        weasyprint = medians["layout"] + medians["write"]
        whole = medians["summary"] + medians["html"] + medians["pdf"]
        print(f"| {dataset} | {label} | {pages} | {medians['summary']:.2f} | {medians['html']:.2f} | "
              f"{medians['pdf']:.2f} | {medians['layout']:.2f} | {medians['write']:.2f} | {whole:.2f} | "
              f"{whole / weasyprint:.2f} |", flush=True)


def cpu_seconds():
    """User and system CPU of this process and of its children that have ended (the PDF's)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", default="2y,10y")
    parser.add_argument("--child", nargs=2, metavar=("DATASET", "EMAIL"))
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    import subprocess

    from serve import PYTHON, prepare

    print("| data | range | pages | summary (s) | HTML (s) | PDF, forked (s) | WeasyPrint layout (s) | "
          "WeasyPrint writing (s) | whole (s) | whole ÷ WeasyPrint |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for dataset in args.datasets.split(","):
        env, email, _password, _patient_id, _entries = prepare(dataset)
        subprocess.run([PYTHON, os.path.abspath(__file__), "--child", dataset, email], env=env, check=True)


if __name__ == "__main__":
    main()
