"""Whole answers of the busiest pages, kept in each worker's memory while nothing has changed.

A page marked `@kept` (the huddle screen, the agenda API, the kudos wall, Today) is rendered by
Flask as always; its answer is then kept, keyed by everything of the request it can depend on
(path, query, cookies, bearer token, Accept, Accept-Language, Accept-Encoding, host). The same
request again is answered from memory after one SQL statement, which checks, as the full request
would:

- the session (or API token) is still live and its person active: signing out, an expired
  session, a revoked token or a deactivated person end the kept answers at once;
- nothing the answer shows was written since it was rendered: every transaction that changes
  a row (but of the few tables no kept page shows, `UNSHOWN`) writes a new random number into
  `page_version` just before it commits, in the same transaction, whichever process it runs in.
  Attendance and thank-yous, the tables written all day, have numbers of their own (`GROUPS`): a
  tap changes only the pages that read attendance, not the wall or the agenda API. A page depends
  on a group's number when it read that table while it was made, and always on the number of
  everything else;
- the minute has not turned: what a page derives from the clock is worked out per minute, and
  the exact time it embeds for its scripts (`live_now`) is filled in on the way out. So a row
  changed outside the app (by hand in psql) shows within the minute too.

The version is read before any of the page's data (in the session's own statement), so a change
committed while a page renders makes that answer old at once, never a stale one current.
Anything else falls through to Flask: a session that is due its once-a-minute `last_seen_at`,
an answer that set a cookie (a flashed message, a new CSRF token), anything but a 200, and a
request that asks for a fresh page (`Cache-Control: no-cache`, as a browser's hard reload does).
"""

from __future__ import annotations

import contextvars
import functools
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, g, request
from sqlalchemy.orm import Mapped, mapped_column

from huddles.db import utcnow
from huddles.extensions import db

# What a request brings that a kept page may depend on (with the method, always GET).
KEY_FIELDS = (
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_HOST",
    "wsgi.url_scheme",
    "SCRIPT_NAME",
)
# Tables whose writes leave every kept page as it was: the sessions and tokens (checked on
# every answer instead), the screens' pairing and follow state, the scheduler's and the
# webhooks' bookkeeping, and the version itself. A test holds the kept pages to it.
UNSHOWN = frozenset(
    {
        "user_sessions",
        "api_tokens",
        "displays",
        "display_states",
        "job_runs",
        "webhook_deliveries",
        "page_version",
        "alembic_version",
    }
)
ENVIRON_SLOT = "huddles.page_cache"
EXTENSION = "huddles.page_cache"  # app.extensions[EXTENSION]: the app's PageCache
# A connection's note that its transaction wrote to a shown table.
WROTE = "huddles_page_wrote"
# Set on a connection by the migrations: their writes are the schema's, not the pages'.
MIGRATING = "huddles_migrating"
HAS_TABLE = "huddles_has_page_version"
# The tables with a version of their own (its row's id); every other shown table's is EVERYTHING.
EVERYTHING = 1
GROUPS = {"attendance": 2, "kudos": 3}
# The groups in the order of `version_column`'s numbers.
ORDER = (EVERYTHING, *GROUPS.values())
_GROUP_NAMES = re.compile(r"\b(" + "|".join(GROUPS) + r")\b")
MAX_ENTRIES = 2000
MAX_BYTES = 48 * 1024 * 1024

F = TypeVar("F", bound=Callable[..., Any])


class PageVersion(db.Model):
    """A random number per group of tables (`GROUPS`; one row each) that changes with every
    committed write to a shown table of that group."""

    __tablename__ = "page_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(sa.BigInteger)


Version = tuple[int, ...]


def version_column() -> sa.ColumnElement[str]:
    """The current version, as one column of the session's (or token's) own statement: each
    group's number (0 before its first write), as text ("n1:n2:n3"; see `parse_version`)."""
    numbers = [
        sa.cast(
            sa.func.coalesce(
                sa.select(PageVersion.n).where(PageVersion.id == group).scalar_subquery(), 0
            ),
            sa.String,
        )
        for group in ORDER
    ]
    text = numbers[0]
    for number in numbers[1:]:
        text = text + ":" + number
    return text.label("page_version")


