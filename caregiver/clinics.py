"""The clinic's side: clinics and their staff, a family's consent (the link), what staff open (each
read recorded for the family), the dashboard of every linked family, acknowledging alerts,
requests to the family, and visit summaries made ahead of appointments.

The one rule: staff reach a diary only through an active link of their own clinic, while they
are on its staff. `staff_read` is the way in, and it records the read.
"""
from dataclasses import dataclass
from datetime import timedelta

from huey import crontab
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from . import catalogue, documents, maths
from .catalogue import RangeChoice
from .clock import to_local, utc_now
from .extensions import db
from .i18n import lazy_gettext as _l, language_and_zone
from .jobs import scheduled
from .mail import queue_mail
from .models import (
    Alert, CheckInItem, Clinic, ClinicInvite, ClinicLink, ClinicRead, ClinicRequest, ClinicStaff, Entry, Patient,
    PreparedSummary, User,
)
from .summary import summary_for, trends_for
from .summary.parts import stages_for

INVITE_DAYS = 7
# A family "not logging": nothing for this long.
QUIET_DAYS = 14
# What the dashboard's check-in slope reads.
SLOPE_WEEKS = 4
# The summary made ahead: for appointments this many days ahead; used while younger than a day.
PREPARE_DAYS_AHEAD = 7
PREPARED_KEEPS = timedelta(hours=24)
# The summary the clinic reads: since the last appointment, A4, with the notes; the carer's own
# coping score stays with the family.
CLINIC_SUMMARY = {"paper": "A4", "notes": True, "carer": False, "appendix": False}


