"""The diary's entries without views: symptom references, queries, titles, change records, operations.

Every blueprint that reads or writes entries comes here; none holds its own copy of these rules.
Operations commit their own unit of work, so that a view validates, calls one of them and redirects.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import bindparam, func, or_, select

from . import alerts, catalogue
from .clock import to_local, utc_now
from .extensions import db
from .i18n import format_decimal, gettext as _, markup_gettext
from .models import CustomSymptom, Entry, Patient, Revision
from .rows import parse_symptom_ref, symptom_ref

# ---------------------------------------------------------------------------------------------
# Queries

def live_entries(patient):
    return select(Entry).where(Entry.patient_id == patient.id, Entry.deleted_at.is_(None))


def custom_symptoms(patient):
    return db.session.scalars(
        select(CustomSymptom).where(CustomSymptom.patient_id == patient.id).order_by(CustomSymptom.name)
    ).all()


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


def first_entry_at(patient):
    return db.session.scalar(select(func.min(Entry.occurred_at)).where(
        Entry.patient_id == patient.id, Entry.deleted_at.is_(None), Entry.kind != "question"))


def current_medications(patient, today):
    """Medicines not stopped before `today` (a local date), by name."""
    return db.session.scalars(
        live_entries(patient).where(Entry.kind == "medication")
        .where(Entry.ended_on.is_(None) | (Entry.ended_on >= today)).order_by(Entry.name)
    ).all()


def recent_entries(patient, limit=5):
    return db.session.scalars(
        live_entries(patient).where(Entry.kind != "question").order_by(Entry.occurred_at.desc()).limit(limit)
    ).all()


def open_question_count(patient):
    return db.session.scalar(select(func.count()).select_from(
        live_entries(patient).where(Entry.kind == "question", Entry.done_at.is_(None)).subquery()))


def deleted_entries(patient, limit=100):
    return db.session.scalars(
        select(Entry).where(Entry.patient_id == patient.id, Entry.deleted_at.is_not(None))
        .order_by(Entry.deleted_at.desc()).limit(limit)
    ).all()


def entry_of(patient, entry_id, include_deleted=False):
    """An entry of this patient, or None (entries of other patients do not exist from here)."""
    query = select(Entry).where(Entry.id == entry_id, Entry.patient_id == patient.id)
    if not include_deleted:
        query = query.where(Entry.deleted_at.is_(None))
    return db.session.scalar(query)


def conflicting_copies(entry):
    """Entries a phone sent later under this entry's UUID with other details (diary.sync)."""
    return db.session.scalars(select(Entry).where(Entry.patient_id == entry.patient_id,
                                                  Entry.conflict_of_id == entry.id).order_by(Entry.id)).all()


# The lists with a page of their own, each in its order.
LIST_ORDERS = {
    "medication": (Entry.ended_on.is_not(None), Entry.occurred_at.desc()),
    "visit": (Entry.occurred_at.desc(),),
    "question": (Entry.done_at.is_not(None), Entry.done_at.desc(), Entry.occurred_at.desc()),
}


def entries_of_kind(patient, kind):
    return db.session.scalars(live_entries(patient).where(Entry.kind == kind).order_by(*LIST_ORDERS[kind])).all()


@dataclass
class HistoryFilter:
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive
    kind: str = ""
    group: str = ""
    symptom: str = ""  # a symptom reference


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
    if history_filter.symptom:
        symptom_key, custom_id = parse_symptom_ref(history_filter.symptom)
        query = query.where(Entry.custom_symptom_id == custom_id if custom_id else Entry.symptom_key == symptom_key)
    return query.order_by(Entry.occurred_at.desc(), Entry.id.desc())


# No history is anywhere near this many pages long; a bigger page number in the URL is a typo.
MAX_HISTORY_PAGE = 100_000


@dataclass(frozen=True)
class HistoryPage:
    days: list  # [(local date, [Entry, ...])], newest first
    page: int
    has_next: bool


def history_page(patient, history_filter, page, per_page, tz):
    """One page of the history, grouped by local day, without counting the whole history."""
    page = min(max(page, 1), MAX_HISTORY_PAGE)
    found = db.session.scalars(history_query(patient, history_filter).limit(per_page + 1)
                               .offset((page - 1) * per_page)).all()
    days = []
    for entry in found[:per_page]:
        day = to_local(entry.occurred_at, tz).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(entry)
    return HistoryPage(days, page, len(found) > per_page)


# ---------------------------------------------------------------------------------------------
# What an entry is called, in the reader's language

def symptom_name(entry):
    if entry.custom_name is not None:
        return entry.custom_name
    symptom = catalogue.SYMPTOMS.get(entry.symptom_key)
    return str(symptom.name) if symptom else entry.symptom_key or ""


def entry_explainer(entry):
    if entry.kind == "event" and entry.event_type == "fall":
        return "falls"
    if entry.kind == "measure":
        measure = catalogue.MEASURES.get(entry.measure or "")
        return measure.explainer if measure else None
    symptom = catalogue.SYMPTOMS.get(entry.symptom_key or "")
    return symptom.explainer if symptom else None