def parse_version(text: str | None) -> Version | None:
    """The numbers of `version_column`, in group order."""
    return None if text is None else tuple(int(part) for part in text.split(":"))


def kept(view: F) -> F:
    """Mark a GET view whose answers may be kept (see the module's rules)."""
    view._huddles_kept = True  # type: ignore[attr-defined]
    return view


def note_identity(kind: str, token_hash: str, version: str | None) -> None:
    """The signed-in person's session (or token) and the version read with it (auth's loaders)."""
    g.page_identity = (kind, token_hash)
    g.page_version = parse_version(version)


def live_now(text: str) -> None:
    """The page embeds this exact time for its scripts: a kept answer gets the time it is sent."""
    g.page_live_now = text


# --- Every write changes the version ------------------------------------------------------------

_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE", "UPSERT", "WITH")


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    wrote = conn.info.get(WROTE)
    if wrote is not None and EVERYTHING in wrote:
        return  # every kept page is old already
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        name = getattr(table, "name", None)
        if name in UNSHOWN or _changed_nothing(conn, cursor, executemany):
            return
        conn.info.setdefault(WROTE, set()).add(GROUPS.get(name or "", EVERYTHING))
    elif statement.lstrip()[:8].upper().startswith(_DML):
        # Text SQL: the table is not parsed out (a read by WITH costs a needless new version).
        conn.info.setdefault(WROTE, set()).add(EVERYTHING)


def _changed_nothing(conn, cursor, executemany: bool) -> bool:  # noqa: ANN001
    """A statement that changed no row (the status already marked tapped again, a delete of
    nothing). The driver's count is trusted only where it is exact: one statement, and with
    RETURNING only on PostgreSQL (SQLite counts those rows as they are fetched)."""
    if executemany or (cursor.description is not None and conn.dialect.name != "postgresql"):
        return False
    return bool(cursor.rowcount == 0)


def _bump_before_commit(conn) -> None:  # noqa: ANN001
    groups = conn.info.pop(WROTE, None)
    if not groups or conn.info.get(MIGRATING):
        return
    if not conn.info.get(HAS_TABLE):
        # A database not yet migrated to the table keeps no pages' version (looked up once
        # per connection, on its first write).
        if not sa.inspect(conn).has_table(PageVersion.__tablename__):
            return
        conn.info[HAS_TABLE] = True
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    values = []
    for group in sorted(groups):
        values += [group, secrets.randbits(62)]
    rows = ", ".join(f"({mark}, {mark})" for _group in groups)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(
            f"INSERT INTO page_version (id, n) VALUES {rows} "  # noqa: S608  (no input)
            "ON CONFLICT (id) DO UPDATE SET n = excluded.n",
            tuple(values),
        )
    finally:
        cursor.close()


# The groups of tables the statements of the answer being made have read (None: not making one).
_READ: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("page_read", default=None)


def _note_read(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    read = _READ.get()
    if read is not None:
        read.update(GROUPS[name] for name in _GROUP_NAMES.findall(statement))


def _forget_write(conn, *args: Any) -> None:  # noqa: ANN001
    conn.info.pop(WROTE, None)


def _forget_on_reset(dbapi_connection, record, reset_state) -> None:  # noqa: ANN001
    record.info.pop(WROTE, None)


def watch_writes(engine: sa.Engine) -> None:
    """Every transaction on this engine that wrote a shown row changes the version as it commits."""
    if sa.event.contains(engine, "commit", _bump_before_commit):
        return
    sa.event.listen(engine, "after_cursor_execute", _note_write)
    sa.event.listen(engine, "before_cursor_execute", _note_read)
    sa.event.listen(engine, "commit", _bump_before_commit)
    sa.event.listen(engine, "rollback", _forget_write)
    sa.event.listen(engine.pool, "reset", _forget_on_reset)


def wrote(session: Any) -> bool:
    """Whether the session's transaction wrote a shown row (its commit must be the session's)."""
    return bool(session.connection().info.get(WROTE))


# --- The kept answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    identity: tuple[str, str]
    # The number of each group the answer depends on, None for those it does not.
    version: tuple[int | None, ...]
    minute: datetime
    status: str
    headers: list[tuple[str, str]]
    parts: tuple[bytes, ...]  # the body; with a live time, the bytes before and after it
    size: int


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@functools.cache
def _check_statements() -> dict[str, sa.Select[Any]]:
    from huddles.auth.models import ApiToken, User, UserSession

    version = version_column()
    return {
        "session": sa.select(
            UserSession.last_seen_at,
            UserSession.expires_at,
            UserSession.remember,
            User.active,
            version,
        )
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == sa.bindparam("hash")),
        "token": sa.select(ApiToken.revoked_at, ApiToken.last_used_at, User.active, version)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == sa.bindparam("hash")),
    }


