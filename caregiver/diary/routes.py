"""Diary views: the patient's home with quick log, entry forms, history, lists."""
from datetime import timedelta
from urllib.parse import urlencode

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import catalogue
from ..access import entry_or_404, membership_or_404
from ..extensions import db
from ..forms import ButtonForm
from ..i18n import to_local, utc_now
from ..models import CustomSymptom, Entry
from ..navigation import safe_next
from . import bp
from .entries import (
    KIND_FORMS, HistoryFilter, custom_symptoms, day_range, entry_explainer, entry_form_for, entry_title, history_query,
    last_visit, latest_checkin, live_entries, most_logged_symptoms, quick_symptom, record, snapshot,
)
from .forms import CustomSymptomForm, HistoryFilterForm, QuickLogForm

# Lists that have their own page, and where an entry of that kind goes back to.
LIST_VIEWS = {"medication": "diary.medications", "visit": "diary.visits", "question": "diary.questions"}


def default_source(membership):
    return "patient" if membership.is_patient else "carer"


def banner_entry(patient, name):
    """The entry named in ?saved= or ?undo=, for the 'Saved' and 'Deleted - Undo' banners."""
    entry_id = request.args.get(name, "")
    if not entry_id.isdigit() or len(entry_id) > 18:
        return None
    return db.session.scalar(select(Entry).where(Entry.id == int(entry_id), Entry.patient_id == patient.id))


def render_diary(template, membership, **context):
    """Every diary page knows the patient, the reader's role and the banners."""
    patient = membership.patient
    return render_template(
        template, patient=patient, membership=membership, button=ButtonForm(),
        saved_entry=banner_entry(patient, "saved"), undone_entry=banner_entry(patient, "undo"), **context,
    )


@bp.route("/patients/<int:patient_id>/")
@login_required
def home(patient_id):
    membership = membership_or_404(patient_id)
    patient = membership.patient
    customs = custom_symptoms(patient)
    recent = db.session.scalars(
        live_entries(patient).where(Entry.kind != "question").order_by(Entry.occurred_at.desc()).limit(5)
    ).all()
    open_questions = db.session.scalar(
        select(func.count()).select_from(live_entries(patient).where(
            Entry.kind == "question", Entry.done_at.is_(None)).subquery())
    )
    visit = last_visit(patient)
    return render_diary(
        "diary/home.html", membership, quick=most_logged_symptoms(patient, customs), recent=recent,
        open_questions=open_questions, last_visit=visit,
        days_since_visit=(utc_now() - visit.occurred_at).days if visit else None,
    )


@bp.route("/patients/<int:patient_id>/log", methods=["GET", "POST"])
@login_required
def symptom_picker(patient_id):
    """Every symptom, by group, as buttons; and adding the family's own symptom."""
    membership = membership_or_404(patient_id, need="log")
    patient = membership.patient
    form = CustomSymptomForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        exists = db.session.scalar(
            select(CustomSymptom).where(CustomSymptom.patient_id == patient.id, CustomSymptom.name == name)
        )
        if exists:
            form.name.errors.append(_("This symptom is already on the list."))
        else:
            custom = CustomSymptom(patient_id=patient.id, name=name, group=form.group.data)
            db.session.add(custom)
            db.session.commit()
            flash(_("%(name)s is added to the symptom list.", name=name), "success")
            return redirect(url_for("diary.quick", patient_id=patient.id, ref=f"custom-{custom.id}"))
    customs = custom_symptoms(patient)
    groups = [
        (group, name, [quick_symptom(s.key, customs) for s in catalogue.LOGGABLE_SYMPTOMS.values() if s.group == group]
         + [quick_symptom(f"custom-{c.id}", customs) for c in customs if c.group == group])
        for group, name in catalogue.GROUPS.items()
    ]
    return render_diary("diary/symptom_picker.html", membership, groups=groups, form=form)


@bp.route("/patients/<int:patient_id>/log/<ref>", methods=["GET", "POST"])
@login_required
def quick(patient_id, ref):
    """Second tap: where (and which side). The button saves the entry, timed now."""
    membership = membership_or_404(patient_id, need="log")
    patient = membership.patient
    symptom = quick_symptom(ref, custom_symptoms(patient))
    if symptom is None:
        abort(404)
    form = QuickLogForm()
    if form.validate_on_submit():
        if (form.region.data and form.region.data not in symptom.regions) or (
                form.side.data and form.side.data not in catalogue.SIDES):
            abort(400)  # only a hand-made request can name a place the page did not offer
        custom_id = int(ref.removeprefix("custom-")) if ref.startswith("custom-") else None
        entry = Entry(
            patient_id=patient.id, kind="symptom", occurred_at=utc_now(), tz=current_user.timezone,
            symptom_key=None if custom_id else ref, custom_symptom_id=custom_id,
            region=form.region.data or None,
            side=form.side.data if form.region.data in catalogue.SIDED_REGIONS and form.side.data else None,
            source=default_source(membership), reported_by_id=current_user.id,
        )
        db.session.add(entry)
        db.session.commit()
        return redirect(url_for("diary.home", patient_id=patient.id, saved=entry.id))
    places = [(region, side) for region in symptom.regions
              for side in ((("left", "right", "both")) if region in catalogue.SIDED_REGIONS else (None,))]
    return render_diary("diary/quick.html", membership, symptom=symptom, places=places, form=form)


