"""From saving a red flag to its push reaching the push service, on the embedded default (SQLite,
its SQLite job queue) and on PostgreSQL with Redis: one gunicorn server, one `flask jobs worker`,
and the tests' local push service (tests/pushservice.py) in place of FCM or autopush.

  .venv/bin/python bench/alert_latency.py [--rounds 20]

Each round logs a choking episode through the form and waits for the pushes; the alert is then
marked done so that the next episode raises a new one. Prints a Markdown table of milliseconds.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench.serve import prepare, start, stop  # noqa: E402
from tests.pushservice import PushService  # noqa: E402
from tests.servers import signed_in_opener  # noqa: E402

FLASK = os.path.join(ROOT, ".venv", "bin", "flask")
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def subscribe_every_member(env, service, patient_id):
    """Each member of the diary gets a phone on the local push service; returns the app's public key."""
    os.environ.update(env)
    from caregiver import create_app, push
    from caregiver.extensions import db
    from caregiver.models import Membership, User

    app = create_app()
    with app.app_context():
        members = db.session.scalars(db.select(User).join(Membership).where(Membership.patient_id == patient_id)).all()
        for user in members:
            endpoint, device = service.new_device(f"user-{user.id}")
            push.subscribe(user, endpoint, device.p256dh, device.auth_secret)
        return app, push.vapid_keys()["public"], len(members)


def close_alerts(app):
    from caregiver.extensions import db
    from caregiver.models import Alert

    with app.app_context():
        db.session.execute(db.update(Alert).values(done_at=datetime.utcnow(), open_for=None))
        db.session.commit()


def measure(database, rounds):
    env, email, password, patient_id, _entries = prepare("2y", POSTGRES if database == "postgresql" else None)
    if database == "postgresql":
        env["JOBS_URL"] = "redis://127.0.0.1:6379/5"
        subprocess.run(["redis-cli", "-n", "5", "flushdb"], check=True, capture_output=True)
    else:
        env.pop("JOBS_URL", None)  # the SQLite queue in the instance folder
    service = PushService()
    app, public, members = subscribe_every_member(env, service, patient_id)
    server = start(env, port=None, workers=2)
    worker = subprocess.Popen([FLASK, "--app", "app", "jobs", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    timings = []
    try:
        opener, _token = signed_in_opener(server, email, password)
        time.sleep(3)  # the worker is up
        for _round in range(rounds):
            close_alerts(app)
            form = opener.open(server.url(f"/patients/{patient_id}/new/event")).read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
            before = len(service.received)
            started = time.perf_counter()
            opener.open(server.url(f"/patients/{patient_id}/new/event"), data=urllib.parse.urlencode({
                "csrf_token": token, "event_type": "choking", "source": "carer",
                "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M")}).encode())
            while len(service.received) < before + members:
                time.sleep(0.002)
                if time.perf_counter() - started > 60:
                    raise RuntimeError("the pushes did not arrive")
            timings.append((time.perf_counter() - started) * 1000)
            time.sleep(1.5)  # idle between episodes, as in life: the worker's polling has backed off
        assert len(service.messages(public)) == rounds * members  # each one signed and decryptable
    finally:
        os.killpg(worker.pid, 15)
        worker.wait()
        stop(server)
        service.close()
    return members, timings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print("| database and queue | members' phones | rounds | median ms | p95 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for database, label in (("sqlite", "SQLite, SQLite queue"), ("postgresql", "PostgreSQL, Redis queue")):
        members, timings = measure(database, args.rounds)
        timings.sort()
        p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
        print(f"| {label} | {members} | {len(timings)} | {statistics.median(timings):.0f} | {p95:.0f} | "
              f"{timings[-1]:.0f} |", flush=True)


if __name__ == "__main__":
    main()
