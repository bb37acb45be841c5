"""Set-up: the factory, the health check, the database configuration and the migrations."""
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from caregiver import create_app
from caregiver.config import database_url
from caregiver.extensions import db


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok" and response.json["db"] == "ok"
    assert response.json["queue"] == "ok" and response.json["jobs_waiting"] == 0


def test_health_check_says_503_when_the_database_is_down(tmp_path):
    broken = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                         "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "error"


def test_migrations_build_exactly_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_the_embedded_default_is_a_migrated_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/mnd-diary.sqlite3"
    with app.app_context():
        db.engine.dispose()
    tables = {row[0] for row in sqlite3.connect(tmp_path / "mnd-diary.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"user", "patient", "membership", "entry", "alembic_version"} <= tables
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
])
def test_database_url_from_the_environment_uses_psycopg_3(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url("/tmp") == expected


def test_app_module_exposes_the_app():
    import app as entry_point

    assert entry_point.app.name == "caregiver"


def test_unknown_pages_and_methods_get_a_friendly_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
    assert client.post("/healthz").status_code == 405
