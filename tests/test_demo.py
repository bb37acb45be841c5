"""The demo family: a realistic, repeatable two-year history that other features and benchmarks use."""
from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import select

from caregiver import catalogue
from caregiver.demo import create_demo
from caregiver.extensions import db
from caregiver.clock import to_utc, utc_now
from caregiver.models import Entry, Membership, Patient, User

from .conftest import DEMO_TODAY


def all_rows():
    return db.session.execute(select(
        Entry.uuid, Entry.kind, Entry.occurred_at, Entry.symptom_key, Entry.region, Entry.side, Entry.severity,
        Entry.value, Entry.note, Entry.source, Entry.event_type, Entry.name, Entry.done_at,
    ).order_by(Entry.uuid)).all()


def test_demo_command_prints_the_account_and_the_account_works(app):
    result = app.test_cli_runner().invoke(args=["demo", "--seed", "3", "--today", "2026-11-01"])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("email: demo@example.org password: ")
    password = line.rsplit(" ", 1)[1]
    client = app.test_client()
    response = client.post("/account/signin", data={"email": "demo@example.org", "password": password})
    assert response.status_code == 302
    home = client.get(client.get(response.location).location).get_data(as_text=True)
    assert "Ravi" in home and "Latest entries" in home


def test_same_seed_same_history_and_running_again_replaces_it(app, ctx):
    create_demo(seed=7, today=DEMO_TODAY)
    first = all_rows()
    result = create_demo(seed=7, today=DEMO_TODAY)
    assert all_rows() == first
    assert result.entry_count == len(first)
    assert db.session.scalar(select(db.func.count()).select_from(Patient)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 3
    create_demo(seed=8, today=DEMO_TODAY)
    assert all_rows() != first


def test_demo_is_two_years_of_realistic_logging(app, ctx):
    result = create_demo(seed=1, today=DEMO_TODAY)
    entries = db.session.scalars(select(Entry).order_by(Entry.occurred_at)).all()
    kinds = Counter(e.kind for e in entries)
    assert 2500 <= result.entry_count == len(entries) <= 4500
    assert set(kinds) == set(catalogue.ENTRY_KINDS)
    assert 95 <= kinds["checkin"] + kinds["carer"] // 2 <= 150 and kinds["weight"] >= 70
    span = entries[-1].occurred_at - entries[0].occurred_at
    assert timedelta(days=700) < span < timedelta(days=731)
    assert entries[-1].occurred_at < to_utc(datetime.combine(DEMO_TODAY, time()), "Europe/London")
    assert all(e.symptom_key in catalogue.LOGGABLE_SYMPTOMS for e in entries if e.kind == "symptom" and e.symptom_key)
    for e in entries:
        if e.region:
            assert e.region in catalogue.SYMPTOMS[e.symptom_key].regions if e.symptom_key else True
        if e.side:
            assert e.region in catalogue.SIDED_REGIONS
    assert {e.source for e in entries} == {"carer", "patient"}
    assert len({e.reported_by_id for e in entries}) == 3


def test_the_illness_spreads_as_limb_onset_als_does(app, ctx):
    create_demo(seed=1, today=DEMO_TODAY)
    first_seen = {}
    for key, occurred_at in db.session.execute(
            select(Entry.symptom_key, Entry.occurred_at).where(Entry.kind == "symptom").order_by(Entry.occurred_at)):
        first_seen.setdefault(key, occurred_at)
    assert first_seen["weak_grip"] < first_seen["foot_drop"] < first_seen["slurred_speech"] < first_seen["breathless_lying"]
    checkins = db.session.scalars(select(Entry).where(Entry.kind == "checkin").order_by(Entry.occurred_at)).all()
    totals = [int(c.value) for c in checkins]
    assert all(len(c.checkin_items) == 12 and sum(i.score for i in c.checkin_items) == c.value for c in checkins)
    assert 38 <= sum(totals[:4]) / 4 <= 45 and 17 <= sum(totals[-4:]) / 4 <= 26
    months = (checkins[-1].occurred_at - checkins[0].occurred_at).days / 30.44
    assert 0.6 <= (sum(totals[:4]) - sum(totals[-4:])) / 4 / months <= 1.3  # about a point a month
    weights = db.session.scalars(select(Entry.value).where(Entry.kind == "weight").order_by(Entry.occurred_at)).all()
    assert weights[0] - weights[-1] > 6


def test_demo_patient_has_care_team_visits_medicines_and_questions(app, ctx):
    result = create_demo(seed=1, today=DEMO_TODAY)
    patient = result.patient
    assert (patient.diagnosis, patient.onset_region, patient.breathing_support, patient.feeding_tube) == (
        "als", "arm", "niv", True)
    roles = sorted((m.role, m.is_patient) for m in db.session.scalars(select(Membership)))
    assert roles == [("log", False), ("log", True), ("owner", False)]
    visits = db.session.scalars(select(Entry.occurred_at).where(Entry.kind == "visit").order_by(Entry.occurred_at)).all()
    assert 6 <= len(visits) <= 10
    days_since_last = (to_utc(datetime.combine(DEMO_TODAY, time(12)), "Europe/London") - visits[-1]).days
    assert 21 <= days_since_last <= 42
    open_questions = db.session.scalars(select(Entry).where(Entry.kind == "question", Entry.done_at.is_(None))).all()
    assert 3 <= len(open_questions) <= 5
    medicines = {e.name: e for e in db.session.scalars(select(Entry).where(Entry.kind == "medication"))}
    assert medicines["Riluzole"].ended_on is None and medicines["Quinine"].ended_on is not None
    assert medicines["Glycopyrronium"].dose is None
    assert db.session.scalar(select(db.func.count()).where(Entry.custom_symptom_id.is_not(None))) > 0


def test_nothing_in_the_demo_is_in_the_future(app, ctx):
    create_demo(seed=2)
    latest = db.session.scalar(select(db.func.max(Entry.occurred_at)))
    assert latest <= utc_now()
    assert db.session.scalar(select(db.func.max(Entry.created_at))) <= utc_now()


def test_the_demo_severities_are_plausible(app, ctx):
    """Families mostly log mild to moderate symptoms; cramps are typically 3 to 6, not 9 of 10."""
    from statistics import median
    create_demo(seed=1, today=DEMO_TODAY)
    rows = db.session.execute(select(Entry.symptom_key, Entry.severity, Entry.occurred_at).where(
        Entry.kind == "symptom", Entry.severity.is_not(None), Entry.symptom_key.is_not(None))
        .order_by(Entry.occurred_at)).all()
    severities = [severity for _key, severity, _when in rows]
    assert 3 <= median(severities) <= 5
    assert sum(severity >= 8 for severity in severities) / len(severities) < 0.05
    assert sum(4 <= severity <= 6 for severity in severities) / len(severities) > 0.4
    cramps = [severity for key, severity, _when in rows if key == "cramps"]
    assert len(cramps) > 100 and 3 <= median(cramps) <= 6
    for key in {key for key, _severity, _when in rows}:
        of_key = [severity for k, severity, _when in rows if k == key]
        assert median(of_key) <= 6, key
    # A slow decline: the later half of a symptom's entries is a little worse, not suddenly severe.
    weak_grip = [severity for key, severity, _when in rows if key == "weak_grip"]
    early, late = median(weak_grip[:len(weak_grip) // 2]), median(weak_grip[len(weak_grip) // 2:])
    assert 1 <= late - early <= 3
