"""The phone asks for a page it holds with its ETag and shows its own copy while the diary is unchanged."""
import uuid

from playwright.sync_api import expect
from sqlalchemy import insert

from caregiver.clock import utc_now
from caregiver.extensions import db
from caregiver.models import Entry

from .test_offline import WORKER_READY
from .test_phone_layout import make_diary, sign_in_on


def test_an_unchanged_page_is_the_phones_own_copy_and_a_write_makes_it_new(app, live_server, phone):
    patient_id, _symptom, _checkin = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    phone.wait_for_function(WORKER_READY)
    phone.reload()
    history = f"{live_server}/patients/{patient_id}/history"
    phone.goto(history)
    expect(phone.locator(".entry-symptom")).to_have_count(1)
    # A row written behind the app's back moves no version: the server answers 304, the phone shows its copy.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(insert(Entry).values(uuid=str(uuid.uuid4()), patient_id=patient_id, kind="symptom",
                                                symptom_key="twitching", occurred_at=utc_now(), tz="UTC",
                                                source="carer"))
    phone.goto(history)
    expect(phone.locator(".entry-symptom")).to_have_count(1)
    # A write through the app moves the version on: the page is made again, with all three entries.
    phone.goto(f"{live_server}/patients/{patient_id}/log/cramps")
    with phone.expect_navigation():
        phone.get_by_role("button", name="left calf", exact=True).click()
    phone.goto(history)
    expect(phone.locator(".entry-symptom")).to_have_count(3)
