"""Trend arithmetic on hand-made data with known answers, including empty and one-entry ranges."""
from datetime import date, datetime, timedelta

import pytest

from caregiver import maths
from caregiver.rows import EntryRow
from caregiver.maths import SymptomWindow
from caregiver.summary.parts import DiaryRows, Period, Profile, Shown, build

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
    (scores(breathing_support=3, speech=3), True, "4B"),  # tube and NIV both: 4B (docs/stages.md)
    (ALL_FOUR, False, "1"),  # no region scored below 4: stage 1, never 0 (docs/stages.md)
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


def row(entry_id, kind, days, **values):
    """A diary entry as the summary reads it, `days` after 1 March 2026 (UTC)."""
    when = datetime(2026, 3, 1, 10) + timedelta(days=days)
    fields = dict(symptom_key=None, custom_symptom_id=None, severity=None, region=None, side=None, frequency=None,
                  event_type=None, injured=None, mask_problem=None, value=None, name=None, dose=None, ended_on=None, done_at=None, note=None,
                  source="carer", reported_by_id=1)
    fields.update(values)
    return EntryRow(entry_id, kind, when, **fields, local=when)


def test_a_summary_is_built_from_hand_made_rows_without_a_database():
    period = Period(datetime(2026, 3, 1), datetime(2026, 5, 1), "UTC", visit_at=datetime(2026, 4, 1))
    entries = (
        row(1, "checkin", 0, value=40.0), row(2, "weight", 0, value=80.0), row(3, "symptom", 5, symptom_key="cramps",
                                                                            severity=3),
        row(4, "event", 35, event_type="fall", injured=True, note="in the garden"),
        row(5, "symptom", 40, symptom_key="drooling", severity=4), row(6, "weight", 45, value=75.0),
        row(7, "checkin", 50, value=36.0),
    )
    rows = DiaryRows(entries=entries, checkin_scores={1: {"swallowing": 4, "walking": 4}, 7: {"swallowing": 3,
                                                                                                "walking": 2}},
                     reporter_names={1: "Priya"}, before_visit=(("cramps", 3, 1),), ever_before_visit=frozenset({"cramps"}))
    summary = build(Profile(usual_weight_kg=80.0, height_cm=180.0, onset_month=date(2025, 3, 1)), period, rows)
    assert summary.function.latest.total == 36 and summary.function.items_fell == {"swallowing": (4, 3),
                                                                                 "walking": (4, 2)}
    assert summary.function.rate == pytest.approx((48 - 36) / maths.months_between(
        datetime(2025, 3, 1), datetime(2026, 4, 20)))
    assert summary.weight.change_from_usual == pytest.approx(-6.25) and summary.weight.latest == 75.0
    assert {r.ref: r.trend for r in summary.symptoms} == {"cramps": None, "drooling": "new"}
    assert summary.counts.event_count("fall") == 1 and summary.entered_by == (("Priya", 7),)
    assert [flag.key for _entry, flag in summary.red_flags] == ["fall_injury"]
    assert [topic.key for topic in summary.topics] == ["nutrition", "falls", "saliva"]
    assert [e.id for e in summary.notes] == [4] and summary.days_with_entries == 6  # two on the first day


def test_page_one_facts_come_with_the_summary_start_total_rate_divisor_worse_items_and_medicines():
    period = Period(datetime(2026, 3, 1), datetime(2026, 5, 1), "UTC")
    entries = (
        row(1, "checkin", 0, value=40.0),
        row(2, "medication", -200, name="Riluzole", dose="50 mg twice a day"),  # before the range, still taken
        row(3, "medication", -100, name="Quinine", ended_on=date(2026, 3, 20)),  # stopped in the range
        row(4, "medication", 10, name="Baclofen"),  # started in the range
        row(5, "medication", -300, name="Amitriptyline", ended_on=date(2026, 6, 1)),  # stopped after it
        row(7, "checkin", 50, value=36.0),
    )
    rows = DiaryRows(entries=entries, medications=tuple(e for e in entries if e.kind == "medication"),
                     checkin_scores={1: {"speech": 4, "walking": 4, "dressing": 3},
                                     7: {"speech": 3, "walking": 2, "dressing": 3}})
    summary = build(Profile(onset_month=date(2025, 3, 1)), period, rows)
    function = summary.function
    assert (function.first.total, function.latest.total) == (40, 36)
    assert function.onset_months == pytest.approx(maths.months_between(datetime(2025, 3, 1), datetime(2026, 4, 20)))
    assert function.rate == pytest.approx((48 - 36) / function.onset_months)
    assert function.worse_items == [("walking", 4, 2), ("speech", 4, 3)]  # most points lost first
    assert [m.name for m in summary.current_medications()] == ["Riluzole", "Baclofen", "Amitriptyline"]
    assert [m.name for m in summary.medication_changes()] == ["Quinine", "Baclofen"]
    assert build(Profile(), period, rows).function.onset_months is None  # no first symptom, no formula


