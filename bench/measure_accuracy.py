"""How close the phone's measures come to the truth: counts and passages synthesised by espeak-ng,
played through Debian Chromium's fake microphone into the real measure pages (as the browser tests
do, on more recordings), and compared with what the diary saved.

  .venv/bin/python bench/measure_accuracy.py

Prints two Markdown tables: the single-breath count's error per recording (numbers heard − said),
and the speaking rate's error (% of the true words a minute, the truth timed on the synthesised
audio from its first sound to its last), each with the mean and largest absolute error.
"""
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="mnd-measures-"))

import flask_migrate  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from caregiver import create_app  # noqa: E402
from caregiver.extensions import db  # noqa: E402
from caregiver.models import Entry  # noqa: E402
from caregiver.passages import PASSAGES  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.test_phone_layout import sign_in_on  # noqa: E402
from tests.conftest import make_patient, make_user  # noqa: E402
from tests.measures_audio import PHONE, count_recording, measure_all, passage_recording  # noqa: E402

# (numbers said, voice, numbers a second): two English voices, from 1.7 to 2.3 a second.
COUNTS = [(5, "en-gb", 2.0), (8, "en-gb", 2.0), (12, "en-us", 1.7), (15, "en-us", 2.0), (19, "en-gb", 2.3),
          (22, "en-gb", 1.7), (27, "en-us", 2.0), (30, "en-us", 2.3), (35, "en-gb", 2.0), (41, "en-gb", 2.3),
          (50, "en-us", 2.0), (60, "en-gb", 2.0)]
# (passage, voice, espeak words a minute): each language's own voice, and English at four paces.
READINGS = [(passage, passage.voice, speed) for passage in PASSAGES.values()
            for speed in ((130, 170) if passage.lang == "en" else (175,))]
READINGS += [(PASSAGES["en-1"], "en-us", 150), (PASSAGES["en-1"], "en-us", 200)]
AT_ONCE = 6  # browsers measuring side by side on a small machine


def serve(directory):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/measures.sqlite3",
                      "AUTO_MIGRATE_SQLITE": False, "JOBS_IMMEDIATE": True, "MAIL_BACKEND": "locmem"})
    with app.app_context():
        flask_migrate.upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, f"http://127.0.0.1:{server.server_port}"


def saved(app, patient_id):
    with app.app_context():
        return {entry.note: entry.value for entry in db.session.scalars(
            select(Entry).where(Entry.patient_id == patient_id, Entry.kind == "measure"))}


def in_batches(browser, signed_in, recordings, result):
    for first in range(0, len(recordings), AT_ONCE):
        measure_all(browser, signed_in, recordings[first:first + AT_ONCE], result)


def table(title, rows, unit):
    errors = [abs(row[-1]) for row in rows]
    print(f"\n{title}\n")
    print("| recording | true | measured | error |")
    print("|---|---:|---:|---:|")
    for name, true, measured, error in rows:
        print(f"| {name} | {true:g} | {measured:g} | {error:+g}{unit} |")
    print(f"\nmean absolute error {statistics.mean(errors):.2f}{unit}, largest {max(errors):g}{unit}, "
          f"over {len(rows)} recordings")


def main():
    directory = Path(tempfile.mkdtemp(prefix="mnd-sounds-"))
    app, live_server = serve(directory)
    patient_id = make_patient(app, make_user(app, "owner@example.org", "Priya"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE)
        sign_in_on(context.new_page(), live_server, patient_id)
        signed_in = context.storage_state()
        context.close()

        base = f"{live_server}/patients/{patient_id}/new/measure"
        in_batches(browser, signed_in, [
            (count_recording(directory, count, voice, rate), count / rate, f"{base}?measure=breath_count",
             f"count {count} {voice} {rate}/s") for count, voice, rate in COUNTS], "value")
        truths = {}
        readings = []
        for passage, voice, speed in READINGS:
            wav, seconds = passage_recording(directory, passage.text, voice, speed, name=passage.key)
            note = f"{passage.key} {voice} -s {speed}"
            truths[note] = passage.words * 60 / seconds
            readings.append((wav, seconds, f"{base}?measure=speech_rate&lang={passage.lang}", note))
        in_batches(browser, signed_in, readings, "speech_seconds")
        browser.close()

    values = saved(app, patient_id)
    table("Single-breath count (numbers)", [
        (note, count, values[note], values[note] - count)
        for count, voice, rate in COUNTS for note in [f"count {count} {voice} {rate}/s"]], "")
    table("Speaking rate (words a minute)", [
        (note, round(truth, 1), values[note], round(100 * (values[note] - truth) / truth, 1))
        for note, truth in truths.items()], "%")


if __name__ == "__main__":
    main()
