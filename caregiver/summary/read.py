"""What a summary reads from the database for a period: plain rows, a few queries, nothing computed."""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from ..clock import to_local
from ..entries import live_entries
from ..rows import read_rows, symptom_ref
from ..extensions import db
from ..models import Alert, CheckInItem, Entry, User
from .parts import DiaryRows, RaisedAlert


def read_diary(patient, period):
    live = live_entries(patient)
    entries = read_rows(
        live.where(Entry.occurred_at >= period.since, Entry.occurred_at < period.until, Entry.kind != "question")
        .order_by(Entry.occurred_at, Entry.id), period.tz)
    checkin_ids = [e.id for e in entries if e.kind == "checkin"]
    scores = defaultdict(dict)  # read for the check-ins only, not for every entry of the range
    for entry_id, domain, score in db.session.execute(
            select(CheckInItem.entry_id, CheckInItem.domain, CheckInItem.score)
            .where(CheckInItem.entry_id.in_(checkin_ids))) if checkin_ids else ():
        scores[entry_id][domain] = score
    reporter_ids = {e.reported_by_id for e in entries}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(reporter_ids))).all()) if reporter_ids else {}
    visit_at = period.visit_at
    weight_at_visit = db.session.scalar(
        live.with_only_columns(Entry.value)
        .where(Entry.kind == "weight", Entry.occurred_at <= visit_at + timedelta(days=1))
        .order_by(Entry.occurred_at.desc()).limit(1)
    ) if visit_at else None
    before, ever_before = (), frozenset()
    if visit_at and any(e.kind == "symptom" for e in entries):
        window = period.until - visit_at
        symptoms = live.where(Entry.kind == "symptom", Entry.occurred_at < visit_at)
        before = tuple(
            (symptom_ref(key, custom), severity) for key, custom, severity in db.session.execute(
                symptoms.with_only_columns(Entry.symptom_key, Entry.custom_symptom_id, Entry.severity)
                .where(Entry.occurred_at >= visit_at - window)))
        ever_before = frozenset(symptom_ref(key, custom) for key, custom in db.session.execute(
            symptoms.with_only_columns(Entry.symptom_key, Entry.custom_symptom_id).distinct()))
    since_day = to_local(period.since, period.tz).date()
    return DiaryRows(
        entries=entries, checkin_scores=dict(scores), reporter_names=names, weight_at_visit=weight_at_visit,
        before_visit=before, ever_before_visit=ever_before,
        open_questions=read_rows(live.where(Entry.kind == "question", Entry.done_at.is_(None))
                                 .order_by(Entry.occurred_at), period.tz),
        medications=read_rows(live.where(Entry.kind == "medication", Entry.occurred_at < period.until)
                              .where(Entry.ended_on.is_(None) | (Entry.ended_on >= since_day))
                              .order_by(Entry.occurred_at), period.tz),
        alerts=read_alerts(patient, period),
    )


def read_alerts(patient, period):
    seen_by = db.aliased(User)
    return tuple(
        RaisedAlert(rule, level, to_local(raised_at, period.tz), name, done_at is not None)
        for rule, level, raised_at, name, done_at in db.session.execute(
            select(Alert.rule, Alert.level, Alert.raised_at, seen_by.name, Alert.done_at)
            .outerjoin(seen_by, seen_by.id == Alert.seen_by_id)
            .where(Alert.patient_id == patient.id, Alert.raised_at >= period.since, Alert.raised_at < period.until)
            .order_by(Alert.raised_at)))
