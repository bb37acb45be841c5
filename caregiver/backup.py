"""A patient's whole diary out (JSON backup, CSV) and back in (JSON backup into a new patient).

The backup is complete and exact: every field of the profile, the family's own symptoms and
every entry (deleted ones too, so that Undo survives), with check-in scores and change history.
Times are written with their offset in the zone they were logged in ("2026-01-05T10:30:00+00:00",
"tz": "Europe/London"), blanks as null, zeros as 0. What it leaves out belongs to people, not to
the diary: accounts, care team, share links. Importing makes new ids and UUIDs (the original
diary may still exist), so export -> import -> export differs only in those.
"""
import base64
import csv
import io
import math
import re
import uuid as uuids
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import catalogue
from .extensions import db
from .clock import is_timezone, utc_now
from .entries import REVISION_ACTIONS
from .forms import MAX_NOTE_LENGTH
from .i18n import gettext as _
from .models import CheckInItem, CustomSymptom, Entry, Membership, Patient, Recording, Revision

FORMAT, VERSION = "mnd-diary-backup", 1
PROFILE_FIELDS = (
    "display_name", "birth_year", "diagnosis", "onset_month", "onset_region", "height_cm", "usual_weight_kg",
    "weight_unit", "neurologist", "clinic", "feeding_tube", "breathing_support", "allergies",
    "emergency_contacts", "niv_settings_holder", "created_at",
)
ENTRY_FIELDS = (
    "kind", "severity", "region", "side", "duration", "frequency", "event_type", "injured", "mask_problem", "value",
    "name", "dose",
    "ended_on", "note", "source", "measure",
)
ZONED_TIMES = ("occurred_at", "done_at", "created_at", "updated_at", "deleted_at")


class BackupError(ValueError):
    """The file is not a backup this app can read; the message, translated, says which part and why."""


def zoned(moment, tz):
    """A stored naive UTC time as ISO 8601 with the offset of the zone it was logged in."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).isoformat()


def unzoned(text, key="time"):
    """ISO 8601 with an offset back to naive UTC, as stored; Unreadable unless it is a time of a diary."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise Unreadable(key)
        sensible(moment, key)  # before converting: 0001-01-01T00:00+05:00 is before the first UTC day
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError) as wrong:
        raise Unreadable(key) from wrong