class PageCache:
    """The WSGI side: answers a kept request from memory, or keeps what Flask answered."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.lifetimes = sessions.Lifetimes.from_config(app.config)
        self.entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self.size = 0
        # Threaded servers (the development server, gthread workers) share one worker's answers.
        self.lock = threading.Lock()
        # Checks run on the driver connection, which SQLAlchemy's statement events do not see
        # (the tests and tests/profile_pages.py add them to the statements they count).
        self.driver_statements = 0

    @functools.cached_property
    def engine(self) -> sa.Engine:
        """The app's engine (and pool), without a transaction around the check: one round trip
        for its one statement, not three (BEGIN, SELECT, COMMIT)."""
        with self.app.app_context():
            return db.engine.execution_options(isolation_level="AUTOCOMMIT")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        if environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        key = tuple(environ.get(field) for field in KEY_FIELDS)
        now = utcnow()
        # A reload that asks for a fresh page (Cache-Control: no-cache) is made anew, and kept.
        fresh = "no-cache" in environ.get("HTTP_CACHE_CONTROL", "")
        entry = None if fresh else self.entries.get(key)
        if entry is not None:
            if entry.minute == _minute(now) and self._still_true(entry, now):
                with self.lock:
                    if key in self.entries:
                        self.entries.move_to_end(key)
                return self._send(entry, now, start_response)
            with self.lock:
                self._drop(key)
        slot: dict[str, Any] = {}
        environ[ENVIRON_SLOT] = slot
        answer: list[Any] = []

        def keep_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            answer[:] = [status, headers]
            return start_response(status, headers, exc_info)

        reading = _READ.set(set())
        try:
            body = self.wsgi_app(environ, keep_start)
            read = _READ.get() or set()
        finally:
            _READ.reset(reading)
        if "version" not in slot or not answer or not answer[0].startswith("200 "):
            return body
        slot["version"] = tuple(
            number if group == EVERYTHING or group in read else None
            for group, number in zip(ORDER, slot["version"], strict=True)
        )
        status, headers = answer
        if any(name.lower() == "set-cookie" for name, _value in headers):
            return body
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        self._keep(key, slot, _minute(now), status, headers, data)
        return [data]

    def _keep(
        self,
        key: tuple[Any, ...],
        slot: dict[str, Any],
        minute: datetime,
        status: str,
        headers: list[tuple[str, str]],
        data: bytes,
    ) -> None:
        parts: tuple[bytes, ...] = (data,)
        live = slot.get("live_now")
        if live:
            before, found, after = data.partition(live.encode())
            if not found:
                return
            parts = (before, after)
        entry = Entry(
            slot["identity"], slot["version"], minute, status, list(headers), parts, len(data)
        )
        with self.lock:
            self._drop(key)
            self.entries[key] = entry
            self.size += entry.size
            while self.entries and (len(self.entries) > MAX_ENTRIES or self.size > MAX_BYTES):
                self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        """Forget one answer (the caller holds the lock)."""
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.size -= entry.size

    @functools.cached_property
    def _driver_sql(self) -> dict[str, tuple[str, dict[str, Any]]] | None:
        """On PostgreSQL, each check's SQL as psycopg takes it, with its fixed values."""
        if self.engine.dialect.name != "postgresql":
            return None
        found = {}
        for kind, statement in _check_statements().items():
            compiled = statement.compile(dialect=self.engine.dialect)
            found[kind] = (compiled.string, compiled.construct_params({"hash": ""}))
        return found

    def _check_row(self, kind: str, token_hash: str) -> Any:
        driver_sql = self._driver_sql
        if driver_sql is None:
            with self.engine.connect() as connection:
                return connection.execute(_check_statements()[kind], {"hash": token_hash}).first()
        # The hottest statement there is, straight on the pooled driver connection: the same
        # SQL, a third of the time of a Connection's execute (psycopg returns aware datetimes
        # for these timestamptz columns, as the ORM would).
        sql, values = driver_sql[kind]
        self.driver_statements += 1
        fairy = self.engine.raw_connection()
        try:
            driver: Any = fairy.driver_connection
            driver.autocommit = True
            try:
                return driver.execute(sql, {**values, "hash": token_hash}).fetchone()
            finally:
                driver.autocommit = False
        except Exception:
            fairy.invalidate()
            raise
        finally:
            fairy.close()

    def _still_true(self, entry: Entry, now: datetime) -> bool:
        kind, token_hash = entry.identity
        try:
            row = self._check_row(kind, token_hash)
        except Exception:  # noqa: BLE001  (the driver's own errors, or SQLAlchemy's)
            # A dropped connection (the database restarted) or a database that is away: the
            # full request answers as it would, with the app's own error page if it must.
            return False
        if row is None:
            return False
        if kind == "session":
            last_seen, expires, remember, active, version = row
            live = sessions.still_live(
                expires_at=expires,
                remember=remember,
                last_seen_at=last_seen,
                now=now,
                lifetimes=self.lifetimes,
            ) and (
                # Due its once-a-minute note of being seen: the full request writes it.
                now - last_seen < sessions.SEEN_EVERY
            )
        else:
            revoked, last_used, active, version = row
            live = (
                revoked is None
                and last_used is not None
                and now - last_used <= service.TOKEN_USED_EVERY
            )
        return bool(live and active and _same(entry.version, parse_version(version)))

    @staticmethod
    def _send(entry: Entry, now: datetime, start_response: Callable[..., Any]) -> Iterator[bytes]:
        if len(entry.parts) == 1:
            start_response(entry.status, list(entry.headers))
            return iter(entry.parts)
        body = now.isoformat().encode().join(entry.parts)
        headers = [
            (name, str(len(body)) if name.lower() == "content-length" else value)
            for name, value in entry.headers
        ]
        start_response(entry.status, headers)
        return iter((body,))


