"""Errors: JSON `{"error": {"code", "message"}}` under /api/, pages elsewhere; never a trace."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from huddles.extensions import db

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


class ApiError(Exception):
    """A client error with a status, a machine code, a message and optionally the field at fault."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")
        self.field = field

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in first."),
        403: _("You do not have access to this page."),
        404: _("There is nothing here."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a minute, then try again."),
        500: _("Something went wrong on our side. It has been logged."),
    }


def _respond(status: int, message: str, code: str | None = None, field: str | None = None):
    if wants_json():
        return jsonify(ApiError(status, message, code=code, field=field).to_json()), status
    return render_template("errors/error.html", status=status, message=message), status


MAX_ID = 2**31 - 1  # the largest value of an INTEGER key on PostgreSQL


class IdConverter(IntegerConverter):
    """`<int:…>` in URLs, limited to what a database key can hold: larger numbers are a 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (Werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers for API errors, CSRF failures, HTTP errors and crashes."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return _respond(error.status, error.message, error.code, error.field)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond(
            400,
            _("The form had expired or was sent from elsewhere. Reload the page and try again."),
            "csrf_failed",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # Our own abort(403, "...") messages are shown; Werkzeug's stock texts are replaced.
        own = error.description if error.description != type(error).description else None
        # A rate limit's own text ("10 per 1 minute") is for logs, not for people.
        message = (
            own if own and status < 500 and status != 429 else _messages().get(status, error.name)
        )
        return _respond(status, message)

    @app.errorhandler(sa.exc.DataError)
    @app.errorhandler(OverflowError)
    def out_of_range(error: Exception):
        # A number too large for the database column (an id of 10**30, say) is bad input.
        db.session.rollback()
        return _respond(400, _("A number in the request is out of range."), "out_of_range")

    @app.errorhandler(Exception)
    def crash(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _respond(500, _messages()[500])

    @app.errorhandler(InternalServerError)
    def internal(error: InternalServerError):
        return _respond(500, _messages()[500])
