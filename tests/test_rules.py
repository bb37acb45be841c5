"""Every alert rule on hand-made rows: it fires at its boundary and not just below it."""
from datetime import datetime, timedelta

import pytest

from caregiver import catalogue, rules
from caregiver.rows import EntryRow

NOW = datetime(2026, 6, 1, 9)


def row(entry_id, kind, days_ago=0, **values):
    fields = dict(symptom_key=None, custom_symptom_id=None, severity=None, region=None, side=None, frequency=None,
                  event_type=None, injured=None, mask_problem=None, value=None, name=None, dose=None, ended_on=None,
                  done_at=None, note=None, source="carer", reported_by_id=1)
    fields.update(values)
    when = NOW - timedelta(days=days_ago)
    return EntryRow(entry_id, kind, when, **fields, local=when)


def fires(key, entry, *earlier, scores=None, usual=None, height=None):
    history = rules.History(tuple(sorted((*earlier, entry), key=lambda r: r.occurred_at)), scores or {}, usual, height)
    return bool(rules.RULES_BY_KEY[key].raised_by(entry, history))


def test_every_rule_has_a_level_wording_threshold_and_source():
    for rule in rules.ALERT_RULES:
        assert rule.level in rules.LEVELS and str(rule.text) and str(rule.threshold) and rule.source, rule.key
        assert "diagnos" not in str(rule.text).lower()
    for level in rules.LEVELS.values():
        assert "worth" in str(level.advice).lower() and "care team" in str(level.advice).lower() or \
            "appointment" in str(level.advice).lower()


def test_logged_red_flags_fire_on_their_entry_and_severity():
    assert fires("choking", row(1, "event", event_type="choking"))
    assert not fires("choking", row(1, "event", event_type="near_fall"))
    assert fires("weak_cough", row(1, "symptom", symptom_key="weak_cough", severity=5))
    assert not fires("weak_cough", row(1, "symptom", symptom_key="weak_cough", severity=4))
    assert fires("low_mood", row(1, "symptom", symptom_key="low_mood", severity=8))
    assert not fires("low_mood", row(1, "symptom", symptom_key="low_mood", severity=7))
    assert fires("fall_injury", row(1, "event", event_type="fall", injured=True))
    assert not fires("fall_injury", row(1, "event", event_type="fall", injured=False))
    assert fires("niv_mask", row(1, "niv", value=6, mask_problem=True))
    assert not fires("niv_mask", row(1, "niv", value=6, mask_problem=False))
    assert fires("chest_infection", row(1, "event", event_type="chest_infection"))
    for key in ("breathless_rest", "sleepiness_confusion", "drinking_less", "breathless_lying", "morning_headache",
                "weight_loss"):
        assert key in catalogue.SYMPTOMS and fires(key, row(1, "symptom", symptom_key=key, severity=1))
        assert not fires(key, row(1, "symptom", symptom_key="cramps", severity=10))


def test_choking_at_meals_is_about_how_often_not_how_bad():
    at_meals = dict(symptom_key="choking_meals")
    assert fires("choking_meals", row(1, "symptom", frequency="many", **at_meals))
    assert fires("choking_meals", row(1, "symptom", frequency="constant", **at_meals))
    assert not fires("choking_meals", row(1, "symptom", frequency="few", severity=10, **at_meals))
    assert not fires("choking_meals", row(1, "symptom", severity=10, **at_meals))  # bad, but how often unknown
    rule = rules.RULES_BY_KEY["choking_meals"]
    assert rule.min_severity == 0 and set(rule.frequencies) == {"many", "constant"}
    assert "severity" not in str(rule.threshold).lower() and "of 10" not in str(rule.threshold)
    # The summary's red-flag box and the banner read the same rule.
    assert rules.logged_flag(row(1, "symptom", frequency="many", **at_meals)) is rule
    assert rules.logged_flag(row(1, "symptom", frequency="once", severity=10, **at_meals)) is None


def test_the_log_form_says_how_often_means_most_meals(client, carer):
    _user, patient_id = carer
    page = client.get(f"/patients/{patient_id}/new/symptom?symptom=choking_meals").get_data(as_text=True)
    hint = page.split('id="frequency-hint"', 1)[1].split("</p>", 1)[0]
    assert "at most meals" in hint and "many times today" in hint
    saved = client.post(f"/patients/{patient_id}/new/symptom", data={
        "symptom": "choking_meals", "severity": "3", "frequency": "many", "source": "carer",
        "occurred_at": "2026-01-05T13:00"})
    page = client.get(saved.location).get_data(as_text=True)
    assert "Choking or coughing at most meals: Worth telling the care team" in page


def checkin(entry_id, days_ago, total):
    return row(entry_id, "checkin", days_ago, value=float(total))


