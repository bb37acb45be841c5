"""Entries as plain rows, for pages, summaries and alert rules that read many at once, and the one
parser and writer of symptom references: a catalogue key ("cramps") or the family's own ("custom-12")."""
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import select

from . import catalogue
from .clock import to_local
from .extensions import db
from .models import CustomSymptom, Entry

CUSTOM_PREFIX = "custom-"


def symptom_ref(symptom_key, custom_symptom_id):
    """The one writer of a symptom reference."""
    return f"{CUSTOM_PREFIX}{custom_symptom_id}" if custom_symptom_id else symptom_key


def ref_of(entry):
    return symptom_ref(entry.symptom_key, entry.custom_symptom_id)


def parse_symptom_ref(ref):
    """The one reader: (catalogue key, None), (None, custom symptom id), or (None, None) when the
    reference is neither (it names no symptom of any diary)."""
    ref = ref or ""
    if ref.startswith(CUSTOM_PREFIX):
        number = ref.removeprefix(CUSTOM_PREFIX)
        return (None, int(number)) if number.isdigit() and len(number) < 10 else (None, None)
    return (ref, None) if ref in catalogue.SYMPTOMS else (None, None)


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One live entry as plain values: what summaries, notes and the appendix read.

    `local` is occurred_at in the reader's time zone, worked out once when the row is read.
    """

    id: int
    kind: str
    occurred_at: datetime
    symptom_key: str | None
    custom_symptom_id: int | None
    severity: int | None
    region: str | None
    side: str | None
    frequency: str | None
    event_type: str | None
    injured: bool | None
    mask_problem: bool | None
    value: float | None
    name: str | None
    dose: str | None
    ended_on: date | None
    done_at: datetime | None
    note: str | None
    source: str
    reported_by_id: int | None
    custom_name: str | None = None
    custom_group: str | None = None
    local: datetime | None = None
    measure: str | None = None
    details: dict | None = None

    @property
    def ref(self):
        return symptom_ref(self.symptom_key, self.custom_symptom_id)


# The columns an EntryRow is read from, in its order; the family's symptom, the local time and a
# measure's columns follow.
_ROW_COLUMNS = tuple(getattr(Entry, f.name) for f in fields(EntryRow)
                     if f.name not in ("custom_name", "custom_group", "local", "measure", "details"))


def row_statement(*criteria):
    """A statement, built once, of the EntryRow columns of the entries meeting `criteria` (with
    bind parameters): for queries a page runs every time, where building them cost as much as
    running them. rows_of runs it."""
    return (select(*_ROW_COLUMNS, CustomSymptom.name, CustomSymptom.group, Entry.measure, Entry.details)
            .outerjoin(CustomSymptom, CustomSymptom.id == Entry.custom_symptom_id).where(*criteria))


# The columns whose few values repeat on every row (a kind, a symptom, a side): kept once each.
_REPEATING = tuple(number for number, f in enumerate(fields(EntryRow)) if f.name in (
    "kind", "symptom_key", "region", "side", "frequency", "event_type", "name", "dose", "source",
    "custom_name", "custom_group"))


def _entry_rows(result, tz):
    """EntryRows from the rows of a row_statement, streamed so that a long range's rows are not
    held twice, with the strings that repeat on every row shared: a printed summary of a whole
    10-year diary (38,000 rows) raised a worker's memory by 21 MB instead of 53."""
    shared = {}
    made = []
    for values in result:
        values = list(values)
        for number in _REPEATING:
            if values[number] is not None:
                values[number] = shared.setdefault(values[number], values[number])
        made.append(EntryRow(*values[:-2], to_local(values[2], tz), measure=values[-2], details=values[-1]))
    return tuple(made)


def rows_of(statement, values, tz):
    return _entry_rows(db.session.connection().execute(statement, values), tz)


def read_rows(query, tz):
    """EntryRows for a select of entries (its where and order), with the family's symptom names."""
    statement = (query.with_only_columns(*_ROW_COLUMNS, CustomSymptom.name, CustomSymptom.group, Entry.measure,
                                         Entry.details)
                 .outerjoin(CustomSymptom, CustomSymptom.id == Entry.custom_symptom_id))
    # Through the connection, not the ORM session, which would buffer every row first.
    return _entry_rows(db.session.connection().execute(statement), tz)
