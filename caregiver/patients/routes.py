"""Patient profiles, the care team and invites, and deleting a diary."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from .. import clinics, delivery, team
from ..access import membership_or_404, my_memberships
from ..forms import ButtonForm, PatientForm
from ..i18n import gettext as _
from ..navigation import safe_next
from . import bp
from .forms import DeletePatientForm, InviteForm, MemberRoleForm


@bp.route("/patients/")
@login_required
def index():
    memberships = my_memberships()
    places = clinics.staff_of(current_user.id)
    if len(memberships) == 1 and not places:
        return redirect(url_for("diary.home", patient_id=memberships[0].patient_id))
    if not memberships and places:  # clinic staff with no diary of their own
        return redirect(url_for("clinic.index"))
    return render_template("patients/index.html", memberships=memberships, places=places)


@bp.route("/patients/new", methods=["GET", "POST"])
@login_required
def new():
    form = PatientForm()
    if form.validate_on_submit():
        patient = team.start_diary(current_user, form.fill, form.is_me.data)
        flash(_("%(name)s's diary is ready. Tap a symptom to log it.", name=patient.display_name), "success")
        return redirect(url_for("diary.home", patient_id=patient.id))
    return render_template("patients/edit.html", form=form, patient=None)


@bp.route("/patients/<int:patient_id>/edit", methods=["GET", "POST"])
@login_required
def edit(patient_id):
    membership = membership_or_404(patient_id, need="owner")
    form = PatientForm()
    if not form.is_submitted():
        form.load(membership.patient, membership.is_patient)
    if form.validate_on_submit():
        team.save_profile(membership, form.fill, form.is_me.data)
        flash(_("The profile is saved."), "success")
        return redirect(url_for("diary.home", patient_id=patient_id))
    return render_template("patients/edit.html", form=form, patient=membership.patient)


@bp.route("/patients/<int:patient_id>/team", methods=["GET", "POST"], endpoint="team")
@login_required
def team_page(patient_id):
    membership = membership_or_404(patient_id, need="owner" if request.method == "POST" else "read")
    form = InviteForm()
    if not form.is_submitted():
        form.language.data = str(get_locale())
    new_invite = None
    if form.validate_on_submit():
        new_invite = team.create_invite(membership.patient, current_user, form.role.data, form.is_patient.data,
                                        current_app.config["INVITE_DAYS"], form.email.data, form.chosen_language())
    members = team.members(patient_id)
    return render_template(
        "patients/team.html", patient=membership.patient, membership=membership, members=members,
        invites=team.open_invites(patient_id) if membership.allows("owner") else [], form=form,
        failed_deliveries=delivery.failed_deliveries(patient_id) if membership.allows("owner") else [],
        new_invite=new_invite, role_forms={m.id: MemberRoleForm(prefix=f"m{m.id}", role=m.role) for m in members},
        button=ButtonForm(),
    )


def team_member_or_404(patient_id, member_id):
    membership_or_404(patient_id, need="owner")
    return team.member_of(patient_id, member_id) or abort(404)


@bp.route("/patients/<int:patient_id>/team/<int:member_id>/role", methods=["POST"])
@login_required
def change_role(patient_id, member_id):
    member = team_member_or_404(patient_id, member_id)
    form = MemberRoleForm(prefix=f"m{member.id}")
    if not form.validate_on_submit():
        flash(_("Nothing was changed. Please try again."), "error")
        return redirect(url_for("patients.team", patient_id=patient_id))
    try:
        team.change_role(member, form.role.data, current_user)
    except team.TeamRuleBroken as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("%(name)s's role is changed.", name=member.user.name), "success")
    return redirect(url_for("patients.team", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/team/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(patient_id, member_id):
    member = team_member_or_404(patient_id, member_id)
    if ButtonForm().validate_on_submit():
        name, user_id = member.user.name, member.user_id
        try:
            team.remove_member(member, current_user)
        except team.TeamRuleBroken as refusal:
            flash(refusal.message, "error")
        else:
            flash(_("%(name)s is no longer in the care team.", name=name), "success")
            if user_id == current_user.id:
                return redirect(url_for("patients.index"))
    return redirect(url_for("patients.team", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/invites/<int:invite_id>/cancel", methods=["POST"])
@login_required
def cancel_invite(patient_id, invite_id):
    membership_or_404(patient_id, need="owner")
    invite = team.invite_of(patient_id, invite_id) or abort(404)
    if ButtonForm().validate_on_submit():
        team.cancel_invite(invite)
        flash(_("The invite link no longer works."), "success")
    return redirect(url_for("patients.team", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/deliveries/<int:delivery_id>/dismiss", methods=["POST"])
@login_required
def dismiss_delivery(patient_id, delivery_id):
    membership_or_404(patient_id, need="owner")
    if ButtonForm().validate_on_submit():
        delivery.dismiss_failure(patient_id, delivery_id)
    return redirect(safe_next(url_for("diary.home", patient_id=patient_id)))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@login_required
def accept_invite(token):
    invite = team.usable_invite(token)
    if invite is None:
        return render_template("patients/invite_gone.html"), 404
    form = ButtonForm()
    if form.validate_on_submit():
        name, patient_id = invite.patient.display_name, invite.patient_id
        outcome = team.accept_invite(invite, current_user)
        if outcome == "gone":  # someone else used it in the same moment
            return render_template("patients/invite_gone.html"), 404
        if outcome == "joined":
            flash(_("You are now in %(name)s's care team.", name=name), "success")
        else:
            flash(_("You were already in %(name)s's care team.", name=name), "info")
        return redirect(url_for("diary.home", patient_id=patient_id))
    return render_template("patients/invite.html", invite=invite, form=form)


@bp.route("/patients/<int:patient_id>/profile")
@login_required
def profile(patient_id):
    membership = membership_or_404(patient_id)
    return render_template("patients/profile.html", patient=membership.patient, membership=membership)


@bp.route("/patients/<int:patient_id>/delete", methods=["GET", "POST"])
@login_required
def delete_patient(patient_id):
    membership = membership_or_404(patient_id, need="owner")
    patient = membership.patient
    form = DeletePatientForm(expected_name=patient.display_name)
    if form.validate_on_submit():
        name = patient.display_name
        team.delete_diary(patient_id)
        flash(_("%(name)s's diary is deleted.", name=name), "success")
        return redirect(url_for("patients.index"))
    return render_template("patients/delete.html", patient=patient, membership=membership, form=form)
