"""Fixtures: the app on a real database (a SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""
import os
import re
from datetime import date

import flask_migrate
import pytest
from sqlalchemy import create_engine, text

from caregiver import create_app
from caregiver.demo import create_demo
from caregiver.extensions import db, limiter
from caregiver.models import Membership, Patient, User

PASSWORD = "correct horse battery"
# The demo history ends on a fixed day, so that tests see the same data every day.
DEMO_TODAY = date(2026, 11, 1)


def reset_postgres(url):
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


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
    })
    with app.app_context():
        flask_migrate.upgrade()  # the real migrations, as production runs them
    limiter.enabled = False  # tests sign in often; the sign-in limits have tests of their own
    return app


@pytest.fixture(autouse=True)
def empty_database(app):
    """Every test starts from an empty database and leaves the config as it found it."""
    config = dict(app.config)
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
