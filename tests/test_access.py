"""Who may see and do what: every patient route for owner, can-log, can-read, stranger, signed out."""
import pytest
from sqlalchemy import select

from caregiver.extensions import db
from caregiver.clock import utc_now
from caregiver import clinics
from caregiver.models import Alert, ClinicRequest, ClinicStaff, Entry, Invite, Membership, Patient, Recording, ShareLink, User

from .conftest import make_patient, make_user, sign_in

# The role each patient route needs, per method. A new route must be added here, or the test fails.
NEEDS = {
    "diary.home": {"GET": "read"},
    "diary.history": {"GET": "read"},
    "diary.entry_detail": {"GET": "read"},
    "diary.deleted": {"GET": "read"},
    "diary.medications": {"GET": "read"},
    "diary.visits": {"GET": "read"},
    "diary.questions": {"GET": "read", "POST": "log"},
    "diary.symptom_picker": {"GET": "log", "POST": "log"},
    "diary.quick": {"GET": "log", "POST": "log"},
    "diary.new_entry": {"GET": "log", "POST": "log"},
    "diary.edit_entry": {"GET": "log", "POST": "log"},
    "diary.delete_entry": {"POST": "log"},
    "diary.restore_entry": {"POST": "log"},
    "diary.toggle_question": {"POST": "log"},
    "diary.measures": {"GET": "read"},
    "diary.recording": {"GET": "read"},
    "trends.page": {"GET": "read"},
    "reports.new": {"GET": "read"},
    "reports.preview": {"GET": "read"},
    "reports.pdf": {"GET": "read"},
    "reports.share_links": {"GET": "owner", "POST": "owner"},
    "reports.revoke_link": {"POST": "owner"},
    "reports.link_pdf": {"GET": "owner"},
    "reports.emergency_card": {"GET": "read"},
    "reports.emergency_card_pdf": {"GET": "read"},
    "diary.sync": {"POST": "log"},
    "diary.export_json": {"GET": "owner"},
    "diary.export_spreadsheet": {"GET": "owner"},
    "diary.export_fhir": {"GET": "owner"},
    "patients.delete_patient": {"GET": "owner", "POST": "owner"},
    "patients.profile": {"GET": "read"},
    "patients.team": {"GET": "read", "POST": "owner"},
    "patients.edit": {"GET": "owner", "POST": "owner"},
    "patients.change_role": {"POST": "owner"},
    "patients.remove_member": {"POST": "owner"},
    "patients.cancel_invite": {"POST": "owner"},
    "patients.dismiss_delivery": {"POST": "owner"},
    "notifications.index": {"GET": "read"},
    "notifications.alert": {"GET": "read"},
    "notifications.seen": {"POST": "read"},
    "notifications.done": {"POST": "log"},
    "notifications.snooze": {"POST": "log"},
    "notifications.settings": {"GET": "read", "POST": "read"},
    "notifications.schedule": {"POST": "owner"},
    "clinic.family_clinics": {"GET": "owner", "POST": "owner"},
    "clinic.consent": {"GET": "owner", "POST": "owner"},
    "clinic.end_link": {"POST": "owner"},
    "clinic.request_done": {"POST": "log"},
}
RANK = {"read": 0, "log": 1, "owner": 2}


@pytest.fixture
def world(app):
    """Ravi's diary with an owner, a can-log and a can-read member; a stranger with a diary of their own."""
    ids = {name: make_user(app, f"{name}@example.org", name.title()) for name in ("owner", "log", "read", "stranger")}
    patient = make_patient(app, ids["owner"], members=[(ids["log"], "log"), (ids["read"], "read")])
    other_patient = make_patient(app, ids["stranger"], name="Someone else")
    with app.app_context():
        now = utc_now()
        symptom = Entry(patient_id=patient, kind="symptom", symptom_key="cramps", occurred_at=now, note="private")
        question = Entry(patient_id=patient, kind="question", occurred_at=now, note="private question")
        invite = Invite(patient_id=patient, role="log", expires_at=now.replace(year=now.year + 1))
        link = ShareLink(patient_id=patient, options={}, expires_at=now.replace(year=now.year + 1))
        alert = Alert(patient_id=patient, key="choking:private", rule="choking", level="urgent", note="private note")
        measure = Entry(patient_id=patient, kind="measure", measure="speech_rate", value=120, occurred_at=now,
                        details={"passage": "en-1", "seconds": 30}, recording=Recording(mime_type="audio/wav", audio=b"RIFF"))
        db.session.add_all([symptom, question, invite, link, alert, measure])
        db.session.commit()
        # The clinic's side of the diary: a standing link, and a request from its nurse.
        clinic = clinics.create_clinic("Clinic", db.session.get(User, make_user(app, "nurse@example.org", "Nurse")))
        clinic_link = clinics.link_clinic(db.session.get(Patient, patient), clinic, db.session.get(User, ids["owner"]),
                                          False)
        asked = ClinicRequest(patient_id=patient, staff_id=db.session.scalar(select(ClinicStaff.id)), text="Weigh him")
        db.session.add(asked)
        db.session.commit()
        member = db.session.scalar(select(Membership.id).where(Membership.user_id == ids["log"]))
        return {"users": ids, "patient": patient, "other_patient": other_patient, "entry": symptom.id, "alert": alert.id, "measure": measure.id,
                "question": question.id, "invite": invite.id, "member": member, "link": link.id,
                "clinic_link": clinic_link.id, "request": asked.id}


