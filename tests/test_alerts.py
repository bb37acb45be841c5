"""Alerts as records: raised once by the entries, seen by the whole team, acknowledged, snoozed,
escalated to the owners on a controlled clock; reminders and the weekly digest."""
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from caregiver import alerts, reminders, rules
from caregiver.clock import to_utc, utc_now
from caregiver.extensions import db
from caregiver.models import Alert, Delivery, Entry, Membership, Patient, PushSubscription, User

from .conftest import make_patient, make_user, sign_in
from .mailbox import html_of, text_of


@pytest.fixture
def team(app):
    """Ravi's diary: Priya manages it, Arjun logs, Meera reads; all with confirmed addresses, one phone each."""
    ids = {name: make_user(app, f"{name}@example.org", name.title()) for name in ("priya", "arjun", "meera")}
    patient_id = make_patient(app, ids["priya"], members=[(ids["arjun"], "log"), (ids["meera"], "read")])
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.email_confirmed_at = utc_now()
            db.session.add(PushSubscription(user_id=user.id, endpoint=f"https://push.example/{user.id}",
                                            p256dh="x", auth="y"))
        db.session.commit()
    return patient_id, ids


def log_choking(client, patient_id):
    return client.post(f"/patients/{patient_id}/new/event", data={
        "event_type": "choking", "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M"), "source": "carer"})


def the_alerts(app):
    with app.app_context():
        return db.session.scalars(select(Alert)).all()


def deliveries(app, **where):
    with app.app_context():
        query = select(Delivery)
        for name, value in where.items():
            query = query.where(getattr(Delivery, name) == value)
        return db.session.scalars(query).all()


def test_a_choking_episode_raises_one_alert_that_every_member_sees_until_acknowledged(app, client, team):
    patient_id, ids = team
    sign_in(client, "arjun@example.org")
    log_choking(client, patient_id)
    [alert] = the_alerts(app)
    assert (alert.rule, alert.level) == ("choking", "urgent")
    for name in ("priya", "arjun", "meera"):
        member = app.test_client()
        sign_in(member, f"{name}@example.org")
        home = member.get(f"/patients/{patient_id}/").get_data(as_text=True)
        assert "Choking episode" in home and "I have seen this" in home, name
    meera = app.test_client()
    sign_in(meera, "meera@example.org")
    meera.post(f"/patients/{patient_id}/alerts/{alert.id}/seen")
    priya = app.test_client()
    sign_in(priya, "priya@example.org")
    home = priya.get(f"/patients/{patient_id}/").get_data(as_text=True)
    assert "Seen by Meera at" in home and "I have seen this" not in home
    # Everyone hears of it: a push to each phone and, being urgent, an e-mail to each confirmed address.
    assert {d.user_id for d in deliveries(app, channel="push", kind="alert")} == set(ids.values())
    assert {d.address for d in deliveries(app, channel="email", kind="alert")} == {
        "priya@example.org", "arjun@example.org", "meera@example.org"}


def test_done_with_a_note_and_the_history_links_each_entry_to_its_alert(app, client, team):
    patient_id, _ids = team
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    [alert] = the_alerts(app)
    history = client.get(f"/patients/{patient_id}/history").get_data(as_text=True)
    assert f'href="/patients/{patient_id}/alerts/{alert.id}"' in history and "Alert: Choking episode" in history
    client.post(f"/patients/{patient_id}/alerts/{alert.id}/done", data={"note": "GP called, all right now"})
    page = client.get(f"/patients/{patient_id}/alerts/{alert.id}").get_data(as_text=True)
    assert "GP called, all right now" in page and "by Priya at" in page
    assert 'class="alert-card' not in client.get(f"/patients/{patient_id}/").get_data(as_text=True)
    assert "Done" in client.get(f"/patients/{patient_id}/alerts").get_data(as_text=True)


