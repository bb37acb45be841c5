"""What a summary reads from the database for a period: plain rows, a few queries, nothing computed.

The trends page reads whole months as kept tallies, and one by one only the entries of the
part-months at the ends of the range and those it shows as points (read_trends), so that its cost
follows the months shown, not the entries. A printed summary reads the same, and of the other
entries only those it names and the counts it gives (read_printed); every entry of the range
(read_diary) only for the appendix that lists them, or without the carer's own, which the tallies count.

The statements the trends page runs every time are built once, with bind parameters: building
and keying a statement again cost as much as running it (about 0.2 ms each, and there are a dozen).
"""
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, exists, func, literal, or_, select

from .. import rules
from ..clock import to_local
from ..entries import live_entries
from ..rows import parse_symptom_ref, read_rows, row_statement, rows_of, symptom_ref
from ..extensions import db
from ..models import Alert, CheckInItem, CustomSymptom, Entry, User
from ..tallies import month_tallies, read_tally_rows, tally_rows, whole_months
from .parts import NOTES_SHOWN, SERIES_KINDS, DiaryRows, RaisedAlert

PATIENT = bindparam("patient_id")
SINCE, UNTIL = bindparam("since"), bindparam("until")
LIVE = (Entry.patient_id == PATIENT, Entry.deleted_at.is_(None))


def read_diary(patient, period):
    live = live_entries(patient)
    entries = read_rows(
        live.where(Entry.occurred_at >= period.since, Entry.occurred_at < period.until, Entry.kind != "question")
        .order_by(Entry.occurred_at, Entry.id), period.tz)
    return DiaryRows(entries=entries, reporter_names=account_names({e.reported_by_id for e in entries}), **read_around(
        patient, period, [e.id for e in entries if e.kind == "checkin"], {e.ref for e in entries if e.kind == "symptom"}))


def account_names(user_ids):
    """{account id: name} of these accounts."""
    user_ids = [user_id for user_id in user_ids if user_id is not None]
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}


class Point(NamedTuple):
    """An entry the trends page shows as a point or a row: what SERIES_KINDS need of an EntryRow."""

    id: int
    kind: str
    occurred_at: datetime
    value: float | None
    measure: str | None
    details: dict | None
    local: datetime | None  # worked out for measures only, the one kind that shows it


# Not ordered in SQL: SQLite then walks every entry of the range in time order, not just these kinds.
_POINTS = select(Entry.id, Entry.kind, Entry.occurred_at, Entry.value, Entry.measure, Entry.details).where(
    *LIVE, Entry.kind.in_(SERIES_KINDS), Entry.occurred_at >= SINCE, Entry.occurred_at < UNTIL)
# Counted in SQL: since a visit long ago, they are thousands of rows.
_SEVERITIES = (select(Entry.symptom_key, Entry.custom_symptom_id, Entry.severity, func.count())
               .where(*LIVE, Entry.kind == "symptom", Entry.occurred_at >= SINCE, Entry.occurred_at < UNTIL)
               .group_by(Entry.symptom_key, Entry.custom_symptom_id, Entry.severity))
_CUSTOM_SYMPTOMS = select(CustomSymptom.id, CustomSymptom.name, CustomSymptom.group).where(
    CustomSymptom.patient_id == PATIENT)


def severities_in(connection, values):
    """(symptom ref, severity, times) of the symptoms logged in [since, until)."""
    return tuple((symptom_ref(key, custom), severity, times)
                 for key, custom, severity, times in connection.execute(_SEVERITIES, values))


