"""Faults: many writers at once, a server killed mid-write, random and hostile input, backups."""
import http.client
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from caregiver.extensions import db
from caregiver.clock import utc_now
from caregiver.models import Entry, User

from .conftest import FIELDS, PASSWORD, make_patient, make_user, sign_in
from .servers import Server, signed_in_opener


def at_once(work, arguments):
    """Run work(argument) for every argument in threads of their own, all at the same time."""
    threads = [threading.Thread(target=work, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def symptom_entry(entry_uuid, minute=0):
    return {"uuid": entry_uuid, "kind": "symptom", "tz": "UTC",
            "fields": {"symptom": "cramps", "occurred_at": f"2026-01-05T10:{minute % 60:02d}"}}


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

    at_once(log_many, clients)
    assert failures == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 50


def test_many_writers_at_once_store_every_entry_exactly_once(app):
    owner = make_user(app, "owner@example.org")
    helpers = [make_user(app, f"helper{n}@example.org") for n in range(3)]
    patient_id = make_patient(app, owner, members=[(helper, "log") for helper in helpers])
    shared = [str(uuid.uuid4()) for _ in range(10)]  # every phone sends these too: a retry storm
    own = {email: [str(uuid.uuid4()) for _ in range(30)] for email in
           ["owner@example.org"] + [f"helper{n}@example.org" for n in range(3)]}
    failures = []

    def phone(email):
        client = app.test_client()
        client.post("/account/signin", data={"email": email, "password": PASSWORD})
        mine = own[email]
        for start in range(0, 30, 5):
            # A retry sends what the phone kept, unchanged; a clash sends one UUID with each phone's own note.
            batch = ([symptom_entry(u, start) for u in mine[start:start + 5]]
                     + [symptom_entry(u) for u in shared[start // 3:start // 3 + 3]]
                     + [{**symptom_entry(u), "fields": {**symptom_entry(u)["fields"], "note": email}}
                        for u in clashing[start // 10:start // 10 + 2]])
            response = client.post(f"/patients/{patient_id}/sync", json={"entries": batch})
            if response.status_code != 200 or any(r["status"] == "rejected" for r in response.get_json()["results"]):
                failures.append((email, response.status_code, response.get_data(as_text=True)[:200]))

    clashing = [str(uuid.uuid4()) for _ in range(4)]  # every phone sends these with other details
    at_once(phone, own)
    assert failures == []
    expected = {u for uuids in own.values() for u in uuids} | set(shared[:12]) | set(clashing)
    with app.app_context():
        rows = db.session.execute(select(Entry.id, Entry.uuid, Entry.note, Entry.conflict_of_id)
                                  .where(Entry.patient_id == patient_id)).all()
    firsts = [row for row in rows if row.conflict_of_id is None]
    assert len(firsts) == len({row.uuid for row in firsts}) == len(expected) and {row.uuid for row in firsts} == expected
    # Each clashing UUID: the first version and one copy for each phone's other details, none twice.
    for clash in clashing:
        [first] = [row for row in firsts if row.uuid == clash]
        copies = [row.note for row in rows if row.conflict_of_id == first.id]
        assert sorted(copies + [first.note]) == sorted(own), clash


def test_a_server_killed_while_writing_loses_nothing_it_acknowledged(app, database_url):
    owner = make_user(app, "owner@example.org")
    patient_id = make_patient(app, owner)
    # Two processes, as a clinic runs it (sign-in counts shared in Redis).
    server = Server(database_url, workers=2, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/14")
    acknowledged, stop = [], threading.Event()

    def write():
        opener, token = signed_in_opener(server, "owner@example.org", PASSWORD)
        n = 0
        while not stop.is_set():
            entry_uuid = str(uuid.uuid4())
            request = urllib.request.Request(
                server.url(f"/patients/{patient_id}/sync"), method="POST",
                data=json.dumps({"entries": [symptom_entry(entry_uuid, n)]}).encode(),
                headers={"Content-Type": "application/json", "X-CSRFToken": token})
            try:
                answer = json.loads(opener.open(request, timeout=5).read())
            except (OSError, urllib.error.URLError, http.client.HTTPException, ValueError):
                return  # the server is gone: whatever was not acknowledged may be lost
            if answer["results"][0]["status"] == "saved":
                acknowledged.append(entry_uuid)
            n += 1

    writers = [threading.Thread(target=write) for _ in range(3)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 25 and time.monotonic() < deadline:  # well into the writing, however busy the machine
        time.sleep(0.05)
    server.kill()  # SIGKILL, mid-write: no shutdown, no flush
    stop.set()
    for writer in writers:
        writer.join()
    assert len(acknowledged) > 20
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as database:
            assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restarted = Server(database_url)  # starts on the database as the crash left it
    try:
        assert json.loads(urllib.request.urlopen(restarted.url("/healthz")).read())["db"] == "ok"
    finally:
        restarted.stop()
    with app.app_context():
        db.session.remove()
        stored = set(db.session.scalars(select(Entry.uuid).where(Entry.patient_id == patient_id)))
    assert set(acknowledged) <= stored


HOSTILE = st.one_of(
    st.text(max_size=300), st.sampled_from(["", "0", "-1", "11", "1e309", "NaN", "2026-02-30T25:61", "0001-01-01",
                                            "9999-12-31T23:59", "<script>", "\x00", "custom-0", "y", "../../x"]),
    st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=True).map(str))


# Accounts west and east of UTC, to the ends of the world: the edges of the calendar differ in each.
ZONES = st.sampled_from(["Pacific/Pago_Pago", "America/Los_Angeles", "America/New_York", "UTC", "Asia/Kolkata",
                         "Pacific/Kiritimati"])
# What a change of settings (or any form) must leave working, not only the answer to the form.
PAGES_AFTER = ("/", "/history", "/history?range=custom&since=0001-01-01&until=9999-12-31", "/trends",
               "/new/symptom", "/new/medication", "/new/checkin")


def in_zone(app, zone):
    """The fuzzed account (every_form's owner) now lives in `zone`."""
    with app.app_context():
        db.session.execute(update(User).where(User.email == "carer@example.org").values(timezone=zone))
        db.session.commit()


def pages_answer(client, patient_id, after):
    for page in PAGES_AFTER:
        status = client.get(f"/patients/{patient_id}{page}").status_code
        assert status < 500, (page, status, after)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_values_in_every_form_never_cause_a_500(app, every_form, data):
    patient_id, urls = every_form
    in_zone(app, data.draw(ZONES))
    client = app.test_client()
    sign_in(client)
    url = data.draw(st.sampled_from(urls))
    fields = data.draw(st.dictionaries(st.sampled_from(FIELDS), HOSTILE, max_size=12))
    response = client.post(url, data=fields)
    assert response.status_code < 500, (url, fields)
    pages_answer(client, patient_id, (url, fields))


ZONE_ANSWERS = st.one_of(ZONES, st.sampled_from(["", " ", "Nowhere/Else", "utc", "../UTC", "\x00"]), HOSTILE)
SETTINGS = st.one_of(
    st.fixed_dictionaries({"name": st.just("Carer"), "email": st.just("carer@example.org"), "timezone": ZONE_ANSWERS,
                           "quiet_from": st.sampled_from(["", "22:00"]), "quiet_until": st.sampled_from(["", "07:00"])}),
    st.fixed_dictionaries({"name": HOSTILE, "email": st.just("carer@example.org"), "timezone": ZONE_ANSWERS,
                           "quiet_from": HOSTILE, "quiet_until": HOSTILE}))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(zone=ZONES, settings_form=SETTINGS)
@example(zone="America/New_York", settings_form={"name": "Carer", "email": "carer@example.org", "timezone": ""})
def test_random_settings_in_any_zone_leave_every_page_working(app, every_form, zone, settings_form):
    patient_id, _urls = every_form
    in_zone(app, zone)
    client = app.test_client()
    sign_in(client)
    response = client.post("/account/settings", data=settings_form)
    assert response.status_code < 500, settings_form
    pages_answer(client, patient_id, settings_form)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                      max_size=4), max_leaves=20)
SYNC_ENTRY = st.fixed_dictionaries({
    "uuid": st.one_of(st.uuids().map(str), st.text(max_size=40)),
    "kind": st.sampled_from(["symptom", "event", "weight", "niv", "checkin", "carer", "medication", "visit",
                             "question", "x"]),
    "tz": st.one_of(ZONES, st.just("Nowhere/Else"), st.text(max_size=20)),
    "fields": st.dictionaries(st.sampled_from(FIELDS), st.one_of(HOSTILE, JSON_VALUES), max_size=8),
})


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.one_of(JSON_VALUES, st.fixed_dictionaries({"entries": st.lists(SYNC_ENTRY | JSON_VALUES,
                                                                                max_size=5)})), zone=ZONES)
def test_random_sync_bodies_never_cause_a_500(app, every_form, body, zone):
    patient_id, _urls = every_form
    in_zone(app, zone)
    client = app.test_client()
    sign_in(client)
    response = client.post(f"/patients/{patient_id}/sync", json=body)
    assert response.status_code in (200, 400), (body, response.status_code)
    pages_answer(client, patient_id, body)


def test_backup_and_restore_of_the_sqlite_database(app, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite backup API; PostgreSQL has pg_dump")
    owner = make_user(app)
    patient_id = make_patient(app, owner)
    runner = app.test_cli_runner()
    out = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0 and "ok" in result.output, result.output
    with app.app_context():  # a change after the backup...
        db.session.add(Entry(patient_id=patient_id, kind="symptom", symptom_key="cramps", occurred_at=utc_now()))
        db.session.commit()
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert runner.invoke(args=["restore", str(damaged), "--yes"]).exit_code != 0
    assert runner.invoke(args=["restore", str(out), "--yes"]).exit_code == 0
    with app.app_context():  # ...is gone again: the database is as it was backed up
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
