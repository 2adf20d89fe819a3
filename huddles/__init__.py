"""Huddles: the daily five-minute service lineup."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

import huddles.models  # noqa: F401  (the whole schema, for the ORM and Alembic)
from huddles import config, extensions
from huddles.agenda.cli import agenda_cli
from huddles.agenda.views import api_bp as agenda_api_bp
from huddles.agenda.views import bp as agenda_bp
from huddles.api import bp as api_bp
from huddles.attendance.api import bp as attendance_api_bp
from huddles.auth import service
from huddles.auth.cli import users_cli
from huddles.auth.models import User
from huddles.auth.views import bp as auth_bp
from huddles.db import install_sqlite_pragmas
from huddles.demo.cli import demo_cli
from huddles.errors import ApiError, IdConverter, register_error_handlers
from huddles.extensions import babel, csrf, limiter, login_manager, migrate
from huddles.huddle.views import bp as huddle_bp
from huddles.i18n import LANGUAGE_NAMES, select_locale, text_direction
from huddles.kudos.api import bp as kudos_api_bp
from huddles.kudos.views import bp as kudos_bp
from huddles.main.views import bp as main_bp
from huddles.org.views import bp as org_bp
from huddles.scheduler.cli import scheduler_cli
from huddles.stories.api import bp as stories_api_bp
from huddles.stories.views import bp as stories_bp
from huddles.topics.api import bp as topics_api_bp
from huddles.topics.cli import content_cli
from huddles.topics.views import bp as topics_bp

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
    migrate.init_app(app, extensions.db, directory=str(config.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["HUDDLES_PROXY_COUNT"]:
        # Behind a reverse proxy: trust its X-Forwarded-* headers for the client address and scheme.
        count = int(app.config["HUDDLES_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    with app.app_context():
        install_sqlite_pragmas(extensions.db.engine)


def register_security(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    def bearer_token() -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # A request that brings a token is judged by its token alone, never by a cookie.
        if bearer_token() is not None:
            return None
        identifier, _, version = user_id.partition(":")
        if not identifier.isdigit() or not version.isdigit():
            return None
        user = extensions.db.session.get(User, int(identifier))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(req) -> User | None:
        token = bearer_token()
        if token is None or not req.path.startswith("/api/"):
            return None
        user = service.user_for_api_token(token)
        if user is None:
            g.bad_token = True
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

    @app.before_request
    def require_json_objects():
        # Every JSON body this app takes is an object; anything else is refused before a form
        # or view tries to read it.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json:
            data = request.get_json(silent=True)
            if request.get_data() and not isinstance(data, dict):
                raise ApiError(400, str(_l("The body must be a JSON object.")))

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
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        return response


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
        agenda_bp,
        agenda_api_bp,
        stories_bp,
        stories_api_bp,
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
