"""What changed in a time range: the numbers behind the trends page and the visit summary.

build_summary() reads the diary once for the range and returns plain data; the page, the PDF
and the tests all use it, so they cannot disagree.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean, median

from sqlalchemy import select

from .. import catalogue
from ..extensions import db
from ..i18n import to_local
from ..models import CheckInItem, CustomSymptom, Entry, User
from ..trends import maths

AREAS = {key: domain.area for key, domain in catalogue.CHECKIN_DOMAINS.items()}


@dataclass
class CheckInPoint:
    occurred_at: datetime
    total: int
    items: dict


@dataclass
class SymptomRow:
    ref: str  # catalogue key or custom-<id>
    name: object  # the family's own name, or a lazy catalogue name
    group: str
    first_logged: datetime
    last_logged: datetime
    times: int
    per_week: float
    typical: float | None
    worst: int | None
    trend: str | None  # new, worse, same, better (maths.symptom_trend)
    severity_by_month: list = field(default_factory=list)  # (first of month, typical severity or None)


@dataclass
class Topic:
    """A subject the data raises for the appointment, with the guideline it comes from."""

    key: str
    guideline: str


@dataclass
class Summary:
    patient: object
    since: datetime  # naive UTC, inclusive
    until: datetime  # naive UTC, exclusive
    tz: str
    last_visit: Entry | None
    entries: list  # every live entry in the range, oldest first
    days_covered: int = 0
    days_with_entries: int = 0
    logged_days: list = field(default_factory=list)  # local dates with at least one entry
    entered_by: list = field(default_factory=list)  # (account name, entries), most first
    checkins: list = field(default_factory=list)  # CheckInPoint, oldest first
    all_checkins: list = field(default_factory=list)  # since the diary began, for the slope since onset
    slope_in_range: float | None = None
    progression_rate: float | None = None
    progression_band: str | None = None
    areas_first: dict = field(default_factory=dict)
    areas_last: dict = field(default_factory=dict)
    items_fell: dict = field(default_factory=dict)
    kings_stage: str | None = None
    mitos_stage: int | None = None
    weights: list = field(default_factory=list)  # (when, kg)
    weight_at_last_visit: float | None = None
    change_from_usual: float | None = None
    change_from_visit: float | None = None
    change_in_range: float | None = None
    bmi: float | None = None
    events_by_month: dict = field(default_factory=dict)  # month -> Counter(event_type)
    groups_by_month: dict = field(default_factory=dict)  # month -> Counter(group)
    months: list = field(default_factory=list)
    symptoms: list = field(default_factory=list)  # SymptomRow, most logged first
    niv_hours: list = field(default_factory=list)  # (when, hours)
    carer_scores: list = field(default_factory=list)  # (when, score)
    red_flags: list = field(default_factory=list)  # (entry, RedFlag)
    topics: list = field(default_factory=list)
    open_questions: list = field(default_factory=list)
    medications: list = field(default_factory=list)  # taken at some time in the range
    notes: list = field(default_factory=list)  # the notes chosen for the summary (select_notes)
    notes_total: int = 0  # every note in the range

    @property
    def first_day(self):
        return to_local(self.since, self.tz).date()

    @property
    def last_day(self):
        """The last local day covered (until is exclusive)."""
        return to_local(self.until - timedelta(microseconds=1), self.tz).date()

    @property
    def latest_checkin(self):
        return self.checkins[-1] if self.checkins else None

    @property
    def latest_weight(self):
        return self.weights[-1][1] if self.weights else None

    def symptom(self, ref):
        return next((row for row in self.symptoms if row.ref == ref), None)

    def event_count(self, event_type):
        return sum(counts[event_type] for counts in self.events_by_month.values())

    def new_or_worse(self):
        return [row for row in self.symptoms if row.trend in ("new", "worse")]

    def reported_count(self, source):
        """Entries the patient reported themself ("patient"), or a carer observed ("carer")."""
        return sum(1 for e in self.entries if e.source == source)

    def rows(self, *refs):
        """The symptom rows of these catalogue keys that were logged in the range, in that order."""
        return [row for ref in refs if (row := self.symptom(ref))]

    @property
    def niv_recent_mean(self):
        """Mean hours on NIV a night over the last two weeks of the range."""
        recent = [hours for when, hours in self.niv_hours if when >= self.until - timedelta(days=14)]
        return mean(recent) if recent else None

    @property
    def carer_mean(self):
        return mean(score for _when, score in self.carer_scores) if self.carer_scores else None

    @property
    def weakness_places(self):
        """Where weakness was logged, most often first: [(region, side), ...]."""
        places = Counter((e.region, e.side) for e in self.entries
                         if e.kind == "symptom" and e.symptom_key == "weakness" and e.region)
        return [place for place, _count in places.most_common()]

    @property
    def red_flag_counts(self):
        """[(flag, times, last time)] for the red flags logged in the range."""
        seen = {}
        for entry, flag in self.red_flags:
            times, _last = seen.get(flag, (0, None))
            seen[flag] = (times + 1, entry.occurred_at)
        return [(flag, times, last) for flag, (times, last) in seen.items()]

    @property
    def checkin_changes(self):
        """[(domain, first score, last score)] over the range, for all twelve domains."""
        if not self.checkins:
            return []
        first, last = self.checkins[0].items, self.checkins[-1].items
        return [(d, first.get(d), last.get(d)) for d in catalogue.CHECKIN_DOMAINS]

    def entries_by_day(self, include_carer=True):
        """[(local date, entries)] oldest first; the carer's own check only if asked for."""
        days = defaultdict(list)
        for entry in self.entries:
            if include_carer or entry.kind != "carer":
                days[to_local(entry.occurred_at, self.tz).date()].append(entry)
        return sorted(days.items())

    def medication_changes(self):
        """Medicines started or stopped within the range."""
        start_day, end_day = to_local(self.since, self.tz).date(), to_local(self.until, self.tz).date()
        return [m for m in self.medications
                if m.occurred_at >= self.since or (m.ended_on and start_day <= m.ended_on <= end_day)]


