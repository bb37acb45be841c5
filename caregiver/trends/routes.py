"""The trends page: the patient's change over a chosen range."""
from flask import render_template, request
from flask_login import current_user, login_required

from ..access import membership_or_404
from ..forms import RangeForm
from ..pages import kept_page
from ..summary import trends_for
from ..summary.figures import summary_figures
from . import bp


@bp.route("/patients/<int:patient_id>/trends")
@login_required
def page(patient_id):
    membership = membership_or_404(patient_id)
    patient = membership.patient

    def content():
        form = RangeForm(request.args)
        summary = trends_for(patient, form.choice(), current_user.timezone)
        return render_template("trends/_content.html", patient=patient, membership=membership, form=form,
                               summary=summary, figures=summary_figures(summary, patient.weight_unit))

    return kept_page(membership, content, lambda html: render_template(
        "trends/page.html", patient=patient, membership=membership, content=html))