@bp.route("/patients/<int:patient_id>/new/<kind>", methods=["GET", "POST"])
@login_required
def new_entry(patient_id, kind):
    membership = membership_or_404(patient_id, need="log")
    if kind not in KIND_FORMS:
        abort(404)
    return entry_form(membership, kind, Entry(patient_id=membership.patient_id, kind=kind))


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(patient_id, entry_id):
    membership = membership_or_404(patient_id, need="log")
    entry = entry_or_404(membership.patient, entry_id)
    return entry_form(membership, entry.kind, entry)


def entry_form(membership, kind, entry):
    """One view for adding and editing every kind of entry: validate, fill, record, redirect."""
    patient = membership.patient
    is_new = entry.id is None
    form = entry_form_for(kind, patient, current_user.timezone)
    if kind == "checkin" and is_new:
        form.previous = latest_checkin(patient)
    if not form.is_submitted():
        if is_new:
            form.set_defaults(patient, current_user.timezone, default_source(membership))
            preset_from_query(form)
        else:
            form.load(entry)
    if form.validate_on_submit():
        before = None if is_new else snapshot(entry)
        form.fill(entry)
        if is_new:
            entry.reported_by_id = current_user.id
            db.session.add(entry)
            saved = True
        else:
            saved = record(entry, current_user, "edited", before)
        db.session.commit()
        if is_new and kind not in LIST_VIEWS and not request.values.get("next"):
            # The home page's "Saved" banner offers Undo, and a red-flag warning where one applies.
            return redirect(url_for("diary.home", patient_id=patient.id, saved=entry.id))
        if saved:
            flash(_("Saved: %(entry)s", entry=entry_title(entry, patient.weight_unit)), "success")
        default = url_for(LIST_VIEWS[kind], patient_id=patient.id) if kind in LIST_VIEWS else (
            url_for("diary.entry_detail", patient_id=patient.id, entry_id=entry.id))
        return redirect(safe_next(default))
    return render_diary(f"diary/forms/{kind}.html", membership, form=form, entry=entry, kind=kind, is_new=is_new,
                        explainer=entry_explainer(entry) if not is_new else None)


def preset_from_query(form):
    """Links such as 'log a fall' or 'add details' arrive with the fields to fill in."""
    for name in ("symptom", "event_type", "region", "side"):
        if name in request.args and hasattr(form, name):
            form[name].data = request.args[name]


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>")
@login_required
def entry_detail(patient_id, entry_id):
    membership = membership_or_404(patient_id)
    entry = entry_or_404(membership.patient, entry_id, include_deleted=True)
    return render_diary("diary/entry.html", membership, entry=entry, explainer=entry_explainer(entry))


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>/delete", methods=["POST"])
@login_required
def delete_entry(patient_id, entry_id):
    membership = membership_or_404(patient_id, need="log")
    entry = entry_or_404(membership.patient, entry_id)
    if ButtonForm().validate_on_submit():
        entry.deleted_at = utc_now()
        record(entry, current_user, "deleted")
        db.session.commit()
        return redirect(with_query(safe_next(url_for("diary.history", patient_id=patient_id)), undo=entry.id))
    flash(_("Nothing was deleted. Please try again."), "error")
    return redirect(url_for("diary.entry_detail", patient_id=patient_id, entry_id=entry.id))


def with_query(path, **params):
    """The path with extra query parameters (for the Undo banner), keeping what it had."""
    separator = "&" if "?" in path else "?"
    return path + separator + urlencode(params)


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>/restore", methods=["POST"])
@login_required
def restore_entry(patient_id, entry_id):
    membership = membership_or_404(patient_id, need="log")
    entry = entry_or_404(membership.patient, entry_id, include_deleted=True)
    if ButtonForm().validate_on_submit() and entry.deleted_at is not None:
        entry.deleted_at = None
        record(entry, current_user, "restored")
        db.session.commit()
        flash(_("Restored: %(entry)s", entry=entry_title(entry, membership.patient.weight_unit)), "success")
    return redirect(safe_next(url_for("diary.entry_detail", patient_id=patient_id, entry_id=entry.id)))


