"""The three benchmark data sets, made with the demo generator:

- "2y":   one family, two years (about 3,400 entries);
- "10y":  one family, ten years of heavy logging (about 38,000 entries);
- "1000": a thousand families of two years each (about 3.4 million entries): ten families made by
          the generator with different seeds, each copied in SQL to make up the thousand.

usage (as bench/run.py calls it): python bench/data.py DATASET   with DATABASE_URL / INSTANCE_PATH set
prints: email password patient_id entries
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import func, select, text  # noqa: E402

DISTINCT_FAMILIES = 10


def copy_family(connection, template_patient, template_user, number, dialect):
    """One more family: a copy of a generated one, with its own account, patient and UUIDs."""
    suffix = "printf('%08d', :n)" if dialect == "sqlite" else "lpad(CAST(:n AS TEXT), 8, '0')"
    user_id = connection.execute(text(
        "INSERT INTO \"user\" (email, name, password_hash, locale, timezone, private_emails, created_at) "
        "SELECT :email, name, password_hash, locale, timezone, private_emails, created_at FROM \"user\" WHERE id = :u "
        "RETURNING id"), {"email": f"family{number}@example.org", "u": template_user}).scalar()
    patient_id = connection.execute(text(
        "INSERT INTO patient (display_name, birth_year, diagnosis, onset_month, onset_region, height_cm, "
        "usual_weight_kg, weight_unit, neurologist, clinic, feeding_tube, breathing_support, created_at) "
        "SELECT display_name, birth_year, diagnosis, onset_month, onset_region, height_cm, usual_weight_kg, "
        "weight_unit, neurologist, clinic, feeding_tube, breathing_support, created_at FROM patient WHERE id = :p "
        "RETURNING id"), {"p": template_patient}).scalar()
    connection.execute(text("INSERT INTO membership (patient_id, user_id, role, is_patient, created_at) "
                            "VALUES (:p, :u, 'owner', false, CURRENT_TIMESTAMP)"), {"p": patient_id, "u": user_id})
    columns = ("kind, occurred_at, tz, symptom_key, severity, region, side, duration, frequency, event_type, "
               "injured, value, name, dose, ended_on, done_at, note, source, created_at")
    connection.execute(text(
        f"INSERT INTO entry (uuid, patient_id, reported_by_id, {columns}) "
        f"SELECT substr(uuid, 1, 28) || {suffix}, :p, :u, {columns} FROM entry WHERE patient_id = :t"),
        {"p": patient_id, "u": user_id, "t": template_patient, "n": number})
    connection.execute(text(
        "INSERT INTO check_in_item (entry_id, domain, score) "
        "SELECT copy.id, item.domain, item.score FROM check_in_item item "
        "JOIN entry original ON item.entry_id = original.id AND original.patient_id = :t "
        f"JOIN entry copy ON copy.patient_id = :p AND copy.uuid = substr(original.uuid, 1, 28) || {suffix}"),
        {"p": patient_id, "t": template_patient, "n": number})


def make(dataset):
    import flask_migrate

    from caregiver import create_app
    from caregiver.demo import create_demo
    from caregiver.extensions import db
    from caregiver.models import Entry

    app = create_app({"AUTO_MIGRATE_SQLITE": False})
    with app.app_context():
        flask_migrate.upgrade()
        if dataset == "10y":
            result = create_demo(seed=1, years=10, intensity=2.4)
        else:
            result = create_demo(seed=1, years=2)
        if dataset == "1000":
            templates = [(result.patient.id, result.user.id)]
            for seed in range(2, DISTINCT_FAMILIES + 1):
                made = create_demo(seed=seed, email=f"seed{seed}@example.org", years=2)
                templates.append((made.patient.id, made.user.id))
            dialect = db.engine.dialect.name
            with db.engine.begin() as connection:
                for number in range(DISTINCT_FAMILIES + 1, 1001):
                    patient, user = templates[number % DISTINCT_FAMILIES]
                    copy_family(connection, patient, user, number, dialect)
                connection.execute(text("ANALYZE"))
        entries = db.session.scalar(select(func.count()).select_from(Entry))
        print(result.user.email, result.password, result.patient.id, entries)


if __name__ == "__main__":
    make(sys.argv[1])
