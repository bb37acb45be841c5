"""The diary: quick log, every kind of entry, validation, edit history, delete and undo, lists."""
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from caregiver.extensions import db
from caregiver.clock import utc_now
from caregiver.models import CustomSymptom, Entry, Membership, Patient

from .conftest import make_patient, make_user, sign_in


def entries(app, **where):
    with app.app_context():
        query = select(Entry)
        for name, value in where.items():
            query = query.where(getattr(Entry, name) == value)
        return db.session.scalars(query.order_by(Entry.id)).all()


def local_now(minutes_ago=0):
    # The test user's zone is Europe/London; a time an hour back is safely in the past anywhere.
    return (datetime.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def test_cramp_right_calf_now_takes_two_taps(app, client, carer):
    _user, patient_id = carer
    home = client.get(f"/patients/{patient_id}/").get_data(as_text=True)
    assert f'href="/patients/{patient_id}/log/cramps"' in home  # tap 1
    page = client.get(f"/patients/{patient_id}/log/cramps").get_data(as_text=True)
    assert "right calf" in page
    response = client.post(f"/patients/{patient_id}/log/cramps", data={"region": "calf", "side": "right"})  # tap 2
    [entry] = entries(app)
    assert (entry.kind, entry.symptom_key, entry.region, entry.side) == ("symptom", "cramps", "calf", "right")
    assert abs((entry.occurred_at - utc_now()).total_seconds()) < 60
    assert entry.source == "carer" and entry.reported_by_id == carer[0]
    assert response.location.endswith(f"/patients/{patient_id}/?saved={entry.id}")
    assert "Saved: Cramps, right calf" in client.get(response.location).get_data(as_text=True)


def test_quick_log_for_symptom_without_a_place(app, client, carer):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/log/drooling", data={})
    [entry] = entries(app)
    assert entry.symptom_key == "drooling" and entry.region is None


def test_quick_log_rejects_unknown_symptom_and_foreign_place(app, client, carer):
    _user, patient_id = carer
    assert client.get(f"/patients/{patient_id}/log/not-a-symptom").status_code == 404
    assert client.post(f"/patients/{patient_id}/log/nonsense", data={}).status_code == 404
    assert client.post(f"/patients/{patient_id}/log/cramps", data={"region": "tongue"}).status_code == 400
    assert client.post(f"/patients/{patient_id}/log/cramps", data={"region": "moon"}).status_code == 400
    assert client.post(f"/patients/{patient_id}/log/cramps", data={"region": "calf", "side": "up"}).status_code == 400
    assert entries(app) == []


def test_patient_with_own_account_logs_as_self_report(app, client):
    user_id = make_user(app)
    with app.app_context():
        patient = Patient(display_name="Ravi", diagnosis="als")
        db.session.add_all([patient, Membership(patient=patient, user_id=user_id, role="owner", is_patient=True)])
        db.session.commit()
        patient_id = patient.id
    sign_in(client)
    client.post(f"/patients/{patient_id}/log/twitching", data={"region": "arm", "side": "left"})
    [entry] = entries(app)
    assert entry.source == "patient"


def test_home_shows_the_symptoms_this_patient_logs_most(app, client, carer):
    _user, patient_id = carer
    for _ in range(3):
        client.post(f"/patients/{patient_id}/log/drooling", data={})
    page = client.get(f"/patients/{patient_id}/").get_data(as_text=True)
    quick = page.split('class="quick-grid"')[1].split("</ul>")[0]
    assert quick.index("Drooling") < quick.index("Weakness")


def test_full_symptom_form_saves_every_detail(app, client, carer):
    _user, patient_id = carer
    response = client.post(f"/patients/{patient_id}/new/symptom", data={
        "symptom": "stiffness", "severity": "6", "region": "leg", "side": "both", "duration": "hours",
        "frequency": "few", "occurred_at": local_now(90), "source": "patient", "note": "Worse in the evening",
    })
    assert response.status_code == 302
    [entry] = entries(app)
    assert (entry.severity, entry.region, entry.side, entry.duration, entry.frequency) == (6, "leg", "both", "hours", "few")
    assert entry.source == "patient" and entry.note == "Worse in the evening"
    assert entry.tz == "Europe/London"


def test_every_entry_kind_can_be_added(app, client, carer):
    _user, patient_id = carer
    when = local_now(60)
    forms = {
        "event": {"event_type": "fall", "injured": "y", "occurred_at": when, "source": "carer"},
        "weight": {"weight": "71.4", "occurred_at": when, "source": "carer"},
        "niv": {"hours": "6.5", "occurred_at": when, "source": "carer"},
        "carer": {"coping": "4", "occurred_at": when, "note": "Tired"},
        "checkin": {"occurred_at": when, "source": "carer", **{f"item_{k}": "3" for k in (
            "speech", "saliva", "swallowing", "handwriting", "cutting", "dressing", "turning", "walking",
            "stairs", "dyspnoea", "orthopnoea", "breathing_support")}},
        "medication": {"name": "Riluzole", "dose": "50 mg twice a day", "started": "2026-01-10"},
        "visit": {"day": "2026-02-01", "name": "Dr Okafor", "note": "Discussed NIV"},
        "question": {"note": "Should we ask about a feeding tube?"},
    }
    for kind, data in forms.items():
        response = client.post(f"/patients/{patient_id}/new/{kind}", data=data)
        assert response.status_code == 302, (kind, response.get_data(as_text=True))
    saved = {entry.kind: entry for entry in entries(app)}
    assert set(saved) == set(forms)
    assert saved["event"].event_type == "fall" and saved["event"].injured is True
    assert saved["weight"].value == 71.4
    assert saved["niv"].value == 6.5
    assert saved["carer"].value == 4 and saved["carer"].source == "carer"
    assert saved["checkin"].value == 36
    with app.app_context():
        checkin = db.session.get(Entry, saved["checkin"].id)
        assert len(checkin.checkin_items) == 12
    assert saved["medication"].name == "Riluzole" and saved["medication"].ended_on is None
    assert saved["visit"].name == "Dr Okafor"
    assert saved["question"].done_at is None


def test_weight_in_pounds_is_stored_in_kilograms_and_shown_in_pounds(app, client):
    user_id = make_user(app)
    patient_id = make_patient(app, user_id, weight_unit="lb")
    sign_in(client)
    client.post(f"/patients/{patient_id}/new/weight", data={"weight": "160", "occurred_at": local_now(5), "source": "carer"})
    [entry] = entries(app)
    assert round(entry.value, 2) == 72.57
    assert "160 lb" in client.get(f"/patients/{patient_id}/history").get_data(as_text=True)


BAD_INPUT = [
    ("symptom", {"symptom": "cramps", "occurred_at": "2099-01-01T10:00"}, "in the future"),
    ("symptom", {"symptom": "cramps", "severity": "11"}, "Choose a number from 0 to 10"),
    ("symptom", {"symptom": "cramps", "severity": "-1"}, "Choose a number from 0 to 10"),
    ("symptom", {"symptom": "cramps", "note": "x" * 50_000}, "Keep the note under 5000 characters"),
    ("symptom", {"symptom": "no-such-symptom"}, "Choose a symptom from the list"),
    ("symptom", {"symptom": "custom-99999"}, "Choose a symptom from the list"),
    ("symptom", {"symptom": "cramps", "region": "moon"}, "Choose one of the options"),
    ("symptom", {"symptom": "cramps", "occurred_at": "yesterday"}, "Not a valid datetime value"),
    ("weight", {"weight": "0"}, "Enter a weight between 20 and 300 kg"),
    ("weight", {"weight": "900"}, "Enter a weight between 20 and 300 kg"),
    ("weight", {"weight": "heavy"}, "Not a valid decimal value"),
    ("niv", {"hours": "25"}, "from 0 to 24"),
    ("carer", {"coping": "12"}, "Choose a number from 0 to 10"),
    ("checkin", {"item_speech": "7"}, "Not a valid choice"),
    ("event", {"event_type": "explosion"}, "Choose one of the options"),
    ("medication", {"name": "", "started": "2026-01-01"}, "Enter the name of the medicine"),
    ("medication", {"name": "Baclofen", "started": "2026-03-01", "stopped": "2026-02-01"}, "before the start date"),
    ("visit", {"day": "2031-01-01"}, "within the next year"),
    ("question", {"note": ""}, "Write the question"),
]


# Fields typed into (not chosen from a list): what was typed must come back in the form.
TYPED = {"note", "weight", "hours", "occurred_at", "name", "started", "stopped", "day"}


def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(app, client, carer):
    _user, patient_id = carer
    for kind, data, message in BAD_INPUT:
        if kind not in ("medication", "visit", "question"):
            data = {"occurred_at": local_now(30), "source": "carer", **data}
        response = client.post(f"/patients/{patient_id}/new/{kind}", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, (kind, data)
        assert message in page, (kind, message)
        assert 'class="field-errors"' in page and "Nothing was saved yet" in page
        for name, value in data.items():
            if name in TYPED and len(value) < 100:
                assert f'value="{value}"' in page or f"{value}</textarea>" in page, (kind, value)
    assert entries(app) == []


def test_long_note_is_kept_in_the_form_after_an_error(app, client, carer):
    _user, patient_id = carer
    note = "word " * 2000  # 10,000 characters: over the limit, and it must come back intact
    page = client.post(f"/patients/{patient_id}/new/symptom", data={
        "symptom": "cramps", "occurred_at": local_now(5), "source": "carer", "note": note,
    }).get_data(as_text=True)
    assert note.strip() in page


def test_a_custom_symptom_can_be_added_and_logged(app, client, carer):
    _user, patient_id = carer
    response = client.post(f"/patients/{patient_id}/log", data={"name": "Cold hands", "group": "general"})
    with app.app_context():
        custom = db.session.scalar(select(CustomSymptom))
    assert response.location.endswith(f"/log/custom-{custom.id}")
    client.post(f"/patients/{patient_id}/log/custom-{custom.id}", data={"region": "hand", "side": "left"})
    [entry] = entries(app)
    assert entry.custom_symptom_id == custom.id and entry.symptom_key is None
    assert "Cold hands, left hand" in client.get(f"/patients/{patient_id}/history").get_data(as_text=True)
    again = client.post(f"/patients/{patient_id}/log", data={"name": "Cold hands", "group": "general"})
    assert "already on the list" in again.get_data(as_text=True)


def test_editing_keeps_who_changed_what_and_when(app, client, carer):
    user_id, patient_id = carer
    client.post(f"/patients/{patient_id}/log/cramps", data={"region": "calf", "side": "right"})
    [entry] = entries(app)
    edit = client.get(f"/patients/{patient_id}/entries/{entry.id}/edit").get_data(as_text=True)
    assert '<option selected value="calf">' in edit
    response = client.post(f"/patients/{patient_id}/entries/{entry.id}/edit", data={
        "symptom": "cramps", "severity": "7", "region": "calf", "side": "left",
        "occurred_at": local_now(10), "source": "carer", "note": "",
    })
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(Entry, entry.id)
        [revision] = entry.revisions
        assert revision.action == "edited" and revision.changed_by_id == user_id
        assert revision.changes["severity"] == [None, 7] and revision.changes["side"] == ["right", "left"]
        assert entry.updated_at is not None
    detail = client.get(f"/patients/{patient_id}/entries/{entry.id}").get_data(as_text=True)
    assert "Changed on" in detail and "by Carer" in detail


def test_saving_an_unchanged_entry_records_no_change(app, client, carer):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/new/weight", data={"weight": "70", "occurred_at": "2026-01-01T10:00", "source": "carer"})
    [entry] = entries(app)
    client.post(f"/patients/{patient_id}/entries/{entry.id}/edit", data={"weight": "70.0", "occurred_at": "2026-01-01T10:00", "source": "carer"})
    with app.app_context():
        assert db.session.get(Entry, entry.id).revisions == []


def test_delete_shows_undo_and_undo_brings_the_entry_back(app, client, carer):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/log/drooling", data={})
    [entry] = entries(app)
    response = client.post(f"/patients/{patient_id}/entries/{entry.id}/delete")
    assert response.location.endswith(f"/history?undo={entry.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Deleted: Drooling" in page and f"/entries/{entry.id}/restore" in page
    assert "No entries match" in page  # gone from the history
    assert entries(app)[0].deleted_at is not None  # but not from the database
    client.post(f"/patients/{patient_id}/entries/{entry.id}/restore")
    assert entries(app)[0].deleted_at is None
    with app.app_context():
        actions = [r.action for r in db.session.get(Entry, entry.id).revisions]
    assert actions == ["deleted", "restored"]
    assert "Drooling" in client.get(f"/patients/{patient_id}/history").get_data(as_text=True)


def test_undo_straight_after_a_quick_log(app, client, carer):
    _user, patient_id = carer
    saved = client.post(f"/patients/{patient_id}/log/drooling", data={})
    home = client.get(saved.location).get_data(as_text=True)
    [entry] = entries(app)
    assert f"/entries/{entry.id}/delete" in home and "Undo" in home
    response = client.post(f"/patients/{patient_id}/entries/{entry.id}/delete", data={"next": f"/patients/{patient_id}/"})
    assert response.location == f"/patients/{patient_id}/?undo={entry.id}"
    assert f"/entries/{entry.id}/restore" in client.get(response.location).get_data(as_text=True)


def test_deleted_entries_are_listed_for_restoring(app, client, carer):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/log/drooling", data={})
    [entry] = entries(app)
    client.post(f"/patients/{patient_id}/entries/{entry.id}/delete")
    page = client.get(f"/patients/{patient_id}/deleted").get_data(as_text=True)
    assert "Drooling" in page and f"/entries/{entry.id}/restore" in page
    assert client.get(f"/patients/{patient_id}/entries/{entry.id}/edit").status_code == 404


def add(app, patient_id, user_id, kind, days_ago, **fields):
    with app.app_context():
        entry = Entry(patient_id=patient_id, kind=kind, occurred_at=utc_now() - timedelta(days=days_ago),
                      tz="Europe/London", reported_by_id=user_id, **fields)
        db.session.add(entry)
        db.session.commit()
        return entry.id


def test_history_is_a_day_by_day_timeline_with_filters(app, client, carer):
    user_id, patient_id = carer
    add(app, patient_id, user_id, "symptom", 40, symptom_key="cramps", region="calf", side="left")
    add(app, patient_id, user_id, "visit", 20, name="Dr Okafor")
    add(app, patient_id, user_id, "symptom", 10, symptom_key="slurred_speech", severity=5)
    add(app, patient_id, user_id, "weight", 3, value=70.0)
    base = f"/patients/{patient_id}/history"

    def shown(query=""):
        page = client.get(base + query).get_data(as_text=True)
        return [name for name in ("Cramps", "Appointment with Dr Okafor", "Slurred speech", "Weight: 70")
                if name in page.split('class="filters"')[1].split("</details>")[1]]

    assert shown() == ["Cramps", "Appointment with Dr Okafor", "Slurred speech", "Weight: 70"]
    assert shown("?group=bulbar") == ["Slurred speech"]
    assert shown("?group=lmn") == ["Cramps"]
    assert shown("?symptom=cramps") == ["Cramps"]
    assert shown("?kind=weight") == ["Weight: 70"]
    assert shown("?range=since_visit") == ["Appointment with Dr Okafor", "Slurred speech", "Weight: 70"]
    assert shown("?range=1") == ["Appointment with Dr Okafor", "Slurred speech", "Weight: 70"]
    since = (utc_now() - timedelta(days=15)).date().isoformat()
    until = (utc_now() - timedelta(days=5)).date().isoformat()
    assert shown(f"?range=custom&since={since}&until={until}") == ["Slurred speech"]
    page = client.get(base).get_data(as_text=True).split('class="filters"')[1].split("</details>")[1]
    assert page.index("Weight: 70") < page.index("Cramps")  # newest first


def test_history_ignores_nonsense_in_the_address(app, client, carer):
    _user, patient_id = carer
    for query in ("?page=abc", "?page=-3", "?since=31-31-2020", "?kind=nope", "?symptom=custom-x",
                  "?group=%3Cscript%3E", "?range=9999", "?until=2026-99-01"):
        assert client.get(f"/patients/{patient_id}/history{query}").status_code == 200, query


def test_history_is_paginated(app, client, carer):
    user_id, patient_id = carer
    with app.app_context():
        now = utc_now()
        db.session.add_all([
            Entry(patient_id=patient_id, kind="niv", value=float(i % 10), occurred_at=now - timedelta(hours=i),
                  reported_by_id=user_id)
            for i in range(120)
        ])
        db.session.commit()
    first = client.get(f"/patients/{patient_id}/history").get_data(as_text=True)
    assert first.count('class="entry entry-niv"') == 50 and "Older" in first
    third = client.get(f"/patients/{patient_id}/history?page=3").get_data(as_text=True)
    assert third.count('class="entry entry-niv"') == 20 and "Newer" in third


def test_questions_are_ticked_off_when_asked(app, client, carer):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/questions", data={"note": "Is the headache linked to breathing?"})
    [question] = entries(app, kind="question")
    client.post(f"/patients/{patient_id}/questions/{question.id}/asked")
    assert entries(app, kind="question")[0].done_at is not None
    page = client.get(f"/patients/{patient_id}/questions").get_data(as_text=True)
    assert "Asked on" in page
    client.post(f"/patients/{patient_id}/questions/{question.id}/asked")
    assert entries(app, kind="question")[0].done_at is None
    assert "1 question for the next appointment" in client.get(f"/patients/{patient_id}/").get_data(as_text=True)


def test_medications_and_appointments_have_their_lists(app, client, carer):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/new/medication", data={"name": "Quinine", "started": "2026-01-01", "stopped": "2026-02-01"})
    client.post(f"/patients/{patient_id}/new/medication", data={"name": "Riluzole", "dose": "50 mg", "started": "2026-03-01"})
    page = client.get(f"/patients/{patient_id}/medications").get_data(as_text=True).split('class="card-list"')[1]
    assert page.index("Riluzole") < page.index("Quinine")  # the ones still taken come first
    client.post(f"/patients/{patient_id}/new/visit", data={"day": "2026-04-02", "name": "MND nurse"})
    assert "MND nurse" in client.get(f"/patients/{patient_id}/visits").get_data(as_text=True)


def test_since_the_last_visit_ignores_a_coming_appointment(app, client, carer):
    user_id, patient_id = carer
    add(app, patient_id, user_id, "visit", 30, name="Past")
    add(app, patient_id, user_id, "visit", -14, name="Coming")
    home = client.get(f"/patients/{patient_id}/").get_data(as_text=True)
    assert "Last appointment: 30 days ago" in home


def test_entry_details_say_who_reported_it(app, client):
    owner = make_user(app, "owner@example.org", "Priya")
    patient_id = make_patient(app, owner, name="Ravi")
    sign_in(client, "owner@example.org")
    client.post(f"/patients/{patient_id}/new/symptom", data={
        "symptom": "cramps", "occurred_at": local_now(5), "source": "patient", "note": ""})
    [entry] = entries(app)
    page = client.get(f"/patients/{patient_id}/entries/{entry.id}").get_data(as_text=True)
    assert "Ravi said so; entered by Priya" in page


def test_a_new_check_in_starts_from_the_last_answers(app, client, carer):
    _user, patient_id = carer
    items = {f"item_{k}": "3" for k in ("speech", "saliva", "swallowing", "handwriting", "cutting", "dressing",
                                          "turning", "walking", "stairs", "dyspnoea", "orthopnoea")}
    client.post(f"/patients/{patient_id}/new/checkin", data={
        **items, "item_breathing_support": "4", "occurred_at": local_now(60), "source": "carer"})
    page = client.get(f"/patients/{patient_id}/new/checkin").get_data(as_text=True)
    assert "The answers from the last check-in" in page
    assert re.search(r'<input checked [^>]*name="item_walking" [^>]*value="3">', page)
    assert re.search(r'<input checked [^>]*name="item_breathing_support" [^>]*value="4">', page)
