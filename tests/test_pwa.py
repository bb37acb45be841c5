"""The installable app: manifest, service worker, offline page, and the sync endpoint behind it."""
import json
import uuid

from sqlalchemy import func, select

from caregiver.accounts import offline_cache_key
from caregiver.extensions import db
from caregiver.models import Entry, User

from .conftest import csrf_token, make_patient, make_user, sign_in


def entry(kind="symptom", **fields):
    return {"uuid": str(uuid.uuid4()), "kind": kind, "tz": "Europe/London",
            "fields": {"occurred_at": "2026-01-05T10:30", **fields}}


def entries_of(app, patient_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Entry).where(Entry.patient_id == patient_id))


def test_sync_stores_each_entry_once_however_often_it_is_sent(app, client, carer):
    _user, patient_id = carer
    batch = {"entries": [entry(symptom="cramps", region="calf", side="left", severity="4"),
                         entry("weight", weight="70.5"), entry("event", event_type="fall", injured="y"),
                         entry(symptom="cramps")]}
    first = client.post(f"/patients/{patient_id}/sync", json=batch).get_json()["results"]
    assert [r["status"] for r in first] == ["saved"] * 4
    again = client.post(f"/patients/{patient_id}/sync", json=batch).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate"] * 4
    assert entries_of(app, patient_id) == 4
    with app.app_context():
        cramp = db.session.scalar(select(Entry).where(Entry.uuid == batch["entries"][0]["uuid"]))
        assert (cramp.region, cramp.side, cramp.severity, cramp.tz, cramp.source) == ("calf", "left", 4, "Europe/London", "carer")
        assert cramp.occurred_at.isoformat() == "2026-01-05T10:30:00"  # London in January is UTC


def test_sync_checks_each_entry_like_the_form_and_keeps_going(app, client, carer):
    _user, patient_id = carer
    batch = {"entries": [entry(symptom="cramps", severity="11"), entry("weight", weight="900"),
                         entry(symptom="not-a-symptom"), {"uuid": "nope", "kind": "symptom", "fields": {}},
                         entry("question", note="x"), entry(symptom="drooling", occurred_at="2999-01-01T10:00"),
                         entry("niv", hours="7")]}
    results = client.post(f"/patients/{patient_id}/sync", json=batch).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 6 + ["saved"]
    assert "severity" in results[0]["errors"] and "weight" in results[1]["errors"]
    assert entries_of(app, patient_id) == 1