@dataclass(frozen=True)
class EntryLine:
    """An entry as a list shows it (the entry_row macro), its words in the reader's language."""
    entry: Entry
    title: str
    severity: Markup | None
    reporter: Markup
    explainer: str | None  # the explainer's slug
    explainer_label: Markup | None


def entry_lines(entries, patient):
    """Each entry as a list shows it. Who reported it and how bad it was repeat down a list, so
    each is put in words once: the row macro's own helpers and translations were most of a
    history page's cost."""
    reporters, severities, lines = {}, {}, []
    for entry in entries:
        who = (entry.reported_by_id, entry.source)
        if who not in reporters:
            reporters[who] = reporter(entry, patient)
        severity = entry.severity
        if severity is not None and severity not in severities:
            severities[severity] = severity_words(severity)
        title = entry_title(entry, patient.weight_unit)
        explainer = entry_explainer(entry)
        lines.append(EntryLine(entry, title, severities.get(severity), reporters[who], explainer,
                               markup_gettext("What is this? %(entry)s", entry=title) if explainer else None))
    return lines


def severity_words(severity):
    """How bad, as a list and an entry's page give it: "Moderate (5 of 10)"."""
    return markup_gettext("%(word)s (%(score)d of 10)", word=catalogue.severity_word(severity), score=severity)


def reporter(entry, patient):
    """"Reported by": whether the patient said it or a carer saw it, and which account entered it."""
    # Markup, as the template's own translation was: a translation is trusted, a name is escaped.
    who = entry.reported_by.name if entry.reported_by else Markup(_("a former team member"))
    if entry.source == "patient":
        return markup_gettext("%(patient)s said so; entered by %(who)s", patient=patient.display_name, who=who)
    return markup_gettext("Noticed by %(who)s", who=who)


def entry_title(entry, weight_unit="kg"):
    """One line that says what the entry is, in the reader's language (an Entry or an EntryRow)."""
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
    if kind == "measure":
        measure = catalogue.MEASURES[entry.measure]
        return _("%(measure)s: %(value)s %(unit)s", measure=measure.name, unit=measure.unit,
                 value=measure_value(measure, entry.value))
    return entry.note or ""


def measure_value(measure, value):
    """A measure's number as its table gives it: whole breaths and taps, litres to 2 places."""
    places = measure.places if not measure.derived else 0
    return format_decimal(round(value, places), format="#,##0" + ("." + "0" * places if places else ""))


def latest_measures(patient):
    """The newest live entry of each measure, by key."""
    newest = (select(Entry.measure, func.max(Entry.occurred_at).label("at"))
              .where(Entry.patient_id == patient.id, Entry.kind == "measure", Entry.deleted_at.is_(None))
              .group_by(Entry.measure).subquery())
    found = db.session.scalars(select(Entry).join(newest, (Entry.measure == newest.c.measure) & (
        Entry.occurred_at == newest.c.at)).where(Entry.patient_id == patient.id, Entry.kind == "measure",
                                                 Entry.deleted_at.is_(None)))
    return {entry.measure: entry for entry in found}


# ---------------------------------------------------------------------------------------------
# Change records: who created, changed, deleted or restored an entry, and what changed

# Columns that a person can change; what a Revision compares.
TRACKED_FIELDS = (
    "occurred_at", "tz", "symptom_key", "custom_symptom_id", "severity", "region", "side", "duration",
    "frequency", "event_type", "injured", "mask_problem", "value", "name", "dose", "ended_on", "done_at", "note", "source",
    "measure", "details",
)


