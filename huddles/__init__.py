"""Huddles: the daily five-minute service lineup."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_migrate.cli import db as migrate_db_cli
from werkzeug.middleware.proxy_fix import ProxyFix

import huddles.models  # noqa: F401  (the whole schema, for the ORM and Alembic)
from huddles import config, extensions, page_cache, safe_input
from huddles.agenda.cli import agenda_cli
from huddles.agenda.views import api_bp as agenda_api_bp
from huddles.agenda.views import bp as agenda_bp
from huddles.api import bp as api_bp
from huddles.api.people import bp as people_api_bp
from huddles.attendance.api import bp as attendance_api_bp
from huddles.auth import service, sessions
from huddles.auth.cli import users_cli
from huddles.auth.models import User, hash_token
from huddles.auth.views import bp as auth_bp
from huddles.backup import backup_command
from huddles.db import install_sqlite_pragmas, utcnow
from huddles.demo.cli import demo_cli
from huddles.displays.api import bp as displays_api_bp
from huddles.displays.pwa import bp as pwa_bp
from huddles.displays.views import bp as displays_bp
from huddles.errors import ApiError, IdConverter, register_error_handlers
from huddles.extensions import babel, csrf, limiter, login_manager, mail, migrate
from huddles.huddle.api import bp as huddle_api_bp
from huddles.huddle.views import bp as huddle_bp
from huddles.i18n import LANGUAGE_NAMES, select_locale, text_direction
from huddles.i18n import bp as i18n_bp
from huddles.kudos.api import bp as kudos_api_bp
from huddles.kudos.views import bp as kudos_bp
from huddles.main.views import bp as main_bp
from huddles.org.cli import people_cli
from huddles.org.import_views import bp as people_import_bp
from huddles.org.locations_api import bp as locations_api_bp
from huddles.org.views import bp as org_bp
from huddles.reports.api import bp as reports_api_bp
from huddles.reports.views import bp as reports_bp
from huddles.scheduler.cli import scheduler_cli
from huddles.stories.api import bp as stories_api_bp
from huddles.stories.views import bp as stories_bp
from huddles.topics.api import bp as topics_api_bp
from huddles.topics.cli import content_cli
from huddles.topics.views import bp as topics_bp
from huddles.webhooks.views import bp as webhooks_bp

__version__ = "0.1.0"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app. It touches nothing outside itself: no tables, no scheduler, no files."""
    app = Flask(
        __name__,
        instance_path=str(config.PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(config.PROJECT_ROOT / "templates"),
    )
    config.load(app, overrides)
    app.url_map.converters["int"] = IdConverter
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_cli(app)
    register_error_handlers(app)
    return app


def register_extensions(app: Flask) -> None:
    extensions.db.init_app(app)
    end_reads_with_commit(app)
    migrate.init_app(app, extensions.db, directory=str(config.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    page_cache.install(app)
    if app.config["HUDDLES_PROXY_COUNT"]:
        # Behind a reverse proxy: trust its X-Forwarded-* headers for the client address and scheme.
        count = int(app.config["HUDDLES_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    with app.app_context():
        install_sqlite_pragmas(extensions.db.engine)


def end_reads_with_commit(app: Flask) -> None:
    """A request's last transaction, if it only read, ends with COMMIT, not ROLLBACK.

    Both are one round trip, but psycopg forgets the connection's prepared statements on every
    ROLLBACK (and deallocates them on the server), so a pool that always rolls back never keeps
    one, and PostgreSQL plans every statement of every request anew. A request answered below
    400 whose session holds no unsaved change ends with COMMIT instead: a page that read, and a
    change that committed and then read its answer back (an attendance tap, a thank-you).
    Anything else (an error, a change that wrote and did not commit) is rolled back as before.

    The COMMIT is the driver's own: the session's commit would first expire everything it
    loaded and walk its transaction's bookkeeping, for a read that changed nothing. The session
    is closed right after (Flask-SQLAlchemy's teardown), and its ROLLBACK then finds no open
    transaction, which the driver skips without a round trip.
    """

    @app.after_request
    def note_an_answer(response):
        if response.status_code < 400:
            g.answered_method = request.method
        return response

    @app.teardown_request
    def commit_a_read(error: BaseException | None) -> None:
        method = g.get("answered_method")
        if error is not None or method is None:
            return
        session = extensions.db.session()
        if not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        if page_cache.wrote(session):
            if method in ("GET", "HEAD"):
                # A read's statement wrote (not through the ORM's objects): the session's
                # commit changes the version of the kept pages with it.
                session.commit()
            # A change that wrote and did not commit is rolled back, as before.
            return
        try:
            session.connection().connection.driver_connection.commit()  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001  (the connection is rolled back and let go as before)
            session.rollback()


def register_security(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Sessions are rows of their own (auth.sessions: idle and absolute limits, sign-out ends
    # them everywhere). Flask-Login's "basic" protection would only mark a session not fresh,
    # which no view asks for, and marking it wrote the cookie of a visitor's first background
    # request (the manifest): answered after a sign-in, that cookie signed the person out again.
    login_manager.session_protection = None

    def bearer_token() -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    @login_manager.user_loader
    def load_user(key: str) -> User | None:
        # A request that brings a token is judged by its token alone, never by a cookie.
        if bearer_token() is not None:
            return None
        row, version = sessions.load_session_and_version(
            key, now=utcnow(), lifetimes=sessions.Lifetimes.from_config(app.config)
        )
        if row is None:
            # Ended, expired or never real: forget it, so the cookie stops being sent round.
            session.pop("_user_id", None)
            return None
        g.user_session = row
        page_cache.note_identity("session", row.key_hash, version)
        return row.user

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        token = bearer_token()
        if token is None or not req.path.startswith("/api/"):
            return None
        user, version = service.token_owner_and_version(token)
        if user is None:
            g.bad_token = True
        else:
            page_cache.note_identity("token", hash_token(token), version)
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            raise ApiError(401, str(_l("Sign in or send 'Authorization: Bearer <token>'.")))
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def check_csrf():
        # Cookies ride along on cross-site requests; a bearer token never does.
        if (
            request.method in ("POST", "PUT", "PATCH", "DELETE")
            and bearer_token() is None
            and app.config.get("WTF_CSRF_ENABLED", True)
        ):
            csrf.protect()

    # Hostile text, sizes and shapes are refused in one place, naming the field.
    safe_input.install(app)

    @app.before_request
    def reject_bad_token():
        if bearer_token() is not None and request.path.startswith("/api/"):
            current_user._get_current_object()  # runs the token check
            if g.get("bad_token"):
                message = str(_l("The API token is not valid or was revoked."))
                raise ApiError(401, message, code="invalid_token")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
            "worker-src 'self'; manifest-src 'self'",
        )
        if app.config["HUDDLES_ENV"] == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if response.status_code == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = "60"
        # What a signed-in person sees (a new API token, an invite link, the huddle's record) and
        # the password pages stay out of every cache, and the Back button after sign-out on a
        # shared screen shows nothing of the previous person. Static files keep their caching.
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            # `is_anonymous` is a constant of the class: a person the request's commit expired
            # is not loaded again just for this header.
            user = g.get("_login_user")
            if request.endpoint in NO_STORE_ENDPOINTS or (
                user is not None and not user.is_anonymous
            ):
                response.headers["Cache-Control"] = "no-store"
        return response


# Pages without a signed-in person that show or take a one-time link.
NO_STORE_ENDPOINTS = frozenset(
    {
        "auth.set_password",
        "auth.choose_password",
        "auth.claim_set_password_link",
        "auth.forgot_password",
        "auth.login",
    }
)


def register_blueprints(app: Flask) -> None:

    for blueprint in (
        auth_bp,
        main_bp,
        org_bp,
        api_bp,
        topics_bp,
        topics_api_bp,
        kudos_bp,
        kudos_api_bp,
        huddle_bp,
        attendance_api_bp,
        huddle_api_bp,
        agenda_bp,
        agenda_api_bp,
        stories_bp,
        stories_api_bp,
        reports_api_bp,
        people_api_bp,
        reports_bp,
        displays_bp,
        displays_api_bp,
        pwa_bp,
        locations_api_bp,
        people_import_bp,
        webhooks_bp,
        i18n_bp,
    ):
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:

    app.add_template_filter(text_direction, "direction")

    @app.context_processor
    def inject_locale() -> dict[str, Any]:
        locale = str(get_locale() or "en")
        return {
            "current_locale": locale,
            "text_direction": text_direction(locale),
            "language_names": LANGUAGE_NAMES,
            "url_map_endpoints": app.view_functions,
        }


def register_cli(app: Flask) -> None:

    app.cli.add_command(users_cli)
    app.cli.add_command(agenda_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(content_cli)
    # `flask db backup PATH` beside Flask-Migrate's own `db` commands.
    migrate_db_cli.add_command(backup_command)
    app.cli.add_command(people_cli)
