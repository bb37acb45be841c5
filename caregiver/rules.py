"""Red flags and alert thresholds as data, each with its level and source (shared/FACTS.md).

One table, ALERT_RULES, read by the alerts (alerts.py), the visit summary's red-flag box, the
red-flags explainer and the tests. Every rule's wording says what was logged and that it is worth
telling the care team; none says what the illness is doing. The rules are pure: they read plain
rows (rows.EntryRow) and return the entries that raised them.
"""
from dataclasses import dataclass
from datetime import timedelta
from statistics import mean


from .i18n import lazy_gettext as _l
from .maths import bmi

URGENT, SOON, APPOINTMENT = "urgent", "soon", "appointment"


@dataclass(frozen=True)
class Level:
    name: object
    advice: object
    push: bool  # reaches members by Web Push unless they choose otherwise
    email: bool  # and by e-mail


LEVELS = {
    URGENT: Level(_l("Urgent"), _l("Worth telling the care team today."), push=True, email=True),
    SOON: Level(_l("Soon"), _l("Worth telling the care team in the next few days."), push=True, email=False),
    APPOINTMENT: Level(_l("Next appointment"), _l("Worth raising at the next appointment."), push=False,
                       email=False),
}

NICE_NG42 = "NICE NG42"
NICE_CG32 = "NICE CG32"
PRO_ACT = _l("PRO-ACT data: about 1 point a month on average")


@dataclass(frozen=True)
class History:
    """What a rule may read besides the entry just saved: the diary's recent rows, oldest first."""

    rows: tuple = ()  # rows.EntryRow of the kinds the rules read (weight, checkin, niv, event, ...)
    checkin_scores: dict = None  # check-in entry id: {domain: score}
    usual_weight_kg: float | None = None
    height_cm: float | None = None

    def of_kind(self, kind, since=None, before=None):
        return [r for r in self.rows if r.kind == kind and (since is None or r.occurred_at >= since)
                and (before is None or r.occurred_at < before)]

    def scores(self, entry):
        return (self.checkin_scores or {}).get(entry.id, {})


@dataclass(frozen=True)
class Rule:
    key: str
    level: str
    text: object  # what was logged, for the alert and the summary
    threshold: object  # the rule in words, for the explainer and the summary
    source: str
    kinds: tuple = ()  # the entry kinds whose saving makes the rule look

    def raised_by(self, entry, history):
        """The ids of the entries that raise this rule now that `entry` is saved; () if none."""
        raise NotImplementedError


@dataclass(frozen=True)
class Logged(Rule):
    """One logged entry is the red flag: a symptom or event, sometimes only when bad or frequent."""

    match: str = ""  # symptom key or event type (or, for other kinds, the kind itself)
    min_severity: int = 0
    frequencies: tuple = ()  # only at these frequencies (catalogue.FREQUENCIES)
    flag: str = ""  # only when this yes/no field of the entry is ticked

    def matches(self, entry):
        if entry.kind != self.kinds[0] or logged_what(entry) != self.match:
            return False
        if self.flag and not getattr(entry, self.flag, None):
            return False
        if self.frequencies and entry.frequency not in self.frequencies:
            return False
        return (entry.severity or 0) >= self.min_severity

    def raised_by(self, entry, history):
        return (entry.id,) if self.matches(entry) else ()


def symptom_flag(key, level, text, threshold, source=NICE_NG42, **options):
    return Logged(key, level, text, threshold, source, ("symptom",), match=options.pop("match", key), **options)


def event_flag(key, level, text, threshold, source=NICE_NG42, **options):
    return Logged(key, level, text, threshold, source, ("event",), match=options.pop("match", key), **options)


def previous_checkin(entry, history):
    earlier = [r for r in history.of_kind("checkin", before=entry.occurred_at) if r.id != entry.id]
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class CheckInItemsLow(Rule):
    """Any of `items` newly at `at_most` or below (it was higher at the last check-in, or there was none)."""

    items: tuple = ()
    at_most: int = 2

    def raised_by(self, entry, history):
        if entry.kind != "checkin":
            return ()
        now, before = history.scores(entry), history.scores(previous_checkin(entry, history) or entry)
        newly = [d for d in self.items if d in now and now[d] <= self.at_most
                 and (before is now or before.get(d, 4) > self.at_most)]
        return (entry.id,) if newly else ()


@dataclass(frozen=True)
class CheckInItemDrop(Rule):
    """An item down by `by` or more since the last check-in."""

    item: str = ""
    by: int = 2

    def raised_by(self, entry, history):
        previous = previous_checkin(entry, history) if entry.kind == "checkin" else None
        if previous is None:
            return ()
        now, before = history.scores(entry).get(self.item), history.scores(previous).get(self.item)
        return (previous.id, entry.id) if None not in (now, before) and before - now >= self.by else ()


@dataclass(frozen=True)
class CheckInTotalDrop(Rule):
    """The total down by `points` or more from any check-in in the `days` before this one."""

    points: int = 4
    days: int = 28

    def raised_by(self, entry, history):
        if entry.kind != "checkin":
            return ()
        window = [r for r in history.of_kind("checkin", since=entry.occurred_at - timedelta(days=self.days),
                                            before=entry.occurred_at) if r.id != entry.id]
        higher = [r for r in window if r.value - entry.value >= self.points]
        return (higher[0].id, entry.id) if higher else ()


