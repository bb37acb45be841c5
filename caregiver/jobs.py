"""Background jobs on huey: SQLite storage in the instance folder by default, Redis for several hosts.

Nothing that reaches a person is done inside a web request: a request queues a job, and a worker
(`flask jobs worker`, which `make run` starts beside the server) runs it. Jobs run in the app's
context. A scheduled job runs once per slot however many workers and schedulers are up (JobRun).
"""
import functools
import os
from datetime import datetime, timezone

from flask import current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .clock import utc_now
from .extensions import db
from .models import Delivery, JobRun

# Bound to a real storage in init_app; until then (importing the tasks) nothing is connected.
huey = Huey("mnd-diary", immediate=True, results=False, storage_class=MemoryStorage)
_app = None

HEARTBEAT_KEY = "worker-heartbeat"


def init_app(app):
    """Choose the queue's storage: JOBS_URL (redis://...) or the SQLite file in the instance folder;
    JOBS_IMMEDIATE runs each job at once, in the caller (the tests of views, a one-off command)."""
    global _app
    _app = app
    if app.config["JOBS_IMMEDIATE"]:
        huey.immediate = True
        return
    huey.immediate = False
    url = app.config["JOBS_URL"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage = RedisStorage(huey.name, url=url)
    else:
        path = url.removeprefix("sqlite:///") if url else os.path.join(app.instance_path, "jobs.sqlite3")
        huey.storage = SqliteStorage(huey.name, filename=path)


def in_app_context(work):
    """A job's body runs in the app's context (database session, config, url_for, templates)."""
    @functools.wraps(work)
    def run(*args, **kwargs):
        # The caller's app when there is one (immediate mode); the worker's, bound in init_app, otherwise.
        app = current_app._get_current_object() if has_app_context() else _app
        with app.app_context():
            try:
                return work(*args, **kwargs)
            finally:
                db.session.remove()
    return run


def job(**options):
    """@job(): a function queued with .call(...) (or run at once in immediate mode)."""
    def decorate(work):
        return huey.task(**options)(in_app_context(work))
    return decorate


def enqueue(task, *args, delay=None):
    """Queue a job after the database has committed what it needs; `delay` in seconds."""
    if delay:
        return task.schedule(args, delay=delay)
    return task(*args)


def claim_slot(name, slot):
    """True for the first caller of this (job, slot) anywhere; every later caller gets False."""
    try:
        with db.session.begin_nested():
            db.session.add(JobRun(name=name, slot=slot))
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def scheduled(schedule, slot_format="%Y-%m-%dT%H:%M"):
    """@scheduled(crontab(...)): a periodic job whose each run (one slot of `slot_format`) happens
    once, whichever scheduler enqueued it. The function itself stays a plain function, so that
    code and tests can call it with their own `now`."""
    def decorate(work):
        name = work.__name__

        def once():
            if claim_slot(name, utc_now().strftime(slot_format)):
                work()
        once.__name__ = name
        work.periodic = huey.periodic_task(schedule, name=name)(in_app_context(once))
        return work
    return decorate


@huey.periodic_task(crontab(minute="*"), name="heartbeat")
def heartbeat():
    """Every worker says it is alive once a minute; /healthz reads the latest."""
    huey.put(HEARTBEAT_KEY, datetime.now(timezone.utc).timestamp())


def beat_now():
    huey.put(HEARTBEAT_KEY, datetime.now(timezone.utc).timestamp())


def queue_health(stuck_after):
    """What /healthz says of the queue: jobs waiting, how long the most overdue delivery has waited,
    and when a worker last answered. Stuck: a delivery overdue by more than `stuck_after` seconds."""
    now = utc_now()
    waiting = huey.pending_count() + huey.scheduled_count() if not huey.immediate else 0
    oldest = db.session.scalar(select(func.min(Delivery.next_attempt_at)).where(
        Delivery.status.in_(("queued", "sending")), Delivery.next_attempt_at <= now))
    oldest_age = (now - oldest).total_seconds() if oldest else 0
    beat = huey.get(HEARTBEAT_KEY, peek=True) if not huey.immediate else None
    seen_ago = datetime.now(timezone.utc).timestamp() - beat if beat else None
    stuck = oldest_age > stuck_after
    return {"waiting": waiting, "oldest_seconds": round(oldest_age), "worker_seen_seconds_ago":
            round(seen_ago) if seen_ago is not None else None, "stuck": stuck}