def read_trends(patient, period):
    months = whole_months(period.since, period.until, period.tz)
    tallies = month_tallies(patient.id, period.tz, months)
    edges = [(period.since, months[0][1]), (months[-1][2], period.until)] if months else [(period.since, period.until)]
    tallies.update(tally_rows(read_tally_rows(patient.id, edges, period.tz)))
    connection = db.session.connection()
    range_values = {"patient_id": patient.id, "since": period.since, "until": period.until}
    points = tuple(sorted((Point(*values, to_local(values[2], period.tz) if values[1] == "measure" else None)
                           for values in connection.execute(_POINTS, range_values)),
                          key=lambda point: (point.occurred_at, point.id)))
    since_visit = ()
    if period.visit_at is not None:
        since_visit = severities_in(connection, dict(range_values, since=max(period.visit_at, period.since)))
    names = {symptom_ref(None, custom_id): (name, group)
             for custom_id, name, group in connection.execute(_CUSTOM_SYMPTOMS, {"patient_id": patient.id})}
    return DiaryRows(entries=points, tallies=tallies, symptom_names=names, since_visit=since_visit, complete=False,
                     **read_around(patient, period, [p.id for p in points if p.kind == "checkin"],
                                   {ref for tally in tallies.values() for ref in tally.symptoms}))


IN_RANGE = (*LIVE, Entry.kind != "question", Entry.occurred_at >= SINCE, Entry.occurred_at < UNTIL)


def _red_flags(symptoms):
    """The entries that rules.logged_flag finds red flags, as SQL (that function still decides):
    those of the symptom rules, or (symptoms False) of the others."""
    what = {"symptom": Entry.symptom_key, "event": Entry.event_type}
    return or_(*(and_(
        Entry.kind == rule.kinds[0], *((what[rule.kinds[0]] == rule.match,) if rule.kinds[0] in what else ()),
        *((getattr(Entry, rule.flag).is_(True),) if rule.flag else ()),
        *((Entry.frequency.in_(rule.frequencies),) if rule.frequencies else ()),
        *((func.coalesce(Entry.severity, 0) >= rule.min_severity,) if rule.min_severity else ()))
        for rule in rules.LOGGED_FLAGS if (rule.kinds[0] == "symptom") == symptoms))


NOTED = (Entry.note.is_not(None), Entry.note != "", Entry.kind != "medication")
# What select_notes may choose: the notes on red flags, events and appointments, and the latest others.
# The red flags and noted events in two statements, each of whose kinds and symptoms an index
# finds, so that the database looks those entries up instead of walking every one of the range.
_FLAG_SYMPTOMS = sorted({rule.match for rule in rules.LOGGED_FLAGS if rule.kinds[0] == "symptom"})
_FLAG_KINDS = sorted({rule.kinds[0] for rule in rules.LOGGED_FLAGS} - {"symptom"} | {"event", "visit"})
_FLAGGED_SYMPTOMS = row_statement(*IN_RANGE, Entry.kind == "symptom", Entry.symptom_key.in_(_FLAG_SYMPTOMS),
                                  Entry.custom_symptom_id.is_(None), _red_flags(True))  # as parse_symptom_ref leaves it
_FLAGGED_OR_NOTED = row_statement(*IN_RANGE, Entry.kind.in_(_FLAG_KINDS), or_(
    _red_flags(False), and_(*NOTED, Entry.kind.in_(("event", "visit")))))
_LATEST_NOTED = row_statement(*IN_RANGE, *NOTED).order_by(Entry.occurred_at.desc(), Entry.id.desc()).limit(NOTES_SHOWN)


def read_printed(patient, period):
    """A printed summary's rows without the appendix: the trends page's, with the entries it may
    name one by one (its red flags and notes)."""
    rows = read_trends(patient, period)  # first: making missing tallies ends its transaction
    values = {"patient_id": patient.id, "since": period.since, "until": period.until}
    marked = {row.id: row for statement in (_FLAGGED_SYMPTOMS, _FLAGGED_OR_NOTED, _LATEST_NOTED)
              for row in rows_of(statement, values, period.tz)}
    reporter_ids = {user_id for tally in rows.tallies.values() for user_id, _source in tally.reporters}
    return replace(rows, marked=tuple(sorted(marked.values(), key=lambda row: (row.occurred_at, row.id))),
                   reporter_names=account_names(reporter_ids))


_SCORES = select(CheckInItem.entry_id, CheckInItem.domain, CheckInItem.score).where(
    CheckInItem.entry_id.in_(bindparam("ids", expanding=True)))
_WEIGHT_AT = (select(Entry.value).where(*LIVE, Entry.kind == "weight", Entry.occurred_at <= UNTIL)
              .order_by(Entry.occurred_at.desc()).limit(1))
