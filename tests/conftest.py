"""Fixtures: the app on a real database (a SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""
import os
import re
from datetime import date

import flask_migrate
import pytest
from sqlalchemy import create_engine, select, text

from caregiver import create_app, jobs
from caregiver.demo import create_demo
from caregiver.extensions import db, limiter, mailman
from caregiver.clock import utc_now
from caregiver.models import Entry, Invite, Membership, Patient, ShareLink, User

from .mailbox import Mailbox
from .servers import reset_postgres

PASSWORD = "correct horse battery"
# The demo history ends on a fixed day, so that tests see the same data every day.
DEMO_TODAY = date(2026, 11, 1)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if worker_id != "master":  # pytest -n: each worker its own database, made from the given one
            url = database_of_its_own(url, worker_id)
        reset_postgres(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def database_of_its_own(url, worker_id):
    server, name = url.rsplit("/", 1)
    own = f"{name}_{worker_id}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own}).scalar():
            connection.execute(text(f'CREATE DATABASE "{own}"'))
    engine.dispose()
    return f"{server}/{own}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,  # tests of CSRF switch it on themselves
        "AUTO_MIGRATE_SQLITE": False,
        # Jobs run in the caller and messages stay in memory; the e-mail and queue tests use a real
        # SMTP server and real workers (test_mail.py, test_jobs.py).
        "JOBS_IMMEDIATE": True,
        "MAIL_BACKEND": "locmem",
        "APP_URL": "http://localhost",
    })
    with app.app_context():
        flask_migrate.upgrade()  # the real migrations, as production runs them
    limiter.enabled = False  # tests sign in often; the sign-in limits have tests of their own
    return app


@pytest.fixture(autouse=True)
def empty_database(app):
    """Every test starts from an empty database and leaves the config as it found it; the job
    queue is this app's again (a test that makes an app of its own binds the queue to that one)."""
    config = dict(app.config)
    jobs.init_app(app)
    yield
    app.config.update(config)
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def make_user(app, email="carer@example.org", name="Carer", timezone="Europe/London"):
    with app.app_context():
        user = User(email=email, name=name, timezone=timezone)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user.id


def make_patient(app, owner_id, name="Ravi", members=(), **fields):
    """A patient owned by owner_id; members are (user_id, role) pairs."""
    with app.app_context():
        patient = Patient(display_name=name, diagnosis="als", **fields)
        db.session.add(patient)
        db.session.add(Membership(patient=patient, user_id=owner_id, role="owner"))
        for user_id, role in members:
            db.session.add(Membership(patient=patient, user_id=user_id, role=role))
        db.session.commit()
        return patient.id


def sign_in(client, email="carer@example.org", password=PASSWORD):
    response = client.post("/account/signin", data={"email": email, "password": password})
    assert response.status_code == 302, response.data
    return response


class AuthActions:
    """Signing in and out as a test's client, as flaskr's tests do: `auth.sign_in()`, `auth.sign_out()`."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, email="carer@example.org", password=PASSWORD):
        return sign_in(self.client, email, password)

    def sign_out(self):
        return self.client.post("/account/signout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def throttled(app):
    """The sign-in and e-mail limits switched on (they are off for the other tests)."""
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


@pytest.fixture
def mailbox(app):
    """A real SMTP server the app sends to (jobs still run at once, in the caller)."""
    box = Mailbox()
    box.start()
    before = dict(app.config)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_USERNAME=None, MAIL_PASSWORD=None)
    mailman.init_app(app)  # Flask-Mailman reads its settings when it is bound
    yield box
    box.stop()
    app.config.update(before)
    mailman.init_app(app)


@pytest.fixture
def carer(app, client):
    """A signed-in carer who owns one patient; yields (user_id, patient_id)."""
    user_id = make_user(app)
    patient_id = make_patient(app, user_id)
    sign_in(client)
    return user_id, patient_id


def csrf_token(html):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1)


@pytest.fixture
def demo(app, client):
    """The demo family's two years, with the client signed in as the demo carer; yields the patient id."""
    with app.app_context():
        result = create_demo(seed=1, today=DEMO_TODAY)
        patient_id, password = result.patient.id, result.password
    sign_in(client, "demo@example.org", password)
    return patient_id


FIELDS = ["symptom", "severity", "region", "side", "duration", "frequency", "occurred_at", "source", "note",
          "event_type", "injured", "weight", "hours", "coping", "name", "dose", "started", "stopped", "day",
          "group", "role", "is_patient", "display_name", "birth_year", "diagnosis", "onset_month", "onset_region",
          "height_cm", "weight_unit", "usual_weight", "neurologist", "clinic", "feeding_tube", "breathing_support",
          "is_me", "allergies", "emergency_contacts", "niv_settings_holder", "days", "understood", "lang", "email",
          "password", "confirm", "current", "timezone", "remember", "item_speech", "item_walking", "next", "m1-role",
          "measure", "method", "value", "passage", "speech_seconds", "pause_share", "right_taps", "left_variation",
          "percent_predicted", "keep_recording", "recording"]
# Posting to these would end the test's session or delete what the other posts need.
DESTRUCTIVE = {"auth.signout", "auth.signout_everywhere", "auth.delete_account", "patients.delete_patient",
               "patients.remove_member", "diary.delete_entry"}


@pytest.fixture
def every_form(app):
    """A diary with one of everything, signed in as its owner; yields (patient id, every form's URL)."""
    owner = make_user(app, timezone="Asia/Kolkata")  # east of UTC: the year-1 edge would overflow
    patient_id = make_patient(app, owner, members=[(make_user(app, "son@example.org"), "log")])
    with app.app_context():
        entry = Entry(patient_id=patient_id, kind="symptom", symptom_key="cramps", occurred_at=utc_now())
        invite = Invite(patient_id=patient_id, role="log", expires_at=utc_now().replace(year=2100))
        link = ShareLink(patient_id=patient_id, options={}, expires_at=utc_now().replace(year=2100))
        db.session.add_all([entry, invite, link])
        db.session.commit()
        # The owner also runs a clinic that follows the diary, so the clinic's forms get the values too.
        from caregiver import clinics
        from caregiver.models import ClinicRequest, User

        clinic = clinics.create_clinic("Clinic", db.session.get(User, owner))
        clinic_link = clinics.link_clinic(db.session.get(Patient, patient_id), clinic, db.session.get(User, owner),
                                          False)
        asked = ClinicRequest(patient_id=patient_id, staff_id=clinic.staff[0].id, text="Weigh him")
        db.session.add(asked)
        db.session.commit()
        ids = {"patient_id": patient_id, "entry_id": entry.id, "invite_id": invite.id, "link_id": link.id,
               "member_id": db.session.scalar(select(Membership.id).where(Membership.user_id != owner)),
               "ref": "cramps", "token": "not-a-token", "delivery_id": 1, "alert_id": 1, "clinic_id": clinic.id,
               "clinic_link_id": clinic_link.id, "request_id": asked.id, "staff_id": clinic.staff[0].id}
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in DESTRUCTIVE and rule.endpoint != "diary.sync":
            kinds = ["symptom", "event", "weight", "niv", "checkin", "carer", "medication", "visit", "question",
                     "measure"]
            for kind in kinds if "kind" in rule.arguments else [None]:
                urls.append(rule.build({**{k: v for k, v in ids.items() if k in rule.arguments},
                                        **({"kind": kind} if kind else {})})[1])
    return patient_id, urls
