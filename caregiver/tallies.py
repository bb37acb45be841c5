"""Monthly tallies: what a summary needs of a whole local month's symptoms, events, days with
entries, notes, who entered them and where weakness was, kept so that the trends page and a
printed summary read one row a month instead of every entry (issue 18).

A tally is made from entries by one function, tally_rows(), which the summary also uses for the
entries it reads itself (the part-months at the edges of a range, and every entry of a printed
summary), so a kept tally and the entries it was made from cannot say different things.

Kept tallies are never edited in place:
- a write to an entry drops the tallies of the months it touches, in every zone, in the same
  transaction as the diary's data version moves on (versions.py calls forget_changed after bump);
- a reader makes the missing months again from the entries, holding the diary's row lock
  (the same lock a writer's bump takes), so it can neither read entries a writer has not yet
  committed nor keep a tally a writer has just dropped.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import groupby
from typing import NamedTuple

from sqlalchemy import and_, bindparam, delete, inspect, or_, select, update

from .clock import start_of_day, to_local
from .extensions import db
from .models import Entry, MonthTally, Patient
from .rows import symptom_ref

# How far a local calendar day can be from the UTC one (zones run from UTC-12 to UTC+14).
ZONE_REACH = timedelta(days=1)


def month_of(day):
    return date(day.year, day.month, 1)


def next_month(month):
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


@dataclass
class SymptomTally:
    count: int = 0
    severities: dict = field(default_factory=dict)  # severity: times (entries without one are only counted)
    first: datetime | None = None  # naive UTC
    last: datetime | None = None

    def add(self, occurred_at, severity):
        self.count += 1
        if severity is not None:
            self.severities[severity] = self.severities.get(severity, 0) + 1
        self.first = occurred_at if self.first is None or occurred_at < self.first else self.first
        self.last = occurred_at if self.last is None or occurred_at > self.last else self.last

    def merge(self, other):
        self.count += other.count
        for severity, times in other.severities.items():
            self.severities[severity] = self.severities.get(severity, 0) + times
        self.first = other.first if self.first is None or other.first < self.first else self.first
        self.last = other.last if self.last is None or other.last > self.last else self.last


def add_count(counts, key, times, first):
    """Count `key` `times` more, the first of them at `first`, in {key: (times, first time)}."""
    known = counts.get(key)
    counts[key] = (known[0] + times, min(known[1], first)) if known else (times, first)


@dataclass
class Tally:
    """One local month (or the part of it a range covers)."""

    days: int = 0  # bit n - 1 set: an entry (not a question) on day n of the month
    events: dict = field(default_factory=dict)  # event type: times
    symptoms: dict = field(default_factory=dict)  # symptom ref: SymptomTally
    notes: int = 0  # entries with a note, medicines' aside (summary.parts.select_notes)
    reporters: dict = field(default_factory=dict)  # (account id, source): (entries, first entry's time)
    weakness: dict = field(default_factory=dict)  # (region, side) of weakness logged with a region: (times, first)

    def to_json(self):
        return {"days": self.days, "events": self.events,
                "symptoms": {ref: [s.count, {str(k): v for k, v in s.severities.items()}, s.first.isoformat(),
                                   s.last.isoformat()] for ref, s in self.symptoms.items()},
                "notes": self.notes,
                "reporters": [[*key, times, first.isoformat()] for key, (times, first) in self.reporters.items()],
                "weakness": [[*key, times, first.isoformat()] for key, (times, first) in self.weakness.items()]}

    @classmethod
    def from_json(cls, data):
        def counts(rows):
            return {(one, two): (times, datetime.fromisoformat(first)) for one, two, times, first in rows}

        return cls(data["days"], dict(data["events"]), {
            ref: SymptomTally(count, {int(k): v for k, v in severities.items()}, datetime.fromisoformat(first),
                              datetime.fromisoformat(last))
            for ref, (count, severities, first, last) in data["symptoms"].items()},
            data["notes"], counts(data["reporters"]), counts(data["weakness"]))

    def day_dates(self, month):
        days, day = [], 1
        bits = self.days
        while bits:
            if bits & 1:
                days.append(date(month.year, month.month, day))
            bits >>= 1
            day += 1
        return days


def tally_rows(rows):
    """{first of local month: Tally} of entries (anything with the fields of a TallyRow); questions
    are not counted."""
    tallies = {}
    for row in rows:
        if row.kind == "question":
            continue
        local = row.local
        month = date(local.year, local.month, 1)
        tally = tallies.get(month)
        if tally is None:
            tally = tallies[month] = Tally()
        tally.days |= 1 << (local.day - 1)
        if row.kind == "symptom":
            ref = symptom_ref(row.symptom_key, row.custom_symptom_id)
            symptom = tally.symptoms.get(ref)
            if symptom is None:
                symptom = tally.symptoms[ref] = SymptomTally()
            symptom.add(row.occurred_at, row.severity)
            if row.symptom_key == "weakness" and row.region:
                add_count(tally.weakness, (row.region, row.side), 1, row.occurred_at)
        elif row.kind == "event":
            tally.events[row.event_type] = tally.events.get(row.event_type, 0) + 1
        if row.note and row.kind != "medication":
            tally.notes += 1
        add_count(tally.reporters, (row.reported_by_id, row.source), 1, row.occurred_at)
    return tallies


class TallyRow(NamedTuple):
    """The columns of an entry a tally is made from."""

    kind: str
    occurred_at: datetime
    symptom_key: str | None
    custom_symptom_id: int | None
    severity: int | None
    event_type: str | None
    region: str | None
    side: str | None
    note: bool  # has one
    source: str
    reported_by_id: int | None
    local: datetime


def read_tally_rows(patient_id, spans, tz):
    """TallyRows of the live entries (not questions) in the [since, until) spans, in naive UTC."""
    spans = [(since, until) for since, until in spans if since < until]
    if not spans:
        return []
    values = {"patient_id": patient_id, **{f"s{n}": since for n, (since, _u) in enumerate(spans)},
              **{f"u{n}": until for n, (_s, until) in enumerate(spans)}}
    return [TallyRow(*row, to_local(row[1], tz))
            for row in db.session.connection().execute(_tally_rows_statement(len(spans)), values)]


@lru_cache(maxsize=4)
def _tally_rows_statement(spans):
    """Built once for each number of spans: building and keying it cost as much as running it."""
    return (select(Entry.kind, Entry.occurred_at, Entry.symptom_key, Entry.custom_symptom_id, Entry.severity,
                   Entry.event_type, Entry.region, Entry.side, and_(Entry.note.is_not(None), Entry.note != ""),
                   Entry.source, Entry.reported_by_id)
            .where(Entry.patient_id == bindparam("patient_id"), Entry.deleted_at.is_(None), Entry.kind != "question",
                   or_(*((Entry.occurred_at >= bindparam(f"s{n}")) & (Entry.occurred_at < bindparam(f"u{n}"))
                         for n in range(spans)))))


_KEPT = select(MonthTally.month, MonthTally.tally).where(
    MonthTally.patient_id == bindparam("patient_id"), MonthTally.zone == bindparam("zone"),
    MonthTally.month.between(bindparam("first"), bindparam("last")))


def whole_months(since, until, tz):
    """The local months that lie wholly within [since, until), each as (month, its start, its end) in UTC."""
    months = []
    month = month_of(to_local(since, tz))
    start = start_of_day(month, tz)
    while True:
        end = start_of_day(next_month(month), tz)
        if end > until:
            return months
        if start >= since:
            months.append((month, start, end))
        month, start = next_month(month), end


def month_tallies(patient_id, tz, months):
    """{month: Tally} for these whole local months (a list of (month, start, end) as whole_months
    gives), each made from its entries and kept if it was not kept already."""
    if not months:
        return {}
    first, last = months[0][0], months[-1][0]

    def kept():
        return dict(db.session.connection().execute(
            _KEPT, {"patient_id": patient_id, "zone": tz, "first": first, "last": last}).all())

    stored = kept()
    if any(month not in stored for month, _start, _end in months):
        lock_diary(patient_id)
        stored = kept()  # another reader may have made them while this one waited
        missing = [(month, start, end) for month, start, end in months if month not in stored]
        if missing:
            made = tally_rows(read_tally_rows(patient_id, [(missing[0][1] - ZONE_REACH, missing[-1][2] + ZONE_REACH)],
                                              tz))
            for month, _start, _end in missing:
                stored[month] = (made.get(month) or Tally()).to_json()
                db.session.add(MonthTally(patient_id=patient_id, zone=tz, month=month, tally=stored[month]))
        db.session.commit()
    return {month: Tally.from_json(stored[month]) for month, _start, _end in months}


def lock_diary(patient_id):
    """Take the diary's row lock, as a writer's version bump does, without moving the version:
    held to the end of the transaction (on SQLite, the database's write lock)."""
    db.session.connection().execute(update(Patient).where(Patient.id == patient_id)
                                    .values(data_version=Patient.data_version))


# ---------------------------------------------------------------------------------------------
# Dropping the tallies a write changes

def note_changed(session, objects):
    """Remember the (diary, time) of every entry among these new, changed or deleted objects,
    with its time before the change."""
    changed = session.info.setdefault("tally_changes", set())
    for obj in objects:
        if isinstance(obj, Entry) and obj.patient_id is not None:
            history = inspect(obj).attrs.occurred_at.history
            for when in (*history.added, *history.unchanged, *history.deleted):
                if when is not None:
                    changed.add((obj.patient_id, when))
            if obj.occurred_at is not None:
                changed.add((obj.patient_id, obj.occurred_at))


def forget_changed(session):
    """Drop the tallies of the months, in any zone, that the noted entries fall in. Called after
    the diary's version bump, so that a reader making tallies has finished or not yet begun."""
    changed = session.info.pop("tally_changes", set())
    for patient_id, times in groupby(sorted(changed), key=lambda item: item[0]):
        spans = sorted({(month_of(when - ZONE_REACH), month_of(when + ZONE_REACH)) for _p, when in times})
        session.connection().execute(delete(MonthTally).where(
            MonthTally.patient_id == patient_id, or_(*(MonthTally.month.between(low, high) for low, high in spans))))

