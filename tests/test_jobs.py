"""The job queue on Redis with real worker processes: every message arrives exactly once, through
a mail server that was down for a while and a worker killed mid-send; /healthz tells when jobs
are stuck; a scheduled job's run happens once however many schedulers enqueue it."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import redis
from sqlalchemy import func, select

from caregiver import jobs
from caregiver.clock import utc_now
from caregiver.extensions import db
from caregiver.mail import queue_mail
from caregiver.models import Delivery, JobRun

from .servers import ROOT

REDIS = "redis://127.0.0.1:6379/{index}"
FLASK = os.path.join(os.path.dirname(sys.executable), "flask")


class Workers:
    """`flask jobs worker` processes on the test's database, queue and mail server."""

    def __init__(self, env):
        self.env, self.processes = env, []

    def start(self, count=1):
        for _ in range(count):
            self.processes.append(subprocess.Popen(
                [FLASK, "--app", "app", "jobs", "worker", "--workers", "2"], cwd=ROOT, env=self.env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))

    def kill(self, process, sig=signal.SIGKILL):
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
        self.processes.remove(process)

    def stop(self):
        for process in list(self.processes):
            self.kill(process, signal.SIGTERM)


@pytest.fixture
def queue(app, database_url, mailbox, tmp_path, worker_id):
    """The app queues on Redis (a database of its own per test process); workers send to `mailbox`."""
    url = REDIS.format(index=7 + (int(worker_id[2:]) if worker_id.startswith("gw") else 6))
    redis.Redis.from_url(url).flushdb()
    timing = {"MAIL_RETRY_SECONDS": "1", "DELIVERY_LEASE_SECONDS": "3"}
    app.config.update(JOBS_IMMEDIATE=False, JOBS_URL=url, **{k: int(v) for k, v in timing.items()})
    jobs.init_app(app)
    workers = Workers(dict(
        os.environ, DATABASE_URL=database_url, JOBS_URL=url, SECRET_KEY=app.config["SECRET_KEY"], AUTO_MIGRATE="0",
        MAIL_URL=f"smtp://127.0.0.1:{mailbox.port}?tls=0", APP_URL="http://localhost", INSTANCE_PATH=str(tmp_path),
        PYTHONPATH=ROOT, **timing))
    yield workers
    workers.stop()
    app.config["JOBS_IMMEDIATE"] = True
    jobs.init_app(app)


def queue_many(app, count, prefix="m"):
    with app.app_context():
        for number in range(count):
            queue_mail("test", f"{prefix}{number}@example.org", f"test:{prefix}:{number}")


def arrived_once(mailbox, expected, settle=2.0):
    """Wait for `expected` messages, then a little longer: none may come twice."""
    mailbox.wait_for(expected, timeout=120)
    time.sleep(settle)
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == expected and len(set(ids)) == expected
    return ids


def test_two_hundred_messages_through_two_workers_arrive_exactly_once(app, queue, mailbox):
    queue.start(2)
    queue_many(app, 200)
    arrived_once(mailbox, 200)
    assert {m["To"] for m in mailbox.messages} == {f"m{n}@example.org" for n in range(200)}
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Delivery.status == "sent")) == 200


def test_queueing_the_same_message_twice_sends_it_once(app, queue, mailbox):
    queue.start(1)
    with app.app_context():
        first = queue_mail("test", "twice@example.org", "test:twice")
        again = queue_mail("test", "twice@example.org", "test:twice")
    assert first is not None and again is None
    arrived_once(mailbox, 1)


def test_with_the_mail_server_down_for_a_while_everything_arrives_once_it_is_back(app, queue, mailbox):
    mailbox.stop()
    queue.start(1)
    queue_many(app, 20, prefix="later")
    deadline = time.monotonic() + 60
    with app.app_context():  # several failed tries, each retried after a longer wait
        while db.session.scalar(select(func.min(Delivery.attempts))) < 3 and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.2)
        assert db.session.scalar(select(func.min(Delivery.attempts))) >= 3
        assert db.session.scalar(select(func.count()).where(Delivery.status == "sent")) == 0
    mailbox.start()
    arrived_once(mailbox, 20)


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(app, queue, mailbox):
    queue.start(1)
    mailbox.hold_address = "held@example.org"
    with app.app_context():
        queue_mail("test", "held@example.org", "test:held")
    assert mailbox.held.wait(30)  # the worker is in the middle of the SMTP conversation
    queue.kill(queue.processes[0])
    time.sleep(3.5)  # the dead worker's claim runs out
    queue.start(1)
    arrived_once(mailbox, 1)
    with app.app_context():
        delivery = db.session.scalar(select(Delivery))
        assert delivery.status == "sent" and delivery.attempts == 2


