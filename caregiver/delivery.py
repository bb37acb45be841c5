"""Every message on its way to a person (an e-mail, a Web Push notification) is a Delivery row:
queued once per key, claimed by one worker, retried with backoff, recorded when it finally fails.

The channels register how they send (mail.py, push.py); this module knows only the queue.
"""
import logging
import secrets
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from .clock import utc_now
from .extensions import db
from .jobs import enqueue, job, scheduled
from .models import Delivery

log = logging.getLogger(__name__)

# channel: send(delivery) -> None. Raise to try again later; raise Gone when it never can arrive.
SENDERS = {}


class Gone(Exception):
    """The address no longer exists (a push subscription the service has dropped): do not retry."""


def fresh_key(kind):
    """A key for a message that is new each time it is asked for (a reset link, a test)."""
    return f"{kind}:{secrets.token_hex(12)}"


def queue(channel, kind, address, key, user=None, patient_id=None, locale=None, not_before=None, **params):
    """Queue one message; the same `key` queues nothing more (a repeated request, two schedulers,
    a replayed batch). `not_before` holds it back (quiet hours). Commits, then hands it to the
    queue. Returns the Delivery, or None when that key was queued before."""
    now = utc_now()
    delivery = Delivery(key=key, channel=channel, kind=kind, address=address, user_id=user.id if user else None,
                        patient_id=patient_id, locale=locale or (user.locale if user else None) or "en",
                        params=params, next_attempt_at=max(not_before or now, now))
    try:
        with db.session.begin_nested():
            db.session.add(delivery)
    except IntegrityError:
        db.session.commit()  # what else the caller changed stays
        return None
    db.session.commit()
    wait = (delivery.next_attempt_at - now).total_seconds()
    enqueue(deliver, delivery.id, delay=wait if wait > 1 else None)
    return delivery


def retry_delay(attempts):
    """Seconds before the next try: doubling from MAIL_RETRY_SECONDS, at most an hour."""
    return min(current_app.config["MAIL_RETRY_SECONDS"] * 2 ** (attempts - 1), 3600)


def claim(delivery_id):
    """Take the delivery for this worker: only one worker sends it, and a claim left by a worker
    that died mid-send is taken up again once its lease has run out."""
    now = utc_now()
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    claimed = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id).where(or_(
            (Delivery.status == "queued") & (Delivery.next_attempt_at <= now + timedelta(seconds=1)),
            (Delivery.status == "sending") & (Delivery.claimed_at < now - lease),
        )).values(status="sending", claimed_at=now, attempts=Delivery.attempts + 1)
    ).rowcount
    db.session.commit()
    return db.session.get(Delivery, delivery_id) if claimed else None


@job()
def deliver(delivery_id):
    delivery = claim(delivery_id)
    if delivery is None:
        return  # sent already, or another worker has it
    try:
        SENDERS[delivery.channel](delivery)
    except Gone as gone:
        finish(delivery_id, "failed", f"gone: {gone}")
    except Exception as problem:  # any failure of the mail or push service or the network: try again later
        finish(delivery_id, "queued", f"{type(problem).__name__}: {problem}")
    else:
        finish(delivery_id, "sent")


def finish(delivery_id, status, error=None):
    db.session.rollback()
    delivery = db.session.get(Delivery, delivery_id)
    if status == "sent":
        delivery.status, delivery.sent_at = "sent", utc_now()
        db.session.commit()
        return
    delivery.last_error = (error or "")[:500]
    if status == "failed" or delivery.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        delivery.status = "failed"
        log.warning("gave up on %s delivery %s to %s: %s", delivery.channel, delivery.id, delivery.address,
                    delivery.last_error)
        db.session.commit()
        return
    delay = retry_delay(delivery.attempts)
    delivery.status, delivery.next_attempt_at = "queued", utc_now() + timedelta(seconds=delay)
    db.session.commit()
    enqueue(deliver, delivery_id, delay=delay)


def requeue_waiting():
    """Hand the queue again every delivery whose job was lost: due but not taken for a minute (the
    queue was down when it was made), or claimed by a worker that died. Returns how many."""
    now = utc_now()
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    grace = timedelta(seconds=current_app.config["DELIVERY_GRACE_SECONDS"])
    waiting = db.session.scalars(select(Delivery.id).where(or_(
        (Delivery.status == "queued") & (Delivery.next_attempt_at < now - grace),
        (Delivery.status == "sending") & (Delivery.claimed_at < now - lease),
    ))).all()
    for delivery_id in waiting:
        enqueue(deliver, delivery_id)
    return len(waiting)


@scheduled(crontab(minute="*"))
def sweep_deliveries():
    requeue_waiting()


def failed_deliveries(patient_id):
    """E-mails about this diary that could not be delivered after every try, not yet dismissed
    (a push to a phone that has gone is not a failure anyone must act on)."""
    return db.session.scalars(
        select(Delivery).where(Delivery.patient_id == patient_id, Delivery.channel == "email",
                               Delivery.status == "failed", Delivery.dismissed_at.is_(None))
        .order_by(Delivery.created_at)
    ).all()


def dismiss_failure(patient_id, delivery_id):
    delivery = db.session.scalar(select(Delivery).where(Delivery.id == delivery_id,
                                                        Delivery.patient_id == patient_id,
                                                        Delivery.status == "failed"))
    if delivery is None:
        return False
    delivery.dismissed_at = utc_now()
    db.session.commit()
    return True
