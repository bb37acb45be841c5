"""The data version: every write a diary's pages show moves it on, in the same transaction."""
import io
import json

import pytest
from sqlalchemy import select

from caregiver import team
from caregiver.extensions import db
from caregiver.models import Entry, Membership, Patient, User
from tests.conftest import make_patient, make_user
from tests.test_diary import local_now
from tests.test_patients import PROFILE


def version(app, patient_id):
    with app.app_context():
        return db.session.scalar(select(Patient.data_version).where(Patient.id == patient_id))


def first_entry(app, patient_id):
    with app.app_context():
        return db.session.scalar(select(Entry.id).where(Entry.patient_id == patient_id).order_by(Entry.id))


WRITES = {
    "log": lambda client, p, app: client.post(f"/patients/{p}/log/cramps", data={"region": "calf", "side": "left"}),
    "entry": lambda client, p, app: client.post(f"/patients/{p}/new/weight",
                                                data={"weight": "70", "occurred_at": local_now(5), "source": "carer"}),
    "edit": lambda client, p, app: client.post(f"/patients/{p}/entries/{first_entry(app, p)}/edit", data={
        "symptom": "cramps", "severity": "6", "occurred_at": local_now(9), "source": "carer"}),
    "delete": lambda client, p, app: client.post(f"/patients/{p}/entries/{first_entry(app, p)}/delete"),
    "profile": lambda client, p, app: client.post(f"/patients/{p}/edit", data={**PROFILE, "display_name": "Ravi K"}),
    "question": lambda client, p, app: client.post(f"/patients/{p}/questions", data={"note": "Is it the tablets?"}),
    "sync": lambda client, p, app: client.post(f"/patients/{p}/sync", json={"entries": [{
        "uuid": "2f1e0d4c-1111-4aaa-8bbb-0123456789ab", "kind": "symptom", "tz": "Europe/London",
        "fields": {"symptom": "cramps", "occurred_at": local_now(3), "source": "carer"}}]}),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_moves_the_diarys_version_on_and_no_other(app, client, carer, write):
    _user, patient_id = carer
    other = make_user(app, "other@example.org")
    other_patient = make_patient(app, other, name="Someone else")
    client.post(f"/patients/{patient_id}/log/cramps", data={"region": "calf", "side": "right"})
    before, others_before = version(app, patient_id), version(app, other_patient)
    response = WRITES[write](client, patient_id, app)
    assert response.status_code == 302 or response.is_json, response.get_data(as_text=True)[:300]
    assert version(app, patient_id) > before
    assert version(app, other_patient) == others_before


def test_undo_import_and_team_changes_move_the_version_on(app, client, carer):
    user_id, patient_id = carer
    client.post(f"/patients/{patient_id}/log/cramps", data={"region": "calf", "side": "right"})
    entry_id = first_entry(app, patient_id)
    client.post(f"/patients/{patient_id}/entries/{entry_id}/delete")
    before = version(app, patient_id)
    client.post(f"/patients/{patient_id}/entries/{entry_id}/restore")
    assert version(app, patient_id) > before

    son = make_user(app, "son@example.org", "Son")
    with app.app_context():
        db.session.add(Membership(patient_id=patient_id, user_id=son, role="read"))
        db.session.commit()
        member = db.session.scalar(select(Membership).where(Membership.user_id == son))
        before = version(app, patient_id)
        team.change_role(member, "log", db.session.get(User, user_id))
        assert version(app, patient_id) > before
        before = version(app, patient_id)
        member = db.session.scalar(select(Membership).where(Membership.user_id == son))
        team.remove_member(member, db.session.get(User, user_id))
        assert version(app, patient_id) > before
        # A member's new name shows on every page of the team's diaries.
        before = version(app, patient_id)
        db.session.get(User, user_id).name = "Priya"
        db.session.commit()
        assert version(app, patient_id) > before

    backup = client.get(f"/patients/{patient_id}/export.json").data
    imported = client.post("/patients/import", data={"backup": (io.BytesIO(backup), "b.json")})
    assert imported.status_code == 302
    with app.app_context():
        new_id = max(db.session.scalars(select(Patient.id)))
        assert db.session.scalar(select(Patient.data_version).where(Patient.id == new_id)) >= 1


def test_a_rolled_back_write_leaves_the_version(app, carer):
    _user, patient_id = carer
    before = version(app, patient_id)
    with app.app_context():
        db.session.get(Patient, patient_id).display_name = "Changed"
        db.session.flush()
        db.session.rollback()
    assert version(app, patient_id) == before
