"""The clinic's side: staff, the family's consent, the dashboard of linked families, every read
recorded for the family, acknowledging, requests, summaries made ahead, and who can never see what."""
import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from caregiver import clinics
from caregiver.clock import utc_now
from caregiver.extensions import db
from caregiver.models import (
    Alert, CheckInItem, Clinic, ClinicInvite, ClinicLink, ClinicStaff, Delivery, Entry, Membership, Patient,
    PreparedSummary, User,
)

from .conftest import make_patient, make_user, sign_in

DOMAINS = ("speech", "saliva", "swallowing", "handwriting", "cutting", "dressing", "turning", "walking", "stairs",
           "dyspnoea", "orthopnoea", "breathing_support")


def client_of(app, email):
    client = app.test_client()
    sign_in(client, email)
    return client


def add_checkin(patient_id, when, scores):
    entry = Entry(patient_id=patient_id, kind="checkin", occurred_at=when, value=sum(scores))
    entry.checkin_items = [CheckInItem(domain=domain, score=score) for domain, score in zip(DOMAINS, scores)]
    db.session.add(entry)


@pytest.fixture
def world(app):
    """Sheffield (admin Ada, nurse Anna) follows Ravi's diary (Priya owns it, Arjun logs); Leeds
    (Bob) follows nobody; Sita's diary is linked to no clinic."""
    ids = {name: make_user(app, f"{name}@example.org", name.title()) for name in
           ("ada", "anna", "bob", "priya", "arjun", "sita")}
    ravi = make_patient(app, ids["priya"], members=[(ids["arjun"], "log")], onset_month=date(2025, 6, 1),
                        usual_weight_kg=80.0)
    sita = make_patient(app, ids["sita"], name="Sita")
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.email_confirmed_at = utc_now()
        sheffield = clinics.create_clinic("Sheffield MND", db.session.get(User, ids["ada"]))
        db.session.add(ClinicStaff(clinic=sheffield, user_id=ids["anna"], role="clinician", profession="nurse"))
        leeds = clinics.create_clinic("Leeds MND", db.session.get(User, ids["bob"]))
        db.session.commit()
        clinics.link_clinic(db.session.get(Patient, ravi), sheffield, db.session.get(User, ids["priya"]), False)
        now = utc_now()
        add_checkin(ravi, now - timedelta(days=27), [4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4])  # 42
        add_checkin(ravi, now - timedelta(days=2), [3, 4, 3, 2, 2, 3, 3, 2, 2, 4, 4, 4])  # 36
        for days, kg in ((80, 80.0), (40, 78.0), (3, 76.0)):
            db.session.add(Entry(patient_id=ravi, kind="weight", occurred_at=now - timedelta(days=days), value=kg))
        db.session.add(Entry(patient_id=ravi, kind="visit", name="Dr Okafor", occurred_at=now + timedelta(days=3)))
        db.session.add(Entry(patient_id=sita, kind="symptom", symptom_key="cramps", severity=3,
                             occurred_at=now - timedelta(days=1)))
        db.session.commit()
        return {"ids": ids, "ravi": ravi, "sita": sita, "sheffield": sheffield.id, "leeds": leeds.id,
                "code": sheffield.link_code}


def log_choking(client, patient_id):
    return client.post(f"/patients/{patient_id}/new/event", data={
        "event_type": "choking", "occurred_at": utc_now().strftime("%Y-%m-%dT%H:%M"), "source": "carer"})


def test_flask_clinic_create_makes_an_admin_or_sends_an_admin_invite(app, mailbox):
    make_user(app, "lead@example.org", "Lead")
    runner = app.test_cli_runner()
    made = runner.invoke(args=["clinic", "create", "Utrecht ALS", "--admin", "lead@example.org"])
    assert made.exit_code == 0 and "lead@example.org is its admin" in made.output
    invited = runner.invoke(args=["clinic", "create", "Bonn ALS", "--admin", "new@example.org"])
    assert invited.exit_code == 0 and "/clinic/join/" in invited.output
    with app.app_context():
        utrecht = db.session.scalar(select(Clinic).where(Clinic.name == "Utrecht ALS"))
        assert [s.role for s in utrecht.staff] == ["admin"]
        assert db.session.scalar(select(ClinicInvite.role).where(ClinicInvite.email == "new@example.org")) == "admin"
    mailbox.wait_for(1)
    assert mailbox.messages[0]["To"] == "new@example.org"
    assert "Bonn ALS" not in mailbox.messages[0]["Subject"]


