"""A patient's whole diary out (JSON backup, CSV) and back in (JSON backup into a new patient).

The backup is complete and exact: every field of the profile, the family's own symptoms and
every entry (deleted ones too, so that Undo survives), with check-in scores and change history.
Times are written with their offset in the zone they were logged in ("2026-01-05T10:30:00+00:00",
"tz": "Europe/London"), blanks as null, zeros as 0. What it leaves out belongs to people, not to
the diary: accounts, care team, share links. Importing makes new ids and UUIDs (the original
diary may still exist), so export -> import -> export differs only in those.
"""
import csv
import io
import re
import uuid as uuids
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import catalogue
from .extensions import db
from .clock import is_timezone, utc_now
from .models import CheckInItem, CustomSymptom, Entry, Membership, Patient, Revision

FORMAT, VERSION = "mnd-diary-backup", 1
PROFILE_FIELDS = (
    "display_name", "birth_year", "diagnosis", "onset_month", "onset_region", "height_cm", "usual_weight_kg",
    "weight_unit", "neurologist", "clinic", "feeding_tube", "breathing_support", "allergies",
    "emergency_contacts", "niv_settings_holder", "created_at",
)
ENTRY_FIELDS = (
    "kind", "severity", "region", "side", "duration", "frequency", "event_type", "injured", "mask_problem", "value",
    "name", "dose",
    "ended_on", "note", "source",
)
ZONED_TIMES = ("occurred_at", "done_at", "created_at", "updated_at", "deleted_at")


class BackupError(ValueError):
    """The file is not a backup this app can read; the message says why, for the person importing."""


def zoned(moment, tz):
    """A stored naive UTC time as ISO 8601 with the offset of the zone it was logged in."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).isoformat()


def unzoned(text):
    """ISO 8601 with an offset back to naive UTC, as stored."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise BackupError("a time without its offset")
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def as_json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def patient_entries(patient):
    return db.session.scalars(
        select(Entry).where(Entry.patient_id == patient.id)
        .options(selectinload(Entry.checkin_items), selectinload(Entry.revisions))
        .order_by(Entry.occurred_at, Entry.id)
    ).all()


def export_backup(patient):
    """The whole diary as a JSON-ready dict."""
    customs = db.session.scalars(
        select(CustomSymptom).where(CustomSymptom.patient_id == patient.id).order_by(CustomSymptom.id)).all()
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utc_now().replace(tzinfo=timezone.utc).isoformat(),
        "patient": {name: as_json_value(getattr(patient, name)) for name in PROFILE_FIELDS},
        "custom_symptoms": [{"name": c.name, "group": c.group, "created_at": as_json_value(c.created_at)}
                            for c in customs],
        "entries": [export_entry(entry) for entry in patient_entries(patient)],
    }


def export_entry(entry):
    record = {"uuid": entry.uuid, "tz": entry.tz}
    record.update({name: as_json_value(getattr(entry, name)) for name in ENTRY_FIELDS})
    record.update({name: zoned(getattr(entry, name), entry.tz) for name in ZONED_TIMES})
    record["symptom"] = entry.symptom_key
    record["custom_symptom"] = entry.custom_symptom.name if entry.custom_symptom else None  # names are unique
    record["checkin"] = {item.domain: item.score for item in entry.checkin_items} if entry.kind == "checkin" else None
    record["history"] = [{"action": r.action, "at": zoned(r.changed_at, entry.tz), "changes": r.changes}
                         for r in entry.revisions]
    return record


