"""Files in and out: exports named in every script we ship, spreadsheets that run no formula,
backups held to the forms' rules."""
import csv
import io
import urllib.parse
import urllib.request

import pytest
from werkzeug.http import parse_options_header

from caregiver.extensions import db
from caregiver.models import Entry, Patient

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