def test_breathing_answers_newly_at_two_or_below():
    before, now = checkin(1, 28, 40), checkin(2, 0, 38)
    assert fires("checkin_breathing", now, before, scores={1: {"orthopnoea": 3}, 2: {"orthopnoea": 2}})
    assert not fires("checkin_breathing", now, before, scores={1: {"orthopnoea": 4}, 2: {"orthopnoea": 3}})
    assert not fires("checkin_breathing", now, before, scores={1: {"orthopnoea": 2}, 2: {"orthopnoea": 2}})  # not new
    assert fires("checkin_breathing", now, scores={2: {"dyspnoea": 1}})  # the first check-in counts as new


def test_swallowing_down_two_since_the_last_checkin():
    before, now = checkin(1, 28, 40), checkin(2, 0, 38)
    assert fires("checkin_swallowing", now, before, scores={1: {"swallowing": 4}, 2: {"swallowing": 2}})
    assert not fires("checkin_swallowing", now, before, scores={1: {"swallowing": 4}, 2: {"swallowing": 3}})


def test_total_down_four_within_four_weeks():
    assert fires("checkin_total", checkin(2, 0, 36), checkin(1, 28, 40))
    assert not fires("checkin_total", checkin(2, 0, 37), checkin(1, 28, 40))
    assert not fires("checkin_total", checkin(2, 0, 36), checkin(1, 29, 40))  # longer than 4 weeks


def weight(entry_id, days_ago, kg):
    return row(entry_id, "weight", days_ago, value=kg)


def test_five_percent_lost_within_three_months():
    assert fires("weight_loss_3m", weight(2, 0, 76.0), weight(1, 90, 80.0))
    assert not fires("weight_loss_3m", weight(2, 0, 76.1), weight(1, 90, 80.0))
    assert not fires("weight_loss_3m", weight(2, 0, 76.0), weight(1, 92, 80.0))


def test_ten_percent_below_the_usual_weight():
    assert fires("weight_below_usual", weight(1, 0, 72.0), usual=80.0)
    assert not fires("weight_below_usual", weight(1, 0, 72.1), usual=80.0)
    assert not fires("weight_below_usual", weight(1, 0, 50.0))  # no usual weight known


def test_bmi_thresholds_of_nice_cg32():
    height = 180.0  # 18.5 * 1.8^2 = 59.94 kg; 20 * 1.8^2 = 64.8 kg
    assert fires("bmi_low", weight(1, 0, 59.9), height=height)
    assert not fires("bmi_low", weight(1, 0, 59.95), height=height)
    assert fires("bmi_low_losing", weight(2, 0, 64.7), weight(1, 150, 68.2), height=height)  # 5.1% lost
    assert not fires("bmi_low_losing", weight(2, 0, 64.7), weight(1, 150, 68.0), height=height)  # 4.9%
    assert not fires("bmi_low_losing", weight(2, 0, 64.9), weight(1, 150, 70.0), height=height)  # BMI 20.03


def nights(start_id, days_ago_from, count, hours):
    return [row(start_id + n, "niv", days_ago_from + n, value=hours) for n in range(count)]


def test_niv_hours_up_by_two_over_two_weeks():
    earlier = nights(100, 14, 7, 4.0)  # the week two weeks before
    recent = nights(10, 1, 6, 6.0)
    assert fires("niv_more", row(1, "niv", 0, value=6.0), *earlier, *recent)
    assert not fires("niv_more", row(1, "niv", 0, value=5.9), *earlier, *nights(10, 1, 6, 5.9))
    assert not fires("niv_more", row(1, "niv", 0, value=9.0))  # nothing to compare with


def test_two_falls_within_a_week():
    fall = dict(event_type="fall")
    assert fires("falls_week", row(2, "event", 0, **fall), row(1, "event", 6.9, **fall))
    assert not fires("falls_week", row(2, "event", 0, **fall), row(1, "event", 7, **fall))
    assert not fires("falls_week", row(2, "event", 0, **fall), row(1, "event", 1, event_type="near_fall"))


def test_home_device_readings_under_their_thresholds():
    assert fires("spo2_low", row(1, "measure", measure="spo2", value=93))
    assert not fires("spo2_low", row(1, "measure", measure="spo2", value=94))
    assert fires("cough_flow_low", row(1, "measure", measure="cough_flow", value=159))
    assert not fires("cough_flow_low", row(1, "measure", measure="cough_flow", value=160))
    assert not fires("cough_flow_low", row(1, "measure", measure="peak_flow", value=100))


def test_a_quiet_diary_after_fourteen_days():
    rule = rules.QUIET_DIARY
    assert rule.is_quiet(NOW - timedelta(days=14), NOW)
    assert not rule.is_quiet(NOW - timedelta(days=13, hours=23), NOW)
    assert not rule.is_quiet(None, NOW)


@pytest.mark.parametrize("rule", rules.ALERT_RULES, ids=lambda rule: rule.key)
def test_every_rule_is_tested_here(rule):
    source = open(__file__, encoding="utf-8").read()
    assert f'"{rule.key}"' in source or rule.key == "quiet_diary"
