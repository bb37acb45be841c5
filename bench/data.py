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
        # The planner's statistics: on PostgreSQL as autovacuum keeps them on a served database
        # (this machine's runs with it off; without them the home page's newest five entries read
        # the whole diary), and after the families copied in SQL.
        if dataset == "1000" or db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        entries = db.session.scalar(select(func.count()).select_from(Entry))
        print(result.user.email, result.password, result.patient.id, entries)


if __name__ == "__main__":
    make(sys.argv[1])


# ----------------------------------------------------------------------------------------------
# "clinic500": one clinic following 500 families of two years each (issue 14), for
# bench/clinic_dashboard.py. As "1000": ten families made by the generator, copied in SQL up to
# 500; every one linked to the clinic by its owner (clinics.link_clinic), names told apart, and
# some open alerts (the generator raises none): a "soon" one in every 5th family, an urgent one
# too in every 20th, and a done one (which the dashboard must not count) in every 3rd.
# bench/clinic_dashboard.py runs it as `python -c "import data; data.make_clinic()"` (from bench/, with
# DATABASE_URL / INSTANCE_PATH set); prints: admin_email password clinic_id entries

CLINIC_FAMILIES = 500
CLINIC_ADMIN = "clinic-admin@example.org"
CLINIC_PASSWORD = "clinic-bench-password"


def add_alerts(connection, patient_ids, now):
    """Open and done alerts in a share of the families, raised hours to days ago."""
    from datetime import timedelta

    rows = []
    for number, patient_id in enumerate(patient_ids, start=1):
        wanted = []
        if number % 5 == 0:
            wanted.append(("weight_loss_3m", "soon", timedelta(hours=6 + number % 70), None))
        if number % 20 == 0:
            wanted.append(("choking", "urgent", timedelta(minutes=20 + number % 300), None))
        if number % 3 == 0:
            wanted.append(("falls_week", "soon", timedelta(days=20), now - timedelta(days=18)))
        for rule, level, age, done_at in wanted:
            rows.append({"p": patient_id, "key": f"bench:{patient_id}:{rule}", "rule": rule, "level": level,
                         "raised": now - age, "done": done_at,
                         "open_for": None if done_at else f"{patient_id}:{rule}"})
    connection.execute(text(
        "INSERT INTO alert (patient_id, key, rule, level, raised_at, done_at, escalations, open_for) "
        "VALUES (:p, :key, :rule, :level, :raised, :done, 0, :open_for)"), rows)
    return len(rows)


def make_clinic(families=CLINIC_FAMILIES):
    import time

    import flask_migrate

    from caregiver import create_app
    from caregiver.clinics import create_clinic, link_clinic
    from caregiver.clock import utc_now
    from caregiver.demo import create_demo
    from caregiver.extensions import db
    from caregiver.models import Entry, Membership, Patient, User

    started = time.monotonic()
    app = create_app({"AUTO_MIGRATE_SQLITE": False})
    with app.app_context():
        flask_migrate.upgrade()
        templates = []
        for seed in range(1, min(DISTINCT_FAMILIES, families) + 1):
            made = create_demo(seed=seed, email=f"seed{seed}@example.org", years=2)
            templates.append((made.patient.id, made.user.id))
        print(f"generated {len(templates)} families in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        dialect = db.engine.dialect.name
        with db.engine.begin() as connection:
            for number in range(len(templates) + 1, families + 1):
                patient, user = templates[number % len(templates)]
                copy_family(connection, patient, user, number, dialect)
            connection.execute(text("UPDATE patient SET display_name = display_name || ' ' || CAST(id AS TEXT)"))
        print(f"copied to {families} families at {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)

        admin = User(email=CLINIC_ADMIN, name="Clinic coordinator", timezone="Europe/London",
                     email_confirmed_at=utc_now())
        admin.set_password(CLINIC_PASSWORD)
        db.session.add(admin)
        db.session.commit()
        clinic = create_clinic("Bench MND Clinic", admin)
        owners = db.session.execute(select(Patient, Membership.user_id).join(Membership).where(
            Membership.role == "owner").order_by(Patient.id)).all()
        for patient, owner_id in owners:
            link_clinic(patient, clinic, db.session.get(User, owner_id), full_history=patient.id % 2 == 0)
        with db.engine.begin() as connection:
            alerts = add_alerts(connection, [patient.id for patient, _owner in owners], utc_now())
            connection.execute(text("ANALYZE"))
        print(f"linked {len(owners)} families, {alerts} alerts, at {time.monotonic() - started:.0f} s",
              file=sys.stderr, flush=True)
        entries = db.session.scalar(select(func.count()).select_from(Entry))
        print(CLINIC_ADMIN, CLINIC_PASSWORD, clinic.id, entries)

