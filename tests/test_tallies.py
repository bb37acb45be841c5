"""Monthly tallies (caregiver/tallies.py) never disagree with the entries: after every kind of write,
each kept tally is what its month's entries make now, and the trends page's summary and a printed
summary without its appendix equal the one made from every entry, for every range and in zones
east and west of the diary's."""
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caregiver.catalogue import RangeChoice
from caregiver.clock import start_of_day, utc_now
from caregiver.extensions import db
from caregiver.models import Entry, MonthTally, Patient
from caregiver.summary import summary_for, trends_for
from caregiver.summary.read import read_trends
from caregiver.summary.parts import Period
from caregiver.tallies import ZONE_REACH, Tally, next_month, read_tally_rows, tally_rows

ZONES = ("Europe/London", "Asia/Kolkata", "America/Los_Angeles")
CHOICES = (RangeChoice("since_visit"), RangeChoice("3"), RangeChoice("12"), RangeChoice("all"),
           RangeChoice("custom", date(2025, 3, 17), date(2026, 2, 9)))


def shown(summary):
    """Every part of a summary that the trends page shows."""
    return (summary.period, summary.logged_days, summary.counts, summary.symptoms, summary.function,
            summary.weight, summary.niv_hours, summary.measures, summary.carer_scores, summary.open_questions,
            summary.medications, summary.alerts)


def printed(summary):
    """Every part of a summary that the printed one shows without its appendix."""
    return (*shown(summary), summary.red_flags, summary.notes, summary.notes_total, summary.entered_by,
            summary.topics, summary.sources, summary.weakness_places)


def assert_tallies_agree(app, patient_id):
    with app.app_context():
        patient, now = db.session.get(Patient, patient_id), utc_now()
        for zone in ZONES:
            for choice in CHOICES:
                every_entry = summary_for(patient, choice, zone, now, appendix=True)
                assert every_entry.entries is not None
                assert shown(trends_for(patient, choice, zone, now)) == shown(every_entry), (zone, choice)
                without_appendix = summary_for(patient, choice, zone, now)
                assert without_appendix.entries is None
                assert printed(without_appendix) == printed(every_entry), (zone, choice)
        # What the comparison covers is there to compare.
        assert all((every_entry.red_flags, every_entry.notes, every_entry.weakness_places,
                    every_entry.sources.get("patient"), every_entry.sources.get("carer"), every_entry.topics))
        kept = db.session.scalars(select(MonthTally).where(MonthTally.patient_id == patient_id)).all()
        assert kept, "the trends page keeps tallies"
        for row in kept:
            start, end = start_of_day(row.month, row.zone), start_of_day(next_month(row.month), row.zone)
            made = tally_rows(read_tally_rows(patient_id, [(start - ZONE_REACH, end + ZONE_REACH)], row.zone))
            assert row.tally == (made.get(row.month) or Tally()).to_json(), (row.zone, row.month)
        return len(kept)


def old_symptom(app, patient_id, months_ago):
    """A live symptom entry of a month well inside the 12 months, whatever the day."""
    with app.app_context():
        newest = db.session.scalar(select(func.max(Entry.occurred_at)).where(Entry.patient_id == patient_id))
        return db.session.scalar(
            select(Entry.id).where(Entry.patient_id == patient_id, Entry.kind == "symptom", Entry.deleted_at.is_(None),
                                   Entry.symptom_key.is_not(None),
                                   Entry.occurred_at < newest - timedelta(days=30 * months_ago))
            .order_by(Entry.occurred_at.desc()).limit(1))


def moved(months_ago):
    return (datetime.now() - timedelta(days=30 * months_ago)).strftime("%Y-%m-%dT10:00")


def test_tallies_agree_with_the_entries_after_every_kind_of_write(app, demo, client):
    patient_id = demo
    assert client.get(f"/patients/{patient_id}/trends?range=12").status_code == 200
    assert_tallies_agree(app, patient_id)

    # A new entry today, and one written for a day eight months back.
    client.post(f"/patients/{patient_id}/log/cramps", data={"region": "calf", "side": "left"})
    client.post(f"/patients/{patient_id}/new/event", data={"event_type": "fall", "occurred_at": moved(8),
                                                           "source": "carer"})
    assert_tallies_agree(app, patient_id)

    # An old symptom edited: a new severity, and moved from one month to another.
    entry_id = old_symptom(app, patient_id, 6)
    response = client.post(f"/patients/{patient_id}/entries/{entry_id}/edit", data={
        "symptom": "cramps", "severity": "9", "occurred_at": moved(10), "source": "carer"})
    assert response.status_code == 302
    assert_tallies_agree(app, patient_id)

    # Deleted, then the deleting undone.
    entry_id = old_symptom(app, patient_id, 4)
    assert client.post(f"/patients/{patient_id}/entries/{entry_id}/delete").status_code == 302
    assert_tallies_agree(app, patient_id)
    assert client.post(f"/patients/{patient_id}/entries/{entry_id}/restore").status_code == 302
    assert_tallies_agree(app, patient_id)

    # Offline entries synced, the same batch sent again, and once more with other details (a conflict).
    batch = {"entries": [{"uuid": "2f1e0d4c-1111-4aaa-8bbb-0123456789ab", "kind": "symptom", "tz": "Europe/London",
                          "fields": {"symptom": "drooling", "severity": "4", "occurred_at": moved(5),
                                     "source": "carer"}}]}
    for _ in range(2):
        assert client.post(f"/patients/{patient_id}/sync", json=batch).is_json
    batch["entries"][0]["fields"]["severity"] = "7"
    assert client.post(f"/patients/{patient_id}/sync", json=batch).is_json
    assert_tallies_agree(app, patient_id)

    # A backup imported as a diary of its own: its tallies are made from its own entries.
    backup = client.get(f"/patients/{patient_id}/export.json").data
    assert client.post("/patients/import", data={"backup": (io.BytesIO(backup), "b.json")}).status_code == 302
    with app.app_context():
        imported = max(db.session.scalars(select(Patient.id)))
    assert client.get(f"/patients/{imported}/trends?range=all").status_code == 200
    assert_tallies_agree(app, imported)

    # Deleting a diary deletes its tallies.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MonthTally).where(MonthTally.patient_id == imported))
    assert client.post(f"/patients/{imported}/delete", data={"understood": "y", "name": "Ravi"}).status_code == 302
    with app.app_context():
        assert db.session.get(Patient, imported) is None
        assert not db.session.scalar(select(func.count()).select_from(MonthTally)
                                     .where(MonthTally.patient_id == imported))


