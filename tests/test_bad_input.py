"""No input produces a 500: hostile values in every field of every form and every query string."""
import json
import urllib.parse
import uuid
from datetime import datetime

from sqlalchemy import func, select

from caregiver.extensions import db
from caregiver.models import Entry, User

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


# --- Inputs that once answered 500 (issue 17, item 9) --------------------------------------

WEST, EAST = "America/New_York", "Asia/Kolkata"


def test_a_custom_range_to_the_last_day_of_the_calendar_reads_as_open_ended(app, client):
    for zone in (WEST, EAST):
        owner = make_user(app, email=f"{zone.replace('/', '.').lower()}@example.org", timezone=zone)
        patient_id = make_patient(app, owner)
        with app.app_context():
            entry = Entry(patient_id=patient_id, kind="symptom", symptom_key="cramps", tz=zone,
                          occurred_at=datetime(2026, 1, 5, 10))
            db.session.add(entry)
            db.session.commit()
            shown = f"/patients/{patient_id}/entries/{entry.id}"
        client.post("/account/signout")
        sign_in(client, f"{zone.replace('/', '.').lower()}@example.org")
        for query in ("range=custom&until=9999-12-31", "range=custom&since=0001-01-01",
                      "range=custom&since=0001-01-01&until=9999-12-31", "range=custom&since=9999-12-31"):
            page = client.get(f"/patients/{patient_id}/history?{query}")
            assert page.status_code == 200 and f"/patients/{patient_id}/trends" in page.get_data(as_text=True), (zone, query)
            assert (shown in page.get_data(as_text=True)) == ("since=9999" not in query), (zone, query)


def test_an_entry_at_the_end_of_9999_west_of_utc_is_refused_as_in_the_future(app, client):
    owner = make_user(app, timezone=WEST)
    patient_id = make_patient(app, owner)
    sign_in(client)
    page = client.post(f"/patients/{patient_id}/new/symptom", data={
        "symptom": "cramps", "occurred_at": "9999-12-31T23:59", "source": "carer"})
    assert page.status_code == 200 and "This time is in the future" in page.get_data(as_text=True)
    for zone in ("America/Los_Angeles", "Pacific/Pago_Pago", "Pacific/Kiritimati"):
        answer = client.post(f"/patients/{patient_id}/sync", json={"entries": [{
            "uuid": str(uuid.uuid4()), "kind": "symptom", "tz": zone,
            "fields": {"symptom": "cramps", "occurred_at": "9999-12-31T23:59"}}]})
        assert answer.status_code == 200, zone
        result = answer.get_json()["results"][0]
        assert result["status"] == "rejected" and "occurred_at" in result["errors"], zone
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_line_breaks_in_next_never_reach_a_header(app, client):
    make_patient(app, make_user(app))
    targets = ["/patients/%0d%0aSet-Cookie:%20x=1", "/%0d%0aLocation:%20http://evil.example", "%0d%0a/patients/",
               "/patients/\r\nSet-Cookie: x=1", "/\n/evil.example", "/%250d%250aX:1"]
    for target in targets:
        signed_in = client.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD,
                                                          "next": urllib.parse.unquote(target)})
        location = signed_in.headers["Location"]
        assert signed_in.status_code == 302 and location.isprintable() and not location.startswith("//"), target
        for url in ("/language", f"/account/signin?next={target}"):
            answer = client.post(url, data={"lang": "fr", "next": urllib.parse.unquote(target)})
            assert answer.status_code < 500, (url, target)
            assert "\r" not in answer.headers.get("Location", "") and "\n" not in answer.headers.get("Location", "")
        client.post("/account/signout")


def test_deeply_nested_json_on_sync_is_a_400_not_a_500(app, client, carer):
    _user, patient_id = carer
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"entries": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
                 json.dumps({"entries": [{"uuid": str(uuid.uuid4()), "kind": "symptom",
                                          "fields": {"note": [[["deep"]]]}}]}).encode()):
        answer = client.post(f"/patients/{patient_id}/sync", data=body, content_type="application/json")
        assert answer.status_code == 400 and "error" in answer.get_json()


def test_an_empty_time_zone_is_refused_in_settings_and_the_pages_keep_working(app, client, carer):
    _user, patient_id = carer
    page = client.post("/account/settings", data={"name": "Carer", "email": "carer@example.org", "timezone": ""})
    assert page.status_code == 200 and "Choose a time zone from the list." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.timezone)) == "Europe/London"
    for path in ("", "history", "trends", "new/symptom", "new/medication", "new/checkin"):
        assert client.get(f"/patients/{patient_id}/{path}").status_code == 200, path
