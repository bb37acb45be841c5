"""The diary's alerts and what members do with them; how alerts and reminders reach each member."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from .. import alerts, push, reminders, rules
from ..access import membership_or_404
from ..clock import utc_now
from ..forms import ButtonForm
from ..i18n import gettext as _
from ..navigation import safe_next
from . import bp
from .forms import DoneForm, MemberSettingsForm, ScheduleForm, SnoozeForm


def alert_or_404(membership, alert_id):
    return alerts.alert_of(membership.patient_id, alert_id) or abort(404)


@bp.route("/patients/<int:patient_id>/alerts")
@login_required
def index(patient_id):
    membership = membership_or_404(patient_id)
    return render_template("notifications/index.html", patient=membership.patient, membership=membership,
                           alerts=alerts.history_of(patient_id), now=utc_now())


@bp.route("/patients/<int:patient_id>/alerts/<int:alert_id>")
@login_required
def alert(patient_id, alert_id):
    membership = membership_or_404(patient_id)
    found = alert_or_404(membership, alert_id)
    return render_template("notifications/alert.html", patient=membership.patient, membership=membership,
                           alert=found, rule=rules.RULES_BY_KEY[found.rule], now=utc_now(), button=ButtonForm(),
                           done_form=DoneForm(), snooze_form=SnoozeForm())


@bp.route("/patients/<int:patient_id>/alerts/<int:alert_id>/seen", methods=["POST"])
@login_required
def seen(patient_id, alert_id):
    membership = membership_or_404(patient_id)
    found = alert_or_404(membership, alert_id)
    if ButtonForm().validate_on_submit():
        alerts.mark_seen(found, current_user)
    return redirect(safe_next(url_for("notifications.alert", patient_id=patient_id, alert_id=alert_id)))


@bp.route("/patients/<int:patient_id>/alerts/<int:alert_id>/done", methods=["POST"])
@login_required
def done(patient_id, alert_id):
    membership = membership_or_404(patient_id, need="log")
    found = alert_or_404(membership, alert_id)
    form = DoneForm()
    if form.validate_on_submit():
        alerts.mark_done(found, current_user, (form.note.data or "").strip() or None)
        flash(_("Marked as done."), "success")
        return redirect(url_for("notifications.index", patient_id=patient_id))
    return render_template("notifications/alert.html", patient=membership.patient, membership=membership, alert=found,
                           rule=rules.RULES_BY_KEY[found.rule], now=utc_now(), button=ButtonForm(), done_form=form,
                           snooze_form=SnoozeForm())


@bp.route("/patients/<int:patient_id>/alerts/<int:alert_id>/snooze", methods=["POST"])
@login_required
def snooze(patient_id, alert_id):
    membership = membership_or_404(patient_id, need="log")
    found = alert_or_404(membership, alert_id)
    form = SnoozeForm()
    if form.validate_on_submit():
        alerts.snooze(found, current_user, form.hours.data)
        flash(_("Snoozed. It will show again after that."), "info")
    return redirect(url_for("notifications.alert", patient_id=patient_id, alert_id=alert_id))


@bp.route("/patients/<int:patient_id>/alerts/settings", methods=["GET", "POST"])
@login_required
def settings(patient_id):
    """How alerts and reminders reach me, for this diary; the diary's schedule for those who manage it."""
    membership = membership_or_404(patient_id)
    form = MemberSettingsForm()
    if not form.is_submitted():
        form.load(membership, alerts.levels_for(membership, "push"), alerts.levels_for(membership, "email"),
                  reminders.chosen_by(membership))
    if form.validate_on_submit():
        alerts.save_member_settings(membership, form.chosen("push", rules.LEVELS), form.chosen("email", rules.LEVELS),
                                    form.chosen("reminder", reminders.REMINDERS), form.weekly_digest.data)
        flash(_("Your alert settings are saved."), "success")
        return redirect(url_for("notifications.settings", patient_id=patient_id))
    return render_settings(membership, form, schedule_form(membership))


def schedule_form(membership, formdata=None):
    if not membership.allows("owner"):
        return None
    form = ScheduleForm(formdata=formdata)
    if formdata is None:
        form.escalate_after_minutes.data = membership.patient.escalate_after_minutes
        for key, days in reminders.schedule_of(membership.patient).items():
            form[f"days_{key}"].data = days
    return form


def render_settings(membership, form, schedule):
    return render_template(
        "notifications/settings.html", patient=membership.patient, membership=membership, form=form,
        schedule=schedule, reminders=reminders, vapid_key=push.vapid_keys()["public"],
        devices=push.subscriptions_of(current_user.id))


@bp.route("/patients/<int:patient_id>/alerts/schedule", methods=["POST"])
@login_required
def schedule(patient_id):
    membership = membership_or_404(patient_id, need="owner")
    form = schedule_form(membership, request.form)
    if form.validate_on_submit():
        alerts.save_schedule(membership.patient, form.escalate_after_minutes.data,
                             {key: form[f"days_{key}"].data for key in reminders.REMINDERS})
        flash(_("The schedule is saved."), "success")
        return redirect(url_for("notifications.settings", patient_id=patient_id))
    member_form = MemberSettingsForm(formdata=None)
    member_form.load(membership, alerts.levels_for(membership, "push"), alerts.levels_for(membership, "email"),
                     reminders.chosen_by(membership))
    return render_settings(membership, member_form, form)


def json_with_token():
    """A JSON request from this app's own script: the form token travels in a header."""
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except (ValidationError, CSRFError):
        abort(400)
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else abort(400)


@bp.route("/push/subscriptions", methods=["POST"])
@login_required
def subscribe():
    """This device's push subscription, as the browser's PushManager gives it."""
    payload = json_with_token()
    keys = payload.get("keys") if isinstance(payload.get("keys"), dict) else {}
    endpoint, p256dh, auth = payload.get("endpoint"), keys.get("p256dh"), keys.get("auth")
    if not all(isinstance(value, str) and 0 < len(value) <= limit
               for value, limit in ((endpoint, 1000), (p256dh, 200), (auth, 100))) or not endpoint.startswith("https://"):
        abort(400)
    push.subscribe(current_user, endpoint, p256dh, auth, request.user_agent.string)
    return jsonify(status="subscribed")


@bp.route("/push/subscriptions/remove", methods=["POST"])
@login_required
def unsubscribe():
    payload = json_with_token()
    if isinstance(payload.get("endpoint"), str):
        push.unsubscribe(current_user, payload["endpoint"])
    return jsonify(status="removed")
