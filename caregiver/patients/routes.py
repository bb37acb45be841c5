"""Patient profiles, the care team and invites; the diary exported, imported and deleted."""
import json
from datetime import timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import catalogue
from ..access import membership_or_404, my_memberships
from ..extensions import db
from ..forms import ButtonForm, stripped
from ..i18n import utc_now
from ..models import Invite, Membership, Patient, erase_patients
from . import bp
from .backup import BackupError, export_backup, export_csv, import_backup
from .fhir import fhir_bundle
from .forms import DeletePatientForm, ImportForm, InviteForm, MemberRoleForm, PatientForm


@bp.route("/patients/")
@login_required
def index():
    memberships = my_memberships()
    if len(memberships) == 1:
        return redirect(url_for("diary.home", patient_id=memberships[0].patient_id))
    return render_template("patients/index.html", memberships=memberships)


@bp.route("/patients/new", methods=["GET", "POST"])
@login_required
def new():
    form = PatientForm()
    if form.validate_on_submit():
        patient = Patient()
        fill_patient(patient, form)
        db.session.add(patient)
        db.session.add(Membership(patient=patient, user=current_user, role="owner", is_patient=form.is_me.data))
        db.session.commit()
        flash(_("%(name)s's diary is ready. Tap a symptom to log it.", name=patient.display_name), "success")
        return redirect(url_for("diary.home", patient_id=patient.id))
    return render_template("patients/edit.html", form=form, patient=None)


@bp.route("/patients/<int:patient_id>/edit", methods=["GET", "POST"])
@login_required
def edit(patient_id):
    membership = membership_or_404(patient_id, need="owner")
    patient = membership.patient
    form = PatientForm(obj=patient)
    if not form.is_submitted():
        form.is_me.data = membership.is_patient
        if patient.usual_weight_kg is not None:
            form.usual_weight.data = round(catalogue.from_kg(patient.usual_weight_kg, patient.weight_unit), 1)
        form.onset_region.data = patient.onset_region or ""
    if form.validate_on_submit():
        fill_patient(patient, form)
        membership.is_patient = form.is_me.data
        db.session.commit()
        flash(_("The profile is saved."), "success")
        return redirect(url_for("diary.home", patient_id=patient.id))
    return render_template("patients/edit.html", form=form, patient=patient)


def fill_patient(patient, form):
    patient.display_name = form.display_name.data.strip()
    patient.birth_year = form.birth_year.data
    patient.diagnosis = form.diagnosis.data
    patient.onset_month = form.onset_month.data
    patient.onset_region = form.onset_region.data or None
    patient.height_cm = float(form.height_cm.data) if form.height_cm.data is not None else None
    patient.weight_unit = form.weight_unit.data
    patient.usual_weight_kg = (
        catalogue.to_kg(form.usual_weight.data, form.weight_unit.data)
        if form.usual_weight.data is not None else None
    )
    patient.neurologist = stripped(form.neurologist.data)
    patient.clinic = stripped(form.clinic.data)
    patient.feeding_tube = form.feeding_tube.data
    patient.breathing_support = form.breathing_support.data
    patient.niv_settings_holder = stripped(form.niv_settings_holder.data)
    patient.allergies = stripped(form.allergies.data)
    patient.emergency_contacts = stripped(form.emergency_contacts.data)


@bp.route("/patients/<int:patient_id>/team", methods=["GET", "POST"])
@login_required
def team(patient_id):
    membership = membership_or_404(patient_id, need="owner" if request.method == "POST" else "read")
    patient = membership.patient
    form = InviteForm()
    new_invite = None
    if form.validate_on_submit():
        new_invite = Invite(
            patient=patient,
            role=form.role.data,
            is_patient=form.is_patient.data,
            created_by=current_user,
            expires_at=utc_now() + timedelta(days=current_app.config["INVITE_DAYS"]),
        )
        db.session.add(new_invite)
        db.session.commit()
    members = db.session.scalars(
        select(Membership).where(Membership.patient_id == patient.id).order_by(Membership.created_at)
    ).all()
    open_invites = db.session.scalars(
        select(Invite).where(
            Invite.patient_id == patient.id, Invite.used_at.is_(None), Invite.expires_at > utc_now()
        ).order_by(Invite.created_at)
    ).all() if membership.allows("owner") else []
    role_forms = {m.id: MemberRoleForm(prefix=f"m{m.id}", role=m.role) for m in members}
    return render_template(
        "patients/team.html", patient=patient, membership=membership, members=members,
        invites=open_invites, form=form, new_invite=new_invite, role_forms=role_forms,
        button=ButtonForm(),
    )


def team_member_or_404(patient_id, member_id):
    membership_or_404(patient_id, need="owner")
    member = db.session.scalar(
        select(Membership).where(Membership.id == member_id, Membership.patient_id == patient_id)
    )
    return member or abort(404)


def owner_count(patient_id):
    return db.session.scalar(
        select(func.count()).where(Membership.patient_id == patient_id, Membership.role == "owner")
    )


