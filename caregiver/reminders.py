"""Reminders that keep the regular measures going, and the weekly digest by e-mail.

A diary has a schedule (the defaults below, each can be changed or switched off); each member
chooses which reminders reach them. A reminder is skipped when the thing is already logged.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import url_for
from huey import crontab
from sqlalchemy import bindparam, func, select

from . import mail, push
from .clock import to_local, utc_now
from .entries import last_visit
from .extensions import db
from .i18n import lazy_gettext as _l
from .jobs import scheduled
from .mail import queue_mail
from .models import Alert, Entry, Membership, Patient
from .summary import build_summary


@dataclass(frozen=True)
class Reminder:
    kind: str  # the entry kind that answers it
    days: int  # by default, how often
    name: object
    text: object  # what the reminder says


REMINDERS = {
    "weight": Reminder("weight", 7, _l("Weight, every week"), _l("Time to weigh %(name)s and log it.")),
    "checkin": Reminder("checkin", 28, _l("Functional check-in, every 4 weeks"),
                        _l("Time for %(name)s's functional check-in.")),
    "carer": Reminder("carer", 7, _l("Your own carer check, every week"), _l("How are you coping? Your weekly check.")),
}
# Reminders go out at this local hour, outside the member's quiet hours.
REMINDER_HOUR = 9
DIGEST_WEEKDAY, DIGEST_HOUR = 0, 8  # Monday morning


def schedule_of(patient):
    """{reminder key: days between (0: off)} for this diary."""
    chosen = patient.reminder_days or {}
    return {key: int(chosen.get(key, reminder.days)) for key, reminder in REMINDERS.items()}


def chosen_by(membership):
    """The reminders this member wants: by default all of them for those who log, none for readers."""
    if membership.reminders is not None:
        return [key for key in membership.reminders if key in REMINDERS]
    return list(REMINDERS) if membership.allows("log") else []


def last_logged(patient_id, kinds):
    """{kind: the latest live entry's time} in one statement, each kind its own look-up from the
    newest end of ix_entry_patient_kind_occurred (a grouped maximum read every entry of the kinds)."""
    kinds = tuple(sorted(set(kinds)))
    if not kinds:
        return {}
    latest = db.session.connection().execute(_latest_of(kinds), {"patient_id": patient_id}).one()
    return {kind: when for kind, when in zip(kinds, latest) if when is not None}


@lru_cache(maxsize=64)
def _latest_of(kinds):
    """Built once for each set of kinds: the home page runs it every time."""
    return select(*(
        select(Entry.occurred_at).where(Entry.patient_id == bindparam("patient_id"), Entry.kind == kind,
                                        Entry.deleted_at.is_(None))
        .order_by(Entry.occurred_at.desc()).limit(1).scalar_subquery().label(f"k{n}") for n, kind in enumerate(kinds)))


def due(patient, now=None):
    """[(reminder key, last logged or None)] of the reminders due now: not logged within their days."""
    now = now or utc_now()
    schedule = schedule_of(patient)
    last = last_logged(patient.id, [REMINDERS[key].kind for key, days in schedule.items() if days])
    return [(key, last.get(REMINDERS[key].kind)) for key, days in schedule.items()
            if days and (last.get(REMINDERS[key].kind) is None
                         or now - last[REMINDERS[key].kind] >= timedelta(days=days))]


@scheduled(crontab(minute="0", hour="*"))
def send_reminders(now=None):
    """Every hour: members whose local hour is REMINDER_HOUR get today's due reminders, once a day."""
    now = now or utc_now()
    for membership in db.session.scalars(select(Membership)).all():
        user = membership.user
        local = to_local(now, user.timezone)
        wanted = chosen_by(membership)
        if local.hour != REMINDER_HOUR or not wanted:
            continue
        for key, _last in due(membership.patient, now):
            if key in wanted:
                # To each of the member's phones; by e-mail to those who have turned on none.
                reminder_key = f"reminder:{membership.id}:{key}:{local.date()}"
                if not push.queue_push("reminder", user, reminder_key, patient_id=membership.patient_id, reminder=key):
                    queue_mail("reminder", user.email, reminder_key, user=user, patient_id=membership.patient_id,
                               reminder=key)


def reminder_text(outgoing):
    patient = db.session.get(Patient, outgoing.patient_id)
    return str(REMINDERS[outgoing.params["reminder"]].text) % {"name": patient.display_name}


def reminder_path(outgoing):
    return url_for("diary.new_entry", patient_id=outgoing.patient_id, kind=REMINDERS[outgoing.params["reminder"]].kind)


def reminder_body(outgoing, user):
    return reminder_text(outgoing), reminder_path(outgoing)


def reminder_mail(outgoing, user):
    return {"text": reminder_text(outgoing), "link": url_for("main.index", _external=True).rstrip("/")
            + reminder_path(outgoing)}


push.BODIES["reminder"] = reminder_body
mail.CONTEXTS["reminder"] = reminder_mail


# ----------------------------------------------------------------------------------------------
# The weekly digest

def week_of(patient_id, now):
    """What the digest tells: entries logged by kind, and the alerts raised, in the last 7 days."""
    since = now - timedelta(days=7)
    counts = dict(db.session.execute(
        select(Entry.kind, func.count()).where(Entry.patient_id == patient_id, Entry.deleted_at.is_(None),
                                               Entry.occurred_at >= since, Entry.occurred_at < now)
        .group_by(Entry.kind)).all())
    raised = db.session.scalars(select(Alert).where(Alert.patient_id == patient_id, Alert.raised_at >= since)
                                .order_by(Alert.raised_at)).all()
    return counts, raised


@scheduled(crontab(minute="0", hour="*"))
def send_digests(now=None):
    """Every hour: members who asked for it get the digest on Monday at 8 in their own time, once a week."""
    now = now or utc_now()
    for membership in db.session.scalars(select(Membership).where(Membership.weekly_digest.is_(True))).all():
        user = membership.user
        local = to_local(now, user.timezone)
        if local.weekday() == DIGEST_WEEKDAY and local.hour == DIGEST_HOUR:
            year, week, _day = local.isocalendar()
            queue_mail("digest", user.email, f"digest:{membership.id}:{year}-{week}", user=user,
                       patient_id=membership.patient_id, until=now.isoformat())



def digest_mail(outgoing, user):
    """The digest's content: the week's entries by kind, its alerts, and what is new or worse."""
    until = datetime.fromisoformat(outgoing.params["until"])
    patient = db.session.get(Patient, outgoing.patient_id)
    counts, raised = week_of(patient.id, until)
    summary = build_summary(patient, until - timedelta(days=7), until, user.timezone, last_visit(patient, before=until))
    return {"counts": counts, "raised": raised, "changed": summary.new_or_worse(),
            "link": url_for("diary.home", patient_id=patient.id, _external=True)}


mail.CONTEXTS["digest"] = digest_mail
