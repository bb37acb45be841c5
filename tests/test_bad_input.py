"""No input produces a 500: hostile values in every field of every form, and two carers at once."""
import threading
from datetime import datetime

from sqlalchemy import func, select

from caregiver.extensions import db
from caregiver.i18n import utc_now
from caregiver.models import Entry, Invite, Membership, ShareLink

from .conftest import PASSWORD, make_patient, make_user, sign_in

HOSTILE = ["", " ", "-1", "0", "1e309", "NaN", "-inf", "99999999999999999999", "3.5", "<script>alert(1)</script>",
           "\x00", "'; DROP TABLE entry; --", "2026-02-30T25:61", "0000-00-00", "9999-12-31T23:59", "0001-01-01T00:00", "0001-01-01", "ü" * 3000,
           "custom-", "custom-0", "../../etc/passwd", "true", "[]", "{}"]
FIELDS = ["symptom", "severity", "region", "side", "duration", "frequency", "occurred_at", "source", "note",
          "event_type", "injured", "weight", "hours", "coping", "name", "dose", "started", "stopped", "day",
          "group", "role", "is_patient", "display_name", "birth_year", "diagnosis", "onset_month", "onset_region",
          "height_cm", "weight_unit", "usual_weight", "neurologist", "clinic", "feeding_tube",
          "breathing_support", "is_me", "allergies", "emergency_contacts", "niv_settings_holder", "days", "email", "password", "confirm", "current", "timezone", "remember",
          "item_speech", "item_walking", "next", "m1-role"]


def test_hostile_values_in_every_field_never_cause_a_500(app, client):
    owner = make_user(app, timezone="Asia/Kolkata")  # east of UTC: the year-1 edge would overflow
    patient_id = make_patient(app, owner, members=[(make_user(app, "son@example.org"), "log")])
    with app.app_context():
        entry = Entry(patient_id=patient_id, kind="symptom", symptom_key="cramps", occurred_at=utc_now())
        invite = Invite(patient_id=patient_id, role="log", expires_at=utc_now().replace(year=2100))
        link = ShareLink(patient_id=patient_id, options={}, expires_at=utc_now().replace(year=2100))
        db.session.add_all([entry, invite, link])
        db.session.commit()
        ids = {"patient_id": patient_id, "entry_id": entry.id, "invite_id": invite.id, "link_id": link.id,
               "member_id": db.session.scalar(select(Membership.id).where(Membership.user_id != owner)),
               "ref": "cramps", "token": "not-a-token"}
    sign_in(client)
    skip = {"auth.signout", "auth.signout_everywhere", "patients.remove_member", "diary.delete_entry"}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in skip:
            continue
        kinds = ["symptom", "event", "weight", "niv", "checkin", "carer", "medication", "visit", "question"]
        for kind in kinds if "kind" in rule.arguments else [None]:
            url = rule.build({**{k: v for k, v in ids.items() if k in rule.arguments}, **(
                {"kind": kind} if kind else {})})[1]
            for value in HOSTILE:
                response = client.post(url, data={field: value for field in FIELDS})
                assert response.status_code < 500, (url, value)
    for path in ("/patients/{patient_id}/history?since={v}&until={v}&page={v}&kind={v}&group={v}&symptom={v}",
                 "/explain/?q={v}", "/patients/{patient_id}/?saved={v}&undo={v}",
                 "/patients/{patient_id}/entries/{v}", "/patients/{v}/", "/shared/{v}",
                 "/patients/{patient_id}/report/preview?range={v}&since={v}&until={v}&language={v}&paper={v}"):
        for value in HOSTILE[:15]:
            response = client.get(path.format(patient_id=patient_id, v=value.replace("\x00", "%00")))
            assert response.status_code < 500, (path, value)


def test_two_carers_logging_at_once_lose_nothing(app):
    """WAL and a busy timeout on SQLite (and PostgreSQL's own locking): no 'database is locked'."""
    owner = make_user(app, "owner@example.org")
    son = make_user(app, "son@example.org")
    patient_id = make_patient(app, owner, members=[(son, "log")])
    clients = [app.test_client(), app.test_client()]
    for client, email in zip(clients, ("owner@example.org", "son@example.org")):
        client.post("/account/signin", data={"email": email, "password": PASSWORD})
    failures = []

    def log_many(client):
        for i in range(25):
            response = client.post(f"/patients/{patient_id}/new/niv", data={
                "hours": str(i % 12), "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M"),
                "source": "carer"})
            if response.status_code != 302:
                failures.append(response.status_code)

    threads = [threading.Thread(target=log_many, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 50