def _same(kept: tuple[int | None, ...], now: Version | None) -> bool:
    """Whether every number the kept answer depends on is still the current one."""
    return now is not None and all(
        number is None or number == current for number, current in zip(kept, now, strict=True)
    )


def install(app: Flask) -> None:
    """Keep the answers of the `@kept` views (after the extensions, before any proxy fix).

    The version is watched whether or not this app keeps answers: its writes must make other
    processes' kept answers old (the scheduler, the CLI, a worker with them off)."""
    with app.app_context():
        watch_writes(db.engine)
    if not app.config["HUDDLES_KEEP_PAGES"] or app.debug:
        return

    @app.after_request
    def offer(response):
        slot = request.environ.get(ENVIRON_SLOT)
        view = app.view_functions.get(request.endpoint or "")
        if (
            slot is None
            or response.status_code != 200
            or response.is_streamed
            or not getattr(view, "_huddles_kept", False)
            or g.get("page_version") is None
            or g.get("page_identity") is None
        ):
            return response
        slot.update(
            identity=g.page_identity, version=g.page_version, live_now=g.get("page_live_now")
        )
        return response

    cache = PageCache(app.wsgi_app, app)
    app.extensions[EXTENSION] = cache
    app.wsgi_app = cache  # type: ignore[method-assign]


# The rules of the sessions and tokens the checks apply (they import this module's version).
from huddles.auth import service, sessions  # noqa: E402
