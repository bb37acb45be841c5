"""The parts of a summary, made from plain rows by pure functions: no database and no Flask.

A test can build a whole Summary from hand-made rows (see DiaryRows); the trends page, the visit
summary, share links and the summary command all get theirs from summary.summary_for().
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from statistics import mean

from .. import catalogue, rules
from ..clock import to_local
from .. import maths
from ..tallies import SymptomTally, add_count, tally_rows


@dataclass(frozen=True)
class Profile:
    """What the summary needs of the patient's profile."""

    diagnosis: str = "als"
    onset_month: date | None = None
    feeding_tube: bool = False
    breathing_support: str = "none"
    usual_weight_kg: float | None = None
    height_cm: float | None = None

    @classmethod
    def of(cls, patient):
        return cls(patient.diagnosis, patient.onset_month, bool(patient.feeding_tube), patient.breathing_support,
                   patient.usual_weight_kg, patient.height_cm)


@dataclass(frozen=True)
class Shown:
    """The parts of the team's own a summary includes: all of them for the family; a share link
    includes those its maker chose (ShareLink.shows_*), and the summary is built without the rest."""

    names: bool = True  # the team's account names, with how many entries each made
    coping: bool = True  # the carer's own check: the coping scores, their notes, the topic they raise
    questions: bool = True  # the family's open questions for the appointment


EVERYTHING = Shown()


def month_of(local):
    return date(local.year, local.month, 1)


@dataclass(frozen=True)
class Period:
    since: datetime  # naive UTC, inclusive
    until: datetime  # naive UTC, exclusive
    tz: str
    visit_at: datetime | None = None  # the last appointment, which "new or worse" compares with

    @property
    def first_day(self):
        return to_local(self.since, self.tz).date()

    @property
    def last_day(self):
        """The last local day covered (until is exclusive)."""
        return to_local(self.until - timedelta(microseconds=1), self.tz).date()

    @property
    def days_covered(self):
        return max(1, (to_local(self.until, self.tz).date() - self.first_day).days)

    @property
    def months(self):
        """The first day of every calendar month the range touches."""
        months, month = [], month_of(to_local(self.since, self.tz))
        last = month_of(to_local(self.until - timedelta(seconds=1), self.tz))
        while month <= last:
            months.append(month)
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        return tuple(months)


@dataclass(frozen=True)
class DiaryRows:
    """What the summary reads from the diary for a period (summary.read.read_rows makes it)."""

    entries: tuple = ()  # EntryRow: live entries in the range except questions, oldest first
    checkin_scores: dict = field(default_factory=dict)  # check-in entry id: {domain: score}
    reporter_names: dict = field(default_factory=dict)  # account id: name
    weight_at_visit: float | None = None  # the last weight up to a day after the last appointment
    before_visit: tuple = ()  # (symptom ref, severity, times) in as long a time just before the appointment
    ever_before_visit: frozenset = frozenset()  # symptom refs logged at any time before the appointment
    open_questions: tuple = ()  # EntryRow
    medications: tuple = ()  # EntryRow: taken at some time in the range
    alerts: tuple = ()  # RaisedAlert: raised in the range, oldest first
    # The trends page reads whole months as tallies and not as entries; a printed summary leaves
    # these None and they are made from the entries.
    tallies: dict | None = None  # first of local month: tallies.Tally of the range's part of it
    symptom_names: dict | None = None  # the family's own symptoms, "custom-12": (name, group)
    since_visit: tuple | None = None  # (symptom ref, severity, times) in the range since the last appointment
    complete: bool = True  # False: entries holds only SERIES_KINDS (what the trends page shows one by one)
    # A printed summary without its appendix reads, of the other entries, only those it may name
    # (red flags and notes); the trends page leaves this None; from complete rows, it is the entries.
    marked: tuple | None = None  # EntryRow, oldest first: every red flag, and every note select_notes might choose


def most_first(counted):
    """The keys of (key, times, first time) rows, the most times first, then the earliest."""
    return [key for key, _times, _first in sorted(counted, key=lambda row: (-row[1], row[2], str(row[0])))]