def snapshot(entry):
    """The tracked fields (and check-in scores) as JSON-ready values."""
    values = {}
    for name in TRACKED_FIELDS:
        value = getattr(entry, name)
        values[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    for item in entry.checkin_items:
        values[f"checkin:{item.domain}"] = item.score
    return values


# What a Revision records; the backup carries them and the import checks them against this.
REVISION_ACTIONS = ("created", "edited", "deleted", "restored")


def record(entry, user, action, before=None):
    """Keep who changed the entry, when and how. `before` is the snapshot taken before an edit.
    Returns False for an edit that changed nothing (and records nothing)."""
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


# ---------------------------------------------------------------------------------------------
# The quick log: big buttons for the symptoms logged most, then where

def default_source(membership):
    """Who noticed it, unless said otherwise: the patient's own account reports for themself."""
    return "patient" if membership.is_patient else "carer"


@dataclass(frozen=True)
class QuickSymptom:
    """A big button on the patient's home: a catalogue symptom or one of the family's own."""

    ref: str
    name: str
    regions: tuple
    explainer: str | None

    @property
    def places(self):
        """(region, side) pairs to offer as buttons: each side of a paired region, or no side."""
        return [(region, side) for region in self.regions
                for side in (tuple(catalogue.SIDES) if region in catalogue.SIDED_REGIONS else (None,))]


def quick_symptom(ref, customs):
    symptom_key, custom_id = parse_symptom_ref(ref)
    if symptom_key in catalogue.LOGGABLE_SYMPTOMS:
        symptom = catalogue.LOGGABLE_SYMPTOMS[symptom_key]
        return QuickSymptom(ref, str(symptom.name), symptom.regions, symptom.explainer)
    for custom in customs:
        if custom.id == custom_id:
            return QuickSymptom(ref, custom.name, tuple(catalogue.REGIONS), None)
    return None


# For a new diary, start with the symptoms families log most in the first months.
STARTER_SYMPTOMS = ("weakness", "cramps", "twitching", "stiffness", "tiredness", "slurred_speech")


# The home page's buttons count at most this many of the latest symptom entries: three months of
# someone logging three a day, and the same cost for a diary of ten years as of two.
MOST_LOGGED_READS = 300


_LATEST_SYMPTOMS = (select(Entry.symptom_key, Entry.custom_symptom_id)
                    .where(Entry.patient_id == bindparam("patient_id"), Entry.kind == "symptom",
                           Entry.deleted_at.is_(None), Entry.occurred_at >= bindparam("since"))
                    .order_by(Entry.occurred_at.desc()).limit(MOST_LOGGED_READS).subquery())
_MOST_LOGGED = (select(_LATEST_SYMPTOMS.c.symptom_key, _LATEST_SYMPTOMS.c.custom_symptom_id, func.count())
                .group_by(_LATEST_SYMPTOMS.c.symptom_key, _LATEST_SYMPTOMS.c.custom_symptom_id))


def most_logged_symptoms(patient, customs, limit=6, days=90):
    """The symptoms this patient logs most in the last `days` (their latest MOST_LOGGED_READS
    entries at most), topped up with common ones."""
    counts = db.session.connection().execute(_MOST_LOGGED, {
        "patient_id": patient.id, "since": utc_now() - timedelta(days=days)}).all()
    ranked = sorted((-count, symptom_ref(key, custom)) for key, custom, count in counts)
    refs = [ref for _count, ref in ranked[:limit]]
    refs += [s for s in STARTER_SYMPTOMS if s not in refs]
    found = (quick_symptom(ref, customs) for ref in refs)
    return [symptom for symptom in found if symptom][:limit]


def symptoms_by_group(customs):
    """[(group key, group name, [QuickSymptom])] for the symptom picker: the catalogue, then the family's own."""
    return [
        (group, name,
         [quick_symptom(s.key, customs) for s in catalogue.LOGGABLE_SYMPTOMS.values() if s.group == group]
         + [quick_symptom(symptom_ref(None, c.id), customs) for c in customs if c.group == group])
        for group, name in catalogue.GROUPS.items()
    ]


def log_quick(membership, user, symptom, region, side):
    """Save a quick-log entry, timed now. Returns None for a place the button did not offer."""
    region, side = region or None, side or None
    if region is not None and region not in symptom.regions or side is not None and side not in catalogue.SIDES:
        return None
    symptom_key, custom_id = parse_symptom_ref(symptom.ref)
    entry = Entry(
        patient_id=membership.patient_id, kind="symptom", occurred_at=utc_now(), tz=user.timezone,
        symptom_key=symptom_key, custom_symptom_id=custom_id, region=region,
        side=side if region in catalogue.SIDED_REGIONS else None,
        source=default_source(membership), reported_by_id=user.id,
    )
    db.session.add(entry)
    db.session.commit()
    alerts.raise_alerts(membership.patient, [entry])
    return entry


def add_custom_symptom(patient, name, group):
    """The family's own symptom, or None when one of that name is already on their list."""
    name = name.strip()
    exists = db.session.scalar(
        select(CustomSymptom.id).where(CustomSymptom.patient_id == patient.id, CustomSymptom.name == name))
    if exists:
        return None
    custom = CustomSymptom(patient_id=patient.id, name=name, group=group)
    db.session.add(custom)
    db.session.commit()
    return custom


# ---------------------------------------------------------------------------------------------
# Saving, deleting and restoring

def save_entry(entry, user, fill):
    """Add a new entry, or edit one with a change record; `fill` (a form's) sets its fields.
    Returns whether anything was saved (an unchanged edit saves nothing)."""
    is_new = entry.id is None
    before = None if is_new else snapshot(entry)
    fill(entry)
    if is_new:
        entry.reported_by_id = user.id
        db.session.add(entry)
        saved = True
    else:
        saved = record(entry, user, "edited", before)
    db.session.commit()
    if saved:
        alerts.raise_alerts(db.session.get(Patient, entry.patient_id), [entry])
    return saved


def delete_entry(entry, user):
    """Deleting can be undone: the entry is marked, kept and listed with the deleted ones."""
    entry.deleted_at = utc_now()
    record(entry, user, "deleted")
    db.session.commit()


def restore_entry(entry, user):
    if entry.deleted_at is None:
        return False
    entry.deleted_at = None
    record(entry, user, "restored")
    db.session.commit()
    return True


def toggle_question(entry, user):
    """A question asked at the appointment is ticked off (and can be unticked)."""
    before = snapshot(entry)
    entry.done_at = None if entry.done_at else utc_now()
    record(entry, user, "edited", before)
    db.session.commit()
