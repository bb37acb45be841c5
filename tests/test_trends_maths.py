"""Trend arithmetic on hand-made data with known answers, including empty and one-entry ranges."""
from datetime import date, datetime, timedelta

import pytest

from caregiver.trends import maths
from caregiver.trends.maths import SymptomWindow

START = datetime(2026, 1, 1)


def month(n):
    return START + timedelta(days=maths.DAYS_PER_MONTH * n)


def test_slope_of_a_straight_decline_is_exact():
    points = [(month(n), 40 - 1.5 * n) for n in range(6)]
    assert maths.slope_per_month(points) == pytest.approx(-1.5)


def test_slope_is_a_least_squares_fit():
    # x = 0, 1, 2 months; y = 40, 38, 39: slope = sum((x-1)(y-39)) / sum((x-1)^2) = (-1*1 + 0 + 1*0) / 2
    points = [(month(0), 40), (month(1), 38), (month(2), 39)]
    assert maths.slope_per_month(points) == pytest.approx(-0.5)


@pytest.mark.parametrize("points", [[], [(month(0), 40)], [(month(1), 40), (month(1), 38)]])
def test_slope_needs_two_different_times(points):
    assert maths.slope_per_month(points) is None


def test_progression_rate_since_onset():
    # 12 points lost over 12 months: 1.0 a month, "fast" (Kimura: 1 or more).
    rate = maths.progression_rate(36, date(2025, 1, 1), date(2026, 1, 1))
    assert rate == pytest.approx(12 / (365 / maths.DAYS_PER_MONTH))
    assert maths.progression_band(0.49) == "slow"
    assert maths.progression_band(0.5) == "intermediate"
    assert maths.progression_band(0.99) == "intermediate"
    assert maths.progression_band(1.0) == "fast"
    assert maths.progression_rate(40, None, date(2026, 1, 1)) is None
    assert maths.progression_rate(None, date(2025, 1, 1), date(2026, 1, 1)) is None
    assert maths.progression_rate(40, date(2026, 1, 1), date(2026, 1, 1)) is None


def test_percent_change_and_bmi():
    assert maths.percent_change(80, 76) == pytest.approx(-5.0)
    assert maths.percent_change(0, 76) is None and maths.percent_change(None, 76) is None
    assert maths.percent_change(80, None) is None
    assert maths.bmi(70, 175) == pytest.approx(22.857, abs=0.001)
    assert maths.bmi(70, None) is None


ALL_FOUR = {"speech": 4, "saliva": 4, "swallowing": 4, "handwriting": 4, "cutting": 4, "dressing": 4,
            "turning": 4, "walking": 4, "stairs": 4, "dyspnoea": 4, "orthopnoea": 4, "breathing_support": 4}
AREAS = {"speech": "bulbar", "saliva": "bulbar", "swallowing": "bulbar", "handwriting": "fine", "cutting": "fine",
         "dressing": "fine", "turning": "gross", "walking": "gross", "stairs": "gross", "dyspnoea": "breathing",
         "orthopnoea": "breathing", "breathing_support": "breathing"}


def scores(**changes):
    return {**ALL_FOUR, **changes}


def test_area_sub_scores():
    assert maths.area_scores(scores(speech=2, walking=3), AREAS) == {"bulbar": 10, "fine": 12, "gross": 11,
                                                                      "breathing": 12}
    assert maths.area_scores({"speech": 2}, AREAS) == {}


@pytest.mark.parametrize("items, tube, stage", [
    (scores(handwriting=3), False, "1"),
    (scores(handwriting=3, walking=3), False, "2"),
    (scores(handwriting=3, walking=3, speech=3), False, "3"),
    (scores(speech=3), True, "4A"),
    (scores(breathing_support=2), True, "4B"),
    (scores(dyspnoea=0), False, "4B"),
    ({"speech": 3}, False, None),
])
def test_kings_stage(items, tube, stage):
    assert maths.kings_stage(items, feeding_tube=tube) == stage


@pytest.mark.parametrize("items, stage", [
    (ALL_FOUR, 0),
    (scores(walking=1), 1),
    (scores(dressing=0, swallowing=1), 2),
    (scores(speech=1), 0),  # communicating is lost only when speech and writing both are
    (scores(speech=1, handwriting=0, breathing_support=2), 2),
    (scores(walking=0, swallowing=0, speech=0, handwriting=0, dyspnoea=1), 4),
    ({}, None),
])
def test_mitos_stage(items, stage):
    assert maths.mitos_stage(items) == stage


def window(count, severities=(), weeks=4):
    return SymptomWindow(count=count, weeks=weeks, severities=tuple(severities))


@pytest.mark.parametrize("before, since, ever_before, trend", [
    (window(0), window(0), False, None),
    (window(0), window(2, [3]), False, "new"),
    (window(0), window(2, [3]), True, "same"),  # logged long ago, quiet just before the visit
    (window(4, [3, 3, 4, 4]), window(4, [5, 6, 6, 5]), True, "worse"),  # median 3.5 -> 5.5
    (window(4, [5, 6]), window(4, [3, 4]), True, "better"),
    (window(4, [3]), window(10, [3]), True, "worse"),  # 1 -> 2.5 a week
    (window(8, [3]), window(4, [3]), True, "better"),  # half as often
    (window(4, [3, 4]), window(5, [4, 4]), True, "same"),
])
def test_symptom_trend_rule(before, since, ever_before, trend):
    assert maths.symptom_trend(before, since, ever_before) == trend


def test_items_that_fell():
    assert maths.items_that_fell(scores(), scores(walking=2, speech=3)) == {"walking": (4, 2), "speech": (4, 3)}
