"""E-mail through a real SMTP server: recovery, confirmation, invites, languages, no enumeration,
sessions that end when they should, and throttling that stops the attacker but not the owner."""
import re
import time

import itsdangerous.timed
from sqlalchemy import event, select

from caregiver import create_app, jobs
from caregiver.extensions import db
from caregiver.models import Delivery, Membership, User

from .conftest import PASSWORD, make_patient, make_user, sign_in
from .mailbox import html_of, text_of

LINK = re.compile(r"http://localhost(/account/(?:reset|confirm)/[\w.-]+)")


def link_in(message):
    return LINK.search(text_of(message)).group(1)


def set_user(app, email, **values):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()


def test_forgot_password_is_on_the_sign_in_page_and_sends_a_link_that_works_once(app, client, mailbox):
    make_user(app)
    assert "/account/forgot" in client.get("/account/signin").get_data(as_text=True)
    page = client.post("/account/forgot", data={"email": "Carer@Example.org"}).get_data(as_text=True)
    assert "Check your e-mail" in page
    [message] = mailbox.wait_for(1)
    assert message["To"] == "carer@example.org" and message["Subject"] == "Reset your password"
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    link = link_in(message)
    assert link in html_of(message) and "<img" not in html_of(message)  # no tracking
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new one", "confirm": "a brand new one"})
    assert response.status_code == 302 and client.get("/account/settings").status_code == 200  # signed in
    assert client.get(link).status_code == 410  # used once: it was bound to the old password
    client.post("/account/signout")
    assert client.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD}).status_code == 200
    sign_in(client, password="a brand new one")


def test_a_reset_signs_every_other_device_out(app, client, mailbox):
    make_user(app)
    laptop = app.test_client()
    sign_in(laptop)
    assert laptop.get("/account/settings").status_code == 200
    client.post("/account/forgot", data={"email": "carer@example.org"})
    link = link_in(mailbox.wait_for(1)[0])
    client.post(link, data={"password": "a brand new one", "confirm": "a brand new one"})
    assert laptop.get("/account/settings").status_code == 302  # to sign in


def test_a_reset_link_expires_after_an_hour(app, client, mailbox, monkeypatch):
    make_user(app)
    client.post("/account/forgot", data={"email": "carer@example.org"})
    link = link_in(mailbox.wait_for(1)[0])
    made = time.time()
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: made + 59 * 60)
    assert client.get(link).status_code == 200
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: made + 61 * 60)
    assert client.get(link).status_code == 410
    assert client.post(link, data={"password": "a brand new one", "confirm": "a brand new one"}).status_code == 410


