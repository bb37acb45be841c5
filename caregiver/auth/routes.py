"""Account views: sign up, sign in and out, recovery and confirmation by e-mail, settings, deleting."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required, login_user, logout_user

from .. import accounts
from ..extensions import limiter
from ..forms import ButtonForm
from ..i18n import gettext as _, select_locale, timezone_choices
from ..navigation import safe_next
from . import bp
from .forms import (
    DeleteAccountForm, ForgotPasswordForm, PasswordChangeForm, ResetPasswordForm, SettingsForm, SignInForm,
    SignUpForm,
)


def address_key():
    """Counted per e-mail address as well as per client, so that many clients cannot share the guessing."""
    return "address:" + accounts.normal_email(request.form.get("email", ""))[:254]


def failed(response):
    return response.status_code == 200  # the form again, with its error: a wrong password


def known_device():
    """A browser that has signed in to this account before is not held back by others' guessing."""
    return accounts.is_known_device(request.cookies.get(accounts.DEVICE_COOKIE), request.form.get("email", ""))


def signed_in(user, remember=False):
    """Start this device's session (a new one: nothing from before carries over) and remember it."""
    session.clear()
    login_user(accounts.start_session(user, request.user_agent.string), remember=remember)


def remember_device(response, user):
    response.set_cookie(accounts.DEVICE_COOKIE, accounts.device_cookie_for(user), max_age=accounts.DEVICE_COOKIE_AGE,
                        httponly=True, samesite="Lax", secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        # The same answer whether or not the address has an account: its owner is told by e-mail.
        accounts.sign_up(form.email.data, form.name.data, form.password.data, form.timezone.data, select_locale())
        return render_template("auth/check_email.html", email=accounts.normal_email(form.email.data),
                               signin=SignInForm(formdata=None, email=form.email.data))
    return render_template("auth/signup.html", form=form)


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=failed)
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=address_key, deduct_when=failed,
               exempt_when=known_device)
def signin():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    form = SignInForm()
    if form.validate_on_submit():
        # The same answer, in the same time, whether or not the account exists.
        user = accounts.check_credentials(form.email.data, form.password.data)
        if user is not None:
            signed_in(user, remember=form.remember.data)
            return remember_device(redirect(safe_next(url_for("patients.index"))), user)
        form.password.errors.append(_("That e-mail and password do not match an account."))
    return render_template("auth/signin.html", form=form)


@bp.route("/signout", methods=["POST"])
def signout():
    if ButtonForm().validate_on_submit():
        if current_user.is_authenticated:
            accounts.end_session(current_user)
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


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=address_key)
@limiter.limit("20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("auth/forgot_sent.html", email=accounts.normal_email(form.email.data))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token):
    user = accounts.user_of_reset_link(token)
    if user is None:
        return render_template("auth/link_gone.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        signed_in(user)
        flash(_("Your new password is saved. Every other device is signed out."), "success")
        return remember_device(redirect(url_for("patients.index")), user)
    return render_template("auth/reset.html", form=form)


@bp.route("/confirm/<token>")
def confirm_email(token):
    user = accounts.confirm_email(token)
    if user is None:
        return render_template("auth/link_gone.html"), 410
    flash(_("Thank you: %(email)s is confirmed.", email=user.email), "success")
    return redirect(url_for("auth.settings" if current_user.is_authenticated else "auth.signin"))


@bp.route("/confirm", methods=["POST"])
@login_required
@limiter.limit("5 per hour", methods=["POST"], key_func=lambda: f"user:{current_user.id}")
def send_confirmation():
    if ButtonForm().validate_on_submit():
        accounts.send_confirmation(current_user, current_user.pending_email or current_user.email)
        flash(_("We sent a new link to %(email)s.", email=current_user.pending_email or current_user.email), "info")
    return redirect(url_for("auth.settings"))


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
            flash(_("Your password is changed. Every other device is signed out."), "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/password.html", form=form)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user)
    common, others = timezone_choices(get_locale(), current_user.timezone)
    form.timezone.choices = {_("Common time zones"): common, _("Every other time zone"): others}
    if not form.is_submitted():
        form.load(current_user)
    if form.validate_on_submit():
        accounts.save_settings(current_user, form.name.data, form.timezone.data, form.private_emails.data,
                               *form.quiet_hours())
        if accounts.normal_email(form.email.data) != current_user.email:
            accounts.request_email_change(current_user, form.email.data)
            flash(_("Please confirm %(email)s: we sent a link there. Until then we use your old address.",
                    email=accounts.normal_email(form.email.data)), "info")
        else:
            flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"))
    # The zone is still sign-up's fallback (UTC): the page's script suggests the phone's own.
    return render_template("auth/settings.html", form=form, button=ButtonForm(),
                           suggest_own_zone=current_user.timezone == "UTC")


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