def test_the_trends_page_reads_whole_months_as_tallies_not_entries(app, demo):
    """A year of the demo is read as twelve or so tallies, its part-months and points one by one."""
    with app.app_context():
        patient = db.session.get(Patient, demo)
        summary = trends_for(patient, RangeChoice("12"), "Europe/London")
        period = summary.period
        rows = read_trends(patient, period)
        whole = [month for month in period.months
                 if start_of_day(month, period.tz) >= period.since
                 and start_of_day(next_month(month), period.tz) <= period.until]
        assert len(whole) >= 10
        in_range = db.session.scalar(select(func.count()).select_from(Entry).where(
            Entry.patient_id == demo, Entry.occurred_at >= period.since, Entry.occurred_at < period.until))
        assert len(rows.entries) < in_range / 5  # the points only: no symptom or event entry
        assert {e.kind for e in rows.entries} <= {"checkin", "weight", "niv", "carer", "measure"}
        assert summary.entries is None and summary.red_flags is None  # not shown, so not made


@pytest.mark.parametrize("counts, expected", [
    ({}, None), ({3: 1}, 3), ({3: 2}, 3.0), ({1: 1, 5: 1}, 3.0), ({2: 3, 7: 1}, 2), ({0: 2, 4: 1, 9: 1}, 2.0),
])
def test_the_median_of_counted_values_is_the_median_of_the_values(counts, expected):
    from statistics import median

    from caregiver.maths import median_of_counts

    assert median_of_counts(counts) == expected
    if counts:
        values = [value for value, times in counts.items() for _ in range(times)]
        assert median_of_counts(counts) == median(values) and type(median_of_counts(counts)) is type(median(values))


def test_a_write_drops_the_tallies_of_the_month_it_touches_and_no_other(app, demo):
    with app.app_context():
        patient = db.session.get(Patient, demo)
        period = Period(datetime(2026, 1, 1), datetime(2026, 4, 1), "Europe/London")
        read_trends(patient, period)
        assert db.session.get(MonthTally, (demo, "Europe/London", date(2026, 2, 1))) is not None
        entry = db.session.scalar(select(Entry).where(Entry.patient_id == demo, Entry.kind == "symptom",
                                                      Entry.occurred_at >= datetime(2026, 2, 10),
                                                      Entry.occurred_at < datetime(2026, 2, 20)).limit(1))
        entry.severity = 10 if entry.severity != 10 else 9
        db.session.commit()
        assert db.session.get(MonthTally, (demo, "Europe/London", date(2026, 2, 1))) is None
        assert db.session.get(MonthTally, (demo, "Europe/London", date(2026, 1, 1))) is not None


def test_logged_before_finds_what_a_scan_of_the_whole_diary_finds(app, demo):
    from caregiver.entries import custom_symptoms
    from caregiver.rows import symptom_ref
    from caregiver.summary.read import logged_before

    with app.app_context():
        patient = db.session.get(Patient, demo)
        patient_customs = custom_symptoms(patient)
        refs = {*(symptom_ref(key, None) for key in db.session.scalars(
            select(Entry.symptom_key).where(Entry.patient_id == demo).distinct()) if key),
            *(symptom_ref(None, c.id) for c in patient_customs), "custom-999999"}
        assert patient_customs, "the demo has a symptom of the family's own"
        for before in (datetime(2025, 1, 1), datetime(2026, 1, 1), datetime(2026, 11, 1)):
            scanned = {symptom_ref(key, custom) for key, custom in db.session.execute(
                select(Entry.symptom_key, Entry.custom_symptom_id).distinct().where(
                    Entry.patient_id == demo, Entry.kind == "symptom", Entry.deleted_at.is_(None),
                    Entry.occurred_at < before))}
            assert logged_before(patient, refs, before) == scanned & refs