def statements_of(app, work):
    """The SQL statements a piece of work runs (their text, parameters left out)."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_forgot_password_answers_the_same_and_does_the_same_work_for_unknown_addresses(app, client, mailbox,
                                                                                      tmp_path):
    make_user(app)
    # With a real queue (no worker): the request itself only queues a job, whether or not the
    # address has an account, so neither the page nor the time taken can tell.
    app.config.update(JOBS_IMMEDIATE=False, JOBS_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    jobs.init_app(app)
    try:
        pages = {}

        def ask(address):
            pages[address] = client.post("/account/forgot", data={"email": address})

        known = statements_of(app, lambda: ask("carer@example.org"))
        unknown = statements_of(app, lambda: ask("nobody@example.org"))
        assert known == unknown and not any('"user"' in statement for statement in known)
        texts = [pages[a].get_data(as_text=True).replace(a, "ADDRESS") for a in pages]
        assert texts[0] == texts[1] and {p.status_code for p in pages.values()} == {200}
        assert jobs.huey.pending_count() == 2
    finally:
        app.config["JOBS_IMMEDIATE"] = True
        jobs.init_app(app)
    assert mailbox.messages == []


def test_forgot_password_is_throttled_per_address_and_per_client(app, client, mailbox, throttled):
    make_user(app)
    for _ in range(5):
        assert client.post("/account/forgot", data={"email": "carer@example.org"}).status_code == 200
    assert client.post("/account/forgot", data={"email": "carer@example.org"}).status_code == 429
    assert client.post("/account/forgot", data={"email": "other@example.org"}).status_code == 200
    for n in range(14):
        client.post("/account/forgot", data={"email": f"x{n}@example.org"})
    assert client.post("/account/forgot", data={"email": "y@example.org"}).status_code == 429
    assert len(mailbox.wait_for(5)) == 5


def test_every_message_goes_out_in_the_recipients_language_and_direction(app, client, mailbox):
    make_user(app, "ar@example.org")
    set_user(app, "ar@example.org", locale="ar")
    make_user(app, "hi@example.org")
    set_user(app, "hi@example.org", locale="hi")
    client.post("/account/forgot", data={"email": "ar@example.org"})
    client.post("/account/forgot", data={"email": "hi@example.org"})
    mailbox.wait_for(2)
    [arabic], [hindi] = mailbox.to("ar@example.org"), mailbox.to("hi@example.org")
    assert 'dir="rtl"' in html_of(arabic) and 'lang="ar"' in html_of(arabic)
    assert 'dir="ltr"' in html_of(hindi) and 'lang="hi"' in html_of(hindi)
    assert re.search("[\u0600-\u06ff]", text_of(arabic)) and re.search("[\u0900-\u097f]", text_of(hindi))
    assert re.search("[\u0600-\u06ff]", arabic["Subject"])


def test_sign_up_says_check_your_email_for_new_and_known_addresses_and_tells_the_owner(app, client, mailbox):
    form = {"name": "Priya", "password": "a long password", "confirm": "a long password", "timezone": "UTC"}
    new = client.post("/account/signup", data={**form, "email": "priya@example.org"}).get_data(as_text=True)
    make_user(app, "taken@example.org")
    known = app.test_client().post("/account/signup", data={**form, "email": "taken@example.org"}).get_data(
        as_text=True)
    assert new.replace("priya@example.org", "X") == known.replace("taken@example.org", "X")
    mailbox.wait_for(2)
    [confirm], [warning] = mailbox.to("priya@example.org"), mailbox.to("taken@example.org")
    assert confirm["Subject"] == "Please confirm your e-mail address"
    assert "already have one" in text_of(warning) and "/account/forgot" in text_of(warning)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "taken@example.org")).name == "Carer"


def test_confirming_the_address_and_changing_it(app, client, mailbox):
    client.post("/account/signup", data={"name": "Priya", "email": "priya@example.org", "password": "a long password",
                                         "confirm": "a long password", "timezone": "UTC"})
    link = link_in(mailbox.wait_for(1)[0])
    assert client.get(link).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User)).email_confirmed_at is not None
    sign_in(client, "priya@example.org", "a long password")
    client.post("/account/settings", data={"name": "Priya", "email": "new@example.org", "timezone": "UTC"})
    mailbox.wait_for(3)
    [told] = mailbox.to("priya@example.org")[1:]
    assert "new@example.org" in text_of(told)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.pending_email) == ("priya@example.org", "new@example.org")
    [confirm] = mailbox.to("new@example.org")
    assert client.get(link_in(confirm)).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.pending_email) == ("new@example.org", None)
    assert client.get("/account/confirm/forged.token").status_code == 410


def test_an_invite_is_sent_in_the_invitees_language_and_stays_copyable(app, client, mailbox):
    owner = make_user(app, "owner@example.org", "Priya")
    patient_id = make_patient(app, owner)
    sign_in(client, "owner@example.org")
    page = client.post(f"/patients/{patient_id}/team", data={"role": "log", "email": "Son@Example.org",
                                                             "language": "es"}).get_data(as_text=True)
    copyable = re.search(r'class="copy-field" type="text" readonly value="([^"]+)"', page).group(1)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "son@example.org" and 'lang="es"' in html_of(message)
    assert copyable in text_of(message) and "Ravi" not in message["Subject"]
    son = app.test_client()
    make_user(app, "son@example.org", "Arjun")
    sign_in(son, "son@example.org")
    token = copyable.rsplit("/", 1)[1]
    assert son.post(f"/invite/{token}").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Membership.role).where(Membership.user_id != owner)) == "log"


def test_no_subject_carries_health_details(app):
    from caregiver import catalogue
    from caregiver.mail import MESSAGES

    with app.test_request_context():
        words = {str(name).lower() for name in catalogue.DIAGNOSES.values()} | {
            str(s.name).lower() for s in catalogue.SYMPTOMS.values()}
        for message in MESSAGES.values():
            subject = str(message.subject).lower()
            assert not any(word in subject for word in words), subject


def test_the_mail_test_command_sends_a_message(app, mailbox):
    result = app.test_cli_runner().invoke(args=["mail", "test", "operator@example.org"])
    assert result.exit_code == 0, result.output
    [message] = mailbox.wait_for(1)
    assert message["To"] == "operator@example.org" and "reaches you" in text_of(message)


def test_without_a_mail_server_messages_are_eml_files_in_the_instance_folder(app, tmp_path, database_url, caplog,
                                                                         monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    embedded = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": database_url,
                      "AUTO_MIGRATE_SQLITE": False, "JOBS_IMMEDIATE": True, "WTF_CSRF_ENABLED": False})
    assert embedded.config["MAIL_BACKEND"] == "caregiver.mail.EmlEmailBackend"
    try:
        with embedded.app_context(), caplog.at_level("WARNING"):
            from caregiver.delivery import fresh_key
            from caregiver.mail import queue_mail
            queue_mail("test", "family@example.org", fresh_key("test"))
    finally:
        jobs.init_app(app)  # the queue is the test app's again
    [written] = list((tmp_path / "mail").glob("*.eml"))
    assert "To: family@example.org" in written.read_text() and str(written) in caplog.text


def test_a_copied_session_or_remember_cookie_stops_working_after_sign_out(app, client):
    make_user(app)
    client.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD, "remember": "y"})
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    client.post("/account/signout")
    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        thief = app.test_client()
        thief.set_cookie(name, value)
        assert thief.get("/account/settings").status_code == 302, name


def test_a_password_change_signs_out_other_devices_but_not_this_one(app, client):
    make_user(app)
    laptop = app.test_client()
    laptop.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD, "remember": "y"})
    remember_cookie = laptop.get_cookie("remember_token").value
    sign_in(client)
    client.post("/account/password", data={"current": PASSWORD, "password": "another long one",
                                           "confirm": "another long one"})
    assert client.get("/account/settings").status_code == 200
    assert laptop.get("/account/settings").status_code == 302
    replay = app.test_client()
    replay.set_cookie("remember_token", remember_cookie)
    assert replay.get("/account/settings").status_code == 302


def test_ten_wrong_passwords_from_elsewhere_do_not_lock_out_a_device_that_signed_in_before(app, client,
                                                                                           throttled):
    make_user(app)
    sign_in(client)
    client.post("/account/signout")  # the browser keeps its known-device cookie
    attacker = app.test_client()
    for _ in range(10):
        attacker.post("/account/signin", data={"email": "carer@example.org", "password": "guess"},
                      environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert attacker.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.9.9.8"}).status_code == 429
    assert client.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD}).status_code == 302
    forged = app.test_client()
    forged.set_cookie("known_device", "not-a-signed-value")
    assert forged.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.9.9.7"}).status_code == 429


def test_after_a_reset_by_email_the_owner_is_in_even_while_the_account_is_throttled(app, client, mailbox, throttled):
    make_user(app)
    attacker = app.test_client()
    for _ in range(10):
        attacker.post("/account/signin", data={"email": "carer@example.org", "password": "guess"})
    client.post("/account/forgot", data={"email": "carer@example.org"})
    link = link_in(mailbox.wait_for(1)[0])
    assert client.post(link, data={"password": "a brand new one", "confirm": "a brand new one"}).status_code == 302
    assert client.get("/account/settings").status_code == 200
    client.post("/account/signout")
    assert client.post("/account/signin", data={"email": "carer@example.org", "password": "a brand new one"}
                       ).status_code == 302


def test_messages_about_a_patient_go_only_to_confirmed_addresses(app):
    from caregiver.mail import MESSAGES, Message, queue_mail

    make_user(app)
    MESSAGES["about_patient_probe"] = Message("probe", about_patient=True)
    try:
        with app.app_context():
            user = db.session.scalar(select(User))
            assert queue_mail("about_patient_probe", user.email, "probe:1", user=user) is None
            assert db.session.scalar(select(Delivery)) is None
    finally:
        del MESSAGES["about_patient_probe"]