def test_a_snoozed_alert_comes_back_when_its_time_is_up(app, client, team):
    patient_id, _ids = team
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    [alert] = the_alerts(app)
    client.post(f"/patients/{patient_id}/alerts/{alert.id}/snooze", data={"hours": "4"})
    with app.app_context():
        assert alerts.on_home(patient_id) == []
        assert [a.id for a in alerts.on_home(patient_id, now=utc_now() + timedelta(hours=4, minutes=1))] == [alert.id]


def test_entries_sent_later_from_a_phone_raise_their_alert_once_even_when_replayed(app, client, team):
    patient_id, _ids = team
    sign_in(client, "arjun@example.org")
    batch = {"entries": [{"uuid": str(uuid.uuid4()), "kind": "event", "tz": "Europe/London",
                          "fields": {"event_type": "choking", "occurred_at": "2026-11-30T02:10"}}]}
    for _replay in range(3):
        assert client.post(f"/patients/{patient_id}/sync", json=batch).status_code == 200
    assert len(the_alerts(app)) == 1
    assert len(deliveries(app, channel="push", kind="alert")) == 3  # one per member's phone, once


def test_a_second_red_flag_of_the_same_rule_joins_the_open_alert(app, client, team):
    patient_id, _ids = team
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    log_choking(client, patient_id)
    [alert] = the_alerts(app)
    with app.app_context():
        assert len(db.session.get(Alert, alert.id).entries) == 2
    client.post(f"/patients/{patient_id}/alerts/{alert.id}/done", data={})
    log_choking(client, patient_id)
    assert len(the_alerts(app)) == 2  # once done, a new episode is a new alert


def log_weight_below_usual(app, client, patient_id):
    """Priya weighs Ravi at 71.5 kg, more than 10% below his usual 80 kg."""
    with app.app_context():
        db.session.get(Patient, patient_id).usual_weight_kg = 80.0
        db.session.commit()
    sign_in(client, "priya@example.org")
    client.post(f"/patients/{patient_id}/new/weight", data={"weight": "71.5", "source": "carer",
                                                            "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M")})


def test_structured_rules_raise_alerts_from_the_forms(app, client, team):
    patient_id, _ids = team
    log_weight_below_usual(app, client, patient_id)
    assert [a.rule for a in the_alerts(app)] == ["weight_below_usual"]


def urgent_alert(app, patient_id, raised_at):
    with app.app_context():
        alert = Alert(patient_id=patient_id, key=f"choking:{uuid.uuid4()}", rule="choking", level="urgent",
                      raised_at=raised_at)
        db.session.add(alert)
        db.session.commit()
        return alert.id


def test_an_urgent_alert_no_one_sees_goes_to_the_owners_and_repeats(app, team):
    patient_id, ids = team
    raised = utc_now() - timedelta(hours=3)
    alert_id = urgent_alert(app, patient_id, raised)
    with app.app_context():
        alerts.escalate(now=raised + timedelta(minutes=29))
        assert deliveries(app, kind="alert") == []
        alerts.escalate(now=raised + timedelta(minutes=30))
        first = deliveries(app, kind="alert")
        assert {d.user_id for d in first} == {ids["priya"]} and {d.channel for d in first} == {"push", "email"}
        alerts.escalate(now=raised + timedelta(minutes=45))
        assert len(deliveries(app, kind="alert")) == 2
        alerts.escalate(now=raised + timedelta(minutes=60))
        assert len(deliveries(app, kind="alert")) == 4
        alerts.snooze(db.session.get(Alert, alert_id), db.session.get(User, ids["arjun"]), 1,
                      now=raised + timedelta(minutes=61))
        alerts.escalate(now=raised + timedelta(minutes=95))
        assert len(deliveries(app, kind="alert")) == 4  # a snooze holds
        alerts.escalate(now=raised + timedelta(minutes=125))
        assert len(deliveries(app, kind="alert")) == 6  # and then it goes on
        alerts.mark_seen(db.session.get(Alert, alert_id), db.session.get(User, ids["arjun"]))
        alerts.escalate(now=raised + timedelta(minutes=200))
        assert len(deliveries(app, kind="alert")) == 6


