"""One gate for hostile input, before any view reads it: text no database can store, absurd
sizes and nesting, JSON of the wrong shape for a form. Each refusal names the field at fault.

- JSON bodies: an object, at most MAX_DEPTH deep; every string and key valid Unicode (no lone
  surrogates such as "\\ud83d"), without NUL, at most HUDDLES_MAX_TEXT characters.
- Form fields, query parameters and URL parts: no NUL (PostgreSQL cannot store it), at most
  HUDDLES_MAX_TEXT characters. (Form bytes that are not UTF-8 are already replaced by Werkzeug.)
- JSON sent to a browser form is read as a browser would send it: numbers and booleans become
  text, nested objects are dropped, so a form validator sees strings only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from huddles.errors import ApiError

MAX_DEPTH = 16
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class SafeJSONProvider(DefaultJSONProvider):
    """JSON so deeply nested that the parser runs out of stack is bad input, not a crash."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, Any, int]]:
    yield path, value, depth
    if isinstance(value, dict):
        for key, item in value.items():
            yield path or str(key), key, depth + 1
            yield from _walk(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]" if path else f"[{index}]", depth + 1)


def text_problem(text: str, limit: int) -> str | None:
    """Why this text cannot be taken, or None."""
    if "\x00" in text:
        return _("It contains a NUL character.")
    if len(text) > limit:
        return _("It is longer than %(n)s characters.", n=limit)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("It is not valid Unicode text (a lone surrogate).")
    return None


def check_json(data: Any, limit: int) -> None:
    """Refuse a JSON body that is not an object, nests too deeply or holds unusable text."""
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    for path, value, depth in _walk(data, "", 0):
        if depth > MAX_DEPTH:
            raise ApiError(
                400, _("This is nested too deeply (at most %(n)s levels).", n=MAX_DEPTH), field=path
            )
        if isinstance(value, str):
            problem = text_problem(value, limit)
            if problem:
                raise ApiError(400, problem, field=path or None)


def _check_fields(pairs: Any, limit: int) -> None:
    for name, value in pairs:
        for text, field in ((name, name), (value, name)):
            if isinstance(text, str):
                problem = text_problem(text, limit)
                if problem:
                    raise ApiError(400 if "\x00" in text else 413, problem, field=str(field)[:80])


def refuse_oversize_stream() -> None:
    """A body without Content-Length (chunked) is cut at MAX_CONTENT_LENGTH by Werkzeug without
    a word; read it here, and if more is waiting past the limit, answer 413."""
    if (
        request.content_length is not None
        or "chunked" not in request.headers.get("Transfer-Encoding", "").lower()
    ):
        return
    maximum = request.max_content_length
    data = request.get_data(cache=True)
    if maximum is not None and len(data) >= maximum:
        request.stream.read(1)  # past the limit: Werkzeug raises RequestEntityTooLarge
        if len(data) > maximum:
            raise RequestEntityTooLarge()


def guard_request(limit: int) -> None:
    """The checks, run before every view."""
    refuse_oversize_stream()
    _check_fields(request.args.items(multi=True), limit)
    _check_fields((request.view_args or {}).items(), limit)
    if request.method not in WRITE_METHODS:
        return
    if request.is_json:
        if not request.get_data(cache=True):
            return
        try:
            data = request.get_json()
        except BadRequest:
            raise ApiError(400, _("The body is not valid JSON.")) from None
        check_json(data, limit)
    else:
        _check_fields(request.form.items(multi=True), limit)


def _as_form_text(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["y"] if value else []
    if isinstance(value, str):
        return [value]
    if isinstance(value, int | float):
        return [str(value)]
    if isinstance(value, list):
        return [
            text for item in value if not isinstance(item, list) for text in _as_form_text(item)
        ]
    return []


def json_as_formdata(data: Any) -> ImmutableMultiDict[str, str]:
    """A JSON object as the form fields a browser would send for it."""
    if not isinstance(data, dict):
        return ImmutableMultiDict()
    return ImmutableMultiDict(
        [(str(key), text) for key, value in data.items() for text in _as_form_text(value)]
    )


_original_wrap_formdata = FlaskForm.Meta.wrap_formdata


def _wrap_formdata(self: Any, form: Any, formdata: Any) -> Any:
    wrapped = _original_wrap_formdata(self, form, formdata)
    if wrapped is not None and request.is_json and not request.form and not request.files:
        return json_as_formdata(request.get_json(silent=True))
    return wrapped


def install(app: Flask) -> None:
    """Run the gate before every request of this app; forms read JSON as form text."""
    app.json_provider_class = SafeJSONProvider
    app.json = SafeJSONProvider(app)
    # Flask-WTF's documented hook for where a form's data comes from (Meta.wrap_formdata).
    FlaskForm.Meta.wrap_formdata = _wrap_formdata  # type: ignore[method-assign]

    @app.before_request
    def refuse_hostile_input() -> None:
        guard_request(int(app.config["HUDDLES_MAX_TEXT"]))
