"""Measures: the phone's own (breath count, speaking rate, tapping) and readings from home devices."""
import base64
import io
import json

from pypdf import PdfReader
from sqlalchemy import select

from caregiver import catalogue
from caregiver.extensions import db
from caregiver.models import Alert, Entry, Recording
from caregiver.passages import PASSAGES
from tests.conftest import make_user, sign_in
from tests.test_diary import local_now

WAV = "data:audio/wav;base64," + base64.b64encode(b"RIFF....WAVEfmt " + bytes(200)).decode()


def post_measure(client, patient_id, measure, **fields):
    data = {"measure": measure, "occurred_at": local_now(5), "source": "carer", **fields}
    return client.post(f"/patients/{patient_id}/new/measure?measure={measure}", data=data)


def measures(app):
    with app.app_context():
        return db.session.scalars(select(Entry).where(Entry.kind == "measure").order_by(Entry.id)).all()


def test_the_measures_page_lists_every_measure_and_each_opens_its_screen(client, carer):
    _user, patient_id = carer
    page = client.get(f"/patients/{patient_id}/measures").get_data(as_text=True)
    for measure in catalogue.MEASURES.values():
        assert f"measure={measure.key}" in page
        form = client.get(f"/patients/{patient_id}/new/measure?measure={measure.key}").get_data(as_text=True)
        assert str(measure.name) in form and f"/explain/{measure.explainer}" in form
        assert ('id="measure-screen"' in form) == measure.on_phone
    # Without a measure, the list is where "add a measure" goes.
    assert client.get(f"/patients/{patient_id}/new/measure").headers["Location"].endswith(f"/patients/{patient_id}/measures")


def test_readings_outside_their_limits_are_refused_next_to_the_field_and_kept(app, client, carer):
    _user, patient_id = carer
    page = post_measure(client, patient_id, "spo2", value="130", note="after a walk").get_data(as_text=True)
    assert "Enter a number from 50 to 100." in page and 'value="130"' in page and "after a walk" in page
    page = post_measure(client, patient_id, "cough_flow", value="").get_data(as_text=True)
    assert "Enter the result." in page
    page = post_measure(client, patient_id, "speech_rate", passage="en-1").get_data(as_text=True)
    assert "Enter how many seconds the reading took." in page
    page = post_measure(client, patient_id, "tapping").get_data(as_text=True)
    assert "Enter the taps of at least one hand." in page
    assert measures(app) == []


def test_speaking_rate_is_worked_out_from_the_passage_and_tapping_from_both_hands(app, client, carer):
    _user, patient_id = carer
    passage = PASSAGES["en-1"]
    post_measure(client, patient_id, "speech_rate", passage="en-1", speech_seconds="30", pause_share="21",
                 method="microphone")
    post_measure(client, patient_id, "tapping", right_taps="52", left_taps="40", right_variation="8.5",
                 method="taps")
    post_measure(client, patient_id, "vital_capacity", value="3.456", percent_predicted="71")
    rate, taps, capacity = measures(app)
    assert rate.value == round(passage.words * 2, 1)
    assert rate.details == {"method": "microphone", "passage": "en-1", "seconds": 30, "pause_share": 21}
    assert taps.value == 46 and taps.details == {"method": "taps", "right_taps": 52, "right_variation": 8.5,
                                                 "left_taps": 40}
    assert capacity.value == 3.46 and capacity.details == {"method": "hand", "percent_predicted": 71}
    history = client.get(f"/patients/{patient_id}/history").get_data(as_text=True)
    assert f"Speaking rate: {passage.words * 2} words a minute" in history
    assert "Finger tapping: 46 taps in 10 seconds" in history and "Vital capacity (FVC or VC): 3.46 L" in history
    detail = client.get(f"/patients/{patient_id}/entries/{taps.id}").get_data(as_text=True)
    assert "counted by taps on the screen" in detail and "<dd>52</dd>" in detail and "<dd>8.5</dd>" in detail


def test_low_spo2_and_cough_flow_raise_their_alerts(app, client, carer):
    _user, patient_id = carer
    post_measure(client, patient_id, "spo2", value="93")
    post_measure(client, patient_id, "cough_flow", value="150")
    post_measure(client, patient_id, "cough_flow", value="300")
    with app.app_context():
        assert sorted(db.session.scalars(select(Alert.rule))) == ["cough_flow_low", "spo2_low"]