def test_staff_join_by_an_invite_that_works_once(app, world):
    ada = client_of(app, "ada@example.org")
    page = ada.post(f"/clinic/{world['sheffield']}/staff", data={
        "email": "", "role": "clinician", "profession": "dietitian", "language": "en"}).get_data(as_text=True)
    link = re.search(r'value="(http://[^"]+/clinic/join/[^"]+)"', page).group(1)
    path = link.split("localhost", 1)[1]
    newcomer_id = make_user(app, "dee@example.org", "Dee")
    dee = client_of(app, "dee@example.org")
    assert dee.post(path).status_code == 302
    assert dee.get(f"/clinic/{world['sheffield']}/").status_code == 200
    other = client_of(app, "sita@example.org")
    assert other.post(path).status_code == 410
    with app.app_context():
        assert clinics.staff_member(world["sheffield"], newcomer_id).profession == "dietitian"
    # A clinician cannot manage the staff.
    assert dee.get(f"/clinic/{world['sheffield']}/staff").status_code == 403


def test_the_owner_links_with_the_code_after_a_consent_page_and_can_end_it(app, world):
    priya = client_of(app, "sita@example.org")  # Sita's own diary, not linked yet
    sita = world["sita"]
    wrong = priya.post(f"/patients/{sita}/clinics", data={"code": "NOPE1234"})
    assert wrong.status_code == 200 and "No clinic has this code" in wrong.get_data(as_text=True)
    asked = priya.post(f"/patients/{sita}/clinics", data={"code": world["code"].lower()})
    consent = priya.get(asked.headers["Location"]).get_data(as_text=True)
    assert "The staff of Sheffield MND will see" in consent and "the visit summary and the trends" in consent
    assert "coping check" in consent
    priya.post(f"/patients/{sita}/clinics/consent", data={"code": world["code"], "full_history": "y"})
    with app.app_context():
        link = clinics.active_link(sita, world["sheffield"])
        assert link.full_history is True
    anna = client_of(app, "anna@example.org")
    assert anna.get(f"/clinic/{world['sheffield']}/families/{sita}/history").status_code == 200
    priya.post(f"/patients/{sita}/clinics/{link.id}/end")
    assert anna.get(f"/clinic/{world['sheffield']}/families/{sita}/").status_code == 404  # at once
    # Only those who manage the team decide.
    arjun = client_of(app, "arjun@example.org")
    assert arjun.get(f"/patients/{world['ravi']}/clinics").status_code == 403


def test_the_dashboard_shows_each_linked_family_with_its_figures(app, world):
    priya = client_of(app, "priya@example.org")
    log_choking(priya, world["ravi"])
    anna = client_of(app, "anna@example.org")
    page = anna.get(f"/clinic/{world['sheffield']}/").get_data(as_text=True)
    assert "Ravi" in page and "Sita" not in page
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "1 open (1 urgent)" in text
    assert "36 of 48" in text and "a month over 4 weeks" in text and "lost a month since the first symptom" in text
    assert "-5.0%" in text  # 80 to 76 kg within 3 months
    assert "Estimated: King's stage" in text
    with app.app_context():
        [row] = clinics.dashboard(world["sheffield"])
        assert row.slope < 0 and row.checkin_total == 36 and row.open_alerts == 1 and row.urgent_alerts == 1
        assert row.next_appointment_at is not None and row.days_quiet(utc_now()) == 0
    assert "Ravi" in anna.get(f"/clinic/{world['sheffield']}/?show=appointment").get_data(as_text=True)
    assert "Ravi" not in anna.get(f"/clinic/{world['sheffield']}/?show=quiet").get_data(as_text=True)


