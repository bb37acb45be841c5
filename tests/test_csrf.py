"""Every form is CSRF-protected; a missing token saves nothing, says so, and keeps what was typed."""
from sqlalchemy import select

from caregiver.extensions import db
from caregiver.clock import utc_now
from caregiver import clinics
from caregiver.models import (
    Alert, ClinicLink, ClinicRequest, ClinicStaff, CustomSymptom, Entry, Invite, Membership, Patient, ShareLink, User,
)

from .conftest import csrf_token, make_patient, make_user, sign_in


def everything(app):
    with app.app_context():
        return [db.session.execute(select(*model.__table__.columns).order_by(model.id)).all()
                for model in (User, Patient, Membership, Invite, Entry, CustomSymptom, ShareLink, Alert, ClinicStaff,
                              ClinicLink, ClinicRequest)]


def test_every_post_route_refuses_a_request_without_a_token(app, client):
    owner = make_user(app)
    patient_id = make_patient(app, owner, members=[(make_user(app, "son@example.org"), "log")])
    with app.app_context():
        entry = Entry(patient_id=patient_id, kind="question", occurred_at=utc_now(), note="Q")
        invite = Invite(patient_id=patient_id, role="log", expires_at=utc_now().replace(year=2100))
        link = ShareLink(patient_id=patient_id, options={}, expires_at=utc_now().replace(year=2100))
        alert = Alert(patient_id=patient_id, key="choking:x", rule="choking", level="urgent")
        db.session.add_all([entry, invite, link, alert])
        db.session.commit()
        entry_id, invite_id, token, link_id, alert_id = entry.id, invite.id, invite.token, link.id, alert.id
        member_id = db.session.scalar(select(Membership.id).where(Membership.user_id != owner))
        # The owner also runs a clinic that follows the diary, so the clinic's forms are tried too.
        clinic = clinics.create_clinic("Clinic", db.session.get(User, owner))
        clinic_link = clinics.link_clinic(db.session.get(Patient, patient_id), clinic, db.session.get(User, owner), False)
        nurse = ClinicStaff(clinic=clinic, user_id=make_user(app, "nurse@example.org"), role="clinician",
                            profession="nurse")
        db.session.add(nurse)
        db.session.flush()
        asked = ClinicRequest(patient_id=patient_id, staff_id=nurse.id, text="Weigh him")
        db.session.add(asked)
        db.session.commit()
        clinic_values = {"clinic_id": clinic.id, "clinic_link_id": clinic_link.id, "request_id": asked.id,
                         "staff_id": nurse.id}
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True
    before = everything(app)
    values = {"patient_id": patient_id, "entry_id": entry_id, "member_id": member_id, "invite_id": invite_id,
              "ref": "cramps", "kind": "question", "token": token, "link_id": link_id, "delivery_id": 1, "alert_id": alert_id,
              **clinic_values}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        data = {"note": "typed", "name": "typed", "email": "carer@example.org", "password": "x" * 12,
                "confirm": "x" * 12, "current": "x", "role": "log", "group": "general", f"m{member_id}-role": "read",
                "timezone": "UTC", "region": "calf", "side": "left"}
        response = client.post(url, data=data)
        assert response.status_code in (200, 302, 400, 410), (url, response.status_code)  # 410: a reset link of no one
        assert everything(app) == before, url
        checked += 1
    assert checked >= 15
    assert client.get("/account/settings").status_code == 200  # still signed in: sign-out refused too


def test_an_expired_form_keeps_the_typed_text_and_explains(app, client):
    owner = make_user(app)
    patient_id = make_patient(app, owner)
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.post(f"/patients/{patient_id}/new/question", data={"note": "Ask about the feeding tube"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nothing was saved: please check it and press the button again." in html
    assert "Ask about the feeding tube</textarea>" in html
    # The page carries a fresh token: pressing the button again saves.
    client.post(f"/patients/{patient_id}/new/question",
                data={"note": "Ask about the feeding tube", "csrf_token": csrf_token(html)})
    with app.app_context():
        assert db.session.scalar(select(Entry.note)) == "Ask about the feeding tube"