def test_the_escalation_time_is_a_setting_of_the_diary(app, client, team):
    patient_id, _ids = team
    sign_in(client, "priya@example.org")
    client.post(f"/patients/{patient_id}/alerts/schedule", data={"escalate_after_minutes": "10", "days_weight": "7",
                                                                  "days_checkin": "28", "days_carer": "0"})
    raised = utc_now() - timedelta(hours=1)
    urgent_alert(app, patient_id, raised)
    with app.app_context():
        assert db.session.get(Patient, patient_id).reminder_days["carer"] == 0
        alerts.escalate(now=raised + timedelta(minutes=10))
    assert deliveries(app, kind="alert")


def test_quiet_hours_hold_back_all_but_urgent_alerts(app, team):
    patient_id, ids = team
    with app.app_context():
        meera = db.session.get(User, ids["meera"])
        meera.timezone, meera.quiet_from, meera.quiet_until = "Europe/London", "22:00", "07:00"
        db.session.commit()
        night = to_utc(datetime(2030, 11, 30, 23, 30), "Europe/London")  # in the future: a hold is never in the past
        morning = to_utc(datetime(2030, 12, 1, 7, 0), "Europe/London")
        assert alerts.quiet_until(meera, night) == morning
        assert alerts.quiet_until(meera, to_utc(datetime(2030, 12, 1, 12), "Europe/London")) is None
        soon = Alert(patient_id=patient_id, key="breathless_lying:x", rule="breathless_lying", level="soon")
        urgent = Alert(patient_id=patient_id, key="choking:x", rule="choking", level="urgent")
        db.session.add_all([soon, urgent])
        db.session.commit()
        alerts.tell_team(soon, now=night)
        alerts.tell_team(urgent, now=night)
        soon_id, urgent_id = soon.id, urgent.id
    held = {d.params["alert_id"]: d.next_attempt_at for d in deliveries(app, channel="push", user_id=ids["meera"])}
    assert held[soon_id] == morning and held[urgent_id] < morning


def test_each_member_chooses_levels_and_channels(app, client, team):
    patient_id, ids = team
    sign_in(client, "meera@example.org")
    client.post(f"/patients/{patient_id}/alerts/settings", data={"email_soon": "y"})  # no push at all, e-mail for soon
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.user_id == ids["meera"]))
        assert (membership.push_levels, membership.email_levels) == ([], ["soon"])
        alert = Alert(patient_id=patient_id, key="breathless_lying:y", rule="breathless_lying", level="soon")
        db.session.add(alert)
        db.session.commit()
        alerts.tell_team(alert)
    meera = [(d.channel, d.kind) for d in deliveries(app, user_id=ids["meera"])]
    assert meera == [("email", "alert")]


def test_alert_emails_say_worth_telling_the_team_and_respect_no_health_details(app, client, team, mailbox):
    patient_id, ids = team
    with app.app_context():
        db.session.get(User, ids["meera"]).private_emails = True
        db.session.commit()
    sign_in(client, "priya@example.org")
    log_choking(client, patient_id)
    mailbox.wait_for(3)
    [to_priya], [to_meera] = mailbox.to("priya@example.org"), mailbox.to("meera@example.org")
    assert "Choking episode" in text_of(to_priya) and "Worth telling the care team today." in text_of(to_priya)
    assert "Choking" not in to_priya["Subject"] and "Ravi" not in to_priya["Subject"]
    assert "Choking" not in text_of(to_meera) and "Choking" not in html_of(to_meera)
    assert "/alerts/" in text_of(to_meera)