def counted_part(tallies, names):
    """From the tallies: how many notes (notes_total), how many entries each source made
    (sources), where weakness was logged, most often first, and how many entries each account
    made, most first (entered_by: (name, entries); left out when `names` is None)."""
    reporters, weakness, accounts, sources = {}, {}, {}, Counter()
    for tally in tallies.values():
        for key, (times, first) in tally.reporters.items():
            add_count(reporters, key, times, first)
        for place, (times, first) in tally.weakness.items():
            add_count(weakness, place, times, first)
    for (user_id, source), (times, first) in reporters.items():
        add_count(accounts, user_id, times, first)
        sources[source] += times
    entered_by = () if names is None else tuple(
        (names.get(user_id) or "?", accounts[user_id][0])
        for user_id in most_first((user_id, times, first) for user_id, (times, first) in accounts.items()))
    places = most_first((place, times, first) for place, (times, first) in weakness.items())
    return {"notes_total": sum(tally.notes for tally in tallies.values()), "sources": dict(sources),
            "entered_by": entered_by, "weakness_places": tuple(places)}


# The kinds of entry the trends page shows one by one: points on a chart, rows of a table.
SERIES_KINDS = ("checkin", "weight", "niv", "carer", "measure")


@dataclass(frozen=True)
class RaisedAlert:
    rule: str  # a key of rules.RULES_BY_KEY
    level: str
    raised_at: datetime  # local
    seen_by: str | None
    done: bool


@dataclass(frozen=True)
class CheckInPoint:
    occurred_at: datetime
    total: int
    items: dict


@dataclass(frozen=True)
class Function:
    """The functional check-in over the range."""

    points: tuple = ()  # CheckInPoint, oldest first
    slope: float | None = None  # points a month over the range
    rate: float | None = None  # points lost a month since the first symptom (ΔFS)
    onset_months: float | None = None  # months from the first symptom to the latest check-in (rate's divisor)
    band: str | None = None
    areas_first: dict = field(default_factory=dict)
    areas_last: dict = field(default_factory=dict)
    items_fell: dict = field(default_factory=dict)  # domain: (first, last)
    kings_stage: str | None = None
    mitos_stage: int | None = None
    stages: str | None = None  # "validated" (ALS), "caveat" (catalogue.STAGES_WITH_CAVEAT_FOR) or None: not estimated

    @property
    def first(self):
        return self.points[0] if self.points else None

    @property
    def latest(self):
        return self.points[-1] if self.points else None

    @property
    def worse_items(self):
        """[(domain, start score, end score)] of the items that got worse, most points lost first."""
        return sorted(((domain, first, last) for domain, (first, last) in self.items_fell.items()),
                      key=lambda item: item[2] - item[1])

    @property
    def changes(self):
        """[(domain, first score, last score)] over the range, for all twelve domains."""
        if not self.points:
            return []
        first, last = self.points[0].items, self.points[-1].items
        return [(d, first.get(d), last.get(d)) for d in catalogue.CHECKIN_DOMAINS]


@dataclass(frozen=True)
class Weight:
    points: tuple = ()  # (when, kg), oldest first
    at_visit: float | None = None
    change_from_usual: float | None = None
    change_from_visit: float | None = None
    change_in_range: float | None = None
    bmi: float | None = None

    @property
    def latest(self):
        return self.points[-1][1] if self.points else None


@dataclass(frozen=True)
class Counts:
    """Events and symptom groups per calendar month, every month of the range present (zeros too)."""

    events: dict = field(default_factory=dict)  # month: Counter(event type)
    groups: dict = field(default_factory=dict)  # month: Counter(group)

    def event_count(self, event_type):
        return sum(counts[event_type] for counts in self.events.values())


@dataclass(frozen=True)
class SymptomRow:
    ref: str
    name: object  # the family's own name, or a lazy catalogue name (the reader's language)
    group: str
    first_logged: datetime
    last_logged: datetime
    times: int
    per_week: float
    typical: float | None
    worst: int | None
    trend: str | None  # new, worse, same, better (maths.symptom_trend)
    severity_by_month: tuple = ()  # (first of month, typical severity or None)


@dataclass(frozen=True)
class MeasureTrend:
    """One measure over the range, oldest first; a speaking rate only with readings of one passage."""

    measure: object  # catalogue.Measure
    passage: str | None
    points: tuple  # (local time, value)

    @property
    def first(self):
        return self.points[0][1]

    @property
    def latest(self):
        return self.points[-1][1]

    @property
    def latest_at(self):
        return self.points[-1][0]


