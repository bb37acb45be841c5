"""The one way to reach a patient's data: through the signed-in user's membership of the care team."""
import re

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .clock import utc_now
from .entries import entry_of
from .models import Membership, Patient, ShareLink


def membership_or_404(patient_id, need="read"):
    """The signed-in user's membership of this patient's team, with at least the role `need`.

    A stranger gets 404, as if the patient did not exist; a member without the role gets 403.
    """
    membership = db.session.scalar(
        select(Membership).where(
            Membership.patient_id == patient_id, Membership.user_id == current_user.id
        )
    )
    if membership is None:
        abort(404)
    if not membership.allows(need):
        abort(403)
    return membership


def entry_or_404(patient, entry_id, include_deleted=False):
    """An entry of this patient (already authorised); entries of other patients are 404."""
    return entry_of(patient, entry_id, include_deleted) or abort(404)


def my_memberships():
    return db.session.scalars(
        select(Membership)
        .join(Membership.patient)
        .where(Membership.user_id == current_user.id)
        .order_by(Patient.display_name)
    ).all()


def open_share_link(token):
    """The share link with this token if it is still open (the one way in without an account).

    The token is the capability: whoever holds an open link may read that one summary, nothing else.
    Returns None for unknown, expired and revoked links alike.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token or ""):  # what secrets.token_urlsafe makes
        return None
    link = db.session.scalar(select(ShareLink).where(ShareLink.token == token))
    return link if link is not None and link.is_open(utc_now()) else None