def month_key(when, tz):
    local = to_local(when, tz)
    return date(local.year, local.month, 1)


def month_range(since, until, tz):
    months, month = [], month_key(since, tz)
    last = month_key(until - timedelta(seconds=1), tz)
    while month <= last:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def symptom_ref(entry):
    return f"custom-{entry.custom_symptom_id}" if entry.custom_symptom_id else entry.symptom_key


def build_summary(patient, since, until, tz, last_visit=None):
    """Everything the trends page and the visit summary show for [since, until)."""
    live = select(Entry).where(Entry.patient_id == patient.id, Entry.deleted_at.is_(None))
    entries = db.session.scalars(
        live.where(Entry.occurred_at >= since, Entry.occurred_at < until, Entry.kind != "question")
        .order_by(Entry.occurred_at, Entry.id)
    ).all()
    summary = Summary(patient=patient, since=since, until=until, tz=tz, last_visit=last_visit, entries=entries)
    summary.days_covered = max(1, (to_local(until, tz).date() - to_local(since, tz).date()).days)
    summary.logged_days = sorted({to_local(e.occurred_at, tz).date() for e in entries})
    summary.days_with_entries = len(summary.logged_days)
    summary.months = month_range(since, until, tz)
    add_reporters(summary)
    add_function(summary, live)
    add_weight(summary, live)
    add_counts(summary)
    add_symptoms(summary, live)
    summary.niv_hours = [(e.occurred_at, e.value) for e in entries if e.kind == "niv"]
    summary.carer_scores = [(e.occurred_at, e.value) for e in entries if e.kind == "carer"]
    summary.open_questions = db.session.scalars(
        live.where(Entry.kind == "question", Entry.done_at.is_(None)).order_by(Entry.occurred_at)
    ).all()
    summary.medications = db.session.scalars(
        live.where(Entry.kind == "medication", Entry.occurred_at < until)
        .where((Entry.ended_on.is_(None)) | (Entry.ended_on >= to_local(since, tz).date()))
        .order_by(Entry.occurred_at)
    ).all()
    summary.red_flags = [(e, flag) for e in entries if (flag := catalogue.red_flag_for(e))]
    summary.notes = select_notes(summary)
    summary.notes_total = sum(1 for e in entries if e.note and e.kind != "medication")
    summary.topics = topics_for(summary)
    return summary


# A neurologist reads a handful of notes, not a year of them.
NOTES_SHOWN = 25


