"""Time and profile the benched pages in one process, as production runs them.

    python -m tests.profile_pages [--profile] [--sql] [--fresh] [--repeat N] [--url URL] [page ...]

Runs against the bench database (see tests/bench_http.py; `make bench` creates and fills it)
with `HUDDLES_ENV=production`, calls the WSGI app directly (no test client, no sockets), keeps
the cookies a browser would keep, and prints per page the milliseconds per request (and of
this process's CPU, steadier on a busy machine), the SQL statements one request makes, and
with --profile the functions that take the most time. A page the app keeps (huddles.page_cache)
is measured as it is answered again; --fresh measures it made anew each time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from collections.abc import Callable
from http.cookies import SimpleCookie

import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from tests.bench_http import DEFAULT_URL, current_huddle, database
from tests.conftest import MADE_ANEW

PAGES = ("huddle", "agenda_api", "wall", "today", "floor")
# The writes of the bench's second load (tests/bench_writes.lua), with the lead's token.
WRITES = ("tap", "thank")
# The message of the profiler's thank-yous, which it deletes again (the huddle reads out the rest).
PROFILE_KUDOS = "Thanks (tests.profile_pages)"


def build_app(url: str):
    os.environ.update(
        {"DATABASE_URL": url, "HUDDLES_ENV": "production", "SECRET_KEY": secrets.token_hex(32)}
    )
    from huddles import create_app

    return create_app()


class Browser:
    """Requests straight into the WSGI app, keeping cookies as a browser would."""

    def __init__(self, app, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}

    def get(self, path: str, method: str = "GET", json: object = None) -> tuple[str, bytes]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        environ = EnvironBuilder(
            path=path, method=method, json=json, headers=headers, base_url="https://localhost"
        ).get_environ()
        answer: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(status, response_headers, exc_info=None):  # noqa: ANN001
            answer.append((status, response_headers))

        body_iter = self.app.wsgi_app(environ, start_response)
        body = b"".join(body_iter)
        getattr(body_iter, "close", lambda: None)()
        status, response_headers = answer[0]
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        return status, body


def signed_in(app, url: str) -> tuple[Browser, Browser, dict[str, str]]:
    from huddles.auth import service
    from huddles.auth.models import User
    from huddles.extensions import db
    from tests.conftest import sign_in_client

    huddle = current_huddle(database(url), "Harbour Hotel")
    with app.app_context():
        lead = db.session.scalar(sa.select(User).where(User.email == "lead@example.com"))
        client = sign_in_client(app.test_client(), lead)
        token = service.issue_api_token(lead, "profile")
        db.session.remove()
    browser = Browser(app)
    browser.cookies = {cookie.key: cookie.value for cookie in client._cookies.values()}
    api = Browser(app, {"Authorization": f"Bearer {token}"})
    paths = {
        "huddle": f"/huddle/{huddle['shift_id']}/{huddle['day']}",
        "agenda_api": f"/api/v1/shifts/{huddle['shift_id']}/agenda?date={huddle['day']}",
        "wall": "/kudos",
        "today": "/",
        "floor": "/api/v1/me",
        "tap": (
            f"/api/v1/shifts/{huddle['shift_id']}/attendance/{huddle['people'][1]}"
            f"?date={huddle['day']}"
        ),
        "thank": "/api/v1/kudos",
    }
    bodies = {
        "tap": ("PUT", {"status": "present"}),
        "thank": (
            "POST",
            {
                "to_user_id": huddle["people"][0],
                "message": "Thanks (profile)",
                "value": "extra-mile",
            },
        ),
    }
    return browser, api, paths, bodies


def statements_of(app, call: Callable[[], object]) -> list[str]:
    """The statements of one call: SQLAlchemy's, then any kept answer's check on the driver."""
    from huddles import page_cache
    from huddles.extensions import db

    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    kept = app.extensions.get(page_cache.EXTENSION)
    before = kept.driver_statements if kept is not None else 0

    def count(conn, cursor, statement, *args):  # noqa: ANN001
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    if kept is not None:
        seen += ["(the kept answer's check, on the driver connection)"] * (
            kept.driver_statements - before
        )
    return seen


def function_calls(call: Callable[[], object], times: int = 5) -> int:
    """Python function calls per request: a measure of work that a busy machine does not skew."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(times):
        call()
    profile.disable()
    return round(pstats.Stats(profile).total_calls / times)  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "pages", nargs="*", default=list(PAGES), help=f"of {', '.join(PAGES + WRITES)}"
    )
    parser.add_argument(
        "--url", default=os.environ.get("HUDDLES_BENCH_HTTP_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile, by own time")
    parser.add_argument("--cumulative", action="store_true", help="cProfile, by cumulative time")
    parser.add_argument("--sql", action="store_true", help="print the statements")
    parser.add_argument("--fresh", action="store_true", help="no kept answers: make each page")
    args = parser.parse_args(argv)
    app = build_app(args.url)
    browser, api, paths, bodies = signed_in(app, args.url)
    if args.fresh:
        for client in (browser, api):
            client.headers.update(MADE_ANEW)
    for name in args.pages:
        client = api if name in ("agenda_api", *WRITES) else browser
        path = paths[name]
        method, json = bodies.get(name, ("GET", None))

        def call() -> tuple[str, bytes]:
            return client.get(path, method, json)  # noqa: B023

        status, body = call()
        for _ in range(10):
            call()
        statements = statements_of(app, call)
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.repeat):
            call()
        each = (time.perf_counter() - started) / args.repeat * 1000
        cpu_each = (time.process_time() - cpu) / args.repeat * 1000
        calls = function_calls(call)
        print(
            f"== {name} {path}: {status}, {len(body)} bytes, {len(statements)} SQL, "
            f"{each:.2f} ms ({cpu_each:.2f} ms of CPU), {calls} Python calls"
        )
        if args.sql:
            for statement in statements:
                print(
                    "   ",
                    " ".join(statement.split())[: int(os.environ.get("PROFILE_SQL_WIDTH", "160"))],
                )
        if args.profile or args.cumulative:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                call()
            profile.disable()
            order = "cumulative" if args.cumulative else "tottime"
            pstats.Stats(profile).sort_stats(order).print_stats(
                int(os.environ.get("PROFILE_LINES", "40"))
            )
    with database(args.url).begin() as connection:
        connection.execute(sa.text("DELETE FROM kudos WHERE message = :m"), {"m": PROFILE_KUDOS})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
