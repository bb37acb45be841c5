"""Alerts: when saving entries raises a rule (rules.ALERT_RULES), an Alert is recorded once, every
member hears of it by the channels and levels they chose, and it moves from open to seen to done
or snoozed. An urgent alert no one has seen goes to the owners, and again on a schedule.

Functions that depend on the time take `now`, so that tests run them on a controlled clock.
"""
from datetime import datetime, time, timedelta

from flask import url_for
from huey import crontab
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import mail, push, rules
from .clock import to_local, to_utc, utc_now
from .extensions import db
from .i18n import gettext as _
from .jobs import scheduled
from .mail import queue_mail
from .models import Alert, AlertEntry, CheckInItem, ClinicLink, ClinicStaff, Entry, Membership, Patient
from .rows import read_rows

# An urgent alert no one has seen goes to the owners again this often, this many times at most.
ESCALATION_EVERY = timedelta(minutes=30)
ESCALATIONS = 4
# A seen alert stays on the home page this long, so that everyone sees who has it in hand.
SEEN_SHOWN_FOR = timedelta(hours=24)
SNOOZE_HOURS = (1, 4, 24)


# ----------------------------------------------------------------------------------------------
# Raising

def history_for(patient, tz="UTC", now=None):
    """What the rules read: the diary's recent weights, check-ins (with scores), NIV nights and events."""
    since = (now or utc_now()) - timedelta(days=rules.HISTORY_DAYS)
    found = read_rows(select(Entry).where(Entry.patient_id == patient.id, Entry.deleted_at.is_(None),
                                          Entry.kind.in_(rules.HISTORY_KINDS), Entry.occurred_at >= since)
                      .order_by(Entry.occurred_at, Entry.id), tz)
    checkin_ids = [row.id for row in found if row.kind == "checkin"]
    scores = {}
    for entry_id, domain, score in db.session.execute(
            select(CheckInItem.entry_id, CheckInItem.domain, CheckInItem.score)
            .where(CheckInItem.entry_id.in_(checkin_ids))) if checkin_ids else ():
        scores.setdefault(entry_id, {})[domain] = score
    return rules.History(found, scores, patient.usual_weight_kg, patient.height_cm)


def raise_alerts(patient, entries, now=None):
    """Record the alerts that saving `entries` raises, and tell the team of each new one.

    Each alert's key is the rule and the entry that raised it, so an entry sent twice (a replayed
    offline batch, an edit that changes nothing) raises nothing more. While an alert of a rule is
    not yet done, later entries that raise the same rule join it instead of raising another.
    """
    live = [entry for entry in entries if entry.deleted_at is None]
    if not live:
        return []
    history = history_for(patient, now=now)
    saved = {row.id: row for row in read_rows(select(Entry).where(Entry.id.in_([e.id for e in live])), "UTC")}
    uuids = {entry.id: entry.uuid for entry in live}
    new = []
    for row in sorted(saved.values(), key=lambda r: r.occurred_at):
        for rule, entry_ids in rules.raised(row, history):
            alert = record(patient, rule, entry_ids, f"{rule.key}:{uuids[row.id]}", now)
            if alert is not None:
                new.append(alert)
    for alert in new:
        tell_team(alert, now)
    return new


def record(patient, rule, entry_ids, key, now=None):
    """A new Alert for `rule`, or None: when one of that rule is still unresolved (the entries join
    it) or when this key was recorded before. The unique `open_for` makes the check hold when two
    processes raise the same rule at once: the second insert fails and joins the first."""
    for _attempt in range(2):
        unresolved = db.session.scalar(select(Alert).where(Alert.open_for == open_key(patient.id, rule.key)))
        if unresolved is not None:
            link_entries(unresolved, entry_ids)
            db.session.commit()
            return None
        alert = Alert(patient_id=patient.id, key=key, rule=rule.key, level=rule.level, raised_at=now or utc_now(),
                      open_for=open_key(patient.id, rule.key))
        try:
            with db.session.begin_nested():
                db.session.add(alert)
                db.session.flush()
                link_entries(alert, entry_ids)
        except IntegrityError:
            db.session.rollback()
            if db.session.scalar(select(Alert.id).where(Alert.key == key)) is not None:
                return None  # these entries raised it before
            continue  # another process has just raised it: join that one
        db.session.commit()
        return alert
    return None


def open_key(patient_id, rule_key):
    return f"{patient_id}:{rule_key}"


