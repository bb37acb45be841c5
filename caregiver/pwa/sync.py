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

from ..diary.entries import KIND_FORMS, entry_form_for
from ..extensions import db
from ..i18n import is_timezone
from ..models import Entry

MAX_BATCH = 200


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
    """Store each offline entry not stored before; return a Result for each, in order."""
    return [merge_one(patient, user, default_source, item) for item in items]


def merge_one(patient, user, default_source, item):
    if not isinstance(item, dict) or not valid_uuid(item.get("uuid")):
        return Result(str(item.get("uuid", "")) if isinstance(item, dict) else "", "rejected",
                      {"uuid": ["not a UUID"]})
    entry_uuid = item["uuid"].lower()
    existing = db.session.scalar(select(Entry).where(Entry.uuid == entry_uuid))
    if existing is not None:
        if existing.patient_id != patient.id:  # not this diary's: say nothing about it
            return Result(entry_uuid, "rejected", {"uuid": ["already used"]})
        return Result(entry_uuid, "duplicate", id=existing.id)
    kind, fields = item.get("kind"), item.get("fields")
    if kind not in KIND_FORMS or kind == "question" or not isinstance(fields, dict):
        return Result(entry_uuid, "rejected", {"kind": ["unknown kind"]})
    tz = item.get("tz") if isinstance(item.get("tz"), str) and is_timezone(item["tz"]) else user.timezone
    formdata = MultiDict([(str(key), str(value)) for key, value in fields.items()
                          if isinstance(value, (str, int, float, bool)) and value is not False])
    formdata.setdefault("source", default_source)  # the quick log does not ask who noticed it
    form = entry_form_for(kind, patient, tz, formdata=formdata, meta={"csrf": False})
    if not form.validate():
        return Result(entry_uuid, "rejected", {name: [str(error) for error in errors]
                                                for name, errors in form.errors.items()})
    entry = Entry(patient_id=patient.id, kind=kind, uuid=entry_uuid, reported_by_id=user.id)
    form.fill(entry)
    try:
        with db.session.begin_nested():  # a savepoint: a twin arriving at the same moment loses cleanly
            db.session.add(entry)
    except IntegrityError:
        return Result(entry_uuid, "duplicate")
    return Result(entry_uuid, "saved", id=entry.id)