@bp.route("/patients/<int:patient_id>/deleted")
@login_required
def deleted(patient_id):
    membership = membership_or_404(patient_id)
    entries = db.session.scalars(
        select(Entry).where(Entry.patient_id == patient_id, Entry.deleted_at.is_not(None))
        .order_by(Entry.deleted_at.desc()).limit(100)
    ).all()
    return render_diary("diary/deleted.html", membership, entries=entries)


@bp.route("/patients/<int:patient_id>/history")
@login_required
def history(patient_id):
    membership = membership_or_404(patient_id)
    patient = membership.patient
    customs = custom_symptoms(patient)
    form = HistoryFilterForm(request.args)
    form.symptom.choices = [("", _("All"))] + [(s.key, s.name) for s in catalogue.SYMPTOMS.values()] + [
        (f"custom-{c.id}", c.name) for c in customs]
    form.validate()
    history_filter = HistoryFilter(
        kind=form.kind.data if form.kind.data in catalogue.ENTRY_KINDS else "",
        group=form.group.data if form.group.data in catalogue.GROUPS else "",
        symptom=form.symptom.data if form.symptom.data in dict(form.symptom.choices) else "",
    )
    history_filter.since, history_filter.until = filter_range(patient, form)
    # Newest first, a page at a time, without counting the whole history (it can be years long).
    per_page = current_app.config["HISTORY_PAGE_SIZE"]
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    found = db.session.scalars(history_query(patient, history_filter).limit(per_page + 1)
                               .offset((page - 1) * per_page)).all()
    days = []
    for entry in found[:per_page]:
        day = to_local(entry.occurred_at, current_user.timezone).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(entry)
    return render_diary("diary/history.html", membership, form=form, days=days, page=page,
                        has_next=len(found) > per_page)


def filter_range(patient, form):
    """The UTC range the history filter asks for; bad dates in the URL are ignored, not a 500."""
    tz = current_user.timezone
    choice = form.range.data
    if choice == "since_visit":
        visit = last_visit(patient)
        return (visit.occurred_at if visit else None), None
    if choice in ("30", "90", "365"):
        return utc_now() - timedelta(days=int(choice)), None
    since_day = form.since.data if not form.since.errors else None
    until_day = form.until.data if not form.until.errors else None
    return day_range(since_day, until_day, tz)


@bp.route("/patients/<int:patient_id>/medications")
@login_required
def medications(patient_id):
    membership = membership_or_404(patient_id)
    entries = db.session.scalars(
        live_entries(membership.patient).where(Entry.kind == "medication")
        .order_by(Entry.ended_on.is_not(None), Entry.occurred_at.desc())
    ).all()
    return render_diary("diary/medications.html", membership, entries=entries)


@bp.route("/patients/<int:patient_id>/visits")
@login_required
def visits(patient_id):
    membership = membership_or_404(patient_id)
    entries = db.session.scalars(
        live_entries(membership.patient).where(Entry.kind == "visit").order_by(Entry.occurred_at.desc())
    ).all()
    return render_diary("diary/visits.html", membership, entries=entries, now=utc_now())


@bp.route("/patients/<int:patient_id>/questions", methods=["GET", "POST"])
@login_required
def questions(patient_id):
    membership = membership_or_404(patient_id, need="log" if request.method == "POST" else "read")
    patient = membership.patient
    form = KIND_FORMS["question"]()
    form.tz = current_user.timezone
    if form.validate_on_submit():
        entry = Entry(patient_id=patient.id, kind="question", reported_by_id=current_user.id)
        form.fill(entry)
        db.session.add(entry)
        db.session.commit()
        flash(_("Your question is on the list."), "success")
        return redirect(url_for("diary.questions", patient_id=patient.id))
    entries = db.session.scalars(
        live_entries(patient).where(Entry.kind == "question")
        .order_by(Entry.done_at.is_not(None), Entry.done_at.desc(), Entry.occurred_at.desc())
    ).all()
    return render_diary("diary/questions.html", membership, entries=entries, form=form)


@bp.route("/patients/<int:patient_id>/questions/<int:entry_id>/asked", methods=["POST"])
@login_required
def toggle_question(patient_id, entry_id):
    membership = membership_or_404(patient_id, need="log")
    entry = entry_or_404(membership.patient, entry_id)
    if entry.kind != "question":
        abort(404)
    if ButtonForm().validate_on_submit():
        before = snapshot(entry)
        entry.done_at = None if entry.done_at else utc_now()
        record(entry, current_user, "edited", before)
        db.session.commit()
    return redirect(url_for("diary.questions", patient_id=patient_id))

