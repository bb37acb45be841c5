"""Accounts without views: finding, creating, signing out everywhere, passwords, deleting."""
import secrets
from functools import cache

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from .clock import is_timezone
from .extensions import db
from .models import Membership, Patient, User, erase_patients


def normal_email(email):
    return (email or "").strip().lower()


def find_user(email):
    return db.session.scalar(select(User).where(User.email == normal_email(email)))


def user_by_login_id(login_id):
    """The user of a session's login id ("<id>:<nonce>"), or None once that session has been ended."""
    user_id, _sep, nonce = (login_id or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user


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


def create_account(email, name, password, timezone, locale):
    user = User(email=normal_email(email), name=name.strip(),
                timezone=timezone if is_timezone(timezone or "") else "UTC", locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def end_other_sessions(user):
    """A new session nonce: every session and remember-me cookie of the old one stops working."""
    user.session_nonce = secrets.token_hex(16)


def sign_out_everywhere(user):
    end_other_sessions(user)
    db.session.commit()


def change_password(user, password):
    user.set_password(password)
    db.session.commit()


def save_settings(user, name, timezone):
    user.name = name.strip()
    user.timezone = timezone
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
