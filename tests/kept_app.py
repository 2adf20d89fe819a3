"""One app per test worker for the tests that keep the default configuration.

Building the app (116 routes, extensions, blueprints) costs about 40 ms of CPU, and a fresh app
also compiles every template and loads every catalogue anew: most of a short test's time. The
`app` fixture keeps the app it built and hands it to the next test that asks for the same
configuration, reset to how it was built:

- its config and `app.extensions` as they were right after `create_app` (so a cache that the
  app makes on first use, such as the rendered revisions, starts empty again, and a value a test
  put there is gone);
- a new app context per test (a clean `g` and database session) and a new test client;
- Flask's "first request handled" flag cleared, so a test may add a route before its first
  request as on a new app.

An app is never reused when that could differ from a new one: when a test changed its shape
(routes, hooks, handlers, template globals, the WSGI callable) it is thrown away, and so it is
when another app was built since (`create_app` binds the shared extension objects, such as the
sign-in loader and the rate limiter, to the newest app).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from huddles import extensions

# The extension objects that `create_app` binds to the app it builds.
_SHARED = ("db", "migrate", "login_manager", "csrf", "babel", "limiter", "mail")


def bindings() -> tuple[tuple[str, dict[str, Any]], ...]:
    """What the shared extension objects hold now (compared by identity)."""
    return tuple((name, dict(vars(getattr(extensions, name)))) for name in _SHARED)


def same_bindings(
    now: tuple[tuple[str, dict[str, Any]], ...], then: tuple[tuple[str, dict[str, Any]], ...]
) -> bool:
    """Whether nothing the objects held when the app was built was replaced since (what they
    make on first use, such as Flask-Babel's domain, is no rebinding)."""
    for (_name, current), (_, kept) in zip(now, then, strict=True):
        for key, value in kept.items():
            if key not in current or (value is not None and current[key] is not value):
                return False
    return True


def shape(app: Flask) -> tuple[Any, ...]:
    """Everything a test could add to an app that a reset would not take back."""
    hooks = (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
        app.url_value_preprocessors,
        app.url_default_functions,
        app.template_context_processors,
    )
    # Looking a handler up adds empty entries to these defaultdicts: only the filled ones count.
    handlers = tuple(
        (blueprint, code, tuple(found.items()))
        for blueprint, codes in app.error_handler_spec.items()
        for code, found in codes.items()
        if found
    )
    environment = app.jinja_env
    return (
        tuple(rule.rule + "|" + str(rule.endpoint) for rule in app.url_map.iter_rules()),
        tuple(app.view_functions.items()),
        tuple((key, tuple(found)) for hook in hooks for key, found in hook.items() if found),
        tuple(app.teardown_appcontext_funcs),
        tuple(app.shell_context_processors),
        handlers,
        tuple(app.blueprints),
        tuple(app.url_map.converters.items()),
        tuple((key, id(value)) for key, value in environment.globals.items()),
        tuple((key, id(value)) for key, value in environment.filters.items()),
        tuple((key, id(value)) for key, value in environment.tests.items()),
        # Set on the instance when wrapped (ProxyFix, a test's middleware); else the method.
        id(vars(app).get("wsgi_app")),
        id(app.session_interface),
        id(app.json),
        id(app.test_client_class),
        id(app.response_class),
        id(app.request_class),
    )


@dataclass
class KeptApp:
    """An app as built, and what it takes to hand it out again as if new."""

    app: Flask
    key: str
    config: dict[str, Any] = field(init=False)
    extensions: dict[str, Any] = field(init=False)
    shape: tuple[Any, ...] = field(init=False)
    bindings: tuple[tuple[str, dict[str, Any]], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.config = copy.deepcopy(dict(self.app.config))
        self.extensions = dict(self.app.extensions)
        self.shape = shape(self.app)
        self.bindings = bindings()

    def still_as_built(self) -> bool:
        """False when a test changed what a reset cannot restore, or another app was built."""
        return shape(self.app) == self.shape and same_bindings(bindings(), self.bindings)

    def reset(self) -> None:
        """Config and extensions as built; setup methods allowed again until the next request."""
        app = self.app
        if dict(app.config) != self.config:
            app.config.clear()
            app.config.update(copy.deepcopy(self.config))
        app.extensions.clear()
        app.extensions.update(self.extensions)
        app._got_first_request = False
