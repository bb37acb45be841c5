"""The diary: the patient's home, logging, entries, history, the lists, and offline sync."""
from urllib.parse import urlencode

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from .. import alerts, catalogue, clinics, delivery, entries, reminders
from ..access import entry_or_404, membership_or_404
from ..clock import utc_now
from ..forms import ButtonForm
from ..i18n import gettext as _
from ..models import Entry
from ..navigation import safe_next
from ..pages import kept_page
from ..passages import PASSAGES, passage_for
from ..payloads import PayloadError, read_json
from ..rows import symptom_ref
from ..summary.ranges import history_bounds
from . import bp
from .forms import KIND_FORMS, CustomSymptomForm, HistoryFilterForm, QuickLogForm, entry_form_for
from .sync import MAX_BATCH, SYNC_DEPTH, merge_entries

# Lists that have their own page, and where an entry of that kind goes back to.
LIST_VIEWS = {"medication": "diary.medications", "visit": "diary.visits", "question": "diary.questions"}


def banner_entry(patient, name):
    """The entry named in ?saved= or ?undo=, for the 'Saved' and 'Deleted - Undo' banners."""
    entry_id = request.args.get(name, "")
    if not entry_id.isdigit() or len(entry_id) > 18:
        return None
    return entries.entry_of(patient, int(entry_id), include_deleted=True)


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
    visit = entries.last_visit(patient)
    return render_diary(
        "diary/home.html", membership, quick=entries.most_logged_symptoms(patient, entries.custom_symptoms(patient)),
        recent=entries.recent_entries(patient), open_questions=entries.open_question_count(patient),
        last_visit=visit, days_since_visit=(utc_now() - visit.occurred_at).days if visit else None,
        failed_deliveries=delivery.failed_deliveries(patient_id) if membership.allows("owner") else [],
        open_alerts=alerts.on_home(patient_id), now=utc_now(), due_reminders=reminders.due(patient),
        reminder_table=reminders.REMINDERS, clinic_requests=clinics.open_requests(patient_id),
    )


@bp.route("/patients/<int:patient_id>/log", methods=["GET", "POST"])
@login_required
def symptom_picker(patient_id):
    """Every symptom, by group, as buttons; and adding the family's own symptom."""
    membership = membership_or_404(patient_id, need="log")
    patient = membership.patient
    form = CustomSymptomForm()
    if form.validate_on_submit():
        custom = entries.add_custom_symptom(patient, form.name.data, form.group.data)
        if custom is None:
            form.name.errors.append(_("This symptom is already on the list."))
        else:
            flash(_("%(name)s is added to the symptom list.", name=custom.name), "success")
            return redirect(url_for("diary.quick", patient_id=patient.id, ref=symptom_ref(None, custom.id)))
    groups = entries.symptoms_by_group(entries.custom_symptoms(patient))
    return render_diary("diary/symptom_picker.html", membership, groups=groups, form=form)


@bp.route("/patients/<int:patient_id>/log/<ref>", methods=["GET", "POST"])
@login_required
def quick(patient_id, ref):
    """Second tap: where (and which side). The button saves the entry, timed now."""
    membership = membership_or_404(patient_id, need="log")
    symptom = entries.quick_symptom(ref, entries.custom_symptoms(membership.patient)) or abort(404)
    form = QuickLogForm()
    if form.validate_on_submit():
        entry = entries.log_quick(membership, current_user, symptom, form.region.data, form.side.data)
        if entry is None:
            abort(400)  # only a hand-made request can name a place the page did not offer
        return redirect(url_for("diary.home", patient_id=patient_id, saved=entry.id))
    return render_diary("diary/quick.html", membership, symptom=symptom, places=symptom.places, form=form)