@bp.route("/patients/<int:patient_id>/team/<int:member_id>/role", methods=["POST"])
@login_required
def change_role(patient_id, member_id):
    member = team_member_or_404(patient_id, member_id)
    form = MemberRoleForm(prefix=f"m{member.id}")
    if form.validate_on_submit():
        if member.role == "owner" and form.role.data != "owner" and owner_count(patient_id) == 1:
            flash(_("A diary needs at least one person who manages the team."), "error")
        else:
            member.role = form.role.data
            db.session.commit()
            flash(_("%(name)s's role is changed.", name=member.user.name), "success")
    else:
        flash(_("Nothing was changed. Please try again."), "error")
    return redirect(url_for("patients.team", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/team/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(patient_id, member_id):
    member = team_member_or_404(patient_id, member_id)
    if ButtonForm().validate_on_submit():
        if member.role == "owner" and owner_count(patient_id) == 1:
            flash(_("A diary needs at least one person who manages the team."), "error")
        else:
            name, user_id = member.user.name, member.user_id
            db.session.delete(member)
            db.session.commit()
            flash(_("%(name)s is no longer in the care team.", name=name), "success")
            if user_id == current_user.id:
                return redirect(url_for("patients.index"))
    return redirect(url_for("patients.team", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/invites/<int:invite_id>/cancel", methods=["POST"])
@login_required
def cancel_invite(patient_id, invite_id):
    membership_or_404(patient_id, need="owner")
    invite = db.session.scalar(
        select(Invite).where(Invite.id == invite_id, Invite.patient_id == patient_id)
    ) or abort(404)
    if ButtonForm().validate_on_submit():
        db.session.delete(invite)
        db.session.commit()
        flash(_("The invite link no longer works."), "success")
    return redirect(url_for("patients.team", patient_id=patient_id))


def usable_invite(token):
    invite = db.session.scalar(select(Invite).where(Invite.token == token))
    if invite is None or invite.used_at is not None or invite.expires_at <= utc_now():
        return None
    return invite


@bp.route("/invite/<token>", methods=["GET", "POST"])
@login_required
def accept_invite(token):
    invite = usable_invite(token)
    if invite is None:
        return render_template("patients/invite_gone.html"), 404
    form = ButtonForm()
    if form.validate_on_submit():
        existing = db.session.scalar(
            select(Membership).where(
                Membership.patient_id == invite.patient_id, Membership.user_id == current_user.id
            )
        )
        if existing is None:
            db.session.add(Membership(
                patient_id=invite.patient_id, user=current_user, role=invite.role, is_patient=invite.is_patient
            ))
            flash(_("You are now in %(name)s's care team.", name=invite.patient.display_name), "success")
        else:
            flash(_("You were already in %(name)s's care team.", name=invite.patient.display_name), "info")
        invite.used_at = utc_now()
        invite.used_by_id = current_user.id
        db.session.commit()
        return redirect(url_for("diary.home", patient_id=invite.patient_id))
    return render_template("patients/invite.html", invite=invite, form=form)


@bp.route("/patients/<int:patient_id>/profile")
@login_required
def profile(patient_id):
    membership = membership_or_404(patient_id)
    return render_template("patients/profile.html", patient=membership.patient, membership=membership)


def download(body, mimetype, patient, suffix):
    """An export as a file named after the diary and the day, never cached on the way."""
    safe_name = "".join(c for c in patient.display_name if c.isalnum()) or "diary"
    filename = f"mnd-diary-{safe_name}-{utc_now():%Y-%m-%d}.{suffix}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.route("/patients/<int:patient_id>/export.json")
@login_required
def export_json(patient_id):
    patient = membership_or_404(patient_id).patient
    return download(json.dumps(export_backup(patient), ensure_ascii=False, indent=1), "application/json",
                    patient, "json")


@bp.route("/patients/<int:patient_id>/export.csv")
@login_required
def export_spreadsheet(patient_id):
    patient = membership_or_404(patient_id).patient
    return download(export_csv(patient), "text/csv", patient, "csv")


@bp.route("/patients/<int:patient_id>/export.fhir.json")
@login_required
def export_fhir(patient_id):
    patient = membership_or_404(patient_id).patient
    return download(json.dumps(fhir_bundle(patient, utc_now()), ensure_ascii=False, indent=1),
                    "application/fhir+json", patient, "fhir.json")


# A ten-year diary is about 20 MB as JSON; the app's usual limit is for forms, not backups.
BACKUP_SIZE_LIMIT = 64 * 1024 * 1024


@bp.route("/patients/import", methods=["GET", "POST"])
@login_required
def import_diary():
    request.max_content_length = BACKUP_SIZE_LIMIT
    form = ImportForm()
    if form.validate_on_submit():
        try:
            patient = import_backup(json.load(form.backup.data), current_user)
            db.session.commit()
        except (BackupError, ValueError, UnicodeDecodeError) as problem:
            db.session.rollback()
            current_app.logger.warning("backup refused: %s", problem)
            form.backup.errors.append(_("This file is not an MND Diary backup that can be read. Nothing was changed."))
        else:
            flash(_("%(name)s's diary is back, with everything in the backup.", name=patient.display_name), "success")
            return redirect(url_for("diary.home", patient_id=patient.id))
    return render_template("patients/import.html", form=form)


@bp.route("/patients/<int:patient_id>/delete", methods=["GET", "POST"])
@login_required
def delete_patient(patient_id):
    membership = membership_or_404(patient_id, need="owner")
    patient = membership.patient
    form = DeletePatientForm(expected_name=patient.display_name)
    if form.validate_on_submit():
        name = patient.display_name
        erase_patients([patient_id])
        db.session.commit()
        flash(_("%(name)s's diary is deleted.", name=name), "success")
        return redirect(url_for("patients.index"))
    return render_template("patients/delete.html", patient=patient, membership=membership, form=form)

