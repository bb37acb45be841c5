"""Account views: sign up, sign in and out, password, settings, deleting the account."""
from zoneinfo import available_timezones

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import accounts
from ..extensions import limiter
from ..forms import ButtonForm
from ..i18n import select_locale
from ..navigation import safe_next
from . import bp
from .forms import DeleteAccountForm, PasswordChangeForm, SettingsForm, SignInForm, SignUpForm

_TIMEZONE_CHOICES = sorted(available_timezones())


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        if accounts.find_user(form.email.data):
            form.email.errors.append(_("There is already an account with this e-mail. Sign in instead."))
        else:
            user = accounts.create_account(form.email.data, form.name.data, form.password.data, form.timezone.data,
                                           select_locale())
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
        # The same answer, in the same time, whether or not the account exists.
        user = accounts.check_credentials(form.email.data, form.password.data)
        if user is not None:
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
        accounts.sign_out_everywhere(current_user)
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
            accounts.change_password(current_user, form.password.data)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/password.html", form=form)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user)
    form.timezone.choices = _TIMEZONE_CHOICES
    if form.validate_on_submit():
        accounts.save_settings(current_user, form.name.data, form.timezone.data)
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form, button=ButtonForm())


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=lambda: f"user:{current_user.id}", deduct_when=failed)
def delete_account():
    form = DeleteAccountForm()
    going = accounts.diaries_only_i_manage(current_user)
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("That is not your password."))
        else:
            accounts.delete_account(current_user._get_current_object())
            logout_user()
            session.clear()
            flash(_("Your account is deleted."), "info")
            return redirect(url_for("main.index"))
    return render_template("auth/delete.html", form=form, going=going)
