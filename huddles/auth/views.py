"""Sign-in, sign-out, setting a password from an invite link, and one's own account."""

from __future__ import annotations

import smtplib
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_mailman import EmailMessage

from huddles.auth import service, sessions
from huddles.auth.access import admin_required
from huddles.auth.forms import (
    AccountForm,
    ChangePasswordForm,
    ClaimLinkForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
    TokenForm,
)
from huddles.auth.links import set_password_link, token_from_pasted
from huddles.auth.models import User
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


def _lifetimes() -> sessions.Lifetimes:
    return sessions.Lifetimes.from_config(current_app.config)


def _sign_in(user: User, remember: bool) -> None:
    """A fresh cookie session (nothing from before survives) bound to a new server-side row."""
    session.clear()
    sessions.start_session(
        user,
        now=utcnow(),
        lifetimes=_lifetimes(),
        remember=remember,
        user_agent=request.user_agent.string or "",
        ip_address=request.remote_addr or "",
    )
    login_user(user)
    # "Keep me signed in": the cookie outlives the browser (up to HUDDLES_REMEMBER_MAX_AGE);
    # otherwise it goes when the browser closes. The server-side row decides either way.
    session.permanent = remember


def current_session_key() -> str | None:
    key = session.get("_user_id")
    return key if isinstance(key, str) else None


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
            _sign_in(user, remember=bool(form.remember.data))
            service.record_login(user, utcnow())
            return redirect(safe_next(request.args.get("next")) or url_for("main.today"))
    status = 200 if request.method == "GET" or not form.errors else 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":
        key = current_session_key()
        if key:
            sessions.end_session(key)
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        response = redirect(url_for("auth.login"))
        # No remember cookie is ever set (the session row does its work); drop any old one.
        response.delete_cookie(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
        # The browser forgets what it kept of this person: the service worker's copies of their
        # huddle pages (shown when the network is down) and the HTTP cache. Cookies stay: a
        # paired screen keeps its credential, and the language its choice.
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return render_template("auth/logout.html")


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """A one-time link by mail when mail is set up; the same answer whether the email exists."""
    form = ForgotPasswordForm()
    sent_to = None
    if mail_configured() and form.validate_on_submit():
        email = (form.email.data or "").strip()
        user = service.find_user_by_email(email)
        if user is not None and user.active:
            token = service.make_set_password_token(user, current_app.config["SECRET_KEY"])
            send_reset_mail(user, set_password_link(token))
        sent_to = email
    status = 422 if form.errors else 200
    return render_template(
        "auth/forgot_password.html", form=form, mail=mail_configured(), sent_to=sent_to
    ), status


def send_reset_mail(user: User, link: str) -> None:
    days = current_app.config["HUDDLES_INVITE_MAX_AGE"] // 86400
    body = _(
        "Hello %(name)s,\n\nSomeone (we hope you) asked to set a new password for Huddles.\n"
        "Open this link to choose one; it works once, for %(days)s days:\n\n%(link)s\n\n"
        "If you did not ask for it, ignore this message: your password stays as it is.",
        name=user.name,
        days=days,
        link=link,
    )
    message = EmailMessage(
        subject=_("Set a new password for Huddles"),
        body=body,
        to=[user.email],
        from_email=current_app.config.get("MAIL_DEFAULT_SENDER"),
    )
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        # Logged for the admin; the page answers as always, so an outage reveals no account.
        current_app.logger.exception("could not send the password link to user %s", user.id)


SET_PASSWORD_KEY = "set_password_token"  # noqa: S105 (a session key name)


def _user_for_token(token: object) -> User | None:
    if not isinstance(token, str):
        return None
    return service.user_for_set_password_token(
        token, current_app.config["SECRET_KEY"], current_app.config["HUDDLES_INVITE_MAX_AGE"]
    )


def _link_invalid():
    # With the paste form and its script: a newer link opened over a stale one still works.
    claim_form = ClaimLinkForm(formdata=None)
    return render_template("auth/set_password_invalid.html", claim_form=claim_form), 404


@bp.get("/set-password/<token>")
def set_password(token: str):
    """Links sent before the token moved to the fragment: into the session, then redirect."""
    session[SET_PASSWORD_KEY] = token[:500]
    return redirect(url_for("auth.choose_password"))


@bp.post("/set-password/claim")
@limiter.limit(_login_limit)
def claim_set_password_link():
    """The token from the link's fragment (set_password.js sends it, or a person pastes it)."""
    form = ClaimLinkForm()
    if form.validate_on_submit():
        token = token_from_pasted(form.code.data or "")
        if token is None:
            form.code.errors = [
                _("This is not the code of a Huddles link: copy the part after the # sign.")
            ]
        elif _user_for_token(token) is None:
            return _link_invalid()
        else:
            session[SET_PASSWORD_KEY] = token
            return redirect(url_for("auth.choose_password"), 303)
    return render_template("auth/set_password_claim.html", claim_form=form), 422


@bp.route("/set-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def choose_password():
    token = session.get(SET_PASSWORD_KEY)
    if token is None and request.method == "GET":
        # A new link's token is after '#': the page's script (or the person) sends it to claim.
        return render_template(
            "auth/set_password_claim.html", claim_form=ClaimLinkForm(formdata=None)
        )
    user = _user_for_token(token)
    if user is None:
        return _link_invalid()
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(user, form.password.data or "", utcnow())
        except FieldError as error:
            attach_to_form(form, error)
        else:
            _sign_in(user, remember=False)
            flash(_("Your password is set. Welcome, %(name)s!", name=user.name), "success")
            return redirect(url_for("main.today"))
    status = 422 if form.errors else 200
    return render_template("auth/set_password.html", form=form, user=user), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(locale=current_user.locale or "")
    form.locale.choices = [("", _("As my location"))] + list(LANGUAGE_NAMES.items())
    token_form = TokenForm(prefix="token")
    new_token = None
    if request.method == "POST" and request.form.get("action") == "token":
        if not current_user.may_use_api_tokens:
            abort(403, _("An admin has not allowed you to make API tokens."))
        if token_form.validate_on_submit():
            new_token = service.issue_api_token(current_user, token_form.name.data or "")
    elif form.validate_on_submit():
        current_user.locale = form.locale.data or None
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(form=form, token_form=token_form, new_token=new_token)


def _account_page(
    *,
    form: AccountForm | None = None,
    token_form: TokenForm | None = None,
    password_form: ChangePasswordForm | None = None,
    new_token: str | None = None,
    status: int = 200,
):
    if form is None:
        form = AccountForm(locale=current_user.locale or "", formdata=None)
        form.locale.choices = [("", _("As my location"))] + list(LANGUAGE_NAMES.items())
    tokens = [t for t in current_user.tokens if t.revoked_at is None]
    live = sessions.live_sessions(current_user, now=utcnow(), lifetimes=_lifetimes())
    return render_template(
        "auth/account.html",
        form=form,
        token_form=token_form or TokenForm(prefix="token", formdata=None),
        tokens=tokens,
        new_token=new_token,
        sessions=live,
        this_session=g.get("user_session"),
        describe_device=sessions.describe_device,
        password_form=password_form or ChangePasswordForm(prefix="pw", formdata=None),
    ), status


@bp.post("/account/password")
@login_required
@limiter.limit(_login_limit)
def change_password():
    """A new password ends every session and API token; this device signs in afresh."""
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data or ""):
            form.current.errors = [_("This is not your current password.")]
        else:
            user = current_user._get_current_object()
            remember = bool(g.user_session.remember) if g.get("user_session") else False
            try:
                service.change_password(user, form.password.data or "", utcnow())
            except FieldError as error:
                attach_to_form(form, error)
            else:
                _sign_in(user, remember=remember)
                flash(_("Your password is changed. You are signed out everywhere else."), "success")
                return redirect(url_for("auth.account"))
    return _account_page(password_form=form, status=422)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    count = sessions.end_other_sessions(current_user, current_session_key() or "")
    flash(ngettext("%(num)s other session ended.", "%(num)s other sessions ended.", count), "info")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if service.revoke_api_token(token_id, current_user):
        flash(_("The token is revoked."), "success")
    else:
        flash(_("There is no such token."), "error")
    return redirect(url_for("auth.account"))


@bp.post("/admin/people/<int:user_id>/api-tokens")
@admin_required
def allow_api_tokens(user_id: int):
    """An admin lets a staff member make API tokens, or stops them (revoking theirs)."""
    person = db.session.get(User, user_id)
    if person is None or person.organisation_id != current_user.organisation_id:
        abort(404, _("There is no such person."))
    allowed = request.form.get("allowed") == "1"
    service.allow_api_tokens(person, allowed, utcnow())
    message = (
        _("%(name)s may make API tokens.") if allowed else _("%(name)s may not make API tokens.")
    )
    flash(message % {"name": person.name}, "success")
    return redirect(url_for("org.edit_person", user_id=person.id))