def select_notes(summary):
    """The notes worth reading at the appointment, oldest first: those on red flags, events and
    appointments first, then the most recent others, NOTES_SHOWN at most."""
    flagged = {entry.id for entry, _flag in summary.red_flags}
    noted = [e for e in summary.entries if e.note and e.kind != "medication"]
    ranked = sorted(noted, key=lambda e: (e.id in flagged or e.kind in ("event", "visit"), e.occurred_at),
                    reverse=True)
    return sorted(ranked[:NOTES_SHOWN], key=lambda e: (e.occurred_at, e.id))


def add_reporters(summary):
    counts = Counter(e.reported_by_id for e in summary.entries)
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(counts.keys()))).all())
    summary.entered_by = [(names.get(user_id) or "?", n) for user_id, n in counts.most_common()]


def add_function(summary, live):
    checkins = [e for e in summary.entries if e.kind == "checkin"]
    scores = defaultdict(dict)  # read for the check-ins only, not for every entry of the range
    for entry_id, domain, score in db.session.execute(
            select(CheckInItem.entry_id, CheckInItem.domain, CheckInItem.score)
            .where(CheckInItem.entry_id.in_([e.id for e in checkins]))) if checkins else ():
        scores[entry_id][domain] = score
    points = [CheckInPoint(e.occurred_at, int(e.value), scores[e.id]) for e in checkins]
    summary.checkins = points
    summary.slope_in_range = maths.slope_per_month([(p.occurred_at, p.total) for p in points])
    if not points:
        return
    first, last = points[0], points[-1]
    onset = summary.patient.onset_month
    summary.progression_rate = maths.progression_rate(last.total, onset, to_local(last.occurred_at, summary.tz).date())
    summary.progression_band = maths.progression_band(summary.progression_rate)
    summary.areas_first = maths.area_scores(first.items, AREAS)
    summary.areas_last = maths.area_scores(last.items, AREAS)
    summary.items_fell = maths.items_that_fell(first.items, last.items)
    summary.kings_stage = maths.kings_stage(last.items, feeding_tube=summary.patient.feeding_tube)
    summary.mitos_stage = maths.mitos_stage(last.items)


def add_weight(summary, live):
    patient = summary.patient
    summary.weights = [(e.occurred_at, e.value) for e in summary.entries if e.kind == "weight"]
    if summary.last_visit is not None:
        summary.weight_at_last_visit = db.session.scalar(
            live.with_only_columns(Entry.value)
            .where(Entry.kind == "weight", Entry.occurred_at <= summary.last_visit.occurred_at + timedelta(days=1))
            .order_by(Entry.occurred_at.desc()).limit(1)
        )
    latest = summary.latest_weight
    summary.change_from_usual = maths.percent_change(patient.usual_weight_kg, latest)
    summary.change_from_visit = maths.percent_change(summary.weight_at_last_visit, latest)
    summary.change_in_range = maths.percent_change(summary.weights[0][1], latest) if summary.weights else None
    summary.bmi = maths.bmi(latest, patient.height_cm)


def add_counts(summary):
    """Events and symptom groups per calendar month, every month of the range present (zeros too)."""
    events = {month: Counter() for month in summary.months}
    groups = {month: Counter() for month in summary.months}
    customs = {c.id: c.group for c in db.session.scalars(
        select(CustomSymptom).where(CustomSymptom.patient_id == summary.patient.id))}
    for entry in summary.entries:
        month = month_key(entry.occurred_at, summary.tz)
        if entry.kind == "event":
            events[month][entry.event_type] += 1
        elif entry.kind == "symptom":
            group = customs.get(entry.custom_symptom_id) or catalogue.SYMPTOMS[entry.symptom_key].group
            groups[month][group] += 1
    summary.events_by_month, summary.groups_by_month = events, groups


