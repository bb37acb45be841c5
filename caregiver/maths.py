"""Change over time as plain arithmetic, with no Flask: slopes, % change, stages, symptom trends.

The definitions follow shared/FACTS.md. Every estimate here is labelled "estimated" where shown.
"""
from dataclasses import dataclass
from datetime import datetime, time
from statistics import median

DAYS_PER_MONTH = 365.25 / 12
FULL_SCORE = 48


def months_between(start, end):
    return (end - start).total_seconds() / 86400 / DAYS_PER_MONTH


def slope_per_month(points):
    """Least-squares slope of (datetime, value) points, in units per month; None below two times."""
    if len({when for when, _value in points}) < 2:
        return None
    origin = min(when for when, _value in points)
    xs = [months_between(origin, when) for when, _value in points]
    ys = [value for _when, value in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread


def months_since_onset(onset, on):
    """Months from the first symptom (the first of its month) to the date `on`; None if unknown or not after it."""
    if onset is None:
        return None
    months = months_between(datetime.combine(onset, time()), datetime.combine(on, time()))
    return months if months > 0 else None


def progression_rate(total, onset, on):
    """ΔFS: points lost per month since the first symptom, (48 - total) / months; None if unknown.

    onset and on are dates (the onset is the first of its month).
    """
    months = months_since_onset(onset, on)
    if total is None or months is None:
        return None
    return (FULL_SCORE - total) / months


def progression_band(rate):
    """Kimura 2006: below 0.5 slow, 0.5 to 1 intermediate, 1 or more fast."""
    if rate is None:
        return None
    if rate < 0.5:
        return "slow"
    return "intermediate" if rate < 1 else "fast"


def percent_change(start, end):
    if start in (None, 0) or end is None:
        return None
    return (end - start) / start * 100


def bmi(weight_kg, height_cm):
    if not weight_kg or not height_cm:
        return None
    return weight_kg / (height_cm / 100) ** 2


# The four areas of the check-in and their domains (sub-scores of 12 each).
def area_scores(items, areas):
    """items: {domain: score}; areas: {domain: area}. Sums per area, only where all its items exist."""
    totals = {}
    for area in dict.fromkeys(areas.values()):
        domains = [d for d, a in areas.items() if a == area]
        if all(d in items for d in domains):
            totals[area] = sum(items[d] for d in domains)
    return totals


def kings_stage(items, feeding_tube=False):
    """King's clinical stage estimated from check-in items (Balendra et al. 2014).

    1-3: how many regions are involved (bulbar: speech, saliva or swallowing below 4; arms:
    handwriting or cutting below 4; legs: walking below 4). 4A: a feeding tube is needed (here: in
    place). 4B: breathing support or breathlessness at rest (breathing support below 4, or
    shortness of breath scored 0). Returns '1', '2', '3', '4A', '4B' or None without items.
    Two choices of ours (docs/stages.md): tube and breathing support both give 4B, and no region
    involved gives 1.
    """
    needed = {"speech", "saliva", "swallowing", "handwriting", "cutting", "walking", "dyspnoea",
              "breathing_support"}
    if not needed <= items.keys():
        return None
    if items["breathing_support"] < 4 or items["dyspnoea"] == 0:
        return "4B"
    if feeding_tube:
        return "4A"
    regions = (
        min(items["speech"], items["saliva"], items["swallowing"]) < 4,
        min(items["handwriting"], items["cutting"]) < 4,
        items["walking"] < 4,
    )
    return str(max(1, sum(regions)))


def mitos_stage(items):
    """MiToS stage estimated from check-in items (Chiò et al. 2015): how many of four domains are lost.

    Walking or self-care lost: walking ≤ 1 or dressing ≤ 1. Swallowing lost: swallowing ≤ 1.
    Communicating lost: speech ≤ 1 and handwriting ≤ 1. Breathing lost: shortness of breath ≤ 1
    or breathing support ≤ 2. Returns 0-4, or None without the items.
    """
    needed = {"walking", "dressing", "swallowing", "speech", "handwriting", "dyspnoea", "breathing_support"}
    if not needed <= items.keys():
        return None
    return sum((
        items["walking"] <= 1 or items["dressing"] <= 1,
        items["swallowing"] <= 1,
        items["speech"] <= 1 and items["handwriting"] <= 1,
        items["dyspnoea"] <= 1 or items["breathing_support"] <= 2,
    ))


@dataclass(frozen=True)
class SymptomWindow:
    """A symptom's entries in one time window: how many and how bad."""

    count: int
    weeks: float
    severities: tuple

    @property
    def per_week(self):
        return self.count / self.weeks if self.weeks else 0.0

    @property
    def typical(self):
        return median(self.severities) if self.severities else None


def median_of_counts(counts):
    """The median of values given as {value: times}, as statistics.median gives it for the values
    written out (the middle one, or the mean of the middle two); None for none."""
    total = sum(counts.values())
    if not total:
        return None
    low_at, high_at = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_at:
            low = value
        if seen > high_at:
            high = value
            break
    return low if total % 2 else (low + high) / 2


def symptom_trend(before, since, ever_before):
    """New, worse, same or better since the last visit, by this rule:

    - new: logged since, and never logged before the last visit;
    - worse: typical (median) severity up by 2 or more, or logged at least 1.5 times as often
      and at least once a week more;
    - better: typical severity down by 2 or more, or logged at most half as often;
    - same: otherwise. None when it was not logged since.
    `before` is the window of the same length just before the last visit.
    """
    if since.count == 0:
        return None
    if not ever_before:
        return "new"
    if since.typical is not None and before.typical is not None:
        if since.typical - before.typical >= 2:
            return "worse"
        if before.typical - since.typical >= 2:
            return "better"
    if since.per_week >= 1.5 * before.per_week and since.per_week - before.per_week >= 1:
        return "worse"
    if before.per_week and since.per_week <= 0.5 * before.per_week:
        return "better"
    return "same"


def items_that_fell(first, last):
    """Check-in domains whose score is lower at the end than at the start: {domain: (from, to)}."""
    return {d: (first[d], last[d]) for d in first if d in last and last[d] < first[d]}