def test_sync_is_authorised_and_csrf_protected_like_every_other_route(app, client):
    owner = make_user(app)
    reader = make_user(app, "reader@example.org")
    patient_id = make_patient(app, owner, members=[(reader, "read")])
    other = make_patient(app, make_user(app, "stranger@example.org"), name="Someone else")
    body = {"entries": [entry(symptom="cramps")]}
    assert client.post(f"/patients/{patient_id}/sync", json=body).status_code == 302  # signed out
    sign_in(client, "reader@example.org")
    assert client.post(f"/patients/{patient_id}/sync", json=body).status_code == 403
    assert client.post(f"/patients/{other}/sync", json=body).status_code == 404
    client = app.test_client()
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post(f"/patients/{patient_id}/sync", json=body)
    assert refused.status_code == 400 and "reload" in refused.get_json()["error"]
    token = csrf_token(client.get(f"/patients/{patient_id}/").get_data(as_text=True))
    accepted = client.post(f"/patients/{patient_id}/sync", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.get_json()["results"][0]["status"] == "saved"


def sent(client, patient_id, *items):
    return client.post(f"/patients/{patient_id}/sync", json={"entries": list(items)}).get_json()["results"]


def test_a_uuid_another_diary_uses_answers_as_a_new_one_and_is_stored_here(app, client, carer):
    """Nothing in the answer tells that the UUID exists elsewhere, and the other diary is untouched."""
    user_id, patient_id = carer
    stranger = make_user(app, "stranger@example.org")
    theirs = make_patient(app, stranger, name="Someone else")
    used = entry(symptom="cramps", severity="3", note="theirs")
    stranger_client = app.test_client()
    sign_in(stranger_client, "stranger@example.org")
    assert sent(stranger_client, theirs, used)[0]["status"] == "saved"

    reused, new = sent(client, patient_id, used, {**used, "uuid": str(uuid.uuid4())})
    assert reused["status"] == new["status"] == "saved" and reused["errors"] == new["errors"] == {}
    assert set(reused) == set(new) and isinstance(reused["id"], int) and reused["id"] != new["id"]
    # From now on it is this diary's own UUID: other details are a conflict here, as anywhere.
    assert sent(client, patient_id, {**used, "fields": {**used["fields"], "note": "mine"}})[0]["status"] == "conflict"
    with app.app_context():
        assert sorted(db.session.scalars(select(Entry.note).where(Entry.patient_id == patient_id))) == [
            "mine", "theirs", "theirs"]
        assert db.session.scalars(select(Entry.note).where(Entry.patient_id == theirs)).all() == ["theirs"]


def test_the_same_uuid_with_other_details_is_a_conflict_and_both_are_kept(app, client, carer):
    _user, patient_id = carer
    first = entry(symptom="cramps", region="calf", side="left", severity="4", note="first")
    other = {**first, "fields": {**first["fields"], "severity": "7", "note": "second"}}
    [saved] = sent(client, patient_id, first)
    [conflict] = sent(client, patient_id, other)
    assert saved["status"] == "saved" and conflict["status"] == "conflict" and conflict["uuid"] == first["uuid"]
    assert conflict["id"] != saved["id"]
    assert sent(client, patient_id, other)[0] == conflict  # the same second version again: stored once
    assert sent(client, patient_id, first)[0]["status"] == "duplicate"
    assert sent(client, patient_id, first, other) == [{**saved, "status": "duplicate"}, conflict]
    assert entries_of(app, patient_id) == 2
    with app.app_context():
        original, copy = db.session.get(Entry, saved["id"]), db.session.get(Entry, conflict["id"])
        assert (original.severity, original.note, original.conflict_of_id) == (4, "first", None)
        assert (copy.severity, copy.note, copy.conflict_of_id, copy.region) == (7, "second", original.id, "calf")

    history = client.get(f"/patients/{patient_id}/history").get_data(as_text=True)
    assert history.count("Sent again with different details: both versions are kept. See the first.") == 1
    assert f'/entries/{saved["id"]}"' in history and f'/entries/{conflict["id"]}"' in history
    detail = client.get(f"/patients/{patient_id}/entries/{conflict['id']}").get_data(as_text=True)
    assert "A phone sent this entry again with different details." in detail and "See the version received first" in detail
    first_detail = client.get(f"/patients/{patient_id}/entries/{saved['id']}").get_data(as_text=True)
    assert f'/entries/{conflict["id"]}"' in first_detail and "See the version received later" in first_detail


def test_two_versions_in_one_batch_and_an_edit_made_online_meanwhile(app, client, carer):
    _user, patient_id = carer
    first = entry("weight", weight="70.5")
    other = {**first, "fields": {**first["fields"], "weight": "71.5"}}
    results = sent(client, patient_id, first, other, first, other)
    assert [r["status"] for r in results] == ["saved", "conflict", "duplicate", "conflict"]
    assert results[1]["id"] == results[3]["id"] and entries_of(app, patient_id) == 2
    # Changed online since: the phone's retry of what it sent is still the same entry, not a conflict.
    edit = client.post(f"/patients/{patient_id}/entries/{results[0]['id']}/edit",
                       data={"weight": "69", "occurred_at": "2026-01-05T10:30", "source": "carer"})
    assert edit.status_code == 302
    with app.app_context():
        assert db.session.get(Entry, results[0]["id"]).value == 69
    assert [r["status"] for r in sent(client, patient_id, first, other)] == ["duplicate", "conflict"]
    assert entries_of(app, patient_id) == 2


def test_hostile_sync_bodies_never_cause_a_500(app, client, carer):
    _user, patient_id = carer
    url = f"/patients/{patient_id}/sync"
    for body in ("", "null", "[]", '{"entries": 5}', '{"entries": [1, "x", null, []]}', "{" * 5000,
                 json.dumps({"entries": [{"uuid": str(uuid.uuid4()), "kind": "symptom", "fields": {"x": {"y": 1}}}]}),
                 json.dumps({"entries": [entry(symptom="cramps")] * 201})):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code in (200, 400), (body[:40], response.status_code)
    assert client.post(url, data="x" * (2 * 1024 * 1024), content_type="application/json").status_code == 413


def test_the_manifest_is_translated_and_installable(client):
    english = client.get("/manifest/en.webmanifest")
    assert english.mimetype == "application/manifest+json"
    manifest = english.get_json(force=True)
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    arabic = client.get("/manifest/ar.webmanifest").get_json(force=True)
    assert arabic["dir"] == "rtl" and arabic["name"] != manifest["name"]
    assert 'rel="manifest" href="/manifest/ar.webmanifest"' in client.get("/?lang=ar").get_data(as_text=True)


def test_the_service_worker_is_served_from_the_root_with_its_version(client):
    worker = client.get("/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Service-Worker-Allowed"] == "/"
    assert worker.headers["Cache-Control"] == "no-cache"
    script = worker.get_data(as_text=True)
    assert "__VERSION__" not in script and "__SHELL__" not in script and "/offline/ar" in script
    assert "You are offline" in client.get("/offline/en").get_data(as_text=True)
    assert 'dir="rtl"' in client.get("/offline/ar").get_data(as_text=True)


def test_pages_name_the_account_they_belong_to_for_the_phone_cache(app, client, carer):
    """The service worker keeps pages under this name (X-Account-Cache) and forgets them without it."""
    _user, patient_id = carer
    signed_in = client.get(f"/patients/{patient_id}/emergency-card").headers.get("X-Account-Cache")
    assert signed_in and len(signed_in) == 24
    assert client.get("/explain/cramps").headers["X-Account-Cache"] == signed_in  # every page while signed in
    assert "X-Account-Cache" not in client.get("/static/css/app.css").headers
    other = app.test_client()
    make_user(app, "other@example.org")
    sign_in(other, "other@example.org")
    assert other.get("/patients/").headers["X-Account-Cache"] not in (None, signed_in)
    client.post("/account/signout")
    assert "X-Account-Cache" not in client.get("/").headers and "X-Account-Cache" not in client.get(
        f"/patients/{patient_id}/").headers
    worker = client.get("/sw.js").get_data(as_text=True)
    assert '"signIn": "^\\\\/account\\\\/signin$"' in worker


def test_an_account_made_after_one_is_deleted_never_shares_its_phone_cache(app):
    first_id = make_user(app, "first@example.org")
    with app.app_context():
        first = db.session.get(User, first_id)
        first_key = offline_cache_key(first)
        db.session.delete(first)
        db.session.commit()
    second_id = make_user(app, "second@example.org")
    with app.app_context():
        assert offline_cache_key(db.session.get(User, second_id)) != first_key
