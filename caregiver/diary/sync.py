"""Entries logged offline arrive here in batches; each is stored once, and nothing sent is lost.

The phone gives every entry a UUID when it is made. Sending the same entry again (a retry after a
lost answer, or two tabs syncing at once) finds the UUID with the same details and stores nothing
new ("duplicate"). The same UUID with other details is kept too, as a copy marked as conflicting
with the first ("conflict"), so that the family sees both. UUIDs are looked up in this diary only:
one another diary uses is stored here like any new one, and the answer says nothing about it.
Each entry is checked by the same form as when it is typed online, so the rules cannot drift apart.
"""
import hashlib
import json
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
# What an entry says, as opposed to who sent it and when it arrived: what a conflict compares.
CONTENT_COLUMNS = ("kind", "occurred_at", "tz", "symptom_key", "custom_symptom_id", "severity", "region", "side",
                   "duration", "frequency", "event_type", "injured", "mask_problem", "value", "name", "dose",
                   "ended_on", "note", "source", "measure")


@dataclass
class Result:
    uuid: str
    status: str  # saved, duplicate, conflict or rejected
    errors: dict = field(default_factory=dict)
    id: int | None = None
    entry: Entry | None = field(default=None, repr=False)  # the row this answer stands for
    created: bool = False  # whether that row is new with this request


def valid_uuid(value):
    try:
        return str(uuids.UUID(str(value))) == str(value).lower()
    except ValueError:
        return False


def content_digest(entry):
    """A digest of what an entry says, the same for the entry as first sent and as stored."""
    values = [None if getattr(entry, name) is None else str(getattr(entry, name)) for name in CONTENT_COLUMNS]
    values.append(sorted((item.domain, item.score) for item in entry.checkin_items))
    values.append(sorted((entry.details or {}).items()))
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def conflict_uuid(original_uuid, digest):
    """The UUID of the conflicting copy: the same details sent again find the same copy."""
    return str(uuids.uuid5(uuids.UUID(original_uuid), digest))


def merge_entries(patient, user, default_source, items):
    """Store each offline entry not stored before; return a Result for each, in order.

    One query finds this diary's entries under the UUIDs sent, and the new entries go in with one
    flush; only if a twin slips in between (another tab, the same moment) is each tried on its own."""
    sent = [item["uuid"].lower() for item in items if isinstance(item, dict) and valid_uuid(item.get("uuid"))]
    known = {entry.uuid: entry for entry in db.session.scalars(
        select(Entry).where(Entry.patient_id == patient.id, Entry.uuid.in_(sent)))} if sent else {}
    customs = custom_symptoms(patient)
    results, fresh = [], []
    for item in items:
        result = check_one(patient, user, default_source, customs, known, item)
        results.append(result)
        if result.created:
            known[result.entry.uuid] = result.entry  # the same UUID twice in one batch: stored once
            fresh.append(result)
    store(patient, fresh)
    db.session.commit()
    for result in results:
        result.id = result.entry.id if result.entry is not None else None
    # Entries logged offline raise their alerts too; a replayed batch stores nothing, so raises nothing.
    alerts.raise_alerts(patient, [result.entry for result in fresh if result.created])
    return results


def check_one(patient, user, default_source, customs, known, item):
    """The Result for one sent entry, checked like the form online; a new entry rides on it."""
    if not isinstance(item, dict) or not valid_uuid(item.get("uuid")):
        return Result(str(item.get("uuid", "")) if isinstance(item, dict) else "", "rejected",
                      {"uuid": ["not a UUID"]})
    entry_uuid = item["uuid"].lower()
    kind, fields = item.get("kind"), item.get("fields")
    if kind not in KIND_FORMS or kind == "question" or not isinstance(fields, dict):
        return Result(entry_uuid, "rejected", {"kind": ["unknown kind"]})
    tz = item.get("tz") if isinstance(item.get("tz"), str) and is_timezone(item["tz"]) else user.timezone
    formdata = MultiDict([(str(key), str(value)) for key, value in fields.items()
                          if isinstance(value, (str, int, float, bool)) and value is not False])
    formdata.setdefault("source", default_source)  # the quick log does not ask who noticed it
    form = entry_form_for(kind, patient, tz, customs=customs, formdata=formdata, meta={"csrf": False})
    if not form.validate():
        return Result(entry_uuid, "rejected", {name: [str(error) for error in errors]
                                                for name, errors in form.errors.items()})
    entry = Entry(patient_id=patient.id, kind=kind, uuid=entry_uuid, reported_by_id=user.id)
    form.fill(entry)
    entry.sync_digest = content_digest(entry)
    return against_known(entry, known)


def against_known(entry, known):
    """Saved if its UUID is new to this diary; duplicate if the diary has it with these details;
    otherwise a conflicting copy beside the first, found again if the same details come again."""
    original = known.get(entry.uuid)
    if original is None:
        return Result(entry.uuid, "saved", entry=entry, created=True)
    if entry.sync_digest == (original.sync_digest or content_digest(original)):
        return Result(entry.uuid, "duplicate", entry=original)
    copy_uuid = conflict_uuid(entry.uuid, entry.sync_digest)
    copy = known.get(copy_uuid) or db.session.scalar(
        select(Entry).where(Entry.patient_id == entry.patient_id, Entry.uuid == copy_uuid))
    if copy is not None:
        return Result(entry.uuid, "conflict", entry=copy)
    sent_uuid = entry.uuid
    entry.uuid, entry.conflict_of = copy_uuid, original
    return Result(sent_uuid, "conflict", entry=entry, created=True)


def store(patient, fresh):
    try:
        with db.session.begin_nested():  # a savepoint: on a clash, nothing of the batch is half-stored
            db.session.add_all([result.entry for result in fresh])
    except IntegrityError:
        for result in fresh:
            store_alone(patient, result)


def store_alone(patient, result):
    """One entry on its own: if another request stored its UUID a moment ago, this one is a
    duplicate of that, or a conflicting copy beside it."""
    sent = result.entry
    try:
        with db.session.begin_nested():
            db.session.add(sent)
        return
    except IntegrityError:
        twin = db.session.scalar(select(Entry).where(Entry.patient_id == patient.id, Entry.uuid == sent.uuid))
        if twin is None:
            raise
    if sent.conflict_of is not None:  # its conflicting copy, too, arrived a moment ago
        result.entry, result.created = twin, False
        return
    retry = against_known(sent, {twin.uuid: twin})
    result.status, result.entry, result.created = retry.status, retry.entry, retry.created
    if retry.created:
        store_alone(patient, result)
