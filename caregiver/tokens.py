"""Signed links sent by e-mail: a password reset and an address confirmation. Nothing is stored:
a reset link is bound to the password it replaces, so it works once, and dies once it is changed."""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

RESET_SECONDS = 60 * 60  # an hour
CONFIRM_SECONDS = 7 * 24 * 60 * 60


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"mnd-diary-{purpose}")


def _password_fingerprint(user):
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user):
    return _serializer("reset").dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_of_reset_token(token, load_user):
    """The user a reset link is for, or None when it is forged, over an hour old, or already used
    (the password has changed since it was made). `load_user(id)` reads the account."""
    try:
        data = _serializer("reset").loads(token, max_age=RESET_SECONDS)
        user = load_user(int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return user if user is not None and data.get("p") == _password_fingerprint(user) else None


def confirm_token(user, address):
    return _serializer("confirm").dumps({"u": user.id, "e": address})


def read_confirm_token(token):
    """(user id, address) of a confirmation link, or None when it is forged or too old."""
    try:
        data = _serializer("confirm").loads(token, max_age=CONFIRM_SECONDS)
        return int(data["u"]), str(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
