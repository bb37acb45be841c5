"""E-mail: every message is a Delivery, queued with a key that makes it once only, sent by a worker
in the recipient's language (plain text and HTML, right to left in Arabic, no tracking), retried
with backoff, and recorded when it finally fails so that the family sees it in the app.

Flask-Mailman sends it: SMTP when MAIL_URL (or MAIL_SERVER) is set, otherwise EmlEmailBackend
writes each message as an .eml file in the instance folder, so a family's own box still works.
"""
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from flask_mailman.backends.base import BaseEmailBackend
from huey import crontab
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from . import tokens
from .clock import utc_now
from .extensions import db
from .i18n import LANGUAGE_BY_CODE, language_and_zone, text_direction
from .jobs import enqueue, job, scheduled
from .models import Delivery, Invite, Patient, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A kind of e-mail. Subjects never carry health details; `about_patient` messages go only
    to confirmed addresses, and say only that something is waiting to those who chose that."""

    subject: object
    about_patient: bool = False


MESSAGES = {
    "test": Message(_l("A test message from MND Diary")),
    "confirm_email": Message(_l("Please confirm your e-mail address")),
    "email_changing": Message(_l("Your e-mail address is being changed")),
    "password_reset": Message(_l("Reset your password")),
    "signup_exists": Message(_l("Someone tried to make an account with your address")),
    "invite": Message(_l("You are invited to join a care team")),
}


# ----------------------------------------------------------------------------------------------
# Queueing

def queue_mail(kind, address, key, user=None, patient_id=None, locale=None, **params):
    """Queue one message; the same `key` queues nothing more (a repeated request, two schedulers).
    Commits, then hands the delivery to the queue. Returns the Delivery, or None if already queued."""
    if MESSAGES[kind].about_patient and (user is None or user.email_confirmed_at is None):
        return None
    delivery = Delivery(key=key, kind=kind, address=address, user_id=user.id if user else None,
                        patient_id=patient_id, locale=locale or (user.locale if user else None) or "en",
                        params=params)
    try:
        with db.session.begin_nested():
            db.session.add(delivery)
    except IntegrityError:
        db.session.commit()  # what else the caller changed stays
        return None
    db.session.commit()
    enqueue(deliver, delivery.id)
    return delivery


def fresh_key(kind):
    """A key for a message that is new each time it is asked for (a reset link, a test)."""
    return f"{kind}:{secrets.token_hex(12)}"


# ----------------------------------------------------------------------------------------------
# Sending

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
        message = compose(delivery)
        if message is not None:
            message.send(fail_silently=False)
    except Exception as problem:  # any failure of the mail server or the network: try again later
        db.session.rollback()
        delivery = db.session.get(Delivery, delivery_id)
        delivery.last_error = f"{type(problem).__name__}: {problem}"[:500]
        if delivery.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            delivery.status = "failed"
            log.warning("gave up on delivery %s to %s: %s", delivery.id, delivery.address, delivery.last_error)
            db.session.commit()
            return
        delay = retry_delay(delivery.attempts)
        delivery.status, delivery.next_attempt_at = "queued", utc_now() + timedelta(seconds=delay)
        db.session.commit()
        enqueue(deliver, delivery_id, delay=delay)
        return
    delivery.status, delivery.sent_at = "sent", utc_now()
    db.session.commit()


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


# ----------------------------------------------------------------------------------------------
# Composing, in the recipient's language

def links_for(delivery, user):
    """The links a message carries (made when it is sent, so that a reset link is fresh)."""
    kind = delivery.kind
    if kind == "password_reset":
        return {"link": url_for("auth.reset_password", token=tokens.reset_token(user), _external=True)}
    if kind == "confirm_email":
        return {"link": url_for("auth.confirm_email", token=tokens.confirm_token(user, delivery.address),
                                _external=True)}
    if kind == "invite":
        invite = db.session.get(Invite, delivery.params["invite_id"])
        if invite is None or invite.used_at is not None:
            return None  # cancelled or used before it went out: nothing to send
        return {"link": url_for("patients.accept_invite", token=invite.token, _external=True), "invite": invite}
    if kind == "signup_exists":
        return {"link": url_for("auth.signin", _external=True),
                "reset_link": url_for("auth.forgot_password", _external=True)}
    return {"link": url_for("main.index", _external=True)}


def compose(delivery):
    """The e-mail of a delivery, or None when there is nothing left to send."""
    user = db.session.get(User, delivery.user_id) if delivery.user_id else None
    if delivery.user_id and user is None:
        return None  # the account was deleted meanwhile
    language = delivery.locale if delivery.locale in LANGUAGE_BY_CODE else "en"
    app = current_app._get_current_object()
    with app.test_request_context(base_url=app.config["APP_URL"]), \
            language_and_zone(language, user.timezone if user else "UTC"):
        links = links_for(delivery, user)
        if links is None:
            return None
        context = {
            "user": user, "params": delivery.params, "private": bool(user and user.private_emails),
            "patient": db.session.get(Patient, delivery.patient_id) if delivery.patient_id else None,
            "mail_lang": language.replace("_", "-"), "mail_dir": text_direction(language), **links,
        }
        subject = str(MESSAGES[delivery.kind].subject)
        text = render_template(f"mail/{delivery.kind}.txt", subject=subject, **context)
        html = render_template(f"mail/{delivery.kind}.html", subject=subject, **context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[delivery.address],
                                     headers={"Message-ID": f"<{delivery.key.replace(':', '.')}@mnd-diary>",
                                              "Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message


class EmlEmailBackend(BaseEmailBackend):
    """With no mail server set: each message becomes an .eml file in the instance folder's mail/,
    and the log says where, so a family running its own box can still open a reset link."""

    def send_messages(self, email_messages):
        folder = current_app.config["MAIL_FILE_PATH"]
        os.makedirs(folder, exist_ok=True)
        for message in email_messages:
            path = os.path.join(folder, f"{utc_now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml")
            with open(path, "wb") as eml:
                eml.write(message.message().as_bytes())
            log.warning("e-mail to %s written to %s (no mail server is set: MAIL_URL)",
                        ", ".join(message.to), path)
        return len(email_messages)


# ----------------------------------------------------------------------------------------------
# What the family sees of messages that did not arrive

def failed_deliveries(patient_id):
    """Messages about this diary that could not be delivered after every try, not yet dismissed."""
    return db.session.scalars(
        select(Delivery).where(Delivery.patient_id == patient_id, Delivery.status == "failed",
                               Delivery.dismissed_at.is_(None)).order_by(Delivery.created_at)
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
