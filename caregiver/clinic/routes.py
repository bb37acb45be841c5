"""Views of the clinic's side (staff) and of a family's consent (the diary's owners)."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from .. import alerts, catalogue, clinics, push
from ..access import linked_family_or_404, membership_or_404, staff_or_404
from ..clock import utc_now
from ..entries import HistoryFilter, history_page
from ..forms import ButtonForm
from ..i18n import gettext as _
from ..summary.figures import summary_figures
from . import bp
from .forms import ConsentForm, LinkCodeForm, RequestForm, StaffInviteForm, StaffSettingsForm


# ----------------------------------------------------------------------------------------------
# Staff: the dashboard and a family's page

@bp.route("/clinic/")
@login_required
def index():
    places = clinics.staff_of(current_user.id)
    if len(places) == 1:
        return redirect(url_for("clinic.dashboard", clinic_id=places[0].clinic_id))
    return render_template("clinic/index.html", places=places)


@bp.route("/clinic/<int:clinic_id>/")
@login_required
def dashboard(clinic_id):
    staff = staff_or_404(clinic_id)
    shown = request.args.get("show") if request.args.get("show") in clinics.FILTERS else "all"
    order = request.args.get("sort") if request.args.get("sort") in clinics.SORTS else None
    rows = clinics.dashboard_view(clinic_id, shown, order)
    return render_template(
        "clinic/dashboard.html", staff=staff, clinic=staff.clinic, rows=rows, shown=shown,
        order=order or clinics.FILTER_ORDER[shown], now=utc_now(), quiet_days=clinics.QUIET_DAYS)


@bp.route("/clinic/<int:clinic_id>/families/<int:patient_id>/")
@login_required
def family(clinic_id, patient_id):
    staff, link = linked_family_or_404(clinic_id, patient_id, "alerts")
    return render_template(
        "clinic/family.html", staff=staff, clinic=staff.clinic, family=link.patient, link=link,
        alerts=clinics.open_alerts(patient_id), now=utc_now(), button=ButtonForm(), request_form=RequestForm())


@bp.route("/clinic/<int:clinic_id>/families/<int:patient_id>/trends")
@login_required
def trends(clinic_id, patient_id):
    staff, link = linked_family_or_404(clinic_id, patient_id, "trends")
    patient = link.patient
    summary = clinics.clinic_trends(patient, current_user.timezone)
    return render_template(
        "clinic/trends.html", staff=staff, clinic=staff.clinic, family=patient, summary=summary,
        figures=summary_figures(summary, patient.weight_unit))


@bp.route("/clinic/<int:clinic_id>/families/<int:patient_id>/summary.pdf")
@login_required
def summary_pdf(clinic_id, patient_id):
    staff, link = linked_family_or_404(clinic_id, patient_id, "pdf")
    document = clinics.clinic_pdf(link.patient, clinic_id, current_user)
    return Response(document, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="visit-summary.pdf"'})


@bp.route("/clinic/<int:clinic_id>/families/<int:patient_id>/history")
@login_required
def history(clinic_id, patient_id):
    staff, link = linked_family_or_404(clinic_id, patient_id, "history")
    page = history_page(link.patient, HistoryFilter(), request.args.get("page", 1, type=int), 50,
                        current_user.timezone)
    return render_template("clinic/history.html", staff=staff, clinic=staff.clinic, family=link.patient, page=page)


@bp.route("/clinic/<int:clinic_id>/families/<int:patient_id>/alerts/<int:alert_id>/seen", methods=["POST"])
@login_required
def acknowledge(clinic_id, patient_id, alert_id):
    staff, _link = linked_family_or_404(clinic_id, patient_id, "alerts")
    alert = alerts.alert_of(patient_id, alert_id) or abort(404)
    if ButtonForm().validate_on_submit():
        clinics.acknowledge(alert, staff)
        flash(_("The family now sees that the clinic has seen this."), "success")
    return redirect(url_for("clinic.family", clinic_id=clinic_id, patient_id=patient_id))


@bp.route("/clinic/<int:clinic_id>/families/<int:patient_id>/requests", methods=["POST"])
@login_required
def ask(clinic_id, patient_id):
    staff, link = linked_family_or_404(clinic_id, patient_id, "alerts")
    form = RequestForm()
    if form.validate_on_submit():
        clinics.ask_family(staff, patient_id, form.text.data)
        flash(_("Sent: the family sees it on the diary's home."), "success")
        return redirect(url_for("clinic.family", clinic_id=clinic_id, patient_id=patient_id))
    return render_template(
        "clinic/family.html", staff=staff, clinic=staff.clinic, family=link.patient, link=link,
        alerts=clinics.open_alerts(patient_id), now=utc_now(), button=ButtonForm(), request_form=form)


# ----------------------------------------------------------------------------------------------
# Staff: the team and each one's settings

@bp.route("/clinic/<int:clinic_id>/staff", methods=["GET", "POST"])
@login_required
def staff_page(clinic_id):
    admin = staff_or_404(clinic_id, "admin")
    form = StaffInviteForm()
    if not form.language.data:
        form.language.data = str(get_locale())
    invite = None
    if form.validate_on_submit():
        invite = clinics.invite_staff(admin.clinic, current_user, form.email.data, form.role.data,
                                      form.profession.data, form.language.data)
        flash(_("The invite is ready. It works once, for %(days)d days.", days=clinics.INVITE_DAYS), "success")
    return render_template("clinic/staff.html", staff=admin, clinic=admin.clinic, form=form, new_invite=invite,
                           members=clinics.current_staff(clinic_id), invites=clinics.open_staff_invites(clinic_id),
                           button=ButtonForm())


@bp.route("/clinic/<int:clinic_id>/staff/<int:staff_id>/remove", methods=["POST"])
@login_required
def remove_staff(clinic_id, staff_id):
    staff_or_404(clinic_id, "admin")
    member = clinics.staff_by_id(clinic_id, staff_id) or abort(404)
    if ButtonForm().validate_on_submit():
        try:
            clinics.remove_staff(member)
            flash(_("%(name)s has left the clinic's staff.", name=member.user.name), "success")
        except clinics.ClinicRuleBroken as broken:
            flash(broken.message, "error")
    return redirect(url_for("clinic.staff_page", clinic_id=clinic_id))


@bp.route("/clinic/<int:clinic_id>/settings", methods=["GET", "POST"])
@login_required
def settings(clinic_id):
    staff = staff_or_404(clinic_id)
    form = StaffSettingsForm()
    if form.validate_on_submit():
        clinics.save_staff_settings(staff, form.chosen("push"), form.chosen("email"),
                                    form.show_names.data if staff.role == "admin" else None)
        flash(_("Saved."), "success")
        return redirect(url_for("clinic.settings", clinic_id=clinic_id))
    if request.method == "GET":
        form.load(staff, alerts.levels_for(staff, "push"), alerts.levels_for(staff, "email"))
    return render_template("clinic/settings.html", staff=staff, clinic=staff.clinic, form=form,
                           vapid_key=push.vapid_keys()["public"], devices=push.subscriptions_of(current_user.id))


@bp.route("/clinic/join/<token>", methods=["GET", "POST"])
@login_required
def join(token):
    invite = clinics.usable_staff_invite(token)
    if invite is None:
        return render_template("patients/invite_gone.html"), 410
    form = ButtonForm()
    if form.validate_on_submit():
        if not clinics.accept_staff_invite(invite, current_user):
            return render_template("patients/invite_gone.html"), 410
        flash(_("You are on the staff of %(clinic)s.", clinic=invite.clinic.name), "success")
        return redirect(url_for("clinic.dashboard", clinic_id=invite.clinic_id))
    return render_template("clinic/join.html", invite=invite, form=form,
                           role=catalogue.CLINIC_ROLES[invite.role])


# ----------------------------------------------------------------------------------------------
# The family: linking the diary, the clinic's reads, its requests

@bp.route("/patients/<int:patient_id>/clinics", methods=["GET", "POST"])
@login_required
def family_clinics(patient_id):
    membership = membership_or_404(patient_id, "owner")
    form = LinkCodeForm()
    if form.validate_on_submit():
        if clinics.clinic_by_code(form.code.data) is not None:
            return redirect(url_for("clinic.consent", patient_id=patient_id, code=form.code.data.strip()))
        form.code.errors.append(_("No clinic has this code. Check it with the clinic."))
    return render_template("clinic/family_clinics.html", patient=membership.patient, membership=membership,
                           form=form, links=clinics.links_of(patient_id), reads=clinics.reads_of(patient_id),
                           button=ButtonForm())


@bp.route("/patients/<int:patient_id>/clinics/consent", methods=["GET", "POST"])
@login_required
def consent(patient_id):
    membership = membership_or_404(patient_id, "owner")
    form = ConsentForm()
    code = form.code.data if request.method == "POST" else request.args.get("code")
    clinic = clinics.clinic_by_code(code)
    if clinic is None:  # an old or mistyped link: start again from the code
        flash(_("No clinic has this code. Check it with the clinic."), "error")
        return redirect(url_for("clinic.family_clinics", patient_id=patient_id))
    if form.validate_on_submit():
        clinics.link_clinic(membership.patient, clinic, current_user, form.full_history.data)
        flash(_("%(clinic)s can now follow this diary. You can end this at any time.", clinic=clinic.name), "success")
        return redirect(url_for("clinic.family_clinics", patient_id=patient_id))
    form.code.data = code
    return render_template("clinic/consent.html", patient=membership.patient, membership=membership, clinic=clinic,
                           form=form)


@bp.route("/patients/<int:patient_id>/clinics/<int:clinic_link_id>/end", methods=["POST"])
@login_required
def end_link(patient_id, clinic_link_id):
    membership_or_404(patient_id, "owner")
    link = clinics.link_of(patient_id, clinic_link_id) or abort(404)
    if ButtonForm().validate_on_submit() and link.ended_at is None:
        clinics.unlink(link)
        flash(_("%(clinic)s can no longer see this diary.", clinic=link.clinic.name), "success")
    return redirect(url_for("clinic.family_clinics", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/clinic-requests/<int:request_id>/done", methods=["POST"])
@login_required
def request_done(patient_id, request_id):
    membership_or_404(patient_id, "log")
    asked = clinics.request_of(patient_id, request_id) or abort(404)
    if ButtonForm().validate_on_submit():
        clinics.mark_request_done(asked)
    return redirect(url_for("diary.home", patient_id=patient_id))
