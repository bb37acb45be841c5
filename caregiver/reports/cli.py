"""The visit summary from the command line, for operators: the same PDF the app serves."""
from datetime import datetime, time, timedelta

import click
from sqlalchemy import select

from ..diary.entries import last_visit
from ..extensions import db
from ..i18n import LANGUAGE_BY_CODE, to_utc
from ..models import Membership, Patient
from .pdf import summary_pdf
from .summary import build_summary


def write_summary(patient_id, since_day, until_day, language, paper, tz, out):
    patient = db.session.get(Patient, patient_id)
    if patient is None:
        raise click.ClickException(f"no patient with id {patient_id}")
    if language not in LANGUAGE_BY_CODE:
        raise click.ClickException(f"unknown language {language!r}; known: {', '.join(LANGUAGE_BY_CODE)}")
    if tz is None:
        owner = db.session.scalar(select(Membership).where(
            Membership.patient_id == patient.id, Membership.role == "owner").order_by(Membership.id))
        tz = owner.user.timezone if owner else "UTC"
    since = to_utc(datetime.combine(since_day, time()), tz)
    until = to_utc(datetime.combine(until_day + timedelta(days=1), time()), tz)
    summary = build_summary(patient, since, until, tz, last_visit=last_visit(patient, before=until))
    options = {"language": language, "paper": paper, "notes": True, "carer": True, "appendix": True}
    document = summary_pdf(summary, options)
    with open(out, "wb") as pdf:
        pdf.write(document)
    return len(document)
