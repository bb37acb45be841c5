"""A diary's data version: a number that changes, in the same transaction, with every write that
changes what the diary's pages show (entries, edits, undo, sync, import, the profile, the team,
alerts). Cached pages and ETags are keyed by it (caregiver/pages.py), so a write is never followed
by a stale page, in this process or any other.

Every write through the ORM is seen at flush time; the few bulk statements (team.py) call bump().
The same flush drops the monthly tallies of the entries it writes (tallies.py), after the bump.
"""
from itertools import chain

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from . import tallies
from .models import (
    ClinicRead, Delivery, Entry, JobRun, Membership, MonthTally, Patient, PreparedSummary, PushSubscription, ShareView,
    User, UserSession,
)

# Rows no diary page shows, or shows only on a page that is never cached: writing them keeps the version.
# A month's tally is made from entries already shown: keeping it changes no page.
NOT_SHOWN = (ClinicRead, Delivery, JobRun, MonthTally, PreparedSummary, PushSubscription, ShareView, UserSession)


def bump(session, patient_ids):
    """Move these diaries' versions on, within the session's transaction."""
    ids = sorted({patient_id for patient_id in patient_ids if patient_id is not None})
    if ids:  # in id order, so that two transactions never wait for each other's rows
        session.connection().execute(
            update(Patient).where(Patient.id.in_(ids)).values(data_version=Patient.data_version + 1)
            .execution_options(synchronize_session=False))


def written_diaries(session, objects):
    """The ids of the diaries that a flush of these new, changed or deleted objects writes to."""
    ids, entry_ids = set(), set()
    for obj in objects:
        if isinstance(obj, NOT_SHOWN):
            continue
        if isinstance(obj, Patient):
            ids.add(obj.id)
        elif isinstance(obj, User):
            if inspect(obj).attrs.name.history.has_changes():  # a name every team page shows
                ids.update(session.connection().scalars(
                    select(Membership.patient_id).where(Membership.user_id == obj.id)))
        elif getattr(obj, "patient_id", None) is not None:
            ids.add(obj.patient_id)
        elif getattr(obj, "entry_id", None) is not None:  # an entry's scores, recording or history
            entry_ids.add(obj.entry_id)
    if entry_ids:
        ids.update(session.connection().scalars(select(Entry.patient_id).where(Entry.id.in_(entry_ids))))
    return ids


@event.listens_for(Session, "before_flush")
def _note_written_diaries(session, _flush_context, _instances):
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    session.info.setdefault("written_diaries", set()).update(
        written_diaries(session, chain(session.new, changed, session.deleted)))
    tallies.note_changed(session, chain(session.new, changed, session.deleted))


@event.listens_for(Session, "after_flush")
def _bump_written_diaries(session, _flush_context):
    bump(session, session.info.pop("written_diaries", ()))
    tallies.forget_changed(session)  # after the bump, which waits for any reader making tallies
