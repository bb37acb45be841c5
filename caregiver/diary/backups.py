"""The family's data out (JSON backup, CSV, FHIR) and a backup back in as a new diary."""
import io
import json
import re
import unicodedata

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from ..access import membership_or_404
from ..backup import BACKUP_DEPTH, BackupError, export_backup, export_csv, import_backup, read_backup
from ..clock import utc_now
from ..extensions import db
from ..fhir import fhir_bundle
from ..i18n import gettext as _
from ..payloads import PayloadError, read_json
from . import bp
from .forms import ImportForm
from .restore import check_backup


def file_name_part(name):
    """The diary's name as part of a file name, in its own script: letters, their marks (the vowel
    signs of Devanagari, Bengali and Tamil) and digits stay; spaces, quotes, semicolons, slashes and
    line breaks become dashes, so the name can never break out of the header."""
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" else "-" for c in unicodedata.normalize("NFC", name))
    return re.sub(r"-{2,}", "-", kept).strip("-")[:60].strip("-") or "diary"

# Every export is the whole diary, deleted entries and the team's names included: it is for those
# who manage the team (a "can read" member has the summary and the trends instead).
EXPORTS_NEED = "owner"


def download(body, mimetype, patient, suffix):
    """An export as a file named after the diary and the day, never cached on the way.

    Werkzeug writes the name as RFC 6266 `filename*` (UTF-8) with an ASCII `filename` for old
    browsers: a raw non-Latin name in the header made gunicorn answer 500."""
    filename = f"mnd-diary-{file_name_part(patient.display_name)}-{utc_now():%Y-%m-%d}.{suffix}"
    response = send_file(io.BytesIO(body.encode("utf-8")), mimetype=mimetype, as_attachment=True,
                         download_name=filename, etag=False, conditional=False)
    response.headers["Cache-Control"] = "no-store"
    return response


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
            backup = read_backup(read_json(form.backup.data.read(), BACKUP_DEPTH))
            check_backup(backup)  # the forms' rules, before anything is written
            patient = import_backup(backup, current_user)
            db.session.commit()
        except BackupError as problem:
            db.session.rollback()
            form.backup.errors.append(_("Nothing was changed: this backup cannot be imported. %(problem)s",
                                        problem=str(problem)))
        except (PayloadError, SQLAlchemyError) as problem:
            db.session.rollback()
            current_app.logger.warning("backup refused: %s", problem)
            form.backup.errors.append(_("This file is not an MND Diary backup that can be read. Nothing was changed."))
        else:
            flash(_("%(name)s's diary is back, with everything in the backup.", name=patient.display_name), "success")
            return redirect(url_for("diary.home", patient_id=patient.id))
    return render_template("diary/import.html", form=form)