def as_json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def patient_entries(patient):
    return db.session.scalars(
        select(Entry).where(Entry.patient_id == patient.id)
        .options(selectinload(Entry.checkin_items), selectinload(Entry.revisions), selectinload(Entry.recording))
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
    record["details"] = entry.details
    record["recording"] = {"mime_type": entry.recording.mime_type,
                           "audio": base64.b64encode(entry.recording.audio).decode()} if entry.recording else None
    record["history"] = [{"action": r.action, "at": zoned(r.changed_at, entry.tz), "changes": r.changes}
                         for r in entry.revisions]
    return record


# Caps on a backup's shape: far above a ten-year diary (about 20,000 entries), far below what
# would keep a server busy. The text limit is the longest any form takes.
MAX_ENTRIES = 200_000
MAX_CUSTOM_SYMPTOMS = 1_000
MAX_HISTORY = 1_000  # changes kept for one entry
MAX_CHANGED_FIELDS = 40  # every tracked field and every check-in score
PART_DEPTH = 4  # an entry > its history > a change > its fields > [before, after]
BACKUP_DEPTH = 32  # deeper than this the file is not read at all; within it, the part is named
LARGEST_NUMBER = 10 ** 12
EARLIEST_YEAR = 1900  # the forms' limit; and no date more than a year or so ahead
YEARS_AHEAD = 2


class Unreadable(Exception):
    """A value that cannot be read as its field; `key` names the field."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


@dataclass
class EntryRecord:
    """One entry of a backup, read into its columns' types (not yet checked by its form)."""
    columns: dict
    symptom: str | None
    custom_symptom: str | None
    checkin: dict | None
    history: list
    details: dict | None = None
    recording: dict | None = None  # {"mime_type", "audio"}: the data: URL's parts, as the form reads it


@dataclass
class BackupRecords:
    """A whole backup, read: the profile's columns, the family's symptoms, the entries."""
    profile: dict
    custom_symptoms: list
    entries: list


def profile_problem(field, problem):
    return BackupError(_("The profile in the backup: %(field)s: %(problem)s", field=field, problem=problem))


def custom_symptom_problem(number, field, problem):
    return BackupError(_("The family's own symptom number %(number)d in the backup: %(field)s: %(problem)s",
                         number=number, field=field, problem=problem))


def entry_problem(number, record, field, problem):
    when = record.get("occurred_at") if isinstance(record, dict) else None
    return BackupError(_("Entry number %(number)d in the backup (%(when)s): %(field)s: %(problem)s",
                         number=number, when=str(when)[:25], field=field, problem=problem))


def unreadable():
    return _("this value cannot be read.")


def read_backup(data):
    """The backup's parts in their columns' types; BackupError, naming the part, for anything that
    is not what this app writes (a list as a name, NaN, a year 0001, NUL, text longer than any form takes)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise BackupError(_("This file is not an MND Diary backup, or it comes from a newer version of the app."))
    profile, customs, records = data.get("patient"), data.get("custom_symptoms", []), data.get("entries")
    if not isinstance(profile, dict) or not isinstance(customs, list) or not isinstance(records, list):
        raise BackupError(_("This file is not an MND Diary backup, or it comes from a newer version of the app."))
    if len(records) > MAX_ENTRIES or len(customs) > MAX_CUSTOM_SYMPTOMS:
        raise BackupError(_("The backup holds more entries or symptoms than one diary can (at most %(max)d entries).",
                            max=MAX_ENTRIES))
    try:
        check_leaves(profile)
        read_profile = {name: parse_field(name, profile.get(name)) for name in PROFILE_FIELDS}
    except Unreadable as problem:
        raise profile_problem(problem.key, unreadable()) from problem
    read_customs, names = [], set()
    for number, custom in enumerate(customs, 1):
        try:
            check_leaves(custom)
            read_customs.append(read_custom_symptom(custom))
        except Unreadable as problem:
            raise custom_symptom_problem(number, problem.key, unreadable()) from problem
        if read_customs[-1]["name"].strip() in names:
            raise custom_symptom_problem(number, "name", _("the backup has two symptoms of this name."))
        names.add(read_customs[-1]["name"].strip())
    entries = []
    for number, record in enumerate(records, 1):
        try:
            recording = record.pop("recording", None) if isinstance(record, dict) else None
            check_leaves(record)
            entries.append(read_entry(record, names))
            entries[-1].recording = read_recording(recording)
        except Unreadable as problem:
            raise entry_problem(number, record, problem.key, unreadable()) from problem
    return BackupRecords(read_profile, read_customs, entries)


def check_leaves(part):
    """Every text, number and nesting of one part within what the app ever writes."""
    if not isinstance(part, dict):
        raise Unreadable("{}")
    waiting = [(key, value, 1) for key, value in part.items()]
    while waiting:
        key, value, level = waiting.pop()
        if isinstance(value, (dict, list)) and level > PART_DEPTH:
            raise Unreadable(key)
        if isinstance(value, dict):
            waiting.extend((key, child, level + 1) for child in value.values())
            if any(len(child_key) > 40 for child_key in value):
                raise Unreadable(key)
        elif isinstance(value, list):
            waiting.extend((key, child, level + 1) for child in value)
        elif isinstance(value, str):
            if len(value) > MAX_NOTE_LENGTH or "\x00" in value:
                raise Unreadable(key)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value) or abs(value) > LARGEST_NUMBER:
                raise Unreadable(key)


def sensible(moment, key):
    latest = utc_now().year + YEARS_AHEAD
    if not EARLIEST_YEAR <= moment.year <= latest:
        raise Unreadable(key)
    return moment


def read_custom_symptom(custom):
    if not isinstance(custom.get("name"), str) or custom.get("group") not in catalogue.GROUPS:
        raise Unreadable("name" if not isinstance(custom.get("name"), str) else "group")
    return {"name": custom["name"], "group": custom["group"], "created_at": parse_field("created_at", custom.get("created_at"))}


def read_entry(record, custom_names):
    tz = record.get("tz")
    for key, table in (("kind", catalogue.ENTRY_KINDS), ("source", catalogue.SOURCES)):
        if not isinstance(record.get(key), str) or record[key] not in table:
            raise Unreadable(key)
    if not isinstance(tz, str) or not is_timezone(tz):
        raise Unreadable("tz")
    columns = {"kind": record["kind"], "tz": tz}
    columns.update({name: parse_field(name, record.get(name)) for name in ENTRY_FIELDS})
    columns.update({name: unzoned(record.get(name), name) for name in ZONED_TIMES})
    if columns["occurred_at"] is None:
        raise Unreadable("occurred_at")
    symptom, custom = record.get("symptom"), record.get("custom_symptom")
    if custom is not None and custom not in custom_names:
        raise Unreadable("custom_symptom")
    if symptom is not None and symptom not in catalogue.SYMPTOMS:
        raise Unreadable("symptom")
    checkin = record.get("checkin")
    if checkin is not None and (not isinstance(checkin, dict) or any(
            domain not in catalogue.CHECKIN_DOMAINS or isinstance(score, bool) or score not in range(5)
            for domain, score in checkin.items())):
        raise Unreadable("checkin")
    history = record.get("history", [])
    if not isinstance(history, list) or len(history) > MAX_HISTORY:
        raise Unreadable("history")
    details = record.get("details")
    if details is not None and (not isinstance(details, dict) or any(
            isinstance(value, (dict, list, bool)) for value in details.values())):
        raise Unreadable("details")
    return EntryRecord(columns, symptom, custom, checkin, [read_change(change) for change in history], details)


def read_recording(recording):
    """A kept recording as the backup has it; the measure's form decides whether it is one we keep."""
    if recording is None:
        return None
    if not isinstance(recording, dict) or not all(isinstance(recording.get(key), str) for key in ("mime_type", "audio")):
        raise Unreadable("recording")
    return {"mime_type": recording["mime_type"], "audio": recording["audio"]}


def read_change(change):
    if not isinstance(change, dict) or change.get("action") not in REVISION_ACTIONS:
        raise Unreadable("history")
    changes = change.get("changes")
    if changes is not None and (not isinstance(changes, dict) or len(changes) > MAX_CHANGED_FIELDS or any(
            not isinstance(pair, list) or len(pair) != 2 or any(isinstance(side, (dict, list)) for side in pair)
            for pair in changes.values())):
        raise Unreadable("history")
    return {"action": change["action"], "changed_at": unzoned(change.get("at"), "history"), "changes": changes}


def import_backup(backup, owner):
    """A new patient, owned by `owner`, holding everything in a backup read by read_backup (and
    checked by the forms' rules before)."""
    patient = Patient(**backup.profile)
    db.session.add(patient)
    db.session.add(Membership(patient=patient, user=owner, role="owner"))
    db.session.flush()  # the new patient's id, for its rows below
    customs = {}
    for custom in backup.custom_symptoms:
        customs[custom["name"]] = CustomSymptom(patient_id=patient.id, **custom)
        db.session.add(customs[custom["name"]])
    for record in backup.entries:
        db.session.add(build_entry(record, patient, customs, owner))
    return patient


def build_entry(record, patient, customs, owner):
    entry = Entry(patient_id=patient.id, uuid=str(uuids.uuid4()), reported_by_id=owner.id, **record.columns)
    if record.custom_symptom is not None:
        entry.custom_symptom = customs[record.custom_symptom]
    entry.symptom_key = record.symptom
    for domain, score in (record.checkin or {}).items():
        entry.checkin_items.append(CheckInItem(domain=domain, score=score))
    entry.details = record.details
    if record.recording is not None:
        entry.recording = Recording(mime_type=record.recording["mime_type"],
                                    audio=base64.b64decode(record.recording["audio"]))
    for change in record.history:
        entry.revisions.append(Revision(**change))
    return entry


def parse_field(name, value):
    """A JSON value back to its column's type; None stays None, 0 stays 0; Unreadable otherwise."""
    if value is None:
        return None
    try:
        if name in ("onset_month", "ended_on"):
            return sensible(date.fromisoformat(value), name)
        if name == "created_at":
            return sensible(datetime.fromisoformat(value), name)
    except (TypeError, ValueError) as wrong:
        raise Unreadable(name) from wrong
    if name in ("height_cm", "usual_weight_kg", "value"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Unreadable(name)
        return float(value)
    if name in ("birth_year", "severity"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise Unreadable(name)
        return value
    if name in ("feeding_tube", "injured", "mask_problem"):
        if not isinstance(value, bool):
            raise Unreadable(name)
        return value
    if not isinstance(value, str):
        raise Unreadable(name)
    return value


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
