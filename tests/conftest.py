"""Fixtures: an app on an emptied database per test (SQLite or PostgreSQL), factories, login."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, current_app, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from huddles import create_app, page_cache
from huddles.auth.models import User
from huddles.auth.sessions import Lifetimes, start_session
from huddles.db import utcnow
from huddles.extensions import db
from huddles.i18n import compile_catalogs
from huddles.org.models import Location, Organisation, RosterEntry, Shift
from tests.kept_app import KeptApp
from tests.pg import ensure_database, with_worker_suffix

PASSWORD = "correct horse battery"


def pytest_sessionstart(session: pytest.Session) -> None:
    """The interface catalogs, compiled as `make` does, so a plain `pytest` sees them too."""
    compile_catalogs()


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("HUDDLES_TEST_DATABASE_URL", "")
    if url:
        # Under pytest-xdist each worker empties and migrates a database of its own.
        url = with_worker_suffix(url, os.environ.get("PYTEST_XDIST_WORKER", ""))
        ensure_database(url)
        return url
    # tmp_path_factory already gives every xdist worker a folder of its own.
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated once per session with the committed migrations."""
    url = _database_url(tmp_path_factory)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        # Start from nothing, so a left-over schema from an earlier run cannot hide a migration bug.
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
                # A test database need not outlive a crash of the server: a commit does not
                # wait for its WAL to reach the disk (every new connection, the CLI's too).
                name = connection.engine.url.database
                connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
            else:
                db.metadata.drop_all(connection)
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        db.engine.dispose()
    return url


# The app hashes passwords with scrypt at N=32768 (about 0.1 s a hash and a check, on purpose);
# the tests sign in and set passwords a few hundred times. In the tests only, the same scrypt at
# N=1024: the hash keeps its form and is checked the same way, just sooner.
TEST_SCRYPT = "scrypt:1024:8:1"


