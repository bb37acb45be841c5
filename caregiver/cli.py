"""Commands for operators: demo, summary, backup/restore and translate (`flask --app app ...`)."""
import os
import sqlite3

import click
from babel.messages.frontend import CommandLineInterface
from sqlalchemy import select

from .config import ROOT
from .i18n import LANGUAGE_BY_CODE

TRANSLATIONS = os.path.join(ROOT, "translations")
POT = os.path.join(TRANSLATIONS, "messages.pot")


# The translation functions besides gettext's own names (_, gettext, ngettext, ...) whose
# strings the catalogue holds: lazy strings, marked-only strings and i18n.markup_gettext.
EXTRACT_KEYWORDS = ("_l", "N_", "markup_gettext")


def keyword_options():
    return [option for keyword in EXTRACT_KEYWORDS for option in ("-k", keyword)]


def pybabel(*args):
    CommandLineInterface().run(["pybabel", "-q", *args])


def register_commands(app):
    @app.cli.command("demo")
    @click.option("--seed", default=1, show_default=True, help="Same seed, same history.")
    @click.option("--email", default="demo@example.org", show_default=True)
    @click.option("--years", default=2.0, show_default=True, help="How long a history to make.")
    @click.option("--intensity", default=1.0, show_default=True, help="How much is logged a day (1 is typical).")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day of the history.")
    def demo(seed, email, years, intensity, today):
        """Create a demo carer with one patient and a realistic synthetic history."""
        from .demo import create_demo

        result = create_demo(seed=seed, email=email, years=years, intensity=intensity,
                             today=today.date() if today else None)
        click.echo(f"{result.entry_count} entries for {result.patient.display_name}")
        click.echo(f"email: {result.user.email} password: {result.password}")

    @app.cli.command("summary")
    @click.option("--patient", "patient_id", type=int, required=True, help="The patient's id.")
    @click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="First day.")
    @click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="Last day.")
    @click.option("--lang", default="en", show_default=True, help="Language of the summary.")
    @click.option("--paper", type=click.Choice(["A4", "Letter"]), default="A4", show_default=True)
    @click.option("--tz", default=None, help="Time zone (default: the patient's first owner's).")
    @click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
    def summary(patient_id, since, until, lang, paper, tz, out):
        """Make the visit summary PDF for a patient and a range of days, as the app does."""
        size = write_summary(patient_id, since.date(), until.date(), lang, paper, tz, out)
        click.echo(f"{out}: {size:,} bytes")

    @app.cli.command("backup")
    @click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
    def backup(out):
        """Copy the SQLite database, consistently, while the app keeps running (SQLite's backup API)."""
        with sqlite3.connect(sqlite_path(app)) as live, sqlite3.connect(out) as copy:
            live.backup(copy)
        click.echo(f"{out}: {os.path.getsize(out):,} bytes, {integrity(out)}")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask: replace the database now.")
    def restore(source, yes):
        """Replace the SQLite database with a backup made by `flask backup` (checked first)."""
        if integrity(source) != "ok":
            raise click.ClickException(f"{source} is damaged; nothing was changed")
        if not yes:
            click.confirm("Replace every diary in the database with the backup?", abort=True)
        with sqlite3.connect(source) as copy, sqlite3.connect(sqlite_path(app)) as live:
            copy.backup(live)
        click.echo(f"restored from {source}")

    @app.cli.group()
    def mail():
        """E-mail."""

    @mail.command("test")
    @click.argument("address")
    @click.option("--lang", default="en", show_default=True, help="Language of the message.")
    def mail_test(address, lang):
        """Queue a test message to ADDRESS (sent by the worker, or at once with JOBS_IMMEDIATE=1)."""
        from .delivery import fresh_key
        from .mail import queue_mail

        delivery = queue_mail("test", address, fresh_key("test"), locale=lang)
        click.echo(f"queued message {delivery.id} to {address}; see /healthz or the worker's log")

    @app.cli.group()
    def clinic():
        """Clinics: the MND teams that follow families between visits."""

    @clinic.command("create")
    @click.argument("name")
    @click.option("--admin", "admin_email", required=True, help="E-mail address of the clinic's first admin.")
    def clinic_create(name, admin_email):
        """Start a clinic. An existing account becomes its admin; otherwise an admin invite is sent."""
        from flask import url_for

        from .accounts import find_user
        from .clinics import create_clinic, invite_staff
        from .extensions import db
        from .models import Clinic

        admin = find_user(admin_email)
        if admin is not None:
            clinic = create_clinic(name, admin)
            click.echo(f"clinic {clinic.id} {name!r}: {admin.email} is its admin; families link with code "
                       f"{clinic.link_code}")
            return
        clinic = Clinic(name=name)
        db.session.add(clinic)
        db.session.commit()
        invite = invite_staff(clinic, None, admin_email, "admin", "coordinator")
        with app.test_request_context(base_url=app.config["APP_URL"]):
            link = url_for("clinic.join", token=invite.token, _external=True)
        click.echo(f"clinic {clinic.id} {name!r}: no account for {admin_email} yet; an admin invite is sent there "
                   f"(it works once, for 7 days): {link}")

    @app.cli.group()
    def jobs():
        """The background job queue."""

    @jobs.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Threads running jobs.")
    @click.option("--no-schedule", is_flag=True, help="Leave scheduled jobs to other workers.")
    def worker(workers, no_schedule):
        """Run jobs: e-mail, reminders, alerts. Start one or more beside the web server."""
        from .jobs import beat_now, huey
        from .delivery import requeue_waiting

        if huey.immediate:
            raise click.ClickException("JOBS_IMMEDIATE is set: jobs run in the caller, there is no queue to work")
        beat_now()
        click.echo(f"jobs from {type(huey.storage).__name__}; {requeue_waiting()} waiting deliveries handed on")
        # An idle consumer polls SQLite at most a second apart (huey's default backs off to 10 s), so
        # an urgent alert leaves within about a second; Redis answers at once, by a blocking read.
        huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_schedule,
                             check_worker_health=True, max_delay=1.0).run()

    @app.cli.group()
    def translate():
        """Extract, update and compile the message catalogues."""

    @translate.command()
    def update():
        """Extract messages from the code and templates and merge them into every catalogue."""
        pybabel("extract", "-F", os.path.join(ROOT, "babel.cfg"), *keyword_options(),
                "--no-location", "--sort-output", "--omit-header", "-o", POT, ROOT)
        if any(os.scandir(TRANSLATIONS)) and len(os.listdir(TRANSLATIONS)) > 1:
            pybabel("update", "-i", POT, "-d", TRANSLATIONS, "--no-fuzzy-matching", "--ignore-obsolete")

    @translate.command()
    def compile():
        """Compile the catalogues to the .mo files the app reads."""
        if len(os.listdir(TRANSLATIONS)) > 1:
            pybabel("compile", "-d", TRANSLATIONS, "--statistics")

    @translate.command()
    @click.argument("language")
    def init(language):
        """Start a catalogue for a new language."""
        pybabel("init", "-i", POT, "-d", TRANSLATIONS, "-l", language)