def test_filters_and_order_put_who_needs_a_call_first(app, world):
    with app.app_context():
        sheffield = db.session.get(Clinic, world["sheffield"])
        owner = db.session.get(User, world["ids"]["priya"])
        quiet = make_patient(app, world["ids"]["priya"], name="Quiet Family")
        db.session.add(Entry(patient_id=quiet, kind="symptom", symptom_key="cramps", severity=2,
                             occurred_at=utc_now() - timedelta(days=20)))
        db.session.commit()
        clinics.link_clinic(db.session.get(Patient, quiet), sheffield, owner, False)
        rows = clinics.dashboard_view(world["sheffield"], "quiet")
        assert [r.name for r in rows] == ["Quiet Family"]
        assert [r.name for r in clinics.dashboard_view(world["sheffield"], "declining")] == ["Ravi"]
        assert [r.name for r in clinics.dashboard_view(world["sheffield"], "all", "name")] == ["Quiet Family", "Ravi"]


def test_the_dashboard_takes_the_same_few_queries_for_three_families_or_thirty(app, world):
    def queries_for_dashboard():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        with app.app_context():
            engine = db.engine
            event.listen(engine, "before_cursor_execute", listener)
            try:
                clinics.dashboard(world["sheffield"])
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    few = queries_for_dashboard()
    with app.app_context():
        sheffield = db.session.get(Clinic, world["sheffield"])
        owner = db.session.get(User, world["ids"]["priya"])
        for number in range(30):
            patient_id = make_patient(app, world["ids"]["priya"], name=f"Family {number}")
            add_checkin(patient_id, utc_now() - timedelta(days=number + 1), [3] * 12)
            db.session.commit()
            clinics.link_clinic(db.session.get(Patient, patient_id), sheffield, owner, False)
    assert queries_for_dashboard() == few <= 8


def test_every_read_by_the_clinic_is_recorded_and_the_family_sees_it(app, world):
    anna = client_of(app, "anna@example.org")
    base = f"/clinic/{world['sheffield']}/families/{world['ravi']}"
    assert anna.get(f"{base}/").status_code == 200
    assert anna.get(f"{base}/trends").status_code == 200
    pdf = anna.get(f"{base}/summary.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.headers["Cache-Control"] == "no-store"
    assert "Ravi" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    priya = client_of(app, "priya@example.org")
    page = priya.get(f"/patients/{world['ravi']}/clinics").get_data(as_text=True)
    assert page.count("Nurse of Sheffield MND opened") == 3
    assert "the trends" in page and "the visit summary PDF" in page and "the alerts" in page


ROUTES = ("GET /", "GET /trends", "GET /summary.pdf", "GET /history", "POST /alerts/{alert}/seen", "POST /requests")


def family_routes(clinic_id, patient_id, alert_id):
    for route in ROUTES:
        method, path = route.split(" ")
        yield method, f"/clinic/{clinic_id}/families/{patient_id}{path.format(alert=alert_id)}"


def test_no_one_outside_a_standing_link_reads_or_changes_a_diary(app, world):
    """The access matrix: every clinic page of a family, for everyone who must not see it: 404."""
    priya = client_of(app, "priya@example.org")
    log_choking(priya, world["ravi"])
    with app.app_context():
        alert_id = db.session.scalar(select(Alert.id))
    ravi, sita, sheffield, leeds = world["ravi"], world["sita"], world["sheffield"], world["leeds"]
    tried = 0

    def refused(client, clinic_id, patient_id, who, routes=None):
        nonlocal tried
        for method, path in family_routes(clinic_id, patient_id, alert_id):
            if routes and not any(path.endswith(r) for r in routes):
                continue
            response = client.open(path, method=method, data={"text": "hello"})
            tried += 1
            assert response.status_code == 404, (who, method, path, response.status_code)
            assert b"Ravi" not in response.data and b"Sita" not in response.data, (who, path)

    bob = client_of(app, "bob@example.org")
    refused(bob, leeds, ravi, "staff of another clinic, through their own clinic")
    refused(bob, sheffield, ravi, "staff of another clinic, through this clinic")
    refused(priya, sheffield, ravi, "a family member on clinic pages")
    ada = client_of(app, "ada@example.org")
    refused(ada, sheffield, sita, "the clinic's admin, without the family's consent")
    anna = client_of(app, "anna@example.org")
    refused(anna, sheffield, ravi, "history without consent to it", routes=("/history",))
    assert bob.get(f"/clinic/{sheffield}/").status_code == 404
    assert priya.get(f"/clinic/{sheffield}/").status_code == 404
    # Staff who leave lose every access at once.
    with app.app_context():
        clinics.remove_staff(clinics.staff_member(sheffield, world["ids"]["anna"]))
    refused(anna, sheffield, ravi, "staff after leaving")
    assert anna.get(f"/clinic/{sheffield}/").status_code == 404
    # A family that unlinks: nobody at the clinic sees it any more.
    with app.app_context():
        clinics.unlink(clinics.active_link(ravi, sheffield))
    refused(ada, sheffield, ravi, "after the family unlinked")
    assert "Ravi" not in ada.get(f"/clinic/{sheffield}/").get_data(as_text=True)
    # Staff never reach the family's own pages, nor change the diary.
    assert ada.get(f"/patients/{ravi}/").status_code == 404
    assert log_choking(ada, ravi).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Alert.clinic_seen_at)) is None
    assert tried >= 30


