"""The one way to reach a patient's data: through the signed-in user's membership of the care team."""
import re

from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .extensions import db
from .clock import utc_now
from .clinics import staff_member, staff_read
from .entries import entry_of
from .models import Membership, Patient, ShareLink


# Every diary page reads the patient: one query, not two. Built once, as every diary page runs it.
_MEMBERSHIP = select(Membership).where(
    Membership.patient_id == bindparam("patient_id"), Membership.user_id == bindparam("user_id")
).options(joinedload(Membership.patient))


def membership_or_404(patient_id, need="read"):
    """The signed-in user's membership of this patient's team, with at least the role `need`.

    A stranger gets 404, as if the patient did not exist; a member without the role gets 403.
    """
    membership = db.session.scalar(_MEMBERSHIP, {"patient_id": patient_id, "user_id": current_user.id})
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


def staff_or_404(clinic_id, need="clinician"):
    """The signed-in user's place on this clinic's staff: 404 for anyone else (also after leaving),
    403 for a clinician on an admin's page."""
    staff = staff_member(clinic_id, current_user.id)
    if staff is None:
        abort(404)
    if need == "admin" and staff.role != "admin":
        abort(403)
    return staff


def linked_family_or_404(clinic_id, patient_id, what):
    """Staff reading a family's diary: only through a standing link of their own clinic (and for
    the full history, only when the family chose to share it). The read is recorded for the family."""
    staff = staff_or_404(clinic_id)
    link = staff_read(staff, patient_id, what)
    if link is None:
        abort(404)
    return staff, link
