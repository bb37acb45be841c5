"""Patient profiles and the care team: invites, roles, leaving."""
from datetime import date, timedelta

from sqlalchemy import select

from caregiver.extensions import db
from caregiver.clock import utc_now
from caregiver.models import Invite, Membership, Patient

from .conftest import make_patient, make_user, sign_in

PROFILE = {
    "display_name": "Ravi", "birth_year": "1958", "diagnosis": "als", "onset_month": "2024-05",
    "onset_region": "arm", "height_cm": "175", "weight_unit": "kg", "usual_weight": "78.5",
    "neurologist": "Dr A. Okafor", "clinic": "City Hospital", "breathing_support": "niv", "feeding_tube": "y",
}


def test_a_carer_starts_a_diary_with_a_full_profile(app, client):
    user_id = make_user(app)
    sign_in(client)
    response = client.post("/patients/new", data=PROFILE)
    with app.app_context():
        patient = db.session.scalar(select(Patient))
        assert response.location == f"/patients/{patient.id}/"
        assert (patient.birth_year, patient.onset_month, patient.onset_region) == (1958, date(2024, 5, 1), "arm")
        assert (patient.height_cm, patient.usual_weight_kg, patient.weight_unit) == (175.0, 78.5, "kg")
        assert (patient.breathing_support, patient.feeding_tube) == ("niv", True)
        membership = db.session.scalar(select(Membership))
        assert (membership.user_id, membership.role, membership.is_patient) == (user_id, "owner", False)
    profile = client.get(f"/patients/{patient.id}/profile").get_data(as_text=True)
    assert "ALS (amyotrophic lateral sclerosis)" in profile and "May 2024" in profile


def test_optional_profile_fields_stay_empty(app, client):
    make_user(app)
    sign_in(client)
    client.post("/patients/new", data={"display_name": "Ravi", "diagnosis": "undiagnosed", "weight_unit": "lb",
                                       "breathing_support": "none", "onset_region": ""})
    with app.app_context():
        patient = db.session.scalar(select(Patient))
        assert patient.birth_year is None and patient.onset_month is None and patient.onset_region is None
        assert patient.usual_weight_kg is None and patient.neurologist is None