_OPEN_QUESTIONS = row_statement(*LIVE, Entry.kind == "question", Entry.done_at.is_(None)).order_by(Entry.occurred_at)
_MEDICATIONS = row_statement(
    *LIVE, Entry.kind == "medication", Entry.occurred_at < UNTIL,
    Entry.ended_on.is_(None) | (Entry.ended_on >= bindparam("since_day"))).order_by(Entry.occurred_at)


def read_around(patient, period, checkin_ids, refs):
    """What a summary reads besides the range's entries: the scores of its check-ins, what it
    compares with at the last appointment (for the symptoms of `refs`), the open questions, the
    medicines and the alerts."""
    connection = db.session.connection()
    scores = defaultdict(dict)  # read for the check-ins only, not for every entry of the range
    for entry_id, domain, score in connection.execute(_SCORES, {"ids": checkin_ids}) if checkin_ids else ():
        scores[entry_id][domain] = score
    visit_at = period.visit_at
    weight_at_visit = connection.execute(_WEIGHT_AT, {"patient_id": patient.id, "until": visit_at + timedelta(days=1)}
                                         ).scalar() if visit_at else None
    before, ever_before = (), frozenset()
    if visit_at and refs:
        window = period.until - visit_at
        before = severities_in(connection, {"patient_id": patient.id, "since": visit_at - window, "until": visit_at})
        ever_before = logged_before(patient, refs, visit_at)
    return dict(
        checkin_scores=dict(scores), weight_at_visit=weight_at_visit,
        before_visit=before, ever_before_visit=ever_before,
        open_questions=rows_of(_OPEN_QUESTIONS, {"patient_id": patient.id}, period.tz),
        medications=rows_of(_MEDICATIONS, {"patient_id": patient.id, "until": period.until,
                                           "since_day": to_local(period.since, period.tz).date()}, period.tz),
        alerts=read_alerts(patient, period),
    )


def logged_before(patient, refs, before):
    """The symptoms of `refs` logged at any time before `before`: one index look-up each
    (ix_entry_patient_symptom_occurred), however long the diary."""
    keys, custom_ids = [], []
    for ref in sorted(refs):
        key, custom_id = parse_symptom_ref(ref)
        if key is not None:
            keys.append(key)
        elif custom_id is not None:
            custom_ids.append(custom_id)
    values = {"patient_id": patient.id, "before": before,
              **{f"k{n}": key for n, key in enumerate(keys)}, **{f"c{n}": c for n, c in enumerate(custom_ids)}}
    found = db.session.connection().execute(_logged_before(len(keys), len(custom_ids)), values).one()
    return frozenset([*(key for key, was in zip(keys, found) if was),
                      *(symptom_ref(None, c) for c, was in zip(custom_ids, found[len(keys):]) if was)])


@lru_cache(maxsize=256)
def _logged_before(keys, customs):
    """The statement for `keys` catalogue symptoms and `customs` of the family's own."""
    def logged(*which):
        return exists().where(*LIVE, Entry.kind == "symptom", *which, Entry.occurred_at < bindparam("before"))

    return select(
        *(logged(Entry.symptom_key == bindparam(f"k{n}"), Entry.custom_symptom_id.is_(None)) for n in range(keys)),
        *(logged(Entry.symptom_key.is_(None), Entry.custom_symptom_id == bindparam(f"c{n}")) for n in range(customs)),
        literal(True))  # a column even for no refs


_SEEN_BY = db.aliased(User)
_ALERTS = (select(Alert.rule, Alert.level, Alert.raised_at, _SEEN_BY.name, Alert.done_at)
           .outerjoin(_SEEN_BY, _SEEN_BY.id == Alert.seen_by_id)
           .where(Alert.patient_id == PATIENT, Alert.raised_at >= SINCE, Alert.raised_at < UNTIL)
           .order_by(Alert.raised_at))


def read_alerts(patient, period):
    return tuple(
        RaisedAlert(rule, level, to_local(raised_at, period.tz), name, done_at is not None)
        for rule, level, raised_at, name, done_at in db.session.connection().execute(
            _ALERTS, {"patient_id": patient.id, "since": period.since, "until": period.until}))
