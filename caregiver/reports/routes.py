"""The visit summary (preview, PDF, read-only links for the clinic) and the emergency card."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from .. import documents, sharing
from ..access import membership_or_404, open_share_link
from ..extensions import limiter
from ..clock import local_today, utc_now
from ..entries import current_medications
from ..forms import ButtonForm
from ..i18n import format_datetime, gettext as _, lazy_gettext as _l
from ..pages import kept
from ..summary import EVERYTHING, summary_for
from . import bp
from .forms import ShareForm, report_form, report_query


def summary_and_options(patient, query, tz, shown=EVERYTHING):
    """The summary and options that report choices (a query string, or a share link's) ask for."""
    form = report_form(query)
    options = form.options(str(get_locale()))
    return summary_for(patient, form.choice(), tz, shown=shown, appendix=options["appendix"]), options


def link_summary_and_options(link):
    """A share link's summary: its own range and choices, whatever the request asks for. Whether
    it shows the carer's own check is the share form's choice, not the report's."""
    shown = sharing.shown_by(link)
    summary, options = summary_and_options(link.patient, link.options, link.tz, shown)
    return summary, {**options, "carer": shown.coping}


def pdf_response(document, filename):
    return Response(document, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def summary_file_name(summary):
    return f"visit-summary-{summary.period.last_day}.pdf"


@bp.route("/patients/<int:patient_id>/report")
@login_required
def new(patient_id):
    membership = membership_or_404(patient_id)
    form = report_form(request.args)
    if not form.language.data:
        form.language.data = str(get_locale())
    return render_template("reports/new.html", patient=membership.patient, membership=membership, form=form)


@bp.route("/patients/<int:patient_id>/report/preview")
@login_required
def preview(patient_id):
    patient = membership_or_404(patient_id).patient
    summary, options = summary_and_options(patient, request.args, current_user.timezone)
    return documents.render_summary_html(patient, summary, options, pdf_url=url_for(
        "reports.pdf", patient_id=patient_id, **report_query(request.args)))


@bp.route("/patients/<int:patient_id>/report/summary.pdf")
@login_required
def pdf(patient_id):
    membership = membership_or_404(patient_id)
    patient = membership.patient

    def document():
        summary, options = summary_and_options(patient, request.args, current_user.timezone)
        return documents.summary_pdf(patient, summary, options), summary_file_name(summary)

    (data, name), _key = kept(membership, document)  # a repeat download of unchanged data: from the cache
    return pdf_response(data, name)


@bp.route("/patients/<int:patient_id>/report/links", methods=["GET", "POST"])
@login_required
def share_links(patient_id):
    """The owner's read-only links for the clinic: make one for the chosen report, see who opened it."""
    membership = membership_or_404(patient_id, need="owner")
    query = report_query(request.args)
    form = ShareForm()
    if form.validate_on_submit():
        link = sharing.create_link(patient_id, query, current_user.timezone, current_user, form.days.data,
                                   form.shown())
        flash(_("The link is ready. It works until %(date)s.", date=format_datetime(link.expires_at, "medium")),
              "success")
        return redirect(url_for("reports.share_links", patient_id=patient_id, made=link.id))
    return render_template("reports/links.html", patient=membership.patient, membership=membership, form=form,
                           links=sharing.links_of(patient_id), query=query, now=utc_now(), button=ButtonForm(),
                           made=request.args.get("made", type=int))


def patients_link_or_404(patient_id, link_id):
    membership_or_404(patient_id, need="owner")
    return sharing.link_of(patient_id, link_id) or abort(404)


@bp.route("/patients/<int:patient_id>/report/links/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke_link(patient_id, link_id):
    link = patients_link_or_404(patient_id, link_id)
    if ButtonForm().validate_on_submit() and sharing.withdraw(link):
        flash(_("The link is withdrawn. It no longer opens the summary."), "success")
    return redirect(url_for("reports.share_links", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/report/links/<int:link_id>/summary.pdf")
@login_required
def link_pdf(patient_id, link_id):
    """The summary of a link, printed with the link as a QR code for the clinic to scan."""
    link = patients_link_or_404(patient_id, link_id)
    if not link.is_open(utc_now()):
        abort(404)
    summary, options = link_summary_and_options(link)
    return pdf_response(documents.summary_pdf(link.patient, summary, options, share=link), summary_file_name(summary))


def shared_link_or_410(token, format):
    """An open link, with this view logged; a closed or unknown one is 'gone' (410)."""
    link = open_share_link(token)
    if link is None:
        abort(410)
    sharing.record_opening(link, format, request.remote_addr, request.user_agent.string)
    return link


SHARED_PDF_BUSY = _l("This link's PDF has been asked for many times in the last hour. "
                     "Please try again later, or read the summary on the page.")


def private(response):
    """A shared summary is health data: never cached, indexed, or leaked in a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/shared/<token>")
def shared(token):
    link = shared_link_or_410(token, "html")
    summary, options = link_summary_and_options(link)
    return private(Response(documents.render_summary_html(
        link.patient, summary, options, share=link, pdf_url=url_for("reports.shared_pdf", token=token))))


@bp.route("/shared/<token>/summary.pdf")
@limiter.limit(sharing.PDF_LIMIT, key_func=lambda: f"shared-pdf:{request.view_args['token']}",
               error_message=SHARED_PDF_BUSY)
def shared_pdf(token):
    link = shared_link_or_410(token, "pdf")
    summary, options = link_summary_and_options(link)
    return private(pdf_response(documents.summary_pdf(link.patient, summary, options, share=link),
                                summary_file_name(summary)))


def card_for(patient_id):
    """The emergency card's inputs: the patient, today's medicines, the reader's language and zone."""
    patient, tz = membership_or_404(patient_id).patient, current_user.timezone
    return patient, current_medications(patient, local_today(tz)), str(get_locale()), tz


@bp.route("/patients/<int:patient_id>/emergency-card")
@login_required
def emergency_card(patient_id):
    return documents.render_card_html(*card_for(patient_id),
                                      pdf_url=url_for("reports.emergency_card_pdf", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/emergency-card.pdf")
@login_required
def emergency_card_pdf(patient_id):
    return pdf_response(documents.card_pdf(*card_for(patient_id)), "emergency-card.pdf")