def patient_routes(app, world, patient_id):
    """(endpoint, method, url) for every route that takes a patient id, filled with Ravi's ids.
    The clinic's pages of a family (with a clinic id) have their own matrix in test_clinic.py."""
    for rule in app.url_map.iter_rules():
        if "patient_id" not in rule.arguments or "clinic_id" in rule.arguments:
            continue
        values = {
            "patient_id": patient_id, "member_id": world["member"], "invite_id": world["invite"], "link_id": world["link"],
            "entry_id": {"diary.toggle_question": world["question"], "diary.recording": world["measure"]}.get(
                rule.endpoint, world["entry"]),
            "ref": "cramps", "kind": "symptom", "delivery_id": 1, "alert_id": world["alert"],
            "clinic_link_id": world["clinic_link"], "request_id": world["request"],
        }
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule.endpoint, method, url


def test_every_patient_route_is_in_the_table(app, world):
    found = {(endpoint, method) for endpoint, method, _url in patient_routes(app, world, 1)}
    expected = {(endpoint, method) for endpoint, methods in NEEDS.items() for method in methods}
    assert found == expected


def call(client, method, url):
    if url.endswith("/sync"):
        return client.post(url, json={"entries": []})
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize("role", ["read", "log", "owner"])
def test_members_get_what_their_role_allows_and_403_beyond_it(app, client, world, role):
    sign_in(client, f"{role}@example.org")
    for endpoint, method, url in patient_routes(app, world, world["patient"]):
        need = NEEDS[endpoint][method]
        if method == "POST" and RANK[role] >= RANK[need] and endpoint in (
                "patients.remove_member", "patients.change_role", "patients.cancel_invite", "reports.revoke_link"):
            continue  # allowed and destructive: covered by the care-team tests
        status = call(client, method, url).status_code
        if RANK[role] >= RANK[need]:
            assert status in (200, 302), (role, method, url, status)
        else:
            assert status == 403, (role, method, url, status)


def test_a_stranger_gets_404_on_every_route_and_nothing_changes(app, client, world):
    with app.app_context():
        before = db.session.execute(select(Entry.id, Entry.note, Entry.deleted_at).order_by(Entry.id)).all()
    sign_in(client, "stranger@example.org")
    for endpoint, method, url in patient_routes(app, world, world["patient"]):
        response = call(client, method, url)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "private" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Entry.id, Entry.note, Entry.deleted_at).order_by(Entry.id)).all() == before
        assert db.session.scalar(select(Membership).where(
            Membership.user_id == world["users"]["stranger"], Membership.patient_id == world["patient"])) is None


def test_a_stranger_cannot_reach_ravis_entries_through_their_own_patient(app, client, world):
    """Ids of Ravi's entries, members and invites under the stranger's own patient id are 404 too."""
    sign_in(client, "stranger@example.org")
    for endpoint, method, url in patient_routes(app, world, world["other_patient"]):
        if any(part in url for part in ("/entries/", "/team/", "/invites/", "/questions/", "/links/",
                                        f"/alerts/{world['alert']}", f"/clinics/{world['clinic_link']}/",
                                        "/clinic-requests/")):
            response = call(client, method, url)
            assert response.status_code == 404, (method, url, response.status_code)


def test_signed_out_visitors_are_sent_to_sign_in(app, client, world):
    for endpoint, method, url in patient_routes(app, world, world["patient"]):
        response = call(client, method, url)
        assert response.status_code == 302 and "/account/signin" in response.location, (method, url)
    for url in ("/patients/", "/patients/new", "/account/settings", "/account/password", "/invite/x"):
        assert "/account/signin" in client.get(url).location


def test_patient_list_shows_only_my_diaries(app, client, world):
    sign_in(client, "stranger@example.org")
    page = client.get("/patients/")
    assert page.status_code == 302 and page.location == f"/patients/{world['other_patient']}/"
    assert "Ravi" not in client.get(page.location).get_data(as_text=True)


EXPORTS = ("export.json", "export.csv", "export.fhir.json")


@pytest.mark.parametrize("role", ["read", "log"])
def test_only_those_who_manage_the_team_export_the_diary_or_see_e_mail_addresses(app, client, world, role):
    """Each export is the whole diary, deleted entries included; addresses are the team's to manage."""
    sign_in(client, f"{role}@example.org")
    patient = world["patient"]
    for export in EXPORTS:
        assert client.get(f"/patients/{patient}/{export}").status_code == 403, export
    team_page = client.get(f"/patients/{patient}/team").get_data(as_text=True)
    assert "Owner" in team_page and "@example.org" not in team_page  # the names, not the addresses
    profile = client.get(f"/patients/{patient}/profile").get_data(as_text=True)
    assert "export.json" not in profile and "Backup (JSON)" not in profile


def test_an_owner_exports_and_sees_the_teams_addresses(app, client, world):
    sign_in(client, "owner@example.org")
    patient = world["patient"]
    for export in EXPORTS:
        assert client.get(f"/patients/{patient}/{export}").status_code == 200, export
    team_page = client.get(f"/patients/{patient}/team").get_data(as_text=True)
    assert all(f"{name}@example.org" in team_page for name in ("owner", "log", "read"))
    assert "Backup (JSON)" in client.get(f"/patients/{patient}/profile").get_data(as_text=True)