def weight_lost(entry, history, percent, days):
    """(heaviest earlier weighing, this one) when `percent` or more was lost within `days`, else ()."""
    earlier = [r for r in history.of_kind("weight", since=entry.occurred_at - timedelta(days=days),
                                         before=entry.occurred_at) if r.id != entry.id]
    heaviest = max(earlier, key=lambda r: r.value, default=None)
    if heaviest is None or (heaviest.value - entry.value) / heaviest.value * 100 < percent:
        return ()
    return (heaviest.id, entry.id)


@dataclass(frozen=True)
class WeightLoss(Rule):
    """`percent` or more below the highest weight of the `days` before."""

    percent: float = 5
    days: int = 91

    def raised_by(self, entry, history):
        return weight_lost(entry, history, self.percent, self.days) if entry.kind == "weight" else ()


@dataclass(frozen=True)
class WeightBelowUsual(Rule):
    percent: float = 10

    def raised_by(self, entry, history):
        usual = history.usual_weight_kg
        if entry.kind != "weight" or not usual:
            return ()
        return (entry.id,) if (usual - entry.value) / usual * 100 >= self.percent else ()


@dataclass(frozen=True)
class BmiBelow(Rule):
    """BMI under `below`; with `loss_percent`, only when that much was lost within `days` too."""

    below: float = 18.5
    loss_percent: float | None = None
    days: int = 183

    def raised_by(self, entry, history):
        value = bmi(entry.value, history.height_cm) if entry.kind == "weight" else None
        if value is None or value >= self.below:
            return ()
        if self.loss_percent is None:
            return (entry.id,)
        return weight_lost(entry, history, self.loss_percent, self.days)


@dataclass(frozen=True)
class NivHoursRise(Rule):
    """Mean hours a night over the last week up by `hours` or more on the week `days` before."""

    hours: float = 2
    days: int = 14

    def raised_by(self, entry, history):
        if entry.kind != "niv":
            return ()
        week = timedelta(days=7)
        recent = history.of_kind("niv", since=entry.occurred_at - week + timedelta(seconds=1))
        start = entry.occurred_at - timedelta(days=self.days)
        earlier = history.of_kind("niv", since=start - week, before=start)
        if not earlier or mean(r.value for r in recent) - mean(r.value for r in earlier) < self.hours:
            return ()
        return (entry.id,)


@dataclass(frozen=True)
class EventsWithin(Rule):
    """`count` or more of an event within `days`."""

    event: str = "fall"
    count: int = 2
    days: int = 7

    def raised_by(self, entry, history):
        if entry.kind != "event" or entry.event_type != self.event:
            return ()
        since = entry.occurred_at - timedelta(days=self.days) + timedelta(seconds=1)
        found = [r for r in history.of_kind("event", since=since) if r.event_type == self.event
                 and r.occurred_at <= entry.occurred_at]
        ids = tuple(dict.fromkeys([r.id for r in found] + [entry.id]))
        return ids if len(ids) >= self.count else ()


@dataclass(frozen=True)
class MeasureBelow(Rule):
    """A measure (catalogue.MEASURES) under `below`."""

    measure: str = ""
    below: float = 0

    def raised_by(self, entry, history):
        if entry.kind != "measure" or entry.measure != self.measure or entry.value is None:
            return ()
        return (entry.id,) if entry.value < self.below else ()


@dataclass(frozen=True)
class QuietDiary(Rule):
    """No entry at all for `days`: a prompt for the team, checked every day rather than on saving."""

    days: int = 14

    def is_quiet(self, last_entry_at, now):
        return last_entry_at is not None and now - last_entry_at >= timedelta(days=self.days)

    def raised_by(self, entry, history):
        return ()