def test_a_diary_quiet_for_two_weeks_prompts_the_team_once(app, team):
    patient_id, _ids = team
    with app.app_context():
        db.session.add(Entry(patient_id=patient_id, kind="symptom", symptom_key="cramps",
                             occurred_at=utc_now() - timedelta(days=20)))
        db.session.commit()
        alerts.check_quiet_diaries(now=utc_now() - timedelta(days=7))  # 13 days quiet then
        assert the_alerts(app) == []
        alerts.check_quiet_diaries()
        alerts.check_quiet_diaries()
    [alert] = the_alerts(app)
    assert (alert.rule, alert.level) == ("quiet_diary", rules.APPOINTMENT)


def test_reminders_are_due_when_not_logged_and_go_out_once_a_day_at_nine(app, client, team):
    patient_id, ids = team
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.timezone = "Asia/Kolkata"
        db.session.add(Entry(patient_id=patient_id, kind="weight", value=70, occurred_at=utc_now() - timedelta(days=3)))
        db.session.commit()
        due = dict(reminders.due(db.session.get(Patient, patient_id)))
        assert "weight" not in due and {"checkin", "carer"} <= due.keys()
        nine = to_utc(datetime.combine(utc_now().date(), datetime.min.time()).replace(hour=9), "Asia/Kolkata")
        reminders.send_reminders(now=nine + timedelta(hours=1))  # ten o'clock: not the hour
        assert deliveries(app, kind="reminder") == []
        reminders.send_reminders(now=nine)
        reminders.send_reminders(now=nine + timedelta(minutes=5))  # a second scheduler, same hour
    sent = deliveries(app, kind="reminder")
    # Priya and Arjun log, so both get the check-in and carer reminders; Meera only reads: none by default.
    assert sorted((d.user_id, d.params["reminder"]) for d in sent) == sorted(
        (ids[name], key) for name in ("priya", "arjun") for key in ("checkin", "carer"))
    sign_in(client, "priya@example.org")
    home = client.get(f"/patients/{patient_id}/").get_data(as_text=True)
    assert "Due: Functional check-in, every 4 weeks" in home and "Due: Weight" not in home


def test_the_weekly_digest_comes_on_monday_morning_in_the_members_language(app, team, mailbox):
    patient_id, ids = team
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.user_id == ids["arjun"]))
        membership.weekly_digest = True
        db.session.add(Entry(patient_id=patient_id, kind="event", event_type="fall",
                             occurred_at=utc_now() - timedelta(days=2)))
        db.session.commit()
        monday = datetime(2026, 11, 30, 8, 0)  # a Monday, 08:00 in London (UTC in winter)
        reminders.send_digests(now=to_utc(monday, "Europe/London") + timedelta(hours=1))
        assert deliveries(app, kind="digest") == []
        reminders.send_digests(now=to_utc(monday, "Europe/London"))
        reminders.send_digests(now=to_utc(monday, "Europe/London") + timedelta(minutes=30))
    [digest] = mailbox.wait_for(1)
    assert digest["To"] == "arjun@example.org" and digest["Subject"] == "This week in the diary"
    assert "Ravi" in text_of(digest)


def test_the_visit_summary_lists_the_alerts_and_says_it_cannot_catch_every_red_flag(app, client, team):
    import io

    from pypdf import PdfReader

    patient_id, _ids = team
    log_weight_below_usual(app, client, patient_id)
    client.post(f"/patients/{patient_id}/alerts/{the_alerts(app)[0].id}/seen")
    log_choking(client, patient_id)
    pdf = client.get(f"/patients/{patient_id}/report/summary.pdf?range=3m")
    page_one = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "Choking episode: 1 time" in page_one
    assert "Weight is well below the usual (10% or more below the usual weight)" in page_one
    assert "seen by Priya" in page_one
    assert "It cannot catch every red flag." in page_one
    explainer = client.get("/explain/red-flags").get_data(as_text=True)
    assert "The diary cannot catch every red flag." in explainer
    assert all(str(rule.text) in explainer for rule in rules.ALERT_RULES)