def test_after_the_last_try_a_failed_message_is_recorded_and_shown_to_the_owner(app, queue, mailbox, client):
    from .conftest import make_patient, make_user, sign_in

    owner = make_user(app, "owner@example.org")
    patient_id = make_patient(app, owner)
    mailbox.stop()
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    queue.env["MAIL_MAX_ATTEMPTS"] = "2"
    queue.start(1)
    with app.app_context():
        queue_mail("test", "gone@example.org", "test:gone", patient_id=patient_id)
    deadline = time.monotonic() + 30
    with app.app_context():
        while db.session.scalar(select(Delivery.status)) != "failed" and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.2)
        assert db.session.scalar(select(Delivery.last_error)).startswith("ConnectionRefusedError")
    sign_in(client, "owner@example.org")
    assert "We could not reach gone@example.org" in client.get(f"/patients/{patient_id}/").get_data(as_text=True)
    mailbox.start()


def test_health_check_reports_the_queue_and_answers_503_when_jobs_are_stuck(app, queue, client):
    with app.app_context():
        db.session.add(Delivery(key="stuck", kind="test", address="a@example.org",
                                next_attempt_at=utc_now() - timedelta(minutes=20)))
        db.session.commit()
    stuck = client.get("/healthz")
    assert stuck.status_code == 503 and stuck.json["queue"] == "stuck" and stuck.json["jobs_oldest_seconds"] >= 1200
    queue.start(1)
    deadline = time.monotonic() + 30
    while client.get("/healthz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
    healthy = client.get("/healthz")
    assert healthy.status_code == 200 and healthy.json["jobs_worker_seen_seconds_ago"] < 30


def test_a_scheduled_run_happens_once_however_many_schedulers_ask(app):
    results = []

    def scheduler():
        with app.app_context():
            results.append(jobs.claim_slot("weekly-digest", "2026-W49"))

    threads = [threading.Thread(target=scheduler) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_alerts_reach_each_member_once_with_two_app_processes_and_two_workers(app, queue, mailbox, database_url,
                                                                              tmp_path):
    """Two carers' phones send the same offline batch to two app processes at once, several times,
    while two workers send: one alert per rule, and each member hears of each alert once per channel."""
    import json
    import urllib.request
    import uuid

    from py_vapid import Vapid
    from py_vapid.utils import b64urlencode

    from caregiver import push
    from caregiver.models import Alert, User

    from .conftest import PASSWORD, make_patient, make_user
    from .pushservice import PushService
    from .servers import Server, server_environment, signed_in_opener

    vapid = Vapid()
    vapid.generate_keys()
    private = b64urlencode(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))
    queue.env["VAPID_PRIVATE_KEY"] = app.config["VAPID_PRIVATE_KEY"] = private  # one key pair for every host
    app.extensions.pop("vapid", None)
    service = PushService()
    ids = {name: make_user(app, f"{name}@example.org", name.title()) for name in ("priya", "arjun", "meera")}
    patient_id = make_patient(app, ids["priya"], members=[(ids["arjun"], "log"), (ids["meera"], "read")])
    with app.app_context():
        for name, user_id in ids.items():
            user = db.session.get(User, user_id)
            user.email_confirmed_at = utc_now()
            endpoint, device = service.new_device(name)
            push.subscribe(user, endpoint, device.p256dh, device.auth_secret)
        public = push.vapid_keys()["public"]
    env = server_environment(database_url, **{k: v for k, v in queue.env.items() if k in (
        "JOBS_URL", "MAIL_URL", "APP_URL", "INSTANCE_PATH", "VAPID_PRIVATE_KEY", "MAIL_RETRY_SECONDS")})
    servers = [Server(env=env, workers=1), Server(env=env, workers=1)]
    try:
        queue.start(2)
        when = (utc_now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        batch = {"entries": [
            {"uuid": str(uuid.uuid4()), "kind": "event", "tz": "UTC",
             "fields": {"event_type": "choking", "occurred_at": when}} for _ in range(3)] + [
            {"uuid": str(uuid.uuid4()), "kind": "event", "tz": "UTC",
             "fields": {"event_type": "fall", "injured": "y", "occurred_at": when}}]}
        phones = [signed_in_opener(server, f"{name}@example.org", PASSWORD)
                  for server, name in zip(servers, ("priya", "arjun"))]
        answers = []

        def send_batch(opener_and_token, server):
            opener, token = opener_and_token
            for _replay in range(3):
                request = urllib.request.Request(server.url(f"/patients/{patient_id}/sync"),
                                                 data=json.dumps(batch).encode(), method="POST", headers={
                                                     "Content-Type": "application/json", "X-CSRFToken": token})
                answers.append(opener.open(request, timeout=30).status)

        threads = [threading.Thread(target=send_batch, args=(phone, server)) for phone, server in zip(phones, servers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200] * 6
        with app.app_context():
            assert sorted(db.session.scalars(select(Alert.rule))) == ["choking", "fall_injury"]
            expected = db.session.execute(select(Delivery.channel, func.count()).where(Delivery.kind == "alert")
                                          .group_by(Delivery.channel)).all()
        assert dict(expected) == {"push": 6, "email": 6}  # 2 urgent alerts x 3 members, by both channels
        arrived_once(mailbox, 6)
        deadline = time.monotonic() + 60
        while len(service.received) < 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        pushed = [(name, payload["tag"]) for name, _claims, payload in service.messages(public)]
        assert len(pushed) == 6 and len(set(pushed)) == 6
    finally:
        for server in servers:
            server.stop()
        service.close()
