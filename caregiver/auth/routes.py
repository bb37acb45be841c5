"""Account views."""
import secrets
from functools import cache
from zoneinfo import available_timezones

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import delete, select

from ..extensions import db, limiter, login_manager
from ..forms import ButtonForm
from ..i18n import is_timezone, select_locale
from ..models import Membership, Patient, User, erase_patients
from ..navigation import safe_next
from . import bp
from .forms import DeleteAccountForm, PasswordChangeForm, SettingsForm, SignInForm, SignUpForm
from werkzeug.security import check_password_hash, generate_password_hash

login_manager.login_view = "auth.signin"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"

_TIMEZONE_CHOICES = sorted(available_timezones())


@login_manager.user_loader
def load_user(login_id):
    user_id, _sep, nonce = login_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user


@cache
def _unknown_user_hash():
    return generate_password_hash(secrets.token_hex(16))


def find_user(email):
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        if find_user(form.email.data):
            form.email.errors.append(_("There is already an account with this e-mail. Sign in instead."))
        else:
            user = User(
                email=form.email.data.strip().lower(),
                name=form.name.data.strip(),
                timezone=form.timezone.data if is_timezone(form.timezone.data or "") else "UTC",
                locale=select_locale(),
            )
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s. Add the person you care for to start the diary.", name=user.name), "success")
            return redirect(safe_next(url_for("patients.new")))
    return render_template("auth/signup.html", form=form)


def account_key():
    """Attempts counted per account too, so that many addresses cannot share the guessing."""
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def failed(response):
    return response.status_code == 200  # the form again, with its error: a wrong password


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=failed)
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=account_key, deduct_when=failed)
def signin():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        # Check a hash either way and say the same thing, so neither the answer nor its timing
        # tells whether an account exists.
        if user is None:
            check_password_hash(_unknown_user_hash(), form.password.data)
        elif user.check_password(form.password.data):
            session.clear()  # a new session at sign-in: nothing from before it carries over
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(url_for("patients.index")))
        form.password.errors.append(_("That e-mail and password do not match an account."))
    return render_template("auth/signin.html", form=form)


@bp.route("/signout", methods=["POST"])
def signout():
    if ButtonForm().validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/signout-everywhere", methods=["POST"])
@login_required
def signout_everywhere():
    if ButtonForm().validate_on_submit():
        current_user.session_nonce = secrets.token_hex(16)
        db.session.commit()
        logout_user()
        flash(_("You are signed out on every device."), "info")
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=lambda: f"user:{current_user.id}", deduct_when=failed)
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            current_user.set_password(form.password.data)
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/password.html", form=form)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user)
    form.timezone.choices = _TIMEZONE_CHOICES
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form, button=ButtonForm())


def diaries_only_i_manage(user):
    """The patients this user manages with no one else managing them: they go with the account."""
    managed_by_others = select(Membership.patient_id).where(Membership.role == "owner", Membership.user_id != user.id)
    return db.session.scalars(
        select(Patient).join(Membership).where(Membership.user_id == user.id, Membership.role == "owner",
                                               Patient.id.not_in(managed_by_others))
    ).all()


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=lambda: f"user:{current_user.id}", deduct_when=failed)
def delete_account():
    form = DeleteAccountForm()
    going = diaries_only_i_manage(current_user)
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("That is not your password."))
        else:
            erase_patients([patient.id for patient in going])
            db.session.execute(delete(User).where(User.id == current_user.id))
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account is deleted."), "info")
            return redirect(url_for("main.index"))
    return render_template("auth/delete.html", form=form, going=going)