@bp.route("/patients/<int:patient_id>/new/<kind>", methods=["GET", "POST"])
@login_required
def new_entry(patient_id, kind):
    membership = membership_or_404(patient_id, need="log")
    if kind not in KIND_FORMS:
        abort(404)
    if kind == "measure" and request.args.get("measure") not in catalogue.MEASURES and request.method == "GET":
        return redirect(url_for("diary.measures", patient_id=patient_id))
    return entry_form(membership, kind, Entry(patient_id=membership.patient_id, kind=kind))


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(patient_id, entry_id):
    membership = membership_or_404(patient_id, need="log")
    entry = entry_or_404(membership.patient, entry_id)
    return entry_form(membership, entry.kind, entry)


def entry_form(membership, kind, entry):
    """One view for adding and editing every kind of entry: validate, save, redirect."""
    patient = membership.patient
    is_new = entry.id is None
    form = entry_form_for(kind, patient, current_user.timezone)
    if kind == "checkin" and is_new:
        form.previous = entries.latest_checkin(patient)
    if not form.is_submitted():
        if is_new:
            form.set_defaults(patient, current_user.timezone, entries.default_source(membership))
            preset_from_query(form)
        else:
            form.load(entry)
    if form.validate_on_submit():
        saved = entries.save_entry(entry, current_user, form.fill)
        if is_new and kind not in LIST_VIEWS and not request.values.get("next"):
            # The home page's "Saved" banner offers Undo, and a red-flag warning where one applies.
            return redirect(url_for("diary.home", patient_id=patient.id, saved=entry.id))
        if saved:
            flash(_("Saved: %(entry)s", entry=entries.entry_title(entry, patient.weight_unit)), "success")
        default = url_for(LIST_VIEWS[kind], patient_id=patient.id) if kind in LIST_VIEWS else (
            url_for("diary.entry_detail", patient_id=patient.id, entry_id=entry.id))
        return redirect(safe_next(default))
    return render_diary(f"diary/forms/{kind}.html", membership, form=form, entry=entry, kind=kind, is_new=is_new,
                        explainer=entries.entry_explainer(entry) if not is_new else None,
                        **(measure_context(form) if kind == "measure" else {}))


def measure_context(form):
    """A measure's page knows the measure, and the passage the speaking rate is read from."""
    measure = form.chosen or abort(404)
    return {"measure": measure, "passage": PASSAGES.get(form.passage.data) or passage_for(get_locale())}


@bp.route("/patients/<int:patient_id>/measures")
@login_required
def measures(patient_id):
    """Every measure with its last result: the phone's own, then readings from home devices."""
    membership = membership_or_404(patient_id)
    return render_diary("diary/measures.html", membership, latest=entries.latest_measures(membership.patient))


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>/recording")
@login_required
def recording(patient_id, entry_id):
    """A recording the family kept for the speech therapist, to the diary's team only."""
    membership = membership_or_404(patient_id)
    entry = entry_or_404(membership.patient, entry_id)
    if entry.recording is None:
        abort(404)
    return Response(entry.recording.audio, mimetype=entry.recording.mime_type)


def preset_from_query(form):
    """Links such as 'log a fall' or 'add details' arrive with the fields to fill in."""
    for name in ("symptom", "event_type", "region", "side", "measure"):
        if name in request.args and hasattr(form, name):
            form[name].data = request.args[name]


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>")
@login_required
def entry_detail(patient_id, entry_id):
    membership = membership_or_404(patient_id)
    entry = entry_or_404(membership.patient, entry_id, include_deleted=True)
    return render_diary("diary/entry.html", membership, entry=entry, explainer=entries.entry_explainer(entry),
                        copies=entries.conflicting_copies(entry))


@bp.route("/patients/<int:patient_id>/entries/<int:entry_id>/delete", methods=["POST"])
@login_required
def delete_entry(patient_id, entry_id):
    membership = membership_or_404(patient_id, need="log")
    entry = entry_or_404(membership.patient, entry_id)
    if ButtonForm().validate_on_submit():
        entries.delete_entry(entry, current_user)
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
    if ButtonForm().validate_on_submit() and entries.restore_entry(entry, current_user):
        flash(_("Restored: %(entry)s", entry=entries.entry_title(entry, membership.patient.weight_unit)), "success")
    return redirect(safe_next(url_for("diary.entry_detail", patient_id=patient_id, entry_id=entry.id)))


