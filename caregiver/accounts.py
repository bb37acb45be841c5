"""Accounts without views: sessions checked on every request, sign-up and sign-in that never tell
whether an address has an account, recovery by e-mail, confirmed addresses, deleting."""
import hashlib
import hmac
import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from . import tokens
from .clock import canonical_zone, is_timezone, utc_now
from .extensions import db
from .jobs import enqueue, job
from .delivery import fresh_key
from .mail import queue_mail
from .models import Membership, Patient, User, UserSession, erase_patients


def normal_email(email):
    return (email or "").strip().lower()


def find_user(email):
    return db.session.scalar(select(User).where(User.email == normal_email(email)))


# ----------------------------------------------------------------------------------------------
# Sessions: one row per signed-in device; the login id in the cookie names it.

def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user, browser=None):
    """A new session for `user` on this device; its token becomes part of the login id."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_token_hash(token), browser=(browser or "")[:200] or None))
    db.session.commit()
    user.session_token = token
    return user


# Built once: every request runs it, and building and keying it again cost as much as running it.
_USER_OF_SESSION = select(User).join(UserSession).where(
    User.id == bindparam("user_id"), UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))


def user_by_login_id(login_id):
    """The user of a session's login id ("<id>:<token>"), or None once that session has ended
    (signed out, signed out everywhere, password changed or reset, account deleted)."""
    user_id, _sep, token = (login_id or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 18 or not token:
        return None
    user = db.session.scalar(_USER_OF_SESSION, {"user_id": int(user_id), "token_hash": _token_hash(token)})
    if user is not None:
        user.session_token = token
    return user


def _end_sessions(user, keep_current):
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_current and user.session_token:
        query = query.where(UserSession.token_hash != _token_hash(user.session_token))
    db.session.execute(query.values(ended_at=utc_now()))


def end_session(user):
    """Sign-out: this device's session ends on the server, so a copy of its cookie stops working."""
    if user.session_token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == _token_hash(user.session_token))
                           .values(ended_at=utc_now()))
        db.session.commit()


def sign_out_everywhere(user):
    _end_sessions(user, keep_current=False)
    db.session.commit()


def offline_cache_key(user):
    """The name the service worker keeps this account's pages under on a phone. Keyed to the
    account as created, so a later account that gets the same id never matches it."""
    message = f"offline-pages:{user.id}:{user.created_at.isoformat()}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:24]


# ----------------------------------------------------------------------------------------------
# Signing up and in

@cache
def _unknown_user_hash():
    return generate_password_hash(secrets.token_hex(16))


def check_credentials(email, password):
    """The user with this e-mail and password, or None. A hash is checked either way, so that the
    time taken does not tell whether an account exists."""
    user = find_user(email)
    if user is None:
        check_password_hash(_unknown_user_hash(), password)
        return None
    return user if user.check_password(password) else None


def sign_up(email, name, password, timezone, locale):
    """A new account, usable at once, with a link to confirm its address; for an address that
    has an account already, a message to its owner instead. The answer (and the work done, and
    so the time taken) is the same either way. Returns the new user, or None."""
    password_hash = generate_password_hash(password)  # hashed either way: the same time for both
    existing = find_user(email)
    if existing is not None:
        queue_mail("signup_exists", existing.email, fresh_key("signup_exists"), user=existing)
        return None
    user = User(email=normal_email(email), name=name.strip(), password_hash=password_hash,
                timezone=canonical_zone(timezone) if is_timezone(timezone or "") else "UTC", locale=locale)
    db.session.add(user)
    db.session.commit()
    send_confirmation(user, user.email)
    return user


def send_confirmation(user, address):
    queue_mail("confirm_email", address, fresh_key("confirm_email"), user=user)


def confirm_email(token):
    """Confirm the address of a link: the account's own, or the new one it asked to change to.
    Returns the user, or None for a bad, old or no-longer-wanted link."""
    found = tokens.read_confirm_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        return None
    address = found[1]
    if address == user.pending_email:
        if find_user(address) is not None:
            return None  # another account took that address meanwhile
        user.email, user.pending_email = address, None
    elif address != user.email:
        return None
    user.email_confirmed_at = utc_now()
    db.session.commit()
    return user


def request_email_change(user, address):
    """The new address is used once confirmed from there; the old address is told."""
    address = normal_email(address)
    if address == user.email:
        return
    user.pending_email = address
    db.session.commit()
    send_confirmation(user, address)
    queue_mail("email_changing", user.email, fresh_key("email_changing"), user=user, new_address=address)


# ----------------------------------------------------------------------------------------------
# Recovery by e-mail

@job()
def send_password_reset(email):
    """In the worker: the request itself does the same work whether or not the address has an account."""
    user = find_user(email)
    if user is not None:
        queue_mail("password_reset", user.email, fresh_key("password_reset"), user=user)


def request_password_reset(email):
    enqueue(send_password_reset, normal_email(email))


def user_of_reset_link(token):
    return tokens.user_of_reset_token(token, lambda user_id: db.session.get(User, user_id))


def reset_password(user, password):
    """A new password from a reset link: every session ends (the view starts this device's), and
    the link, bound to the old password, stops working. Opening it proved the address."""
    user.set_password(password)
    user.email_confirmed_at = user.email_confirmed_at or utc_now()
    _end_sessions(user, keep_current=False)
    db.session.commit()


def change_password(user, password):
    """A changed password ends the account's other sessions; this one stays signed in."""
    user.set_password(password)
    _end_sessions(user, keep_current=True)
    db.session.commit()


# ----------------------------------------------------------------------------------------------
# Known devices: the right password from a device that has signed in before is never throttled,
# so ten wrong guesses from elsewhere cannot lock the family out.

DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 365


def _devices():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mnd-diary-device")


def device_cookie_for(user):
    return _devices().dumps({"u": user.id, "d": secrets.token_hex(8)})


def is_known_device(cookie, email):
    """Whether this browser signed in before to the account of `email`."""
    if not cookie:
        return False
    try:
        user_id = int(_devices().loads(cookie)["u"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return False
    user = find_user(email)
    return user is not None and user.id == user_id


# ----------------------------------------------------------------------------------------------
# Settings and deleting

def save_settings(user, name, timezone, private_emails, quiet_from=None, quiet_until=None):
    user.name = name.strip()
    user.timezone = canonical_zone(timezone)
    user.private_emails = private_emails
    user.quiet_from, user.quiet_until = quiet_from, quiet_until
    db.session.commit()


def diaries_only_i_manage(user):
    """The patients this user manages with no one else managing them: they go with the account."""
    managed_by_others = select(Membership.patient_id).where(Membership.role == "owner", Membership.user_id != user.id)
    return db.session.scalars(
        select(Patient).join(Membership).where(Membership.user_id == user.id, Membership.role == "owner",
                                               Patient.id.not_in(managed_by_others))
    ).all()


def delete_account(user):
    """The account, and the diaries only it manages; diaries others also manage stay with them."""
    erase_patients([patient.id for patient in diaries_only_i_manage(user)])
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.commit()