def test_profile_validation(app, client):
    make_user(app)
    sign_in(client)
    next_month = (date.today().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
    cases = [
        ({"usual_weight": "0"}, "between 20 and 300 kg"),
        ({"usual_weight": "900"}, "between 20 and 300 kg"),
        ({"weight_unit": "lb", "usual_weight": "20"}, "between 44 and 660 lb"),
        ({"birth_year": "1800"}, "between 1900 and this year"),
        ({"onset_month": next_month}, "in the future"),
        ({"height_cm": "400"}, "between 50 and 250 cm"),
        ({"display_name": ""}, "Enter a name"),
        ({"diagnosis": "flu"}, "Not a valid choice"),
    ]
    for change, message in cases:
        page = client.post("/patients/new", data={**PROFILE, **change}).get_data(as_text=True)
        assert message in page, change
        assert 'value="Dr A. Okafor"' in page
    with app.app_context():
        assert db.session.scalar(select(Patient)) is None


def test_editing_the_profile_shows_weight_in_the_chosen_unit(app, client):
    user_id = make_user(app)
    patient_id = make_patient(app, user_id, usual_weight_kg=72.57, weight_unit="lb")
    sign_in(client)
    page = client.get(f"/patients/{patient_id}/edit").get_data(as_text=True)
    assert 'value="160.0"' in page
    client.post(f"/patients/{patient_id}/edit", data={**PROFILE, "display_name": "Ravi K", "is_me": "y"})
    with app.app_context():
        assert db.session.get(Patient, patient_id).display_name == "Ravi K"
        assert db.session.scalar(select(Membership)).is_patient is True


def invite(client, patient_id, role="log", is_patient=False):
    data = {"role": role, **({"is_patient": "y"} if is_patient else {})}
    page = client.post(f"/patients/{patient_id}/team", data=data).get_data(as_text=True)
    token = page.split("/invite/")[1].split('"')[0]
    return token, page


def test_invite_link_adds_a_carer_with_the_chosen_role_once(app, client):
    owner = make_user(app, "owner@example.org", "Priya")
    patient_id = make_patient(app, owner)
    make_user(app, "son@example.org", "Arjun")
    make_user(app, "other@example.org", "Other")
    sign_in(client, "owner@example.org")
    token, page = invite(client, patient_id, role="read")
    assert 'class="copy-field"' in page and "It works once" in page
    client.post("/account/signout")

    sign_in(client, "son@example.org")
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "Join the care team of Ravi" in page and "Priya invites you" in page
    assert client.post(f"/invite/{token}").location == f"/patients/{patient_id}/"
    with app.app_context():
        son = db.session.scalar(select(Membership).where(Membership.role == "read"))
        assert son.user.name == "Arjun"
    client.post("/account/signout")

    sign_in(client, "other@example.org")
    assert client.get(f"/invite/{token}").status_code == 404  # single use
    assert client.post(f"/invite/{token}").status_code == 404


def test_invite_for_the_patient_marks_their_entries_as_self_reports(app, client):
    owner = make_user(app, "owner@example.org")
    patient_id = make_patient(app, owner)
    make_user(app, "ravi@example.org", "Ravi")
    sign_in(client, "owner@example.org")
    token, _page = invite(client, patient_id, is_patient=True)
    client.post("/account/signout")
    sign_in(client, "ravi@example.org")
    client.post(f"/invite/{token}")
    with app.app_context():
        assert db.session.scalar(select(Membership).where(Membership.is_patient)).user.name == "Ravi"


def test_expired_and_cancelled_invites_do_not_work(app, client):
    owner = make_user(app, "owner@example.org")
    patient_id = make_patient(app, owner)
    sign_in(client, "owner@example.org")
    token, _page = invite(client, patient_id)
    other_token, _page = invite(client, patient_id)
    with app.app_context():
        db.session.scalar(select(Invite).where(Invite.token == token)).expires_at = utc_now() - timedelta(minutes=1)
        db.session.commit()
        other_id = db.session.scalar(select(Invite.id).where(Invite.token == other_token))
    client.post(f"/patients/{patient_id}/invites/{other_id}/cancel")
    assert client.get(f"/invite/{token}").status_code == 404
    assert client.get(f"/invite/{other_token}").status_code == 404
    assert "no longer works" in client.get("/invite/made-up-token").get_data(as_text=True)


def test_signed_out_invitee_is_sent_to_sign_in_and_back(app, client):
    owner = make_user(app, "owner@example.org")
    patient_id = make_patient(app, owner)
    sign_in(client, "owner@example.org")
    token, _page = invite(client, patient_id)
    client.post("/account/signout")
    response = client.get(f"/invite/{token}")
    assert response.location.startswith("/account/signin?next=") and token in response.location


def test_owner_changes_roles_and_removes_members_but_never_the_last_owner(app, client):
    owner = make_user(app, "owner@example.org")
    son = make_user(app, "son@example.org", "Arjun")
    patient_id = make_patient(app, owner, members=[(son, "log")])
    sign_in(client, "owner@example.org")
    with app.app_context():
        son_member = db.session.scalar(select(Membership.id).where(Membership.user_id == son))
        owner_member = db.session.scalar(select(Membership.id).where(Membership.user_id == owner))
    client.post(f"/patients/{patient_id}/team/{son_member}/role", data={f"m{son_member}-role": "read"})
    client.post(f"/patients/{patient_id}/team/{owner_member}/role", data={f"m{owner_member}-role": "log"})
    client.post(f"/patients/{patient_id}/team/{owner_member}/remove")
    with app.app_context():
        roles = dict(db.session.execute(select(Membership.user_id, Membership.role)).all())
    assert roles == {owner: "owner", son: "read"}
    page = client.get(f"/patients/{patient_id}/team").get_data(as_text=True)
    assert "at least one person who manages the team" in page
    client.post(f"/patients/{patient_id}/team/{son_member}/remove")
    with app.app_context():
        assert db.session.scalar(select(Membership).where(Membership.user_id == son)) is None


def test_a_carer_with_two_patients_sees_both(app, client):
    owner = make_user(app)
    make_patient(app, owner, name="Ravi")
    make_patient(app, owner, name="Meena")
    sign_in(client)
    page = client.get("/patients/").get_data(as_text=True)
    assert "Ravi" in page and "Meena" in page
