"""Sign-in, sign-out, setting a password from an invite link, and one's own account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from huddles.auth import service
from huddles.auth.forms import AccountForm, LoginForm, SetPasswordForm, TokenForm
from huddles.db import utcnow
from huddles.extensions import db, limiter
from huddles.i18n import LANGUAGE_NAMES
from huddles.validation import FieldError, attach_to_form

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _login_limit() -> str:
    return str(current_app.config["HUDDLES_LOGIN_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.today"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors = [_("This email and password do not match an active account.")]
        else:
            # A fresh session on sign-in: nothing from before survives (no session fixation).
            session.clear()
            login_user(user, remember=bool(form.remember.data))
            service.record_login(user, utcnow())
            return redirect(safe_next(request.args.get("next")) or url_for("main.today"))
    status = 200 if request.method == "GET" or not form.errors else 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def set_password(token: str):
    user = service.user_for_set_password_token(
        token, current_app.config["SECRET_KEY"], current_app.config["HUDDLES_INVITE_MAX_AGE"]
    )
    if user is None:
        return render_template("auth/set_password_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(user, form.password.data or "")
        except FieldError as error:
            attach_to_form(form, error)
        else:
            session.clear()
            login_user(user)
            flash(_("Your password is set. Welcome, %(name)s!", name=user.name), "success")
            return redirect(url_for("main.today"))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(locale=current_user.locale or "")
    form.locale.choices = [("", _("As my location"))] + list(LANGUAGE_NAMES.items())
    token_form = TokenForm(prefix="token")
    new_token = None
    if request.method == "POST" and request.form.get("action") == "token":
        if token_form.validate_on_submit():
            new_token = service.issue_api_token(current_user, token_form.name.data or "")
    elif form.validate_on_submit():
        current_user.locale = form.locale.data or None
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("auth.account"))
    tokens = [t for t in current_user.tokens if t.revoked_at is None]
    return render_template(
        "auth/account.html", form=form, token_form=token_form, tokens=tokens, new_token=new_token
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if service.revoke_api_token(token_id, current_user):
        flash(_("The token is revoked."), "success")
    else:
        flash(_("There is no such token."), "error")
    return redirect(url_for("auth.account"))