def test_a_summary_leaves_out_the_parts_not_shown():
    """What a share link keeps back is not in its summary at all, not merely hidden on the page."""
    period = Period(datetime(2026, 3, 1), datetime(2026, 5, 1), "UTC")
    entries = (row(1, "symptom", 1, symptom_key="cramps", severity=3),
               *(row(n, "carer", n, value=2.0, note="I cannot sleep", reported_by_id=2) for n in range(2, 6)))
    question = row(9, "question", 3, note="Is there a trial he could join?")
    rows = DiaryRows(entries=entries, reporter_names={1: "Priya", 2: "Arjun"}, open_questions=(question,))
    everything = build(Profile(), period, rows)
    assert everything.entered_by == (("Arjun", 4), ("Priya", 1)) and everything.open_questions == (question,)
    assert everything.carer_mean == 2.0 and "carer_low" in {topic.also for topic in everything.topics}
    kept_back = build(Profile(), period, rows, Shown(names=False, coping=False, questions=False))
    assert kept_back.entered_by == () and kept_back.open_questions == () and kept_back.carer_scores == ()
    assert [e.kind for e in kept_back.entries] == ["symptom"] and kept_back.notes == ()
    assert "carer_low" not in {topic.also for topic in kept_back.topics}  # the topic would tell the score


def stages_of(diagnosis):
    """The estimated stages a summary shows for a diagnosis, with two check-ins that involve two regions."""
    period = Period(datetime(2026, 3, 1), datetime(2026, 5, 1), "UTC")
    items = scores(walking=3, speech=3, swallowing=1)
    rows = DiaryRows(entries=(row(1, "checkin", 0, value=float(sum(items.values()))),),
                     checkin_scores={1: items})
    function = build(Profile(diagnosis=diagnosis), period, rows).function
    return function.stages, function.kings_stage, function.mitos_stage


@pytest.mark.parametrize("diagnosis, shown", [
    ("als", "validated"),
    ("pls", "caveat"), ("pma", "caveat"), ("pbp", "caveat"), ("undiagnosed", "caveat"),
    ("other", None),  # not validated, and we cannot tell what the illness is: not estimated
])
def test_the_stages_shown_follow_the_diagnosis(diagnosis, shown):
    assert stages_of(diagnosis) == ((shown, "2", 1) if shown else (None, None, None))


def topics_with(profile):
    """{topic key: title} raised by a swallowing score and breathing score that fell, for a profile."""
    period = Period(datetime(2026, 3, 1), datetime(2026, 5, 1), "UTC")
    rows = DiaryRows(entries=(row(1, "checkin", 0, value=48.0), row(2, "checkin", 30, value=45.0)),
                     checkin_scores={1: scores(), 2: scores(swallowing=3, orthopnoea=3, breathing_support=3)})
    return {topic.key: str(topic.title) for topic in build(profile, period, rows).topics}


def test_topics_follow_the_profile():
    before = topics_with(Profile())
    assert "whether a feeding tube would help" in before["nutrition"]
    assert "breathing support (NIV)" in before["breathing"]
    with_both = topics_with(Profile(feeding_tube=True, breathing_support="niv"))
    assert "Living with the feeding tube" in with_both["nutrition"] and "whether" not in with_both["nutrition"]
    assert "Using NIV" in with_both["breathing"] and "mask fit" in with_both["breathing"]
    tube_only = topics_with(Profile(feeding_tube=True))
    assert "Living with the feeding tube" in tube_only["nutrition"] and tube_only["breathing"] == before["breathing"]
    tracheostomy = topics_with(Profile(breathing_support="invasive"))
    assert "tracheostomy" in tracheostomy["breathing"] and tracheostomy["nutrition"] == before["nutrition"]


def test_a_mask_problem_raises_the_breathing_topic():
    period = Period(datetime(2026, 3, 1), datetime(2026, 5, 1), "UTC")
    rows = DiaryRows(entries=(row(1, "niv", 3, value=7.0, mask_problem=True),))
    topics = build(Profile(breathing_support="niv"), period, rows).topics
    assert [(topic.key, "mask fit" in str(topic.title)) for topic in topics] == [("breathing", True)]
