"""The family owns the data: export it all (JSON, CSV, FHIR R4), bring it back exactly, delete it for good."""
import csv
import io
import json
import re
from datetime import date, datetime

from fhir.resources.bundle import Bundle
from sqlalchemy import func, select, text

from caregiver.extensions import db
from caregiver.models import (
    CheckInItem, CustomSymptom, Entry, Invite, Membership, Patient, Revision, ShareLink, ShareView, User,
)

from .conftest import PASSWORD, make_patient, make_user, sign_in


def edge_case_diary(app, owner_id):
    """A diary with the values exports like to lose: zeros, blanks, a medicine without a dose,
    times in three zones (one across a DST change), a deleted entry, history, a check-in, own symptoms."""
    patient_id = make_patient(app, owner_id, birth_year=None, height_cm=172.0, usual_weight_kg=None, weight_unit="lb",
                              neurologist="", clinic=None, allergies="None known\nlatex?", onset_month=date(2024, 5, 1),
                              onset_region="arm", feeding_tube=False, emergency_contacts=None)
    with app.app_context():
        hiccups = CustomSymptom(patient_id=patient_id, name="Hiccups <b>", group="general")
        db.session.add(hiccups)
        db.session.flush()
        checkin = Entry(patient_id=patient_id, kind="checkin", value=0.0, tz="Asia/Kolkata",
                        occurred_at=datetime(2026, 3, 29, 0, 30), reported_by_id=owner_id)
        checkin.checkin_items = [CheckInItem(domain=d, score=0) for d in (
            "speech", "saliva", "swallowing", "handwriting", "cutting", "dressing", "turning", "walking",
            "stairs", "dyspnoea", "orthopnoea", "breathing_support")]
        edited = Entry(patient_id=patient_id, kind="symptom", symptom_key="cramps", severity=0, region="calf",
                       side="left", note="", tz="Europe/London", occurred_at=datetime(2026, 3, 29, 1, 30),
                       updated_at=datetime(2026, 3, 30, 9, 0), reported_by_id=owner_id)
        edited.revisions = [Revision(action="edited", changed_at=datetime(2026, 3, 30, 9, 0),
                                     changes={"severity": [3, 0]}, changed_by_id=owner_id)]
        db.session.add_all([
            checkin, edited,
            Entry(patient_id=patient_id, kind="symptom", custom_symptom_id=hiccups.id, tz="America/New_York",
                  occurred_at=datetime(2026, 11, 1, 5, 30), source="patient"),
            Entry(patient_id=patient_id, kind="medication", name="Riluzole", dose=None, tz="UTC",
                  occurred_at=datetime(2025, 1, 1, 12, 0), ended_on=date(2026, 1, 1)),
            Entry(patient_id=patient_id, kind="weight", value=0.0 + 61.23, tz="UTC", occurred_at=datetime(2026, 1, 2)),
            Entry(patient_id=patient_id, kind="event", event_type="fall", injured=False, tz="UTC",
                  occurred_at=datetime(2026, 1, 3), deleted_at=datetime(2026, 1, 4)),
            Entry(patient_id=patient_id, kind="question", note="Is 0 % right?", tz="UTC",
                  occurred_at=datetime(2026, 1, 5), done_at=None),
            Entry(patient_id=patient_id, kind="carer", value=0.0, note="   ", tz="UTC", occurred_at=datetime(2026, 1, 6)),
        ])
        db.session.commit()
    return patient_id


def without_identities(backup):
    """What must survive a round trip: everything but ids, UUIDs and the moment of export."""
    backup = json.loads(json.dumps(backup))
    backup.pop("exported_at")
    for entry in backup["entries"]:
        entry.pop("uuid")
    return backup


def test_export_import_export_gives_the_same_data_to_the_last_field(app, client):
    owner = make_user(app)
    patient_id = edge_case_diary(app, owner)
    sign_in(client)
    first = client.get(f"/patients/{patient_id}/export.json")
    assert first.headers["Content-Disposition"].startswith("attachment") and first.headers["Cache-Control"] == "no-store"
    backup = json.loads(first.data)
    entries = {entry["kind"] + str(entry["symptom"] or entry["custom_symptom"] or entry["event_type"] or ""): entry for entry in backup["entries"]}
    assert entries["checkin"]["occurred_at"] == "2026-03-29T06:00:00+05:30"  # its own zone kept
    assert entries["symptomcramps"]["occurred_at"] == "2026-03-29T02:30:00+01:00"  # just after the clocks went forward
    assert entries["symptomcramps"]["severity"] == 0 and entries["symptomcramps"]["note"] == ""
    assert entries["medication"]["dose"] is None and entries["eventfall"]["deleted_at"] is not None
    assert backup["patient"]["height_cm"] == 172.0 and backup["patient"]["neurologist"] == "" \
        and backup["patient"]["clinic"] is None
    assert entries["checkin"]["checkin"]["speech"] == 0

    imported = client.post("/patients/import", data={"backup": (io.BytesIO(first.data), "backup.json")},
                           content_type="multipart/form-data")
    assert imported.status_code == 302, re.findall(r"Nothing was changed[^<]*", imported.get_data(as_text=True))
    with app.app_context():
        new_id = db.session.scalar(select(func.max(Patient.id)))
    assert new_id != patient_id
    second = json.loads(client.get(f"/patients/{new_id}/export.json").data)
    assert without_identities(second) == without_identities(backup)