def measures_part(measured):
    """A MeasureTrend per measure (and per passage of the speaking rate), in the catalogue's order."""
    series = defaultdict(list)
    for entry in measured:
        if entry.measure in catalogue.MEASURES and entry.value is not None:
            series[entry.measure, (entry.details or {}).get("passage")].append((entry.local, entry.value))
    order = list(catalogue.MEASURES)
    return tuple(MeasureTrend(catalogue.MEASURES[key], passage, tuple(points))
                 for (key, passage), points in sorted(series.items(), key=lambda item: (order.index(item[0][0]),
                                                                                       item[0][1] or "")))


@dataclass(frozen=True)
class Summary:
    profile: Profile
    period: Period
    # entries are None unless every entry was read (the appendix shows them); entered_by, red_flags,
    # topics, notes, notes_total, sources and weakness_places are None on the trends page
    entries: tuple  # EntryRow, oldest first
    logged_days: tuple  # local dates with at least one entry
    entered_by: tuple  # (account name, entries), most first
    function: Function
    weight: Weight
    counts: Counts
    symptoms: tuple  # SymptomRow, most logged first
    niv_hours: tuple  # (when, hours)
    carer_scores: tuple  # (when, score)
    red_flags: tuple  # (EntryRow, rules.Logged)
    topics: tuple  # catalogue.Topic
    open_questions: tuple
    medications: tuple
    notes: tuple  # the notes chosen for the summary (select_notes)
    notes_total: int  # every note in the range
    shown: Shown = EVERYTHING  # what of the team's own this summary includes
    alerts: tuple = ()  # RaisedAlert
    measures: tuple = ()  # MeasureTrend
    sources: dict | None = None  # entry source ("patient", "carer"): entries
    weakness_places: tuple | None = None  # where weakness was logged, most often first: (region, side)

    @property
    def measured_alerts(self):
        """Alerts of the rules that read the check-ins, weights, NIV and events (the red flags
        logged as such are counted in red_flag_counts)."""
        return [a for a in self.alerts if not isinstance(rules.RULES_BY_KEY.get(a.rule), rules.Logged)]

    @property
    def days_with_entries(self):
        return len(self.logged_days)

    def symptom(self, ref):
        return next((row for row in self.symptoms if row.ref == ref), None)

    def new_or_worse(self):
        return [row for row in self.symptoms if row.trend in ("new", "worse")]

    def reported_count(self, source):
        """Entries the patient reported themself ("patient"), or a carer observed ("carer")."""
        return self.sources.get(source, 0)

    @property
    def niv_recent_mean(self):
        """Mean hours on NIV a night over the last two weeks of the range."""
        recent = [hours for when, hours in self.niv_hours if when >= self.period.until - timedelta(days=14)]
        return mean(recent) if recent else None

    @property
    def carer_mean(self):
        return mean(score for _when, score in self.carer_scores) if self.carer_scores else None

    @property
    def red_flag_counts(self):
        """[(flag, times, last time)] for the red flags logged in the range."""
        seen = {}
        for entry, flag in self.red_flags:
            times, _last = seen.get(flag, (0, None))
            seen[flag] = (times + 1, entry.occurred_at)
        return [(flag, times, last) for flag, (times, last) in seen.items()]

    def entries_by_day(self, include_carer=True):
        """[(local date, entries)] oldest first; the carer's own check only if asked for."""
        days = defaultdict(list)
        for entry in self.entries:
            if include_carer or entry.kind != "carer":
                days[entry.local.date()].append(entry)
        return sorted(days.items())

    def current_medications(self):
        """Medicines still taken at the end of the range."""
        return [m for m in self.medications if not m.ended_on or m.ended_on > self.period.last_day]

    def medication_changes(self):
        """Medicines started or stopped within the range."""
        start_day, end_day = self.period.first_day, to_local(self.period.until, self.period.tz).date()
        return [m for m in self.medications
                if m.occurred_at >= self.period.since or (m.ended_on and start_day <= m.ended_on <= end_day)]


