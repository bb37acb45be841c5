"""No input produces a 500: hostile values in every field of every form, and two carers at once."""
import threading
from datetime import datetime

from sqlalchemy import func, select

from caregiver.extensions import db
from caregiver.models import Entry

from .conftest import FIELDS, PASSWORD, make_patient, make_user, sign_in

HOSTILE = ["", " ", "-1", "0", "1e309", "NaN", "-inf", "99999999999999999999", "3.5", "<script>alert(1)</script>",
           "\x00", "'; DROP TABLE entry; --", "2026-02-30T25:61", "0000-00-00", "9999-12-31T23:59", "0001-01-01T00:00", "0001-01-01", "ü" * 3000,
           "custom-", "custom-0", "../../etc/passwd", "true", "[]", "{}"]
def test_hostile_values_in_every_field_never_cause_a_500(app, client, every_form):
    patient_id, urls = every_form
    sign_in(client)
    for url in urls:
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