ALERT_RULES = (
    # Logged red flags (shared/FACTS.md, "Red flags: contact the care team promptly").
    event_flag("choking", URGENT, _l("Choking episode"), _l("Any choking episode logged")),
    symptom_flag("breathless_rest", URGENT, _l("Breathless at rest or while talking"),
                 _l("Logged at any severity")),
    event_flag("chest_infection", URGENT, _l("Signs of a chest infection"), _l("Any chest infection logged")),
    event_flag("fall_injury", URGENT, _l("Fall with injury"), _l("A fall logged as hurt or injured"),
               match="fall", flag="injured"),
    symptom_flag("low_mood", URGENT, _l("Severe low mood"), _l("Low mood logged at 8 of 10 or worse"),
                 min_severity=8),
    symptom_flag("breathless_lying", SOON, _l("Breathless lying flat"), _l("Logged at any severity")),
    symptom_flag("morning_headache", SOON, _l("Morning headache (can be a sign of weak breathing at night)"),
                 _l("Logged at any severity")),
    symptom_flag("sleepiness_confusion", SOON, _l("New daytime sleepiness, confusion or nightmares"),
                 _l("Logged at any severity")),
    symptom_flag("weak_cough", SOON, _l("Cough too weak to clear phlegm"), _l("Weak cough logged at 5 of 10 or worse"),
                 min_severity=5),
    symptom_flag("choking_meals", SOON, _l("Choking or coughing at most meals"),
                 _l("Logged as happening many times a day or all the time"), frequencies=("many", "constant")),
    symptom_flag("weight_loss", SOON, _l("Weight loss without trying"), _l("Logged at any severity")),
    symptom_flag("drinking_less", SOON, _l("Drinking less"), _l("Logged at any severity")),
    Logged("niv_mask", SOON, _l("Problems with the breathing mask"), _l("NIV logged with a mask problem"),
           NICE_NG42, ("niv",), match="niv", flag="mask_problem"),
    # Rules that read the structured entries.
    CheckInItemsLow("checkin_breathing", SOON, _l("Breathing answers in the check-in are low"),
                    _l("Short of breath, breathing lying flat or breathing support newly at 2 or below"),
                    NICE_NG42, ("checkin",), items=("dyspnoea", "orthopnoea", "breathing_support"), at_most=2),
    CheckInItemDrop("checkin_swallowing", SOON, _l("Swallowing is down in the check-in"),
                    _l("Swallowing down 2 or more since the last check-in"), NICE_NG42, ("checkin",),
                    item="swallowing", by=2),
    CheckInTotalDrop("checkin_total", APPOINTMENT, _l("The check-in total fell quickly"),
                     _l("The total down 4 or more within 4 weeks"), PRO_ACT, ("checkin",), points=4, days=28),
    WeightLoss("weight_loss_3m", SOON, _l("Weight fell"), _l("%(percent)d%% or more lost within 3 months", percent=5),
               NICE_NG42, ("weight",), percent=5, days=91),
    WeightBelowUsual("weight_below_usual", SOON, _l("Weight is well below the usual"),
                     _l("%(percent)d%% or more below the usual weight", percent=10), NICE_CG32, ("weight",), percent=10),
    BmiBelow("bmi_low", SOON, _l("BMI is low"), _l("BMI under 18.5"), NICE_CG32, ("weight",), below=18.5),
    BmiBelow("bmi_low_losing", SOON, _l("BMI is low and weight is falling"),
             _l("BMI under 20 with %(percent)d%% or more lost within 6 months", percent=5), NICE_CG32, ("weight",), below=20,
             loss_percent=5, days=183),
    NivHoursRise("niv_more", SOON, _l("More hours on the breathing machine"),
                 _l("Hours a night up by 2 or more over two weeks"), NICE_NG42, ("niv",), hours=2, days=14),
    EventsWithin("falls_week", SOON, _l("Several falls"), _l("2 or more falls within a week"), NICE_NG42,
                 ("event",), event="fall", count=2, days=7),
    # Readings from home devices (shared/FACTS.md, "Thresholds for alerts and measures").
    MeasureBelow("spo2_low", URGENT, _l("Oxygen level (SpO2) under 94%"), _l("An SpO2 reading under 94%"),
                 NICE_NG42, ("measure",), measure="spo2", below=94),
    MeasureBelow("cough_flow_low", SOON, _l("Peak cough flow under 160 L/min: ask about help to clear phlegm"),
                 _l("A peak cough flow reading under 160 L/min"), "ERS/ATS", ("measure",), measure="cough_flow",
                 below=160),
    QuietDiary("quiet_diary", APPOINTMENT, _l("Nothing logged for two weeks"),
               _l("No entries for 14 days: a prompt, not a warning"), _l("MND Diary"), (), days=14),
)
RULES_BY_KEY = {rule.key: rule for rule in ALERT_RULES}
LOGGED_FLAGS = tuple(rule for rule in ALERT_RULES if isinstance(rule, Logged))
QUIET_DIARY = RULES_BY_KEY["quiet_diary"]
# The kinds of entry the rules read as history, and how far back.
HISTORY_KINDS = ("weight", "checkin", "niv", "event")
HISTORY_DAYS = 200


def logged_what(entry):
    """What a Logged rule matches an entry by: its symptom, its event, or for other kinds the kind."""
    return {"symptom": entry.symptom_key, "event": entry.event_type}.get(entry.kind, entry.kind)


# The logged red flags by (kind, what they match), in the table's order: an entry tries only its own.
LOGGED_FLAGS_BY_MATCH = {}
for _rule in LOGGED_FLAGS:
    LOGGED_FLAGS_BY_MATCH.setdefault((_rule.kinds[0], _rule.match), []).append(_rule)


def logged_flag(entry):
    """The red flag one entry is, if any: for the 'worth telling the care team' banner and the summary."""
    candidates = LOGGED_FLAGS_BY_MATCH.get((entry.kind, logged_what(entry)), ())
    return next((rule for rule in candidates if rule.matches(entry)), None)


def raised(entry, history):
    """[(rule, entry ids)] for every rule that saving `entry` raises."""
    found = []
    for rule in ALERT_RULES:
        if entry.kind in rule.kinds and (ids := rule.raised_by(entry, history)):
            found.append((rule, ids))
    return found