def test_the_family_sees_that_the_clinic_has_seen_an_alert_with_the_role_and_the_name_if_shown(app, world):
    priya = client_of(app, "priya@example.org")
    log_choking(priya, world["ravi"])
    with app.app_context():
        alert_id = db.session.scalar(select(Alert.id))
    anna = client_of(app, "anna@example.org")
    anna.post(f"/clinic/{world['sheffield']}/families/{world['ravi']}/alerts/{alert_id}/seen")
    home = priya.get(f"/patients/{world['ravi']}/").get_data(as_text=True)
    assert "The clinic has seen this: Nurse," in home
    ada = client_of(app, "ada@example.org")
    ada.post(f"/clinic/{world['sheffield']}/settings", data={"push_urgent": "y", "email_urgent": "y",
                                                             "show_names": "y"})
    home = priya.get(f"/patients/{world['ravi']}/").get_data(as_text=True)
    assert "The clinic has seen this: Nurse (Anna)," in home
    # The family's own acknowledgement is separate: the alert is still open for the family.
    assert "I have seen this" in home


def test_staff_hear_of_alerts_by_their_own_choice_only_while_linked(app, world):
    anna = client_of(app, "anna@example.org")
    anna.post(f"/clinic/{world['sheffield']}/settings", data={"email_urgent": "y"})  # e-mail, urgent only
    priya = client_of(app, "priya@example.org")
    log_choking(priya, world["ravi"])
    with app.app_context():
        to_anna = db.session.scalars(select(Delivery).where(Delivery.user_id == world["ids"]["anna"])).all()
        assert [(d.channel, d.kind) for d in to_anna] == [("email", "alert")]
        assert to_anna[0].params["clinic_id"] == world["sheffield"]
        assert not db.session.scalars(select(Delivery).where(Delivery.user_id == world["ids"]["bob"])).all()
        clinics.unlink(clinics.active_link(world["ravi"], world["sheffield"]))
        db.session.execute(db.update(Alert).values(done_at=utc_now(), open_for=None))
        db.session.commit()
    log_choking(priya, world["ravi"])
    with app.app_context():
        assert len(db.session.scalars(select(Delivery).where(Delivery.user_id == world["ids"]["anna"])).all()) == 1