def _test_password_hash(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
    return generate_password_hash(
        password, method=TEST_SCRYPT if method == "scrypt" else method, salt_length=salt_length
    )


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("huddles.auth.models.generate_password_hash", _test_password_hash)
        patch.setattr("huddles.demo.data.generate_password_hash", _test_password_hash)
        # What an unknown address is checked against, so it costs what a known one does.
        patch.setattr("huddles.auth.service._DUMMY_HASH", _test_password_hash("not a password"))
        yield


def test_config(database_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        **extra,
    }


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _filled_tables() -> sa.CompoundSelect:
    """One statement naming every table that holds a row."""
    return sa.union_all(
        *(
            sa.select(sa.literal(table.name).label("name")).where(
                sa.exists(sa.select(sa.literal(1)).select_from(table))
            )
            for table in db.metadata.sorted_tables
        )
    )


# On PostgreSQL, each table's id sequences whose next value is no longer their first: a row
# written and deleted again leaves the table empty, but not as TRUNCATE ... RESTART IDENTITY did.
MOVED_SEQUENCES = sa.text(
    "SELECT t.relname AS name, format('%I.%I', q.schemaname, q.sequencename) AS sequence,"
    " q.start_value FROM pg_depend d"
    " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
    " JOIN pg_class t ON t.oid = d.refobjid"
    " JOIN pg_sequences q ON q.schemaname = current_schema() AND q.sequencename = s.relname"
    " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
    " AND d.deptype IN ('a', 'i') AND q.last_value IS NOT NULL"
)

_FILLED: list[sa.CompoundSelect] = []


def empty_written_tables() -> None:
    """Empty the tables that were written and restart their ids, leaving what `empty_all_tables`
    leaves, at the cost of a query or two when nothing was written.

    DELETE, child tables first, instead of TRUNCATE: a TRUNCATE makes new files for every table
    and index it empties and takes 50-150 ms on PostgreSQL; deleting a test's few rows takes 1.
    """
    if not _FILLED:
        _FILLED.append(_filled_tables())
    written = set(db.session.scalars(_FILLED[0]))
    moved = []
    if db.engine.dialect.name == "postgresql":
        moved = db.session.execute(MOVED_SEQUENCES).all()
        written |= {row.name for row in moved}
    for table in reversed(db.metadata.sorted_tables):
        if table.name in written:
            db.session.execute(table.delete())
    for row in moved:
        # What RESTART IDENTITY does; setval is not rolled back, nor does it need to be.
        db.session.execute(
            sa.text("SELECT setval(CAST(:sequence AS regclass), :start, false)"),
            {"sequence": row.sequence, "start": row.start_value},
        )
    db.session.commit()


def _fresh_g() -> None:
    for name in list(g):
        g.pop(name)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change the configuration of `app`."""
    return {}


# The app of the default configuration, kept between tests (see tests/kept_app.py).
_kept: KeptApp | None = None
_emptied_once: set[str] = set()


def _default_app(database_url: str) -> Flask:
    global _kept
    if _kept is not None and _kept.key == database_url and _kept.still_as_built():
        _kept.reset()
        return _kept.app
    _kept = None
    app = _new_app(database_url, {})
    _kept = KeptApp(app, database_url)
    return app


def _new_app(database_url: str, app_config: dict[str, Any]) -> Flask:
    app = create_app(test_config(database_url, **app_config))
    # Requests made inside the test's app context share its `g`; start each request with a clean
    # one, as a real server does, so that one request's signed-in person never leaks into the next.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    return app


@pytest.fixture
def app(database_url: str, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = _default_app(database_url) if not app_config else _new_app(database_url, app_config)
    with app.app_context():
        if database_url not in _emptied_once:
            # Whatever an earlier run or the migrations left: every table, once.
            empty_all_tables()
            _emptied_once.add(database_url)
        else:
            empty_written_tables()
        yield app
        db.session.remove()
        empty_written_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def organisation(app: Flask) -> Organisation:
    org = Organisation(name="Test Hospitality")
    db.session.add(org)
    db.session.commit()
    return org


@pytest.fixture
def make_location(organisation: Organisation) -> Callable[..., Location]:
    def make(name: str = "Harbour Hotel", timezone: str = "Europe/Berlin", locale: str = "en"):
        location = Location(organisation=organisation, name=name, timezone=timezone, locale=locale)
        db.session.add(location)
        db.session.commit()
        return location

    return make


@pytest.fixture
def make_shift() -> Callable[..., Shift]:
    def make(
        location: Location,
        name: str = "Early",
        starts_at: time = time(7, 0),
        minutes: int = 480,
        weekdays: list[int] | None = None,
        roster: list[User] = (),
        active: bool = True,
    ) -> Shift:
        shift = Shift(
            location=location,
            name=name,
            starts_at=starts_at,
            duration_minutes=minutes,
            active=active,
        )
        shift.weekdays = list(range(7)) if weekdays is None else weekdays
        for user in roster:
            shift.roster.append(RosterEntry(user=user))
        db.session.add(shift)
        db.session.commit()
        return shift

    return make


_counter = iter(range(1, 1_000_000))


@pytest.fixture
def make_user(organisation: Organisation) -> Callable[..., User]:
    def make(
        role: str = "staff",
        location: Location | None = None,
        *,
        name: str | None = None,
        email: str | None = None,
        password: str | None = None,
        active: bool = True,
        locale: str | None = None,
    ) -> User:
        number = next(_counter)
        user = User(
            organisation=organisation,
            name=name or f"{role.title()} {number}",
            email=email or f"{role}{number}@example.test",
            role=role,
            location=location,
            active=active,
            locale=locale,
        )
        if password:
            user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@dataclass
class World:
    """Two locations, each with a lead, two staff and a shift; one admin over both."""

    admin: User
    here: Location
    there: Location
    lead: User
    staff: User
    colleague: User
    other_lead: User
    other_staff: User
    shift: Shift
    other_shift: Shift

    def by_role(self, role: str) -> User | None:
        return {"admin": self.admin, "lead": self.lead, "staff": self.staff, "anonymous": None}[
            role
        ]


@pytest.fixture
def world(make_location, make_user, make_shift) -> World:
    here = make_location("Harbour Hotel", "Europe/Berlin", "en")
    there = make_location("Old Town Bistro", "Europe/Warsaw", "pl")
    admin = make_user("admin", None, name="Ada Admin")
    lead = make_user("lead", here, name="Lena Lead")
    staff = make_user("staff", here, name="Sam Staff")
    colleague = make_user("staff", here, name="Cleo Colleague")
    other_lead = make_user("lead", there, name="Olek Lead")
    other_staff = make_user("staff", there, name="Ola Staff")
    shift = make_shift(here, "Early", roster=[lead, staff, colleague])
    other_shift = make_shift(there, "Dinner", time(16, 0), roster=[other_lead, other_staff])
    return World(
        admin, here, there, lead, staff, colleague, other_lead, other_staff, shift, other_shift
    )


def session_key_for(user: User, *, remember: bool = False, user_agent: str = "") -> str:
    """A new server-side session of the person; its key is what the cookie carries."""
    return start_session(
        user,
        now=utcnow(),
        lifetimes=Lifetimes.from_config(current_app.config),
        remember=remember,
        user_agent=user_agent,
    )


def sign_in_client(client: FlaskClient, user: User | None) -> FlaskClient:
    """Put a fresh server-side session of the person (or none) into the client's cookie."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = session_key_for(user)
            session["_fresh"] = True
    return client


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User | None], FlaskClient]:
    """Sign a person in on the test client without the (deliberately slow) password check."""

    def as_user(user: User | None) -> FlaskClient:
        return sign_in_client(client, user)

    return as_user


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def open_set_password_link(client: FlaskClient, link: str):
    """What a browser does with an invite link: GET its path (the server never sees the part
    after '#'), then send the fragment to the claim route as set_password.js does."""
    path, _hash, token = link.partition("#")
    path = re.sub(r"^https?://[^/]+", "", path)
    assert path == "/set-password", link
    assert token and token not in path
    landing = client.get(path)
    assert landing.status_code == 200, "the page that reads the fragment"
    return client.post("/set-password/claim", data={"code": token})


# Request headers that ask for a page made anew, not a kept answer (huddles.page_cache): for
# the tests that count the statements of making a page.
MADE_ANEW = {"Cache-Control": "no-cache"}


class QueryCounter:
    """Counts the SQL statements run while it is active: SQLAlchemy's, and the kept answers'
    checks that run on the driver connection (huddles.page_cache, on PostgreSQL)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.driver_statements = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements) + self.driver_statements


@pytest.fixture
def count_queries(app: Flask):
    """`with count_queries() as counter: ...` then `counter.count`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        kept = app.extensions.get(page_cache.EXTENSION)
        before = kept.driver_statements if kept is not None else 0
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)
            if kept is not None:
                counter.driver_statements = kept.driver_statements - before

    return counting


# Wednesday 2 December 2026, 08:30 in Berlin: inside the window of the world's Early shift
# (07:00–15:00 there), whose huddle window opened at 06:30.
IN_THE_EARLY_SHIFT = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    """Time stands at IN_THE_EARLY_SHIFT and ticks on; `clock.move_to(moment)` travels."""
    import time_machine

    with time_machine.travel(IN_THE_EARLY_SHIFT, tick=True) as traveller:
        yield traveller
