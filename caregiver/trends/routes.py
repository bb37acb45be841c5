"""The trends page: the patient's change over a chosen range."""
from flask import render_template, request
from flask_login import current_user, login_required

from ..access import membership_or_404
from ..reports.summary import build_summary
from . import bp
from .figures import summary_figures
from .forms import RangeForm
from .ranges import chosen_range

@bp.route("/patients/<int:patient_id>/trends")
@login_required
def page(patient_id):
    membership = membership_or_404(patient_id)
    patient = membership.patient
    form = RangeForm(request.args)
    since, until, visit = chosen_range(patient, form, current_user.timezone)
    summary = build_summary(patient, since, until, current_user.timezone, last_visit=visit)
    return render_template("trends/page.html", patient=patient, membership=membership, form=form, summary=summary,
                           figures=summary_figures(summary, patient.weight_unit))