def test_a_staff_alert_email_links_to_the_clinic_page_of_the_family(app, world, mailbox):
    priya = client_of(app, "priya@example.org")
    log_choking(priya, world["ravi"])
    mailbox.wait_for(4)  # Priya and Arjun, and the clinic's Ada and Anna (urgent: e-mail by default)
    to_anna = [m for m in mailbox.messages if m["To"] == "anna@example.org"]
    assert len(to_anna) == 1
    assert f"/clinic/{world['sheffield']}/families/{world['ravi']}/" in str(to_anna[0])
    assert "Choking" not in to_anna[0]["Subject"]


def test_requests_show_on_the_familys_home_in_the_staff_members_words(app, world):
    anna = client_of(app, "anna@example.org")
    base = f"/clinic/{world['sheffield']}/families/{world['ravi']}"
    empty = anna.post(f"{base}/requests", data={"text": "  "})
    assert empty.status_code == 200 and "Write the request." in empty.get_data(as_text=True)
    too_long = anna.post(f"{base}/requests", data={"text": "x" * 301})
    assert too_long.status_code == 200 and "x" * 301 in too_long.get_data(as_text=True)  # kept
    anna.post(f"{base}/requests", data={"text": "Please weigh him weekly."})
    arjun = client_of(app, "arjun@example.org")
    home = arjun.get(f"/patients/{world['ravi']}/").get_data(as_text=True)
    assert "Please weigh him weekly." in home and "From Nurse at Sheffield MND:" in home
    with app.app_context():
        request_id = clinics.open_requests(world["ravi"])[0].id
    arjun.post(f"/patients/{world['ravi']}/clinic-requests/{request_id}/done")
    assert "Please weigh him weekly." not in arjun.get(f"/patients/{world['ravi']}/").get_data(as_text=True)


def test_summaries_for_appointments_this_week_are_made_ahead_and_used_until_the_diary_changes(app, world):
    with app.app_context():
        assert clinics.prepare_summaries() == 1  # Ravi's appointment is in 3 days; Sita is not linked
        prepared = db.session.scalar(select(PreparedSummary)).pdf
    anna = client_of(app, "anna@example.org")
    path = f"/clinic/{world['sheffield']}/families/{world['ravi']}/summary.pdf"
    assert anna.get(path).data == prepared
    priya = client_of(app, "priya@example.org")
    log_choking(priya, world["ravi"])
    fresh = anna.get(path).data
    assert fresh != prepared and fresh.startswith(b"%PDF")
    assert "Choking episode" in " ".join(PdfReader(io.BytesIO(fresh)).pages[0].extract_text().split())


def test_the_clinic_pages_speak_the_staff_members_language(app, world):
    with app.app_context():
        db.session.get(User, world["ids"]["anna"]).locale = "fr"
        db.session.commit()
    anna = client_of(app, "anna@example.org")
    page = anna.get(f"/clinic/{world['sheffield']}/").get_data(as_text=True)
    assert 'lang="fr"' in page and "Open alerts" not in page


def test_the_record_of_reads_outlives_the_staff_members_account(app, world):
    anna = client_of(app, "anna@example.org")
    anna.get(f"/clinic/{world['sheffield']}/families/{world['ravi']}/trends")
    anna.post("/account/delete", data={"password": "correct horse battery", "understood": "y"})
    with app.app_context():
        assert db.session.get(User, world["ids"]["anna"]) is None
    page = client_of(app, "priya@example.org").get(f"/patients/{world['ravi']}/clinics").get_data(as_text=True)
    assert "a former team member of Sheffield MND opened the trends" in page


def test_staff_without_a_diary_land_on_their_clinic_and_others_see_it_beside_their_diaries(app, world):
    bob = app.test_client()
    landed = sign_in(bob, "bob@example.org")
    assert bob.get(landed.headers["Location"], follow_redirects=True).request.path == f"/clinic/{world['leeds']}/"
    ada = client_of(app, "ada@example.org")
    with app.app_context():
        make_patient(app, world["ids"]["ada"], name="Ada's mother")
    page = ada.get("/patients/").get_data(as_text=True)
    assert "Your clinics" in page and "Sheffield MND" in page and "Ada&#39;s mother" in page
