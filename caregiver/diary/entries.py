"""Diary logic without views: saving with a change record, describing entries, queries."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from .. import catalogue
from ..extensions import db
from ..i18n import to_utc, utc_now
from ..models import CustomSymptom, Entry, Revision
from . import forms

KIND_FORMS = {
    "symptom": forms.SymptomForm,
    "event": forms.EventForm,
    "weight": forms.WeightForm,
    "niv": forms.NivForm,
    "checkin": forms.CheckInForm,
    "carer": forms.CarerForm,
    "medication": forms.MedicationForm,
    "visit": forms.VisitForm,
    "question": forms.QuestionForm,
}
# Columns that a person can change; what a Revision compares.
TRACKED_FIELDS = (
    "occurred_at", "tz", "symptom_key", "custom_symptom_id", "severity", "region", "side", "duration",
    "frequency", "event_type", "injured", "value", "name", "dose", "ended_on", "done_at", "note", "source",
)


def entry_form_for(kind, patient, tz, customs=None, **form_arguments):
    """The form of an entry kind, ready for this patient: their own symptoms (`customs`, read if
    not given), their weight unit, and the time zone its times are read in. form_arguments go to
    the form (formdata, meta)."""
    form = KIND_FORMS[kind](**form_arguments)
    form.patient, form.tz = patient, tz
    if kind == "symptom":
        form.set_patient(patient, custom_symptoms(patient) if customs is None else customs)
    return form


def snapshot(entry):
    """The tracked fields (and check-in scores) as JSON-ready values."""
    values = {}
    for name in TRACKED_FIELDS:
        value = getattr(entry, name)
        values[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    for item in entry.checkin_items:
        values[f"checkin:{item.domain}"] = item.score
    return values


def record(entry, user, action, before=None):
    """Keep who changed the entry, when and how. `before` is the snapshot taken before an edit."""
    now = utc_now()
    changes = None
    if before is not None:
        after = snapshot(entry)
        changes = {k: [before.get(k), after.get(k)] for k in after.keys() | before.keys()
                   if before.get(k) != after.get(k)}
        if not changes:
            return False
    if action == "edited":
        entry.updated_at = now
    entry.revisions.append(Revision(action=action, changed_by_id=user.id, changed_at=now, changes=changes))
    return True


def custom_symptoms(patient):
    return db.session.scalars(
        select(CustomSymptom).where(CustomSymptom.patient_id == patient.id).order_by(CustomSymptom.name)
    ).all()


def live_entries(patient):
    return select(Entry).where(Entry.patient_id == patient.id, Entry.deleted_at.is_(None))


@dataclass(frozen=True)
class QuickSymptom:
    """A big button on the patient's home: a catalogue symptom or one of the family's own."""

    ref: str  # catalogue key, or "custom-<id>"
    name: str
    regions: tuple
    explainer: str | None


def quick_symptom(ref, customs):
    if ref in catalogue.LOGGABLE_SYMPTOMS:
        symptom = catalogue.LOGGABLE_SYMPTOMS[ref]
        return QuickSymptom(ref, str(symptom.name), symptom.regions, symptom.explainer)
    for custom in customs:
        if ref == f"custom-{custom.id}":
            return QuickSymptom(ref, custom.name, tuple(catalogue.REGIONS), None)
    return None


# For a new diary, start with the symptoms families log most in the first months.
STARTER_SYMPTOMS = ("weakness", "cramps", "twitching", "stiffness", "tiredness", "slurred_speech")


def most_logged_symptoms(patient, customs, limit=6, days=90):
    """The symptoms this patient logs most in the last `days`, topped up with common ones."""
    since = utc_now() - timedelta(days=days)
    ref = func.coalesce(Entry.symptom_key, "custom-" + func.cast(Entry.custom_symptom_id, db.String))
    rows = db.session.execute(
        select(ref, func.count())
        .where(Entry.patient_id == patient.id, Entry.kind == "symptom", Entry.deleted_at.is_(None),
               Entry.occurred_at >= since)
        .group_by(ref).order_by(func.count().desc(), ref).limit(limit)
    ).all()
    refs = [r for r, _count in rows]
    refs += [s for s in STARTER_SYMPTOMS if s not in refs]
    found = (quick_symptom(r, customs) for r in refs)
    return [q for q in found if q][:limit]


def last_visit(patient, before=None):
    """The latest appointment that has taken place (noted future ones are not yet visits)."""
    return db.session.scalar(
        live_entries(patient).where(Entry.kind == "visit", Entry.occurred_at <= (before or utc_now()))
        .order_by(Entry.occurred_at.desc()).limit(1)
    )


def latest_checkin(patient):
    return db.session.scalar(
        live_entries(patient).where(Entry.kind == "checkin").order_by(Entry.occurred_at.desc()).limit(1)
    )


def symptom_name(entry):
    if entry.custom_symptom is not None:
        return entry.custom_symptom.name
    symptom = catalogue.SYMPTOMS.get(entry.symptom_key)
    return str(symptom.name) if symptom else entry.symptom_key or ""


def entry_explainer(entry):
    symptom = catalogue.SYMPTOMS.get(entry.symptom_key or "")
    if entry.kind == "event" and entry.event_type == "fall":
        return "falls"
    return symptom.explainer if symptom else None


def entry_title(entry, weight_unit="kg"):
    """One line that says what the entry is, in the reader's language."""
    kind = entry.kind
    if kind == "symptom":
        place = catalogue.region_label(entry.region, entry.side)
        name = symptom_name(entry)
        return _("%(symptom)s, %(place)s", symptom=name, place=place) if place else name
    if kind == "event":
        return str(catalogue.EVENT_TYPES.get(entry.event_type, entry.event_type))
    if kind == "weight":
        weight = format_decimal(round(catalogue.from_kg(entry.value, weight_unit), 1))
        return _("Weight: %(weight)s %(unit)s", weight=weight, unit=weight_unit)
    if kind == "niv":
        return _("NIV: %(hours)s hours", hours=format_decimal(entry.value))
    if kind == "carer":
        return _("Carer coping: %(score)d of 10", score=int(entry.value))
    if kind == "checkin":
        return _("Functional check-in: %(total)d of %(max)d", total=int(entry.value),
                 max=catalogue.CHECKIN_MAX_SCORE)
    if kind == "medication":
        return " ".join(filter(None, (entry.name, entry.dose)))
    if kind == "visit":
        return _("Appointment with %(name)s", name=entry.name) if entry.name else _("Appointment")
    return entry.note or ""


