"""A diary's care team: starting a diary, invites, roles and members, and deleting the diary.

The one rule of the team: a diary always has at least one person who manages it.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .clock import utc_now
from .extensions import db
from .mail import queue_mail
from .models import Invite, Membership, Patient, erase_patients


class TeamRuleBroken(Exception):
    """A change the team's rules do not allow; `message` says why, for the person who tried."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


LAST_OWNER = _l("A diary needs at least one person who manages the team.")


def start_diary(user, fill, is_patient):
    """A new diary managed by `user`; `fill` (the profile form's) sets the profile."""
    patient = Patient()
    fill(patient)
    db.session.add(patient)
    db.session.add(Membership(patient=patient, user=user, role="owner", is_patient=is_patient))
    db.session.commit()
    return patient


def save_profile(membership, fill, is_patient):
    fill(membership.patient)
    membership.is_patient = is_patient
    db.session.commit()


def members(patient_id):
    return db.session.scalars(
        select(Membership).where(Membership.patient_id == patient_id).order_by(Membership.created_at)
    ).all()


def member_of(patient_id, member_id):
    return db.session.scalar(select(Membership).where(Membership.id == member_id, Membership.patient_id == patient_id))


def open_invites(patient_id):
    return db.session.scalars(
        select(Invite).where(Invite.patient_id == patient_id, Invite.used_at.is_(None), Invite.expires_at > utc_now())
        .order_by(Invite.created_at)
    ).all()


def create_invite(patient, by_user, role, is_patient, days, email=None, locale=None):
    """A single-use invite link; with an address, it is also sent there in the invitee's language."""
    invite = Invite(patient=patient, role=role, is_patient=is_patient, created_by=by_user, email=email,
                    locale=locale, expires_at=utc_now() + timedelta(days=days))
    db.session.add(invite)
    db.session.commit()
    if email:
        queue_mail("invite", email, f"invite:{invite.id}", patient_id=patient.id, locale=locale, invite_id=invite.id)
    return invite


def invite_of(patient_id, invite_id):
    return db.session.scalar(select(Invite).where(Invite.id == invite_id, Invite.patient_id == patient_id))


def cancel_invite(invite):
    db.session.delete(invite)
    db.session.commit()


def usable_invite(token):
    """The invite of this token if it can still be accepted, else None."""
    invite = db.session.scalar(select(Invite).where(Invite.token == token))
    if invite is None or invite.used_at is not None or invite.expires_at <= utc_now():
        return None
    return invite


def accept_invite(invite, user):
    """Join the team with the invite's role; an invite works once. Returns False if `user` was
    already in the team (the invite is then used up all the same)."""
    existing = db.session.scalar(
        select(Membership).where(Membership.patient_id == invite.patient_id, Membership.user_id == user.id))
    if existing is None:
        db.session.add(Membership(patient_id=invite.patient_id, user=user, role=invite.role,
                                  is_patient=invite.is_patient))
    invite.used_at = utc_now()
    invite.used_by_id = user.id
    db.session.commit()
    return existing is None


def _owner_count(patient_id):
    return db.session.scalar(
        select(func.count()).where(Membership.patient_id == patient_id, Membership.role == "owner"))


def _keeps_an_owner(member, new_role=None):
    if member.role == "owner" and new_role != "owner" and _owner_count(member.patient_id) == 1:
        raise TeamRuleBroken(LAST_OWNER)


def change_role(member, role):
    _keeps_an_owner(member, role)
    member.role = role
    db.session.commit()


def remove_member(member):
    _keeps_an_owner(member)
    db.session.delete(member)
    db.session.commit()


def delete_diary(patient_id):
    erase_patients([patient_id])
    db.session.commit()
