"""Entries logged offline arrive here in batches; each is stored once, whatever happens on the way.

The phone gives every entry a UUID when it is made. Sending the same entry again (a retry after a
lost answer, or two tabs syncing at once) finds the UUID and stores nothing new; two carers'
phones never touch each other's entries, since each entry is its own row. Each entry is checked by
the same form as when it is typed online, so the rules cannot drift apart.
"""
import uuid as uuids
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from .. import alerts
from ..clock import is_timezone
from ..entries import custom_symptoms
from ..extensions import db
from ..models import Entry
from .forms import KIND_FORMS, entry_form_for

MAX_BATCH = 200
# {"entries": [{"fields": {...}}]}: the phone never sends anything deeper.
SYNC_DEPTH = 4


@dataclass
class Result:
    uuid: str
    status: str  # saved, duplicate or rejected
    errors: dict = field(default_factory=dict)
    id: int | None = None


def valid_uuid(value):
    try:
        return str(uuids.UUID(str(value))) == str(value).lower()
    except ValueError:
        return False


def merge_entries(patient, user, default_source, items):
    """Store each offline entry not stored before; return a Result for each, in order.

    One query finds the UUIDs already stored, and the new entries go in with one flush; only if a
    twin slips in between (another phone, the same moment) is each entry tried on its own."""
    sent = [item["uuid"].lower() for item in items if isinstance(item, dict) and valid_uuid(item.get("uuid"))]
    known = {entry_uuid: (patient_id, entry_id) for entry_uuid, patient_id, entry_id in db.session.execute(
        select(Entry.uuid, Entry.patient_id, Entry.id).where(Entry.uuid.in_(sent)))} if sent else {}
    customs = custom_symptoms(patient)
    results, fresh = [], []
    for item in items:
        result, entry = check_one(patient, user, default_source, customs, known, item)
        results.append(result)
        if entry is not None:
            known[result.uuid] = (patient.id, None)  # the same UUID twice in one batch: stored once
            fresh.append((result, entry))
    store(fresh)
    db.session.commit()
    # Entries logged offline raise their alerts too; a replayed batch stores nothing, so raises nothing.
    alerts.raise_alerts(patient, [entry for result, entry in fresh if result.status == "saved"])
    return results


def check_one(patient, user, default_source, customs, known, item):
    """(Result, new Entry or None) for one sent entry, checked like the form online."""
    if not isinstance(item, dict) or not valid_uuid(item.get("uuid")):
        return Result(str(item.get("uuid", "")) if isinstance(item, dict) else "", "rejected",
                      {"uuid": ["not a UUID"]}), None
    entry_uuid = item["uuid"].lower()
    if entry_uuid in known:
        patient_id, entry_id = known[entry_uuid]
        if patient_id != patient.id:  # not this diary's: say nothing about it
            return Result(entry_uuid, "rejected", {"uuid": ["already used"]}), None
        return Result(entry_uuid, "duplicate", id=entry_id), None
    kind, fields = item.get("kind"), item.get("fields")
    if kind not in KIND_FORMS or kind == "question" or not isinstance(fields, dict):
        return Result(entry_uuid, "rejected", {"kind": ["unknown kind"]}), None
    tz = item.get("tz") if isinstance(item.get("tz"), str) and is_timezone(item["tz"]) else user.timezone
    formdata = MultiDict([(str(key), str(value)) for key, value in fields.items()
                          if isinstance(value, (str, int, float, bool)) and value is not False])
    formdata.setdefault("source", default_source)  # the quick log does not ask who noticed it
    form = entry_form_for(kind, patient, tz, customs=customs, formdata=formdata, meta={"csrf": False})
    if not form.validate():
        return Result(entry_uuid, "rejected", {name: [str(error) for error in errors]
                                                for name, errors in form.errors.items()}), None
    entry = Entry(patient_id=patient.id, kind=kind, uuid=entry_uuid, reported_by_id=user.id)
    form.fill(entry)
    return Result(entry_uuid, "saved"), entry


def store(fresh):
    try:
        with db.session.begin_nested():  # a savepoint: on a clash, nothing of the batch is half-stored
            db.session.add_all([entry for _result, entry in fresh])
    except IntegrityError:
        for result, entry in fresh:
            try:
                with db.session.begin_nested():
                    db.session.add(entry)
            except IntegrityError:
                result.status = "duplicate"
    for result, entry in fresh:
        if result.status == "saved":
            result.id = entry.id
