"""Web Push end to end, against a push service on 127.0.0.1 that checks the VAPID signature and
decrypts each message with the device's own keys (RFC 8291), as a browser would."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from caregiver import push
from caregiver.clock import utc_now
from caregiver.extensions import db
from caregiver.models import Alert, Delivery, PushSubscription, User

from .conftest import make_patient, make_user, sign_in
from .pushservice import PushService


@pytest.fixture
def service():
    running = PushService()
    yield running
    running.close()


@pytest.fixture
def family(app, service):
    """Ravi's diary: Priya (two phones) manages it, Arjun (one phone, Hindi) logs."""
    priya = make_user(app, "priya@example.org", "Priya")
    arjun = make_user(app, "arjun@example.org", "Arjun")
    patient_id = make_patient(app, priya, members=[(arjun, "log")])
    devices = {}
    with app.app_context():
        db.session.get(User, arjun).locale = "hi"
        for user_id, name in ((priya, "priya-phone"), (priya, "priya-tablet"), (arjun, "arjun-phone")):
            endpoint, devices[name] = service.new_device(name)
            device = devices[name]
            push.subscribe(db.session.get(User, user_id), endpoint, device.p256dh, device.auth_secret)
    return patient_id, {"priya": priya, "arjun": arjun}, devices


def log_choking(client, patient_id):
    return client.post(f"/patients/{patient_id}/new/event", data={
        "event_type": "choking", "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M"), "source": "carer"})


def public_key(app):
    with app.app_context():
        return push.vapid_keys()["public"]


def test_an_alert_reaches_every_device_signed_and_encrypted_with_no_health_detail_in_the_title(app, client, service,
                                                                                             family):
    patient_id, _ids, _devices = family
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    with app.app_context():
        alert = db.session.scalar(select(Alert))
        alert_path = f"/patients/{patient_id}/alerts/{alert.id}"
    arrived = {name: payload for name, _claims, payload in service.messages(public_key(app))}
    assert set(arrived) == {"priya-phone", "priya-tablet", "arjun-phone"}
    for name, payload in arrived.items():
        assert payload["url"] == alert_path, name
        assert "Choking" not in payload["title"] and "choking" not in payload["title"].lower(), name
    assert arrived["priya-phone"]["title"] == "MND Diary"
    assert "Worth telling the care team today." in arrived["priya-phone"]["body"]
    assert "Ravi" in arrived["priya-phone"]["body"]
    # Arjun reads Hindi: his phone says it in Hindi.
    assert "Worth telling" not in arrived["arjun-phone"]["body"] and "Ravi" in arrived["arjun-phone"]["body"]
    with app.app_context():
        assert {d.status for d in db.session.scalars(select(Delivery).where(Delivery.channel == "push"))} == {"sent"}


def test_no_health_details_means_the_notification_only_says_something_is_waiting(app, client, service, family):
    patient_id, ids, _devices = family
    with app.app_context():
        db.session.get(User, ids["arjun"]).private_emails = True
        db.session.get(User, ids["arjun"]).locale = "en"
        db.session.commit()
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    arrived = {name: payload for name, _claims, payload in service.messages(public_key(app))}
    assert arrived["arjun-phone"]["body"] == "Something is waiting for you in MND Diary."
    assert "Ravi" in arrived["priya-phone"]["body"]


def test_a_device_the_push_service_says_has_gone_is_removed_and_the_others_still_hear(app, client, service, family):
    patient_id, _ids, _devices = family
    service.answers["/push/priya-tablet"] = 410
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    with app.app_context():
        endpoints = set(db.session.scalars(select(PushSubscription.endpoint)))
        assert endpoints == {f"{service.origin}/push/priya-phone", f"{service.origin}/push/arjun-phone"}
        gone = db.session.scalar(select(Delivery).where(Delivery.status == "failed"))
        assert gone.channel == "push" and "410" in gone.last_error
        # A phone that has gone is not a failed e-mail the family must act on.
        home = client.get(f"/patients/{patient_id}/").get_data(as_text=True)
        assert "could not be delivered" not in home


def test_a_push_service_that_fails_is_tried_again_later(app, client, service, family):
    patient_id, _ids, _devices = family
    service.answers["/push/arjun-phone"] = 503
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    with app.app_context():
        waiting = db.session.scalar(select(Delivery).where(Delivery.address == str(db.session.scalar(
            select(PushSubscription.id).where(PushSubscription.endpoint.endswith("/arjun-phone"))))))
        assert (waiting.status, waiting.attempts) == ("queued", 1) and waiting.next_attempt_at > utc_now()
        assert db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint.endswith("/arjun-phone")))


def test_a_device_subscribes_and_unsubscribes_through_the_settings_page(app, client):
    user = make_user(app)
    make_patient(app, user)
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True  # the script sends the page's token in a header
    page = client.get("/account/settings").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)  # as static/js/push.js reads it
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    subscription = {"endpoint": endpoint, "keys": {"p256dh": "BPub", "auth": "sec"}}
    assert client.post("/push/subscriptions", json=subscription, headers={"X-CSRFToken": token}).status_code == 200
    assert client.post("/push/subscriptions", json={"endpoint": "http://evil.example/x", "keys": subscription["keys"]},
                       headers={"X-CSRFToken": token}).status_code == 400
    with app.app_context():
        assert db.session.scalars(select(PushSubscription.endpoint)).all() == [endpoint]
    client.post("/push/subscriptions/remove", json={"endpoint": endpoint}, headers={"X-CSRFToken": token})
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []
