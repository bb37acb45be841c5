"""A diary's care team: starting a diary, invites, roles and members, and deleting the diary.

The one rule of the team: a diary always has at least one person who manages it. It holds when
two owners act at the same moment because every change of a team first takes that diary's team
lock (`_lock_team`), and reads the team again under it.
"""
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from .clock import utc_now
from .extensions import db
from .i18n import lazy_gettext as _l
from .mail import queue_mail
from .models import Invite, Membership, Patient, erase_patients
from .versions import bump


class TeamRuleBroken(Exception):
    """A change the team's rules do not allow; `message` says why, for the person who tried."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


LAST_OWNER = _l("A diary needs at least one person who manages the team.")
NO_LONGER_OWNER = _l("Nothing was changed: you no longer manage this team.")
NO_LONGER_MEMBER = _l("Nothing was changed: this person is no longer in the care team.")


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


def _lock_team(patient_id):
    """Hold this diary's team lock until the commit: team changes of one diary happen one at a time.

    Without it two owners demoting each other at once each counted two owners, and both went.
    PostgreSQL locks the patient row (FOR NO KEY UPDATE, so entries can still be added meanwhile);
    SQLite has no row locks, so a write to the patient row takes the database's write lock, and
    what is read after it is what the last commit left.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Patient).where(Patient.id == patient_id).values(id=Patient.id)
                           .execution_options(synchronize_session=False))
    else:
        db.session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update(key_share=True))


def _refuse(message):
    db.session.rollback()  # and the lock with it
    raise TeamRuleBroken(message)


def accept_invite(invite, user):
    """Join the team with the invite's role; an invite works once, however many accept it at once.

    Returns "joined", "already" (the user was in the team; the invite is used up all the same) or
    "gone" (someone else used it first, or it expired or was cancelled meanwhile).
    """
    _lock_team(invite.patient_id)
    now = utc_now()
    # The one test of "not used yet" that counts: the update's own condition, checked by the database.
    taken = db.session.execute(
        update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now, used_by_id=user.id).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        db.session.rollback()
        return "gone"
    existing = db.session.scalar(
        select(Membership.id).where(Membership.patient_id == invite.patient_id, Membership.user_id == user.id))
    if existing is None:
        db.session.add(Membership(patient_id=invite.patient_id, user=user, role=invite.role,
                                  is_patient=invite.is_patient))
    db.session.commit()
    return "joined" if existing is None else "already"


def _owner_count(patient_id):
    return db.session.scalar(
        select(func.count()).where(Membership.patient_id == patient_id, Membership.role == "owner"))


def _locked_change(member, by_user):
    """Take the team lock, then the member's role as it is now (None if they left meanwhile),
    after checking that `by_user` still manages the team."""
    patient_id, member_id = member.patient_id, member.id
    _lock_team(patient_id)
    by_role = db.session.scalar(select(Membership.role).where(
        Membership.patient_id == patient_id, Membership.user_id == by_user.id))
    if by_role != "owner":
        _refuse(NO_LONGER_OWNER)
    db.session.expire(member)  # what was loaded before the lock may be out of date
    return db.session.scalar(select(Membership.role).where(Membership.id == member_id))


def _keeps_an_owner(patient_id, role, new_role=None):
    if role == "owner" and new_role != "owner" and _owner_count(patient_id) == 1:
        _refuse(LAST_OWNER)


def change_role(member, role, by_user):
    """`by_user` (an owner) gives `member` the role `role`; the diary keeps an owner."""
    patient_id, member_id = member.patient_id, member.id
    current = _locked_change(member, by_user)
    if current is None:
        _refuse(NO_LONGER_MEMBER)
    _keeps_an_owner(patient_id, current, role)
    db.session.execute(update(Membership).where(Membership.id == member_id).values(role=role))
    bump(db.session, [patient_id])
    db.session.commit()


def remove_member(member, by_user):
    """`by_user` (an owner) takes `member` out of the team."""
    patient_id, member_id = member.patient_id, member.id
    current = _locked_change(member, by_user)
    if current is None:
        db.session.rollback()
        return  # someone else removed them first: what was asked for is done
    _keeps_an_owner(patient_id, current)
    db.session.execute(delete(Membership).where(Membership.id == member_id))
    bump(db.session, [patient_id])
    db.session.commit()


def delete_diary(patient_id):
    erase_patients([patient_id])
    db.session.commit()