class ClinicRuleBroken(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ----------------------------------------------------------------------------------------------
# Clinics and staff

def create_clinic(name, admin):
    """A new clinic with `admin` (a User) as its first admin."""
    clinic = Clinic(name=name)
    db.session.add(clinic)
    db.session.add(ClinicStaff(clinic=clinic, user=admin, role="admin", profession="coordinator"))
    db.session.commit()
    return clinic


def staff_of(user_id):
    """The clinics this account works for now: [ClinicStaff]."""
    return db.session.scalars(select(ClinicStaff).join(Clinic).where(
        ClinicStaff.user_id == user_id, ClinicStaff.left_at.is_(None)).order_by(Clinic.name)).all()


def staff_member(clinic_id, user_id):
    """This account's place on the clinic's staff, or None (never was, or has left)."""
    return db.session.scalar(select(ClinicStaff).where(
        ClinicStaff.clinic_id == clinic_id, ClinicStaff.user_id == user_id, ClinicStaff.left_at.is_(None)))


def current_staff(clinic_id):
    return db.session.scalars(select(ClinicStaff).where(
        ClinicStaff.clinic_id == clinic_id, ClinicStaff.left_at.is_(None)).order_by(ClinicStaff.joined_at)).all()


def invite_staff(clinic, by_user, email, role, profession, locale=None):
    invite = ClinicInvite(clinic=clinic, email=email or None, role=role, profession=profession,
                          created_by_id=by_user.id if by_user else None, expires_at=utc_now() + timedelta(days=INVITE_DAYS))
    db.session.add(invite)
    db.session.commit()
    if email:
        queue_mail("clinic_invite", email, f"clinic_invite:{invite.id}", locale=locale, invite_id=invite.id)
    return invite


def open_staff_invites(clinic_id):
    return db.session.scalars(select(ClinicInvite).where(
        ClinicInvite.clinic_id == clinic_id, ClinicInvite.used_at.is_(None), ClinicInvite.expires_at > utc_now())
        .order_by(ClinicInvite.created_at)).all()


def usable_staff_invite(token):
    invite = db.session.scalar(select(ClinicInvite).where(ClinicInvite.token == token))
    if invite is None or invite.used_at is not None or invite.expires_at <= utc_now():
        return None
    return invite


def accept_staff_invite(invite, user):
    """Join the clinic's staff; the invite works once, even when two accounts accept at once."""
    used = db.session.execute(update(ClinicInvite).where(ClinicInvite.id == invite.id, ClinicInvite.used_at.is_(None))
                              .values(used_at=utc_now())).rowcount
    if not used:
        db.session.rollback()
        return False
    staff = db.session.scalar(select(ClinicStaff).where(ClinicStaff.clinic_id == invite.clinic_id,
                                                        ClinicStaff.user_id == user.id))
    if staff is None:
        db.session.add(ClinicStaff(clinic_id=invite.clinic_id, user_id=user.id, role=invite.role,
                                   profession=invite.profession))
    else:  # someone who left and comes back
        staff.left_at, staff.role, staff.profession, staff.joined_at = None, invite.role, invite.profession, utc_now()
    db.session.commit()
    return True


LAST_ADMIN = _l("A clinic needs at least one admin.")


def remove_staff(staff):
    """The member leaves: every access ends at once (what they read stays on record)."""
    admins = db.session.scalar(select(func.count()).where(
        ClinicStaff.clinic_id == staff.clinic_id, ClinicStaff.role == "admin", ClinicStaff.left_at.is_(None)))
    if staff.role == "admin" and admins == 1:
        raise ClinicRuleBroken(LAST_ADMIN)
    staff.left_at = utc_now()
    db.session.commit()


def staff_by_id(clinic_id, staff_id):
    return db.session.scalar(select(ClinicStaff).where(ClinicStaff.id == staff_id, ClinicStaff.clinic_id == clinic_id))


def save_staff_settings(staff, push_levels, email_levels, show_names=None):
    staff.push_levels, staff.email_levels = push_levels, email_levels
    if show_names is not None and staff.role == "admin":
        staff.clinic.show_staff_names = show_names
    db.session.commit()


def display_of(staff):
    """How the family sees a staff member: the role, and the name if the clinic chose to show it."""
    role = catalogue.PROFESSIONS.get(staff.profession, catalogue.PROFESSIONS["other"])
    return f"{role} ({staff.user.name})" if staff.clinic.show_staff_names else str(role)


# ----------------------------------------------------------------------------------------------
# The family's consent

def clinic_by_code(code):
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return db.session.scalar(select(Clinic).where(Clinic.link_code == cleaned)) if cleaned else None


def link_clinic(patient, clinic, user, full_history):
    """Link the diary to the clinic (or change what it may see, if linked already)."""
    link = active_link(patient.id, clinic.id)
    if link is not None:
        link.full_history = full_history
        db.session.commit()
        return link
    link = ClinicLink(patient_id=patient.id, clinic_id=clinic.id, full_history=full_history, linked_by_id=user.id,
                      active_key=f"{patient.id}:{clinic.id}")
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError:  # linked at the same moment from another device
        db.session.rollback()
        return active_link(patient.id, clinic.id)
    db.session.commit()
    return link


def unlink(link):
    """The clinic's access ends at once; the record of the link and of its reads stays."""
    link.ended_at, link.active_key = utc_now(), None
    db.session.query(PreparedSummary).filter_by(patient_id=link.patient_id, clinic_id=link.clinic_id).delete()
    db.session.commit()


def active_link(patient_id, clinic_id):
    return db.session.scalar(select(ClinicLink).where(
        ClinicLink.patient_id == patient_id, ClinicLink.clinic_id == clinic_id, ClinicLink.ended_at.is_(None)))


def links_of(patient_id):
    """Every link of the diary, the standing ones first."""
    return db.session.scalars(select(ClinicLink).where(ClinicLink.patient_id == patient_id)
                              .order_by(ClinicLink.ended_at.is_not(None), ClinicLink.linked_at.desc())).all()


def link_of(patient_id, link_id):
    return db.session.scalar(select(ClinicLink).where(ClinicLink.id == link_id, ClinicLink.patient_id == patient_id))


def reads_of(patient_id, limit=200):
    """What clinic staff opened in this diary, newest first."""
    return db.session.scalars(select(ClinicRead).where(ClinicRead.patient_id == patient_id)
                              .order_by(ClinicRead.read_at.desc(), ClinicRead.id.desc()).limit(limit)).all()


# ----------------------------------------------------------------------------------------------
# Staff reading a diary

def staff_read(staff, patient_id, what):
    """The diary's link to the staff member's clinic, recording that they opened `what`; None when
    there is no standing link (or `what` is the full history and the family did not consent)."""
    link = active_link(patient_id, staff.clinic_id)
    if link is None or (what == "history" and not link.full_history):
        return None
    db.session.add(ClinicRead(patient_id=patient_id, clinic_id=staff.clinic_id, staff_id=staff.id, what=what))
    db.session.commit()
    return link


def clinic_summary(patient, tz):
    return summary_for(patient, RangeChoice("since_visit"), tz)


def clinic_trends(patient, tz):
    return trends_for(patient, RangeChoice("since_visit"), tz)


def clinic_pdf(patient, clinic_id, staff_user):
    """The visit summary PDF for the clinic: the one made ahead if nothing has changed since."""
    prepared = db.session.scalar(select(PreparedSummary).where(PreparedSummary.patient_id == patient.id,
                                                               PreparedSummary.clinic_id == clinic_id))
    if prepared is not None and utc_now() - prepared.made_at < PREPARED_KEEPS \
            and prepared.diary_changed_at == diary_changed_at(patient.id):
        return prepared.pdf
    return make_pdf(patient, staff_user.locale or "en", staff_user.timezone)


def make_pdf(patient, language, tz):
    with language_and_zone(language, tz):
        summary = clinic_summary(patient, tz)
        return documents.summary_pdf(patient, summary, dict(CLINIC_SUMMARY, language=language))


def diary_changed_at(patient_id):
    """When anything in the diary last changed (an entry added, edited or deleted)."""
    times = db.session.execute(select(func.max(Entry.created_at), func.max(Entry.updated_at), func.max(Entry.deleted_at))
                               .where(Entry.patient_id == patient_id)).one()
    known = [t for t in times if t is not None]
    return max(known) if known else None


@scheduled(crontab(minute="30", hour="5"))
def prepare_summaries(now=None):
    """Early each morning: the summary of every linked family with an appointment in the coming
    week, made in the language of the clinic's first admin, so that it opens at once."""
    now = now or utc_now()
    coming = select(Entry.patient_id).where(Entry.kind == "visit", Entry.deleted_at.is_(None),
                                            Entry.occurred_at > now,
                                            Entry.occurred_at <= now + timedelta(days=PREPARE_DAYS_AHEAD))
    links = db.session.scalars(select(ClinicLink).where(ClinicLink.ended_at.is_(None),
                                                        ClinicLink.patient_id.in_(coming))).all()
    made = 0
    for link in links:
        admin = db.session.scalar(select(User).join(ClinicStaff).where(
            ClinicStaff.clinic_id == link.clinic_id, ClinicStaff.left_at.is_(None)).order_by(ClinicStaff.id))
        if admin is None:
            continue
        changed = diary_changed_at(link.patient_id)
        pdf = make_pdf(link.patient, admin.locale or "en", admin.timezone)
        prepared = db.session.scalar(select(PreparedSummary).where(PreparedSummary.patient_id == link.patient_id,
                                                                   PreparedSummary.clinic_id == link.clinic_id))
        if prepared is None:
            prepared = PreparedSummary(patient_id=link.patient_id, clinic_id=link.clinic_id, pdf=b"")
            db.session.add(prepared)
        prepared.pdf, prepared.made_at, prepared.diary_changed_at = pdf, now, changed
        db.session.commit()
        made += 1
    return made


# ----------------------------------------------------------------------------------------------
# Acknowledging and asking

def acknowledge(alert, staff, now=None):
    if alert.clinic_seen_at is None:
        alert.clinic_seen_at, alert.clinic_seen_by_id = now or utc_now(), staff.id
        db.session.commit()


def open_alerts(patient_id):
    return db.session.scalars(select(Alert).where(Alert.patient_id == patient_id, Alert.done_at.is_(None))
                              .order_by(Alert.raised_at.desc())).all()


def ask_family(staff, patient_id, text):
    request = ClinicRequest(patient_id=patient_id, staff_id=staff.id, text=text.strip())
    db.session.add(request)
    db.session.commit()
    return request


def open_requests(patient_id):
    """The clinic's requests the family has not marked done, from clinics still linked."""
    return db.session.scalars(
        select(ClinicRequest).join(ClinicStaff).join(ClinicLink, (ClinicLink.clinic_id == ClinicStaff.clinic_id)
                                                     & (ClinicLink.patient_id == ClinicRequest.patient_id)
                                                     & ClinicLink.ended_at.is_(None))
        .where(ClinicRequest.patient_id == patient_id, ClinicRequest.done_at.is_(None))
        .order_by(ClinicRequest.created_at.desc())).all()


def request_of(patient_id, request_id):
    return db.session.scalar(select(ClinicRequest).where(ClinicRequest.id == request_id,
                                                         ClinicRequest.patient_id == patient_id))


def mark_request_done(request):
    request.done_at = utc_now()
    db.session.commit()


# ----------------------------------------------------------------------------------------------
# The dashboard

@dataclass(frozen=True)
class FamilyRow:
    patient_id: int
    name: str
    diagnosis: str
    open_alerts: int
    oldest_alert_at: object  # UTC, or None
    urgent_alerts: int
    checkin_total: int | None
    checkin_at: object
    slope: float | None  # points a month over the last 4 weeks (negative: falling)
    rate: float | None  # points lost a month since the first symptom
    weight_change: float | None  # % over the last 3 months
    last_entry_at: object
    next_appointment_at: object
    # As the summary's Function names them, so that the same template part shows them.
    stages: str | None  # summary.parts.stages_for: "validated", "caveat" or None
    kings_stage: str | None
    mitos_stage: int | None

    def days_quiet(self, now):
        return (now - self.last_entry_at).days if self.last_entry_at else None

    def alert_age_hours(self, now):
        return int((now - self.oldest_alert_at).total_seconds() // 3600) if self.oldest_alert_at else None


def dashboard(clinic_id, now=None):
    """One row per linked family, from a handful of queries over all of them (not one per family)."""
    now = now or utc_now()
    linked = select(ClinicLink.patient_id).where(ClinicLink.clinic_id == clinic_id, ClinicLink.ended_at.is_(None))
    patients = db.session.scalars(select(Patient).where(Patient.id.in_(linked)).order_by(Patient.display_name)).all()
    if not patients:
        return []
    ids = [p.id for p in patients]
    live = (Entry.patient_id.in_(ids)) & Entry.deleted_at.is_(None)

    alerts = {pid: (count, oldest, urgent) for pid, count, oldest, urgent in db.session.execute(
        select(Alert.patient_id, func.count(), func.min(Alert.raised_at),
               func.count().filter(Alert.level == "urgent"))
        .where(Alert.patient_id.in_(ids), Alert.done_at.is_(None)).group_by(Alert.patient_id))}

    # Per family, each read from its end of an (patient, [kind,] time) index: the last entry, the
    # next appointment, the latest check-in. A max() over the whole history would read every row.
    def nearest(column, *where, latest=True):
        return (select(column).where(Entry.patient_id == Patient.id, Entry.deleted_at.is_(None), *where)
                .order_by(Entry.occurred_at.desc() if latest else Entry.occurred_at).limit(1).scalar_subquery())

    ends = {pid: (last, coming, checkin_id) for pid, last, coming, checkin_id in db.session.execute(
        select(Patient.id, nearest(Entry.occurred_at, Entry.occurred_at <= now),
               nearest(Entry.occurred_at, Entry.kind == "visit", Entry.occurred_at > now, latest=False),
               nearest(Entry.id, Entry.kind == "checkin", Entry.occurred_at <= now))
        .where(Patient.id.in_(ids)))}
    latest_ids = {pid: checkin_id for pid, (_last, _coming, checkin_id) in ends.items() if checkin_id}

    # Check-ins: those of the slope's weeks, and the latest of each family (few rows per family).
    checkins = {}
    columns = select(Entry.patient_id, Entry.id, Entry.occurred_at, Entry.value)
    for query in (columns.where(live, Entry.kind == "checkin", Entry.occurred_at <= now,
                                Entry.occurred_at >= now - timedelta(weeks=SLOPE_WEEKS)),
                  columns.where(Entry.id.in_(list(latest_ids.values())))):
        for pid, entry_id, at, total in db.session.execute(query):
            checkins.setdefault(pid, {})[entry_id] = (at, total)
    items = {}
    for entry_id, domain, score in db.session.execute(select(CheckInItem.entry_id, CheckInItem.domain, CheckInItem.score)
                                                      .where(CheckInItem.entry_id.in_(list(latest_ids.values())))):
        items.setdefault(entry_id, {})[domain] = score

    weights = {}
    for pid, at, value in db.session.execute(select(Entry.patient_id, Entry.occurred_at, Entry.value).where(
            live, Entry.kind == "weight", Entry.occurred_at <= now, Entry.occurred_at >= now - timedelta(days=91))
            .order_by(Entry.occurred_at)):
        weights.setdefault(pid, []).append(value)

    rows = []
    for patient in patients:
        count, oldest, urgent = alerts.get(patient.id, (0, None, 0))
        family_checkins = sorted(checkins.get(patient.id, {}).values())
        total = at = slope = rate = kings = mitos = None
        stages = stages_for(patient.diagnosis)
        if family_checkins:
            at, total = family_checkins[-1]
            total = int(total)
            recent = [(when, value) for when, value in family_checkins if when >= now - timedelta(weeks=SLOPE_WEEKS)]
            slope = maths.slope_per_month(recent) if len(recent) >= 2 else None
            rate = maths.progression_rate(total, patient.onset_month, to_local(at, "UTC").date())
            scored = items.get(latest_ids[patient.id], {})
            if stages and len(scored) == len(catalogue.CHECKIN_DOMAINS):
                kings = maths.kings_stage(scored, patient.feeding_tube)
                mitos = maths.mitos_stage(scored)
        family_weights = weights.get(patient.id, [])
        rows.append(FamilyRow(
            patient_id=patient.id, name=patient.display_name, diagnosis=patient.diagnosis, open_alerts=count,
            oldest_alert_at=oldest, urgent_alerts=urgent, checkin_total=total, checkin_at=at, slope=slope, rate=rate,
            weight_change=maths.percent_change(family_weights[0], family_weights[-1]) if len(family_weights) >= 2
            else None,
            last_entry_at=ends[patient.id][0], next_appointment_at=ends[patient.id][1],
            stages=stages, kings_stage=kings, mitos_stage=mitos))
    return rows


SORTS = {
    "alerts": lambda row, now: (-row.urgent_alerts, -row.open_alerts, row.oldest_alert_at or now, row.name),
    "declining": lambda row, now: (row.slope if row.slope is not None else float("inf"), row.name),
    "quiet": lambda row, now: (-(row.days_quiet(now) if row.last_entry_at else 10 ** 6), row.name),
    "appointment": lambda row, now: (row.next_appointment_at or now + timedelta(days=10 ** 4), row.name),
    "name": lambda row, now: (row.name.casefold(),),
}
FILTERS = {
    "all": lambda row, now: True,
    "alerts": lambda row, now: row.open_alerts > 0,
    "declining": lambda row, now: row.slope is not None and row.slope < 0,
    "quiet": lambda row, now: row.last_entry_at is None or row.days_quiet(now) >= QUIET_DAYS,
    "appointment": lambda row, now: row.next_appointment_at is not None
    and row.next_appointment_at <= now + timedelta(days=7),
}
# Each filter reads best in its own order; "all" puts those who need a call first.
FILTER_ORDER = {"all": "alerts", "alerts": "alerts", "declining": "declining", "quiet": "quiet",
                "appointment": "appointment"}


def dashboard_view(clinic_id, shown="all", order=None, now=None):
    now = now or utc_now()
    rows = [row for row in dashboard(clinic_id, now) if FILTERS[shown](row, now)]
    key = SORTS[order or FILTER_ORDER[shown]]
    return sorted(rows, key=lambda row: key(row, now))