def import_backup(data, owner):
    """A new patient, owned by `owner`, holding everything in the backup; refuses what it cannot read."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("not an MND Diary backup")
    if data.get("version") != VERSION:
        raise BackupError("a backup version this app does not know")
    try:
        return build_patient(data, owner)
    except (KeyError, TypeError, AttributeError) as missing:
        raise BackupError(f"a part of the backup is missing or malformed: {missing}") from missing


def build_patient(data, owner):
    profile = data["patient"]
    patient = Patient(**{name: parse_field(name, profile.get(name)) for name in PROFILE_FIELDS})
    if patient.diagnosis not in catalogue.DIAGNOSES or patient.weight_unit not in catalogue.WEIGHT_UNITS:
        raise BackupError("an unknown diagnosis or unit")
    if not patient.display_name:
        raise BackupError("a patient without a name")
    db.session.add(patient)
    db.session.add(Membership(patient=patient, user=owner, role="owner"))
    db.session.flush()  # the new patient's id, for its rows below
    customs = {}
    for custom in data.get("custom_symptoms", []):
        if custom["group"] not in catalogue.GROUPS:
            raise BackupError("a symptom of an unknown group")
        customs[custom["name"]] = CustomSymptom(patient_id=patient.id, name=str(custom["name"])[:80], group=custom["group"],
                                                created_at=parse_field("created_at", custom["created_at"]))
        db.session.add(customs[custom["name"]])
    for record in data["entries"]:
        db.session.add(build_entry(record, patient, customs, owner))
    return patient


def build_entry(record, patient, customs, owner):
    tz = record["tz"]
    if not is_timezone(tz) or record["kind"] not in catalogue.ENTRY_KINDS or record["source"] not in catalogue.SOURCES:
        raise BackupError("an entry with an unknown time zone, kind or reporter")
    entry = Entry(patient_id=patient.id, uuid=str(uuids.uuid4()), tz=tz, reported_by_id=owner.id)
    for name in ENTRY_FIELDS:
        setattr(entry, name, parse_field(name, record.get(name)))
    for name in ZONED_TIMES:
        setattr(entry, name, unzoned(record.get(name)))
    if entry.occurred_at is None:
        raise BackupError("an entry without its time")
    symptom, custom = record.get("symptom"), record.get("custom_symptom")
    if custom is not None:
        if custom not in customs:
            raise BackupError("an entry of a symptom the backup does not list")
        entry.custom_symptom = customs[custom]
    elif symptom is not None and symptom not in catalogue.SYMPTOMS:
        raise BackupError("an entry of an unknown symptom")
    entry.symptom_key = symptom
    for domain, score in (record.get("checkin") or {}).items():
        if domain not in catalogue.CHECKIN_DOMAINS or score not in range(5):
            raise BackupError("a check-in score out of range")
        entry.checkin_items.append(CheckInItem(domain=domain, score=score))
    for change in record.get("history", []):
        entry.revisions.append(Revision(action=change["action"], changed_at=unzoned(change["at"]),
                                        changes=change["changes"]))
    return entry


def parse_field(name, value):
    """A JSON value back to its column's type; None stays None, 0 stays 0, '' is refused as a value."""
    if value is None:
        return None
    if name in ("onset_month", "ended_on"):
        return date.fromisoformat(value)
    if name == "created_at":
        return datetime.fromisoformat(value)
    if name in ("height_cm", "usual_weight_kg", "value"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BackupError(f"{name} is not a number")
        return float(value)
    if name in ("birth_year", "severity"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BackupError(f"{name} is not a whole number")
        return value
    if name in ("feeding_tube", "injured"):
        if not isinstance(value, bool):
            raise BackupError(f"{name} is not yes or no")
        return value
    return str(value)


CSV_COLUMNS = ("uuid", "kind", "occurred_at", "tz", "symptom", "group", "severity", "region", "side", "duration",
               "frequency", "event_type", "injured", "value", "name", "dose", "ended_on", "done_at", "note", "source",
               "deleted_at") + tuple(f"checkin_{domain}" for domain in catalogue.CHECKIN_DOMAINS)


def export_csv(patient):
    """One row per entry, for a spreadsheet; symptoms by their catalogue key or the family's own name."""
    customs = {c.id: c for c in db.session.scalars(
        select(CustomSymptom).where(CustomSymptom.patient_id == patient.id))}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in patient_entries(patient):
        record = export_entry(entry)
        custom = customs.get(entry.custom_symptom_id)
        record["symptom"] = record["custom_symptom"] or entry.symptom_key
        symptom = catalogue.SYMPTOMS.get(entry.symptom_key or "")
        record["group"] = custom.group if custom else (symptom.group if symptom else None)
        for domain, score in (record["checkin"] or {}).items():
            record[f"checkin_{domain}"] = score
        writer.writerow([spreadsheet_cell(record.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")


def spreadsheet_cell(value):
    """A CSV cell no spreadsheet runs: text that starts like a formula (a note "=HYPERLINK(...)")
    gets a leading apostrophe, shown as text; numbers, even negative ones, stay numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
