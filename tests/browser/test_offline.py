"""Offline-first in a real browser: log without signal, reload, come back online, lose nothing."""
import base64
import uuid
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from caregiver.clock import utc_now
from caregiver.extensions import db
from caregiver.models import Entry, Membership, Patient, Recording

from ..conftest import make_user
from .test_phone_layout import make_diary, sign_in_on

SAVED = "Saved: everything logged on this phone has reached the diary."
WORKER_READY = "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)"
# The offline queue as the worker keeps it in IndexedDB: getAll (the entries) or getAllKeys (their UUIDs).
QUEUED = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open('mnd-diary', 1);
  opening.onsuccess = () => {
    const read = opening.result.transaction('entries').objectStore('entries').KEYS();
    read.onsuccess = () => resolve(read.result);
    read.onerror = () => reject(read.error);
  };
  opening.onerror = () => reject(opening.error);
})"""


def entry_count(app, patient_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Entry).where(Entry.patient_id == patient_id))


def install_worker(page, live_server, patient_id, kinds=("weight",)):
    """Open the pages a carer uses while online, so that the worker keeps them."""
    page.goto(f"{live_server}/patients/{patient_id}/")
    page.wait_for_function(WORKER_READY)
    page.reload()  # now controlled: this visit is kept
    for path in ["/log/cramps", "/log/weakness"] + [f"/new/{kind}" for kind in kinds]:
        page.goto(f"{live_server}/patients/{patient_id}{path}")
    page.goto(f"{live_server}/explain/cramps")


def log_offline(page, live_server, patient_id, places):
    for symptom, place in places:
        page.goto(f"{live_server}/patients/{patient_id}/log/{symptom}")
        with page.expect_navigation():
            page.get_by_role("button", name=place, exact=True).click()
        expect(page.locator(".sync-status")).to_contain_text("Saved on this phone")


def test_five_entries_logged_offline_reach_the_server_once(app, live_server, phone):
    patient_id, _symptom, _checkin = make_diary(app)
    context = phone.context
    sign_in_on(phone, live_server, patient_id)
    install_worker(phone, live_server, patient_id)
    before = entry_count(app, patient_id)

    context.set_offline(True)
    log_offline(phone, live_server, patient_id, [
        ("cramps", "right calf"), ("cramps", "left calf"), ("weakness", "left hand"), ("cramps", "left foot")])
    phone.goto(f"{live_server}/patients/{patient_id}/new/weight")  # the full form works offline too
    phone.fill("#weight", "71.5")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit], main form input[type=submit]").first.click()
    phone.goto(f"{live_server}/explain/cramps")  # a page visited before opens offline
    assert "Cramps" in phone.locator("h1").inner_text()
    phone.goto(f"{live_server}/explain/weakness")  # one never visited: the translated offline page
    assert "You are offline" in phone.locator("h1").inner_text()

    phone.goto(f"{live_server}/patients/{patient_id}/")
    phone.reload()
    expect(phone.locator(".sync-status")).to_contain_text("5 entries waiting")
    assert entry_count(app, patient_id) == before

    waiting = phone.evaluate(QUEUED.replace("KEYS", "getAll"))  # what the phone will send
    context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator(".sync-status")).to_have_text(SAVED)
    assert entry_count(app, patient_id) == before + 5
    with app.app_context():
        weights = db.session.scalars(select(Entry.value).where(Entry.kind == "weight")).all()
        calves = db.session.scalars(select(Entry.side).where(Entry.region == "calf")).all()
    assert weights == [71.5] and sorted(calves) == ["left", "right", "right"]  # one calf was in the diary before

    # The same entries again (a retry after a lost answer) store nothing new.
    batch = {"entries": [{name: entry[name] for name in ("uuid", "kind", "fields", "tz")} for entry in waiting]}
    assert len(batch["entries"]) == 5
    token = phone.locator('meta[name="csrf-token"]').get_attribute("content")
    again = phone.request.post(f"{live_server}/patients/{patient_id}/sync", data=batch,
                               headers={"X-CSRFToken": token})
    assert {result["status"] for result in again.json()["results"]} == {"duplicate"}
    assert entry_count(app, patient_id) == before + 5


def test_two_carers_phones_sync_the_same_diary_without_loss(app, live_server, browser):
    patient_id, _symptom, _checkin = make_diary(app)
    helper = make_user(app, "son@example.org", "Arjun")
    with app.app_context():
        db.session.add(Membership(patient_id=patient_id, user_id=helper, role="log"))
        db.session.commit()
    before = entry_count(app, patient_id)
    phones = []
    for email in ("owner@example.org", "son@example.org"):
        context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(live_server + "/account/signin")
        page.fill("#email", email)
        page.fill("#password", "correct horse battery")
        with page.expect_navigation():
            page.locator("main input[type=submit]").click()
        install_worker(page, live_server, patient_id)
        context.set_offline(True)
        phones.append(page)
    for page in phones:
        log_offline(page, live_server, patient_id, [("cramps", "right calf"), ("cramps", "right calf"),
                                                     ("weakness", "right hand")])
    for page in phones:
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
    for page in phones:
        expect(page.locator(".sync-status")).to_have_text(SAVED)
        page.context.close()
    assert entry_count(app, patient_id) == before + 6
    with app.app_context():
        by_reporter = dict(db.session.execute(select(Entry.reported_by_id, func.count()).where(
            Entry.patient_id == patient_id, Entry.region.in_(("calf", "hand"))).group_by(Entry.reported_by_id)).all())
    assert by_reporter[helper] == 3 and sum(by_reporter.values()) == 3 + 3 + 1  # the diary had one calf already



CONFLICT = "had reached the diary before with different details. Both versions are kept"


def test_an_entry_the_diary_had_with_other_details_is_kept_twice_and_the_phone_says_so(app, live_server, phone):
    patient_id, _symptom, _checkin = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    install_worker(phone, live_server, patient_id)
    phone.context.set_offline(True)
    log_offline(phone, live_server, patient_id, [("cramps", "left calf")])
    [queued] = phone.evaluate(QUEUED.replace("KEYS", "getAllKeys"))
    with app.app_context():  # the same UUID reached the diary before, with other details
        earlier = Entry(patient_id=patient_id, kind="symptom", symptom_key="weakness", uuid=queued,
                        occurred_at=utc_now(), note="sent earlier")
        db.session.add(earlier)
        db.session.commit()
        earlier_id = earlier.id

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator(".sync-status")).to_contain_text(CONFLICT)
    assert phone.evaluate(QUEUED.replace("KEYS", "getAllKeys")) == []  # delivered: it leaves the queue
    with app.app_context():
        copy = db.session.scalar(select(Entry).where(Entry.conflict_of_id == earlier_id))
        assert copy is not None and (copy.symptom_key, copy.region, copy.side) == ("cramps", "calf", "left")
        assert db.session.get(Entry, earlier_id).note == "sent earlier"
    phone.goto(f"{live_server}/patients/{patient_id}/history")
    expect(phone.locator(".entry-conflict")).to_have_count(1)


def test_measures_with_kept_recordings_sync_in_requests_under_the_size_limit(app, live_server, phone):
    """Two recordings of nearly 600 kB each are more than one request may carry: the worker sends two."""
    patient_id, _symptom, _checkin = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    install_worker(phone, live_server, patient_id)
    audio = "data:audio/wav;base64," + base64.b64encode(b"RIFF" + bytes(580_000)).decode()
    entries = [{"uuid": str(uuid.uuid4()), "patientId": patient_id, "kind": "measure", "tz": "Europe/London",
                "fields": {"measure": "breath_count", "value": str(count), "method": "microphone",
                           "keep_recording": "y", "recording": audio, "source": "carer",
                           "occurred_at": (datetime.now() - timedelta(minutes=count)).strftime("%Y-%m-%dT%H:%M")}}
               for count in (30, 31)]
    phone.evaluate("""(entries) => new Promise((resolve, reject) => {
      const opening = indexedDB.open('mnd-diary', 1);
      opening.onsuccess = () => {
        const writing = opening.result.transaction('entries', 'readwrite');
        for (const entry of entries) writing.objectStore('entries').put(entry);
        writing.oncomplete = resolve;
        writing.onerror = () => reject(writing.error);
      };
    })""", entries)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator(".sync-status")).to_have_text(SAVED)
    with app.app_context():
        kept = db.session.execute(select(Entry.value, func.length(Recording.audio)).join(Recording)
                                  .order_by(Entry.value)).all()
    assert kept == [(30.0, 580_004), (31.0, 580_004)]