def add_symptoms(summary, live):
    """One row per symptom logged in the range, with its trend since the last visit."""
    by_ref = defaultdict(list)
    for entry in summary.entries:
        if entry.kind == "symptom":
            by_ref[symptom_ref(entry)].append(entry)
    if not by_ref:
        return
    visit_at = summary.last_visit.occurred_at if summary.last_visit else None
    window = (summary.until - visit_at) if visit_at else None
    before_rows = db.session.execute(
        live.with_only_columns(Entry.symptom_key, Entry.custom_symptom_id, Entry.severity)
        .where(Entry.kind == "symptom", Entry.occurred_at >= visit_at - window, Entry.occurred_at < visit_at)
    ).all() if visit_at else []
    ever_before = {
        f"custom-{custom}" if custom else key
        for key, custom in db.session.execute(
            live.with_only_columns(Entry.symptom_key, Entry.custom_symptom_id).distinct()
            .where(Entry.kind == "symptom", Entry.occurred_at < visit_at)
        )
    } if visit_at else set()
    before = defaultdict(list)
    for key, custom, severity in before_rows:
        before[f"custom-{custom}" if custom else key].append(severity)
    weeks_in_range = summary.days_covered / 7
    rows = []
    for ref, logged in by_ref.items():
        severities = [e.severity for e in logged if e.severity is not None]
        trend = None
        if visit_at:
            since_visit = [e for e in logged if e.occurred_at >= visit_at]
            weeks = window.total_seconds() / 604800
            trend = maths.symptom_trend(
                maths.SymptomWindow(len(before[ref]), weeks, tuple(s for s in before[ref] if s is not None)),
                maths.SymptomWindow(len(since_visit), weeks,
                                    tuple(e.severity for e in since_visit if e.severity is not None)),
                ref in ever_before,
            )
        first = logged[0]
        custom = first.custom_symptom
        rows.append(SymptomRow(
            ref=ref, name=custom.name if custom else catalogue.SYMPTOMS[ref].name,  # lazy: the reader's language
            group=custom.group if custom else catalogue.SYMPTOMS[ref].group,
            first_logged=first.occurred_at, last_logged=logged[-1].occurred_at, times=len(logged),
            per_week=len(logged) / weeks_in_range if weeks_in_range else 0.0,
            typical=median(severities) if severities else None,
            worst=max(severities) if severities else None, trend=trend,
            severity_by_month=severity_by_month(logged, summary.months, summary.tz),
        ))
    summary.symptoms = sorted(rows, key=lambda row: (-row.times, row.ref))


def severity_by_month(logged, months, tz):
    """The typical (median) severity of each month of the range; None where none was given."""
    by_month = defaultdict(list)
    for entry in logged:
        if entry.severity is not None:
            by_month[month_key(entry.occurred_at, tz)].append(entry.severity)
    return [(month, median(by_month[month]) if by_month[month] else None) for month in months]


def topics_for(summary):
    """Subjects the data raises, worded as topics for the appointment, never as advice."""
    topics = []
    fell = summary.items_fell
    trends = {row.ref: row.trend for row in summary.symptoms}

    def worse(*refs):
        return any(trends.get(ref) in ("new", "worse") for ref in refs)

    weight_down = any(change is not None and change <= -5
                      for change in (summary.change_from_usual, summary.change_from_visit))
    if weight_down or "swallowing" in fell or worse("swallowing", "choking_meals", "weight_loss"):
        topics.append(Topic("nutrition", "NICE NG42"))
    if fell.keys() & {"dyspnoea", "orthopnoea", "breathing_support"} or worse(
            "breathless_lying", "breathless_effort", "morning_headache", "poor_sleep", "weak_cough"):
        topics.append(Topic("breathing", "NICE NG42"))
    if summary.event_count("fall") >= 2 or any(f.key == "fall_injury" for _e, f in summary.red_flags):
        topics.append(Topic("falls", "NICE NG42"))
    if "speech" in fell or worse("slurred_speech", "voice_change"):
        topics.append(Topic("communication", "NICE NG42"))
    if "saliva" in fell or worse("drooling", "thick_mucus"):
        topics.append(Topic("saliva", "NICE NG42"))
    if worse("cramps", "stiffness", "spasms"):
        topics.append(Topic("cramps_stiffness", "NICE NG42"))
    if worse("low_mood", "emotional_lability", "thinking_change", "behaviour_change"):
        topics.append(Topic("mood_thinking", "NICE NG42"))
    scores = [score for _when, score in summary.carer_scores]
    if scores and mean(scores[-4:]) <= 3:
        topics.append(Topic("carer", "NICE NG42"))
    return topics