def test_a_broken_or_foreign_file_is_refused_and_changes_nothing(app, client, carer):
    for content in (b"not json", b"{}", json.dumps({"format": "mnd-diary-backup", "version": 1}).encode(),
                    json.dumps({"format": "mnd-diary-backup", "version": 1, "patient": {"display_name": "X",
                               "diagnosis": "flu", "weight_unit": "kg"}, "entries": []}).encode(), "é".encode("latin-1")):
        page = client.post("/patients/import", data={"backup": (io.BytesIO(content), "b.json")},
                           content_type="multipart/form-data")
        assert page.status_code == 200 and "Nothing was changed" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Patient)) == 1


def test_csv_has_one_row_per_entry(app, client):
    owner = make_user(app)
    patient_id = edge_case_diary(app, owner)
    sign_in(client)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/patients/{patient_id}/export.csv").get_data(as_text=True))))
    with app.app_context():
        assert len(rows) == db.session.scalar(select(func.count()).select_from(Entry).where(Entry.patient_id == patient_id))
    hiccups = next(row for row in rows if row["symptom"] == "Hiccups <b>")
    assert hiccups["group"] == "general" and hiccups["source"] == "patient"
    assert next(row for row in rows if row["kind"] == "checkin")["checkin_walking"] == "0"


def test_the_fhir_export_is_a_valid_r4_bundle(app, client, demo):
    response = client.get(f"/patients/{demo}/export.fhir.json")
    assert response.mimetype == "application/fhir+json"
    data = json.loads(response.data)
    bundle = Bundle.parse_obj(data)  # fhir.resources 6.4: the FHIR 4.0.1 (R4) structures
    kinds = {entry.resource.resource_type for entry in bundle.entry}
    assert kinds == {"Patient", "Condition", "Observation", "MedicationStatement"}
    weights = [e.resource for e in bundle.entry if e.resource.resource_type == "Observation"
               and e.resource.code.coding and e.resource.code.coding[0].code == "29463-7"]
    assert weights and weights[0].valueQuantity.code == "kg"
    assert any(e.resource.resource_type == "Condition" and e.resource.code.coding[0].code == "86044005"
               for e in bundle.entry)


def rows_mentioning(app, patient_id, needle):
    """Every row left anywhere that belongs to the patient or holds the needle text."""
    with app.app_context():
        found = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()).mappings():
                values = dict(row)
                if values.get("patient_id") == patient_id or (table.name == "patient" and values["id"] == patient_id) \
                        or any(needle in str(value) for value in values.values()):
                    found.append((table.name, values))
        return found


def test_deleting_a_diary_takes_two_confirmations_and_leaves_nothing(app, client):
    owner = make_user(app)
    helper = make_user(app, "son@example.org")
    patient_id = edge_case_diary(app, owner)
    with app.app_context():
        db.session.add(Membership(patient_id=patient_id, user_id=helper, role="log"))
        db.session.add(Invite(patient_id=patient_id, role="read", expires_at=datetime(2100, 1, 1)))
        link = ShareLink(patient_id=patient_id, options={}, expires_at=datetime(2100, 1, 1))
        link.views = [ShareView(format="html")]
        db.session.add(link)
        db.session.commit()
    sign_in(client)
    url = f"/patients/{patient_id}/delete"
    assert client.post(url, data={"name": "Ravi"}).status_code == 200  # the box not ticked
    assert client.post(url, data={"understood": "y", "name": "Ravii"}).status_code == 200  # the name wrong
    assert rows_mentioning(app, patient_id, "Hiccups")
    deleted = client.post(url, data={"understood": "y", "name": "Ravi"})
    assert deleted.status_code == 302
    assert rows_mentioning(app, patient_id, "Hiccups") == []
    with app.app_context():
        assert db.session.get(User, helper) is not None  # the people stay
        for model in (Entry, CheckInItem, Revision, CustomSymptom, Invite, ShareLink, ShareView):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_deleting_an_account_takes_its_own_diaries_and_leaves_shared_ones(app, client):
    owner = make_user(app)
    partner = make_user(app, "partner@example.org", "Partner")
    own = make_patient(app, owner, name="Only mine")
    shared = make_patient(app, owner, name="Shared", members=[(partner, "owner")])
    with app.app_context():
        db.session.add(Entry(patient_id=shared, kind="symptom", symptom_key="cramps", occurred_at=datetime(2026, 1, 1),
                             reported_by_id=owner))
        db.session.commit()
    sign_in(client)
    page = client.get("/account/delete").get_data(as_text=True)
    warning = page.split('banner-danger')[1].split('<form method="post" novalidate')[0]
    assert "Only mine" in warning and "Shared" not in warning
    assert client.post("/account/delete", data={"password": "wrong", "understood": "y"}).status_code == 200
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 200  # the box not ticked
    assert client.post("/account/delete", data={"password": PASSWORD, "understood": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, owner) is None and db.session.get(Patient, own) is None
        assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == owner)) == 0
        entry = db.session.scalar(select(Entry).where(Entry.patient_id == shared))
        assert entry is not None and entry.reported_by_id is None  # "a former team member"
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
    assert client.get("/patients/").status_code == 302  # signed out