def link_entries(alert, entry_ids):
    known = set(db.session.scalars(select(AlertEntry.entry_id).where(AlertEntry.alert_id == alert.id)))
    db.session.add_all(AlertEntry(alert_id=alert.id, entry_id=entry_id) for entry_id in entry_ids
                       if entry_id not in known)


@scheduled(crontab(minute="15", hour="*"))
def check_quiet_diaries(now=None):
    """Once an hour: a diary with nothing logged for two weeks raises its (not urgent) prompt, once
    per quiet spell."""
    now = now or utc_now()
    rule = rules.QUIET_DIARY
    last = select(Entry.patient_id, func.max(Entry.occurred_at).label("last_at"), func.max(Entry.id).label("last_id")
                  ).where(Entry.deleted_at.is_(None)).group_by(Entry.patient_id).subquery()
    for patient, last_at, last_id in db.session.execute(select(Patient, last.c.last_at, last.c.last_id)
                                                        .join(last, last.c.patient_id == Patient.id)).all():
        if rule.is_quiet(last_at, now):
            alert = record(patient, rule, (last_id,), f"{rule.key}:{patient.id}:{last_id}", now)
            if alert is not None:
                tell_team(alert, now)


# ----------------------------------------------------------------------------------------------
# Who hears of it, and how

def levels_for(membership, channel):
    chosen = membership.push_levels if channel == "push" else membership.email_levels
    if chosen is not None:
        return set(chosen)
    return {key for key, level in rules.LEVELS.items() if (level.push if channel == "push" else level.email)}


