"""Web Push with pywebpush: VAPID keys made on first run (or given for several hosts), one
subscription per device, and notifications whose title never carries a health detail."""
import json
import os

from flask import current_app
from py_vapid import Vapid
from py_vapid.utils import b64urlencode
from cryptography.hazmat.primitives import serialization
from sqlalchemy import delete, select

from . import delivery
from .extensions import db
from .i18n import gettext as _, LANGUAGE_BY_CODE, language_and_zone
from .models import PushSubscription, User

KEYS_FILE = "vapid.json"
# kind: body(delivery, user) -> (text, path): what a notification says and opens, set by the module
# that queues that kind (alerts, reminders). The text is in the reader's language.
BODIES = {}


def _public_of(vapid):
    point = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(point)


def _private_of(vapid):
    return b64urlencode(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))


def vapid_keys():
    """{"private", "public"} (raw, base64url): VAPID_PRIVATE_KEY if set, so that several hosts share
    one; otherwise a pair made on first run and kept in the instance folder."""
    app = current_app._get_current_object()
    keys = app.extensions.get("vapid")
    if keys:
        return keys
    if app.config.get("VAPID_PRIVATE_KEY"):
        vapid = Vapid.from_string(app.config["VAPID_PRIVATE_KEY"])
        keys = {"private": _private_of(vapid), "public": _public_of(vapid)}
    else:
        path = os.path.join(app.instance_path, KEYS_FILE)
        try:  # the first process to get here makes the pair; every other one reads it
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            with open(path, encoding="utf-8") as kept:
                keys = json.load(kept)
        else:
            vapid = Vapid()
            vapid.generate_keys()
            keys = {"private": _private_of(vapid), "public": _public_of(vapid)}
            with os.fdopen(descriptor, "w", encoding="utf-8") as kept:
                json.dump(keys, kept)
    app.extensions["vapid"] = keys
    return keys


def subscribe(user, endpoint, p256dh, auth, browser=None):
    """This device's subscription, for `user`: a device signed in to another account before is theirs now."""
    subscription = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if subscription is None:
        subscription = PushSubscription(endpoint=endpoint)
        db.session.add(subscription)
    subscription.user_id, subscription.p256dh, subscription.auth = user.id, p256dh, auth
    subscription.browser = (browser or "")[:200] or None
    db.session.commit()
    return subscription


def unsubscribe(user, endpoint):
    db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id,
                                                      PushSubscription.endpoint == endpoint))
    db.session.commit()


def subscriptions_of(user_id):
    return db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)).all()


def queue_push(kind, user, key, patient_id=None, not_before=None, **params):
    """One delivery per device of `user`; returns how many devices it goes to."""
    devices = subscriptions_of(user.id)
    for subscription in devices:
        delivery.queue("push", kind, str(subscription.id), f"{key}:{subscription.id}", user=user,
                       patient_id=patient_id, not_before=not_before, **params)
    return len(devices)


def payload(outgoing, user):
    """The notification: a plain title (never a health detail), the body in the reader's language."""
    language = user.locale if user.locale in LANGUAGE_BY_CODE else "en"
    app = current_app._get_current_object()
    with app.test_request_context(base_url=app.config["APP_URL"]), language_and_zone(language, user.timezone):
        text, path = BODIES[outgoing.kind](outgoing, user)
        if user.private_emails:
            text = _("Something is waiting for you in MND Diary.")
        return {"title": _("MND Diary"), "body": text, "url": path, "tag": outgoing.kind + ":" + str(
            outgoing.params.get("alert_id", outgoing.params.get("reminder", "")))}


def send(outgoing):
    subscription = db.session.get(PushSubscription, int(outgoing.address))
    user = db.session.get(User, outgoing.user_id) if outgoing.user_id else None
    if subscription is None or user is None:
        raise delivery.Gone("no such device")
    # Imported here: only the job workers send, and pywebpush brings requests and aiohttp, 11 MB
    # in every web worker that never uses them.
    from pywebpush import WebPushException, webpush

    try:
        webpush({"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                json.dumps(payload(outgoing, user), ensure_ascii=False), vapid_private_key=vapid_keys()["private"],
                vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]}, ttl=24 * 60 * 60, timeout=10)
    except WebPushException as refused:
        if refused.response is not None and refused.response.status_code in (404, 410):
            db.session.delete(subscription)  # the push service says this device has gone
            db.session.commit()
            raise delivery.Gone(f"push service answered {refused.response.status_code}") from refused
        raise


delivery.SENDERS["push"] = send