def function_part(checkins, scores, profile, tz):
    points = tuple(CheckInPoint(e.occurred_at, int(e.value), scores.get(e.id, {})) for e in checkins)
    slope = maths.slope_per_month([(p.occurred_at, p.total) for p in points])
    if not points:
        return Function(slope=slope)
    first, last = points[0], points[-1]
    stages = stages_for(profile.diagnosis)
    last_day = to_local(last.occurred_at, tz).date()
    rate = maths.progression_rate(last.total, profile.onset_month, last_day)
    return Function(
        points=points, slope=slope, rate=rate, band=maths.progression_band(rate),
        onset_months=maths.months_since_onset(profile.onset_month, last_day) if rate is not None else None,
        areas_first=maths.area_scores(first.items, catalogue.DOMAIN_AREA),
        areas_last=maths.area_scores(last.items, catalogue.DOMAIN_AREA),
        items_fell=maths.items_that_fell(first.items, last.items),
        kings_stage=maths.kings_stage(last.items, feeding_tube=profile.feeding_tube) if stages else None,
        mitos_stage=maths.mitos_stage(last.items) if stages else None,
        stages=stages,
    )


def stages_for(diagnosis):
    """How the estimated stages are shown for a diagnosis: they were validated in ALS only."""
    if diagnosis in catalogue.STAGES_VALIDATED_FOR:
        return "validated"
    return "caveat" if diagnosis in catalogue.STAGES_WITH_CAVEAT_FOR else None


def weight_part(weighings, profile, at_visit):
    points = tuple((e.occurred_at, e.value) for e in weighings)
    latest = points[-1][1] if points else None
    return Weight(
        points=points, at_visit=at_visit,
        change_from_usual=maths.percent_change(profile.usual_weight_kg, latest),
        change_from_visit=maths.percent_change(at_visit, latest),
        change_in_range=maths.percent_change(points[0][1], latest) if points else None,
        bmi=maths.bmi(latest, profile.height_cm),
    )


def group_of(ref, names):
    """A symptom's group: the family's own choice for their symptoms, else the catalogue's."""
    return names[ref][1] if ref in names else catalogue.SYMPTOMS[ref].group


def names_of(entries):
    """{ref: (name, group)} of the family's own symptoms among the entries."""
    return {e.ref: (e.custom_name, e.custom_group) for e in entries if e.kind == "symptom" and e.custom_name is not None}


def counts_part(tallies, months, names):
    events = {month: Counter() for month in months}
    groups = {month: Counter() for month in months}
    for month in months:
        tally = tallies.get(month)
        if tally is None:
            continue
        events[month].update(tally.events)
        for ref, symptom in tally.symptoms.items():
            groups[month][group_of(ref, names)] += symptom.count
    return Counts(events, groups)


def symptoms_part(tallies, names, period, before_visit, since_visit, ever_before_visit):
    """One row per symptom logged in the range, with its trend since the last appointment."""
    by_ref = defaultdict(SymptomTally)
    for tally in tallies.values():
        for ref, symptom in tally.symptoms.items():
            by_ref[ref].merge(symptom)
    visit_at = period.visit_at
    weeks = (period.until - visit_at).total_seconds() / 604800 if visit_at else None
    before, since = defaultdict(list), defaultdict(list)
    for ref, severity, times in before_visit:
        before[ref] += [severity] * times
    for ref, severity, times in since_visit:
        since[ref] += [severity] * times
    weeks_in_range = period.days_covered / 7
    months = period.months
    rows = []
    for ref, logged in by_ref.items():
        trend = None
        if visit_at:
            trend = maths.symptom_trend(
                maths.SymptomWindow(len(before[ref]), weeks, tuple(s for s in before[ref] if s is not None)),
                maths.SymptomWindow(len(since[ref]), weeks, tuple(s for s in since[ref] if s is not None)),
                ref in ever_before_visit,
            )
        rows.append(SymptomRow(
            ref=ref, name=names[ref][0] if ref in names else catalogue.SYMPTOMS[ref].name,
            group=group_of(ref, names), first_logged=logged.first, last_logged=logged.last,
            times=logged.count, per_week=logged.count / weeks_in_range if weeks_in_range else 0.0,
            typical=maths.median_of_counts(logged.severities),
            worst=max(logged.severities) if logged.severities else None,
            trend=trend, severity_by_month=tuple(
                (month, maths.median_of_counts(tallies[month].symptoms[ref].severities)
                 if month in tallies and ref in tallies[month].symptoms else None) for month in months),
        ))
    return tuple(sorted(rows, key=lambda row: (-row.times, row.ref)))


# A neurologist reads a handful of notes, not a year of them.
NOTES_SHOWN = 25