def test_a_recording_is_kept_only_when_the_box_is_ticked_and_only_for_the_team(app, client, carer):
    _user, patient_id = carer
    post_measure(client, patient_id, "breath_count", value="31", method="microphone", recording=WAV)
    post_measure(client, patient_id, "breath_count", value="30", method="microphone", recording=WAV,
                 keep_recording="y")
    page = post_measure(client, patient_id, "breath_count", value="29", recording="data:text/html;base64,PGI+",
                        keep_recording="y").get_data(as_text=True)
    assert "The recording could not be kept" in page
    first, kept = measures(app)
    with app.app_context():
        assert db.session.scalar(select(Recording.entry_id)) == kept.id
    answer = client.get(f"/patients/{patient_id}/entries/{kept.id}/recording")
    assert answer.status_code == 200 and answer.mimetype == "audio/wav" and answer.data.startswith(b"RIFF")
    assert client.get(f"/patients/{patient_id}/entries/{first.id}/recording").status_code == 404
    make_user(app, "stranger@example.org")
    stranger = app.test_client()
    sign_in(stranger, "stranger@example.org")
    assert stranger.get(f"/patients/{patient_id}/entries/{kept.id}/recording").status_code == 404
    assert stranger.get(f"/patients/{patient_id}/measures").status_code == 404
    # Unticking the box on the entry's form deletes the recording.
    client.post(f"/patients/{patient_id}/entries/{kept.id}/edit",
                data={"measure": "breath_count", "value": "30", "occurred_at": local_now(5), "source": "carer"})
    with app.app_context():
        assert db.session.scalar(select(Recording)) is None


def test_measures_reach_trends_the_pdf_and_fhir_with_their_codes(app, client, carer):
    _user, patient_id = carer
    post_measure(client, patient_id, "peak_flow", value="350", occurred_at=local_now(60 * 24 * 3))
    post_measure(client, patient_id, "peak_flow", value="310")
    post_measure(client, patient_id, "vital_capacity", value="2.9", percent_predicted="64")
    post_measure(client, patient_id, "breath_count", value="33", method="taps")
    trends = client.get(f"/patients/{patient_id}/trends?range=3m").get_data(as_text=True)
    assert "Measures" in trends and "Peak flow" in trends and "310 L/min" in trends
    pdf = client.get(f"/patients/{patient_id}/report/summary.pdf?range=3m&language=en")
    page_one = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    flat = " ".join(page_one.split())
    assert "Peak flow: 310 L/min (from 350)" in flat and "Single-breath count: 33 numbers" in flat
    bundle = json.loads(client.get(f"/patients/{patient_id}/export.fhir.json").data)
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    codes = {o["code"].get("coding", [{}])[0].get("code"): o for o in observations}
    assert codes["19935-6"]["valueQuantity"] == {"value": 310.0, "unit": "L/min", "system": "http://unitsofmeasure.org",
                                                 "code": "L/min"}
    [percent] = codes["19870-5"]["component"]
    assert percent["code"]["coding"][0]["code"] == catalogue.PERCENT_PREDICTED_LOINC and percent["valueQuantity"]["value"] == 64
    assert codes[None]["code"]["text"] == "Single-breath count" and codes[None]["method"]["text"] == "counted by taps on the screen"


def test_a_backup_carries_measures_and_recordings_and_is_checked_by_the_form(app, client, carer):
    _user, patient_id = carer
    post_measure(client, patient_id, "speech_rate", passage="en-1", speech_seconds="25", method="microphone",
                 recording=WAV, keep_recording="y")
    backup = json.loads(client.get(f"/patients/{patient_id}/export.json").data)
    [record] = [r for r in backup["entries"] if r["kind"] == "measure"]
    assert record["details"]["seconds"] == 25 and record["recording"]["mime_type"] == "audio/wav"
    record["value"] = 999.0  # a rate the passage and the seconds do not give: the form works it out again
    imported = client.post("/patients/import", data={"backup": (io.BytesIO(json.dumps(backup).encode()), "b.json")})
    assert imported.status_code == 302
    copy = measures(app)[-1]
    assert copy.patient_id != patient_id and copy.value == round(PASSAGES["en-1"].words * 60 / 25, 1)
    with app.app_context():
        assert db.session.scalar(select(Recording.audio).where(Recording.entry_id == copy.id)).startswith(b"RIFF")
    record["details"]["seconds"] = 9999
    refused = client.post("/patients/import", data={"backup": (io.BytesIO(json.dumps(backup).encode()), "b.json")})
    assert "Enter a number from 3 to 600." in refused.get_data(as_text=True)


def test_kept_recordings_go_with_the_diary(app, client, carer):
    _user, patient_id = carer
    post_measure(client, patient_id, "breath_count", value="30", method="microphone", recording=WAV,
                 keep_recording="y")
    with app.app_context():
        assert db.session.scalar(select(Recording.id)) is not None
        from caregiver import team
        team.delete_diary(patient_id)
        assert db.session.scalar(select(Recording.id)) is None