@dataclass
class HistoryFilter:
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive
    kind: str = ""
    group: str = ""
    symptom: str = ""  # catalogue key or "custom-<id>"


def day_range(since_day, until_day, tz):
    """Local calendar days (inclusive) as a UTC half-open range."""
    since = to_utc(datetime.combine(since_day, time()), tz) if since_day else None
    until = to_utc(datetime.combine(until_day + timedelta(days=1), time()), tz) if until_day else None
    return since, until


def history_query(patient, history_filter):
    """Entries matching the filter, newest first; questions stay on their own list."""
    query = live_entries(patient).where(Entry.kind != "question")
    if history_filter.since:
        query = query.where(Entry.occurred_at >= history_filter.since)
    if history_filter.until:
        query = query.where(Entry.occurred_at < history_filter.until)
    if history_filter.kind:
        query = query.where(Entry.kind == history_filter.kind)
    if history_filter.group:
        keys = [s.key for s in catalogue.SYMPTOMS.values() if history_filter.group in s.groups]
        query = query.where(Entry.kind == "symptom").where(or_(
            Entry.symptom_key.in_(keys),
            Entry.custom_symptom_id.in_(
                select(CustomSymptom.id).where(CustomSymptom.patient_id == patient.id,
                                               CustomSymptom.group == history_filter.group)
            ),
        ))
    if history_filter.symptom.startswith("custom-"):
        custom_id = history_filter.symptom.removeprefix("custom-")
        query = query.where(Entry.custom_symptom_id == (int(custom_id) if custom_id.isdigit() else -1))
    elif history_filter.symptom:
        query = query.where(Entry.symptom_key == history_filter.symptom)
    return query.order_by(Entry.occurred_at.desc(), Entry.id.desc())


def current_medications(patient, today):
    """Medicines not stopped before `today` (a local date), by name."""
    return db.session.scalars(
        live_entries(patient).where(Entry.kind == "medication")
        .where(Entry.ended_on.is_(None) | (Entry.ended_on >= today)).order_by(Entry.name)
    ).all()