def select_notes(entries, red_flags):
    """The notes worth reading at the appointment, oldest first: those on red flags, events and
    appointments first, then the most recent others, NOTES_SHOWN at most."""
    flagged = {entry.id for entry, _flag in red_flags}
    noted = [e for e in entries if e.note and e.kind != "medication"]
    ranked = sorted(noted, key=lambda e: (e.id in flagged or e.kind in ("event", "visit"), e.occurred_at, e.id),
                    reverse=True)
    return tuple(sorted(ranked[:NOTES_SHOWN], key=lambda e: (e.occurred_at, e.id)))


def topics_for(profile, function, weight, symptoms, counts, red_flags, carer_scores):
    """The catalogue's topics that the data raises, in the catalogue's order (never as advice),
    each titled for the supports already in place (a feeding tube: living with it, not whether)."""
    trends = {row.ref: row.trend for row in symptoms}
    scores = [score for _when, score in carer_scores]
    further_rules = {
        "weight_down": any(change is not None and change <= -5
                           for change in (weight.change_from_usual, weight.change_from_visit)),
        "falls": counts.event_count("fall") >= 2 or any(flag.key == "fall_injury" for _entry, flag in red_flags),
        "carer_low": bool(scores) and mean(scores[-4:]) <= 3,
        "niv_mask": any(flag.key == "niv_mask" for _entry, flag in red_flags),
    }
    supports = catalogue.supports_in_place(profile.feeding_tube, profile.breathing_support)
    return tuple(
        replace(topic, title=topic.title_for(supports)) for topic in catalogue.TOPICS.values()
        if any(trends.get(ref) in ("new", "worse") for ref in topic.symptoms)
        or any(item in function.items_fell for item in topic.items)
        or (topic.also and further_rules[topic.also])
    )


def build(profile, period, rows, shown=EVERYTHING):
    """The whole summary of `period` from the rows read for it, with only the parts `shown`.

    From rows that are not complete, the entries are None; without marked entries either (the
    trends page's), so are the red flags, notes, who entered what, where and the topics."""
    entries = rows.entries if shown.coping else tuple(e for e in rows.entries if e.kind != "carer")
    if rows.tallies is not None and not shown.coping:
        raise ValueError("tallies count the carer's own entries")
    by_kind = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry)
    tallies = rows.tallies if rows.tallies is not None else tally_rows(entries)
    names = rows.symptom_names if rows.symptom_names is not None else names_of(entries)
    visit_at = period.visit_at
    since_visit = rows.since_visit
    if since_visit is None:
        logged = Counter((e.ref, e.severity) for e in by_kind["symptom"] if visit_at and e.occurred_at >= visit_at)
        since_visit = tuple((ref, severity, times) for (ref, severity), times in logged.items())
    function = function_part(by_kind["checkin"], rows.checkin_scores, profile, period.tz)
    weight = weight_part(by_kind["weight"], profile, rows.weight_at_visit)
    counts = counts_part(tallies, period.months, names)
    symptoms = symptoms_part(tallies, names, period, rows.before_visit, since_visit, rows.ever_before_visit)
    carer_scores = tuple((e.occurred_at, e.value) for e in by_kind["carer"])
    marked = entries if rows.complete else rows.marked
    named = {}
    if marked is not None:
        red_flags = tuple((e, flag) for e in marked if (flag := rules.logged_flag(e)))
        named = dict(red_flags=red_flags, notes=select_notes(marked, red_flags),
                     topics=topics_for(profile, function, weight, symptoms, counts, red_flags, carer_scores),
                     **counted_part(tallies, rows.reporter_names if shown.names else None))
    return Summary(
        profile=profile, period=period,
        logged_days=tuple(day for month in sorted(tallies) for day in tallies[month].day_dates(month)),
        function=function, weight=weight, counts=counts, symptoms=symptoms,
        niv_hours=tuple((e.occurred_at, e.value) for e in by_kind["niv"]), carer_scores=carer_scores,
        open_questions=rows.open_questions if shown.questions else (), medications=rows.medications,
        shown=shown, alerts=rows.alerts, measures=measures_part(by_kind["measure"]),
        entries=entries if rows.complete else None,
        **(named or dict.fromkeys(("red_flags", "notes", "topics", "notes_total", "entered_by"))),
    )