def write_summary(patient_id, since_day, until_day, language, paper, tz, out):
    """The visit summary of these days, made by the same pipeline as the app's, written to `out`."""
    from .documents import summary_pdf
    from .extensions import db
    from .models import Membership, Patient
    from .summary import RangeChoice, summary_for

    patient = db.session.get(Patient, patient_id)
    if patient is None:
        raise click.ClickException(f"no patient with id {patient_id}")
    if language not in LANGUAGE_BY_CODE:
        raise click.ClickException(f"unknown language {language!r}; known: {', '.join(LANGUAGE_BY_CODE)}")
    if tz is None:
        owner = db.session.scalar(select(Membership).where(
            Membership.patient_id == patient.id, Membership.role == "owner").order_by(Membership.id))
        tz = owner.user.timezone if owner else "UTC"
    options = {"language": language, "paper": paper, "notes": True, "carer": True, "appendix": True}
    summary = summary_for(patient, RangeChoice("custom", since_day, until_day), tz, appendix=options["appendix"])
    document = summary_pdf(patient, summary, options)
    with open(out, "wb") as pdf:
        pdf.write(document)
    return len(document)


def sqlite_path(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        raise click.ClickException("backup and restore are for the SQLite database; use pg_dump for PostgreSQL")
    return url.removeprefix("sqlite:///")


def integrity(path):
    with sqlite3.connect(path) as database:
        return database.execute("PRAGMA integrity_check").fetchone()[0]