@bp.route("/patients/<int:patient_id>/deleted")
@login_required
def deleted(patient_id):
    membership = membership_or_404(patient_id)
    return render_diary("diary/deleted.html", membership, entries=entries.deleted_entries(membership.patient))


@bp.route("/patients/<int:patient_id>/history")
@login_required
def history(patient_id):
    membership = membership_or_404(patient_id)
    patient = membership.patient

    def content():
        form = HistoryFilterForm(request.args)
        form.set_symptoms(entries.custom_symptoms(patient))
        history_filter = entries.HistoryFilter(kind=form.chosen(form.kind), group=form.chosen(form.group),
                                               symptom=form.chosen(form.symptom))
        history_filter.since, history_filter.until = history_bounds(patient, form.choice(), current_user.timezone)
        found = entries.history_page(patient, history_filter, request.args.get("page", 1, type=int),
                                     current_app.config["HISTORY_PAGE_SIZE"], current_user.timezone)
        return render_template("diary/_history_content.html", patient=patient, membership=membership, form=form,
                               days=found.days, page=found.page, has_next=found.has_next,
                               raised=alerts.by_entry([e.id for _day, day in found.days for e in day]))

    return kept_page(membership, content, lambda html: render_diary("diary/history.html", membership, content=html))


@bp.route("/patients/<int:patient_id>/medications")
@login_required
def medications(patient_id):
    membership = membership_or_404(patient_id)
    return render_diary("diary/medications.html", membership,
                        entries=entries.entries_of_kind(membership.patient, "medication"))


@bp.route("/patients/<int:patient_id>/visits")
@login_required
def visits(patient_id):
    membership = membership_or_404(patient_id)
    return render_diary("diary/visits.html", membership, entries=entries.entries_of_kind(membership.patient, "visit"),
                        now=utc_now())


@bp.route("/patients/<int:patient_id>/questions", methods=["GET", "POST"])
@login_required
def questions(patient_id):
    membership = membership_or_404(patient_id, need="log" if request.method == "POST" else "read")
    patient = membership.patient
    form = entry_form_for("question", patient, current_user.timezone)
    if form.validate_on_submit():
        entries.save_entry(Entry(patient_id=patient.id, kind="question"), current_user, form.fill)
        flash(_("Your question is on the list."), "success")
        return redirect(url_for("diary.questions", patient_id=patient.id))
    return render_diary("diary/questions.html", membership, entries=entries.entries_of_kind(patient, "question"),
                        form=form)


@bp.route("/patients/<int:patient_id>/questions/<int:entry_id>/asked", methods=["POST"])
@login_required
def toggle_question(patient_id, entry_id):
    membership = membership_or_404(patient_id, need="log")
    entry = entry_or_404(membership.patient, entry_id)
    if entry.kind != "question":
        abort(404)
    if ButtonForm().validate_on_submit():
        entries.toggle_question(entry, current_user)
    return redirect(url_for("diary.questions", patient_id=patient_id))


@bp.route("/patients/<int:patient_id>/sync", methods=["POST"])
@login_required
def sync(patient_id):
    """Entries logged offline, as JSON: {"entries": [{"uuid", "kind", "fields", "tz"}, ...]}."""
    membership = membership_or_404(patient_id, need="log")
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (ValidationError, CSRFError):
            return jsonify(error=_("This page was open too long. Please reload it; your entries are kept.")), 400
    try:
        payload = read_json(request.get_data(), SYNC_DEPTH)
    except PayloadError:
        payload = None
    items = payload.get("entries") if isinstance(payload, dict) else None
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        return jsonify(error=_("Something in that request was not right")), 400
    results = merge_entries(membership.patient, current_user, entries.default_source(membership), items)
    return jsonify(results=[{"uuid": r.uuid, "status": r.status, "errors": r.errors, "id": r.id}
                            for r in results])
