"""Read-only links to the visit summary for the clinic: made, withdrawn, and every opening kept."""
from datetime import timedelta

from sqlalchemy import select

from .clock import utc_now
from .extensions import db
from .models import ShareLink, ShareView
from .summary import Shown

# One link's PDFs, whoever asks: each is seconds of a server's time, and the clinic needs a few.
PDF_LIMIT = "10 per hour"


def create_link(patient_id, options, tz, user, days, shown):
    """A link showing the summary with these report `options`, in the family's time zone, and the
    parts of the team's own in `shown` (a summary.Shown)."""
    link = ShareLink(patient_id=patient_id, options=options, tz=tz, created_by_id=user.id,
                     expires_at=utc_now() + timedelta(days=days), shows_names=shown.names,
                     shows_coping=shown.coping, shows_questions=shown.questions)
    db.session.add(link)
    db.session.commit()
    return link


def shown_by(link):
    """What of the team's own this link's summary includes."""
    return Shown(names=link.shows_names, coping=link.shows_coping, questions=link.shows_questions)


def links_of(patient_id):
    return db.session.scalars(
        select(ShareLink).where(ShareLink.patient_id == patient_id).order_by(ShareLink.created_at.desc())
    ).all()


def link_of(patient_id, link_id):
    return db.session.scalar(select(ShareLink).where(ShareLink.id == link_id, ShareLink.patient_id == patient_id))


def withdraw(link):
    if link.revoked_at is not None:
        return False
    link.revoked_at = utc_now()
    db.session.commit()
    return True


def record_opening(link, format, address, browser):
    """Every opening of a link is listed for the family: when, as page or PDF, from where."""
    db.session.add(ShareView(link_id=link.id, format=format, address=address, browser=(browser or "")[:200] or None))
    db.session.commit()