def quiet_until(user, now):
    """When the user's quiet hours end, if `now` is within them; None otherwise."""
    if not (user.quiet_from and user.quiet_until):
        return None
    local = to_local(now, user.timezone)
    start, end = (time.fromisoformat(user.quiet_from), time.fromisoformat(user.quiet_until))
    inside = (start <= local.time() < end) if start < end else (local.time() >= start or local.time() < end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if start > end and local.time() >= start else local.date()
    return to_utc(datetime.combine(end_day, end), user.timezone)


def tell_team(alert, now=None, escalation=0):
    """Send the alert to every member, and to the staff of every clinic the diary is linked to, by
    the channels of their choice, at its level; outside their quiet hours unless it is urgent. An
    escalation goes to the family's owners by every channel."""
    now = now or utc_now()
    members = db.session.scalars(select(Membership).where(Membership.patient_id == alert.patient_id)).all()
    for membership in members:
        if escalation and membership.role != "owner":
            continue
        tell(alert, membership.user, membership, now, escalation)
    if not escalation:
        for staff in staff_to_tell(alert.patient_id):
            tell(alert, staff.user, staff, now, 0, clinic_id=staff.clinic_id)


def tell(alert, user, chooser, now, escalation, clinic_id=None):
    """`chooser`: the Membership or ClinicStaff whose levels say which channels the alert takes."""
    hold = None if alert.level == rules.URGENT else quiet_until(user, now)
    key = f"alert:{alert.id}:{escalation}:{user.id}"
    params = {"alert_id": alert.id, "escalation": escalation, "clinic_id": clinic_id}
    if escalation or alert.level in levels_for(chooser, "push"):
        push.queue_push("alert", user, f"{key}:push", patient_id=alert.patient_id, not_before=hold, **params)
    if escalation or alert.level in levels_for(chooser, "email"):
        queue_mail("alert", user.email, f"{key}:email", user=user, patient_id=alert.patient_id,
                   not_before=hold, **params)


def staff_to_tell(patient_id):
    """Staff of every clinic the diary is linked to now."""
    return db.session.scalars(select(ClinicStaff).join(ClinicLink, ClinicLink.clinic_id == ClinicStaff.clinic_id)
                              .where(ClinicLink.patient_id == patient_id, ClinicLink.ended_at.is_(None),
                                     ClinicStaff.left_at.is_(None))).all()


def alert_text(alert, private=False):
    """What a notification or e-mail says of an alert, in the current language."""
    if private:
        return _("Something is waiting for you in MND Diary.")
    rule = rules.RULES_BY_KEY[alert.rule]
    patient = db.session.get(Patient, alert.patient_id)
    return _("%(name)s: %(what)s. %(advice)s", name=patient.display_name, what=rule.text,
             advice=rules.LEVELS[rule.level].advice)


def alert_path(alert, clinic_id=None):
    """Where the alert opens: the family's alert page, or the clinic's page of that family."""
    if clinic_id:
        return url_for("clinic.family", clinic_id=clinic_id, patient_id=alert.patient_id)
    return url_for("notifications.alert", patient_id=alert.patient_id, alert_id=alert.id)


def push_body(outgoing, user):
    alert = db.session.get(Alert, outgoing.params["alert_id"])
    return alert_text(alert), alert_path(alert, outgoing.params.get("clinic_id"))


def alert_mail(outgoing, user):
    alert = db.session.get(Alert, outgoing.params["alert_id"])
    return {"alert": alert, "rule": rules.RULES_BY_KEY[alert.rule], "level": rules.LEVELS[alert.level],
            "link": url_for("main.index", _external=True).rstrip("/") + alert_path(alert, outgoing.params.get("clinic_id"))}


push.BODIES["alert"] = push_body
mail.CONTEXTS["alert"] = alert_mail


@scheduled(crontab(minute="*"))
def escalate(now=None):
    """Urgent alerts no one has seen within the diary's time go to its owners, then every half hour,
    a few times at most; a snooze holds them back until it ends."""
    now = now or utc_now()
    waiting = db.session.scalars(
        select(Alert).join(Patient).where(Alert.level == rules.URGENT, Alert.seen_at.is_(None),
                                          Alert.done_at.is_(None), Alert.escalations < ESCALATIONS)
    ).all()
    for alert in waiting:
        patient = db.session.get(Patient, alert.patient_id)
        due = alert.next_escalation_at or alert.raised_at + timedelta(minutes=patient.escalate_after_minutes)
        if due > now or (alert.snoozed_until and alert.snoozed_until > now):
            continue
        alert.escalations += 1
        alert.next_escalation_at = now + ESCALATION_EVERY
        db.session.commit()
        tell_team(alert, now, escalation=alert.escalations)


# ----------------------------------------------------------------------------------------------
# What members do with an alert

def mark_seen(alert, user, now=None):
    if alert.seen_at is None:
        alert.seen_at, alert.seen_by_id = now or utc_now(), user.id
        db.session.commit()


def mark_done(alert, user, note, now=None):
    now = now or utc_now()
    if alert.seen_at is None:
        alert.seen_at, alert.seen_by_id = now, user.id
    alert.done_at, alert.done_by_id, alert.note, alert.open_for = now, user.id, note, None
    db.session.commit()


def snooze(alert, user, hours, now=None):
    """Held back for `hours`: not shown as open, and not escalated, until then."""
    alert.snoozed_until = (now or utc_now()) + timedelta(hours=hours)
    db.session.commit()


# ----------------------------------------------------------------------------------------------
# Reading

def alert_of(patient_id, alert_id):
    return db.session.scalar(select(Alert).where(Alert.id == alert_id, Alert.patient_id == patient_id))


def on_home(patient_id, now=None):
    """Open alerts (snoozes that have ended included), then those seen in the last day, not yet done."""
    now = now or utc_now()
    unresolved = db.session.scalars(select(Alert).where(Alert.patient_id == patient_id, Alert.done_at.is_(None))
                                    .order_by(Alert.raised_at.desc())).all()
    shown = [a for a in unresolved if a.state(now) == "open"]
    shown += [a for a in unresolved if a.state(now) == "seen" and now - a.seen_at < SEEN_SHOWN_FOR]
    return sorted(shown, key=lambda a: (list(rules.LEVELS).index(a.level), -a.raised_at.timestamp()))


def history_of(patient_id, limit=200):
    return db.session.scalars(select(Alert).where(Alert.patient_id == patient_id)
                              .order_by(Alert.raised_at.desc()).limit(limit)).all()


def by_entry(entry_ids):
    """{entry id: [alerts it raised]}, for the history's links."""
    found = {}
    if entry_ids:
        for entry_id, alert in db.session.execute(
                select(AlertEntry.entry_id, Alert).join(Alert, Alert.id == AlertEntry.alert_id)
                .where(AlertEntry.entry_id.in_(entry_ids))).all():
            found.setdefault(entry_id, []).append(alert)
    return found



# ----------------------------------------------------------------------------------------------
# Settings

def save_member_settings(membership, push_levels, email_levels, reminders, weekly_digest):
    membership.push_levels, membership.email_levels = list(push_levels), list(email_levels)
    membership.reminders, membership.weekly_digest = list(reminders), weekly_digest
    db.session.commit()


def save_schedule(patient, escalate_after_minutes, reminder_days):
    patient.escalate_after_minutes = escalate_after_minutes
    patient.reminder_days = dict(reminder_days)
    db.session.commit()
