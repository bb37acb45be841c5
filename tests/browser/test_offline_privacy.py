"""What the phone keeps for offline use goes when the server says the session is gone, and one
account never sees another's pages: signed out elsewhere, account deleted, a second account."""
import pytest

from caregiver.extensions import db
from caregiver.models import Patient

from ..conftest import PASSWORD, make_patient, make_user, sign_in
from .test_offline import install_worker
from .test_phone_layout import make_diary, sign_in_on

ALLERGY = "Penicillin: rash and swelling"
OFFLINE = "You are offline"
CACHE_NAMES = "caches.keys()"


def with_allergy(app, patient_id):
    with app.app_context():
        db.session.get(Patient, patient_id).allergies = ALLERGY
        db.session.commit()


def private_pages(patient_id):
    return [f"/patients/{patient_id}/emergency-card", f"/patients/{patient_id}/history",
            f"/patients/{patient_id}/profile", f"/patients/{patient_id}/"]


def keep_private_pages(phone, live_server, patient_id):
    """Visit them online, then check that the phone does serve them offline (so the test below can fail)."""
    install_worker(phone, live_server, patient_id)
    for path in private_pages(patient_id):
        phone.goto(live_server + path)
    phone.context.set_offline(True)
    phone.goto(f"{live_server}/patients/{patient_id}/emergency-card")
    assert ALLERGY in phone.content()
    phone.context.set_offline(False)


def assert_not_served_offline(phone, live_server, paths):
    phone.context.set_offline(True)
    for path in paths:
        phone.goto(live_server + path)
        assert OFFLINE in phone.locator("h1").inner_text(), path
        assert ALLERGY not in phone.content() and "Ravi" not in phone.content(), path
    phone.context.set_offline(False)


def another_device(app, email="owner@example.org"):
    laptop = app.test_client()
    sign_in(laptop, email)
    return laptop


@pytest.mark.parametrize("ending", ["sign out on every device", "account deleted"])
def test_private_pages_go_from_the_phone_when_the_session_ends_elsewhere(app, live_server, phone, ending):
    patient_id, _symptom, _checkin = make_diary(app)
    with_allergy(app, patient_id)
    sign_in_on(phone, live_server, patient_id)
    keep_private_pages(phone, live_server, patient_id)

    laptop = another_device(app)
    if ending == "sign out on every device":
        assert laptop.post("/account/signout-everywhere").status_code == 302
    else:
        deleted = laptop.post("/account/delete", data={"password": PASSWORD, "understood": "y"})
        assert deleted.status_code == 302 and deleted.location == "/"

    # The next page the phone asks for online is sent to sign-in: the worker hears it.
    phone.goto(f"{live_server}/patients/{patient_id}/trends")
    assert "/account/signin" in phone.url
    assert not [name for name in phone.evaluate(CACHE_NAMES) if name.startswith("account-")]
    assert_not_served_offline(phone, live_server, private_pages(patient_id))
    phone.goto(f"{live_server}/explain/cramps")  # public pages still open offline
    assert "Cramps" in phone.locator("h1").inner_text()


def test_a_second_account_on_the_same_phone_never_gets_the_first_accounts_pages(app, live_server, phone):
    patient_id, _symptom, _checkin = make_diary(app)
    with_allergy(app, patient_id)
    sign_in_on(phone, live_server, patient_id)
    keep_private_pages(phone, live_server, patient_id)
    first_caches = [name for name in phone.evaluate(CACHE_NAMES) if name.startswith("account-")]
    assert len(first_caches) == 1

    # The first session is simply gone from the browser (cookie lost or expired): no sign-out seen.
    phone.context.clear_cookies()
    second = make_user(app, "second@example.org", "Second carer")
    second_patient = make_patient(app, second, name="Meera")
    phone.goto(live_server + "/account/signin")
    phone.fill("#email", "second@example.org")
    phone.fill("#password", PASSWORD)
    phone.click("main button[type=submit], main input[type=submit]")
    phone.wait_for_url(f"**/patients/{second_patient}/")
    phone.goto(f"{live_server}/patients/{second_patient}/emergency-card")

    names = [name for name in phone.evaluate(CACHE_NAMES) if name.startswith("account-")]
    assert len(names) == 1 and names != first_caches
    assert_not_served_offline(phone, live_server, private_pages(patient_id))
    phone.context.set_offline(True)
    phone.goto(f"{live_server}/patients/{second_patient}/emergency-card")  # the second account's own page
    assert "Meera" in phone.content()
    phone.context.set_offline(False)


def test_the_sign_out_form_still_clears_the_phone(app, live_server, phone):
    patient_id, _symptom, _checkin = make_diary(app)
    with_allergy(app, patient_id)
    sign_in_on(phone, live_server, patient_id)
    keep_private_pages(phone, live_server, patient_id)
    phone.goto(live_server + "/account/settings")
    with phone.expect_navigation():
        phone.locator("form[action$='/account/signout'] button, form[action$='/account/signout'] input[type=submit]") \
            .first.click()
    assert_not_served_offline(phone, live_server, private_pages(patient_id))
