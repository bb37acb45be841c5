"""E-mail: every message is a Delivery (delivery.py: once per key, retried, failures recorded),
composed when it is sent in the recipient's language (plain text and HTML, right to left in
Arabic, no tracking).

Flask-Mailman sends it: SMTP when MAIL_URL (or MAIL_SERVER) is set, otherwise EmlEmailBackend
writes each message as an .eml file in the instance folder, so a family's own box still works.
"""
import logging
import os
import secrets
from dataclasses import dataclass

from flask import current_app, render_template, url_for
from flask_mailman import EmailMultiAlternatives
from flask_mailman.backends.base import BaseEmailBackend

from . import delivery, tokens
from .clock import utc_now
from .extensions import db
from .i18n import lazy_gettext as _l, LANGUAGE_BY_CODE, language_and_zone, text_direction
from .models import ClinicInvite, Invite, Patient, User

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
    "clinic_invite": Message(_l("You are invited to join a clinic's team")),
    "alert": Message(_l("Something in the diary is worth a look"), about_patient=True),
    "reminder": Message(_l("A reminder from the diary"), about_patient=True),
    "digest": Message(_l("This week in the diary"), about_patient=True),
}
# kind: context(delivery, user) -> dict for the message's templates (with its "link"), set by the
# module that queues that kind (alerts, reminders).
CONTEXTS = {}


def queue_mail(kind, address, key, user=None, patient_id=None, locale=None, not_before=None, **params):
    """Queue one e-mail (see delivery.queue); messages about a patient only to a confirmed address."""
    if MESSAGES[kind].about_patient and (user is None or user.email_confirmed_at is None):
        return None
    return delivery.queue("email", kind, address, key, user=user, patient_id=patient_id, locale=locale,
                          not_before=not_before, **params)


def send(outgoing):
    message = compose(outgoing)
    if message is not None:
        message.send(fail_silently=False)


delivery.SENDERS["email"] = send


# ----------------------------------------------------------------------------------------------
# Composing, in the recipient's language

def links_for(outgoing, user):
    """The links a message carries (made when it is sent, so that a reset link is fresh)."""
    kind = outgoing.kind
    if kind in CONTEXTS:
        return CONTEXTS[kind](outgoing, user)
    if kind == "password_reset":
        return {"link": url_for("auth.reset_password", token=tokens.reset_token(user), _external=True)}
    if kind == "confirm_email":
        return {"link": url_for("auth.confirm_email", token=tokens.confirm_token(user, outgoing.address),
                                _external=True)}
    if kind == "invite":
        invite = db.session.get(Invite, outgoing.params["invite_id"])
        if invite is None or invite.used_at is not None:
            return None  # cancelled or used before it went out: nothing to send
        return {"link": url_for("patients.accept_invite", token=invite.token, _external=True), "invite": invite}
    if kind == "clinic_invite":
        invite = db.session.get(ClinicInvite, outgoing.params["invite_id"])
        if invite is None or invite.used_at is not None:
            return None
        return {"link": url_for("clinic.join", token=invite.token, _external=True), "invite": invite}
    if kind == "signup_exists":
        return {"link": url_for("auth.signin", _external=True),
                "reset_link": url_for("auth.forgot_password", _external=True)}
    return {"link": url_for("main.index", _external=True)}


def compose(outgoing):
    """The e-mail of a delivery, or None when there is nothing left to send."""
    user = db.session.get(User, outgoing.user_id) if outgoing.user_id else None
    if outgoing.user_id and user is None:
        return None  # the account was deleted meanwhile
    language = outgoing.locale if outgoing.locale in LANGUAGE_BY_CODE else "en"
    app = current_app._get_current_object()
    with app.test_request_context(base_url=app.config["APP_URL"]), \
            language_and_zone(language, user.timezone if user else "UTC"):
        links = links_for(outgoing, user)
        if links is None:
            return None
        context = {
            "user": user, "params": outgoing.params, "private": bool(user and user.private_emails),
            "patient": db.session.get(Patient, outgoing.patient_id) if outgoing.patient_id else None,
            "mail_lang": language.replace("_", "-"), "mail_dir": text_direction(language), **links,
        }
        subject = str(MESSAGES[outgoing.kind].subject)
        text = render_template(f"mail/{outgoing.kind}.txt", subject=subject, **context)
        html = render_template(f"mail/{outgoing.kind}.html", subject=subject, **context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[outgoing.address],
                                     headers={"Message-ID": f"<{outgoing.key.replace(':', '.')}@mnd-diary>",
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
