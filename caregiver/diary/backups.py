"""The family's data out (JSON backup, CSV, FHIR) and a backup back in as a new diary."""
import json

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import membership_or_404
from ..backup import BackupError, export_backup, export_csv, import_backup
from ..clock import utc_now
from ..extensions import db
from ..fhir import fhir_bundle
from . import bp
from .forms import ImportForm

# Every export is the whole diary, deleted entries and the team's names included: it is for those
# who manage the team (a "can read" member has the summary and the trends instead).
EXPORTS_NEED = "owner"


def download(body, mimetype, patient, suffix):
    """An export as a file named after the diary and the day, never cached on the way."""
    safe_name = "".join(c for c in patient.display_name if c.isalnum()) or "diary"
    filename = f"mnd-diary-{safe_name}-{utc_now():%Y-%m-%d}.{suffix}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.route("/patients/<int:patient_id>/export.json")
@login_required
def export_json(patient_id):
    patient = membership_or_404(patient_id, need=EXPORTS_NEED).patient
    return download(json.dumps(export_backup(patient), ensure_ascii=False, indent=1), "application/json",
                    patient, "json")


@bp.route("/patients/<int:patient_id>/export.csv")
@login_required
def export_spreadsheet(patient_id):
    patient = membership_or_404(patient_id, need=EXPORTS_NEED).patient
    return download(export_csv(patient), "text/csv", patient, "csv")


@bp.route("/patients/<int:patient_id>/export.fhir.json")
@login_required
def export_fhir(patient_id):
    patient = membership_or_404(patient_id, need=EXPORTS_NEED).patient
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
    return render_template("diary/import.html", form=form)
