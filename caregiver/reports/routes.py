"""The visit summary: choose the range and language, preview it, download the PDF."""
from flask import Response, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from ..access import membership_or_404
from ..trends.ranges import chosen_range
from . import bp
from .forms import ReportForm
from .pdf import render_summary_html, summary_pdf
from .summary import build_summary


def report_form():
    """The form from the query string; on the first visit (nothing chosen yet) its defaults."""
    form = ReportForm(request.args if "range" in request.args else None)
    if not form.language.data:
        form.language.data = str(get_locale())
    return form


def requested_summary(patient_id):
    """The summary and options the query string asks for, for a member of the care team."""
    patient = membership_or_404(patient_id).patient
    form = report_form()
    options = form.options()
    options["language"] = options["language"] or str(get_locale())
    since, until, visit = chosen_range(patient, form, current_user.timezone)
    return build_summary(patient, since, until, current_user.timezone, last_visit=visit), options


@bp.route("/patients/<int:patient_id>/report")
@login_required
def new(patient_id):
    membership = membership_or_404(patient_id)
    form = report_form()
    return render_template("reports/new.html", patient=membership.patient, membership=membership, form=form)


@bp.route("/patients/<int:patient_id>/report/preview")
@login_required
def preview(patient_id):
    return render_summary_html(*requested_summary(patient_id))


@bp.route("/patients/<int:patient_id>/report/summary.pdf")
@login_required
def pdf(patient_id):
    summary, options = requested_summary(patient_id)
    filename = f"visit-summary-{summary.until:%Y-%m-%d}.pdf"
    return Response(summary_pdf(summary, options), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
