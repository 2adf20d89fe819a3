"""Text no database can store, absurd sizes, deep nesting and wrong types: a 4xx naming the
field, on SQLite and PostgreSQL, on every JSON and form route (enumerated from the URL map)."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.topics.models import Topic
from tests.feature.test_access import _rules, _url

LONE_SURROGATE = "\ud83d"


def post_json(client, url, text: str, method="POST"):
    return client.open(url, method=method, data=text, headers={"Content-Type": "application/json"})


def error_of(response) -> dict:
    return response.get_json()["error"]


def kudos_body(world, **fields) -> dict:
    return {"to_user_id": world.colleague.id, "message": "Thanks", **fields}


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (LONE_SURROGATE, 400),
        ("thanks \ud800 for that", 400),
        ("nul\x00byte", 400),
        ("x" * 100_000, 400),
    ],
)
def test_kudos_message_that_cannot_be_stored_names_the_field(client, world, login, value, status):
    login(world.staff)
    response = post_json(client, "/api/v1/kudos", json.dumps(kudos_body(world, message=value)))
    assert response.status_code == status
    assert error_of(response)["field"] == "message"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Kudos)) == 0


@pytest.mark.parametrize("field", ["title", "body", "prompt", "slug", "source"])
@pytest.mark.parametrize("value", [LONE_SURROGATE, "a\x00b"])
def test_topic_fields_refuse_unstorable_text(client, world, login, field, value):
    login(world.admin)
    body = {"slug": "a-new-tip", "kind": "tip", "title": "A tip", "body": "Do it.", field: value}
    response = post_json(client, "/api/v1/topics", json.dumps(body))
    assert response.status_code == 400
    assert error_of(response)["field"] == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 0


def test_a_nested_field_is_named_by_its_path(client, world, login):
    login(world.admin)
    body = {"slug": "a", "translations": {"de": {"title": LONE_SURROGATE}}}
    response = post_json(client, "/api/v1/topics", json.dumps(body))
    assert error_of(response)["field"] == "translations.de.title"


@pytest.mark.parametrize("depth", [20, 100_000])
def test_deeply_nested_json_is_a_400(client, world, login, depth):
    login(world.staff)
    text = '{"message": ' + "[" * depth + "1" + "]" * depth + "}"
    response = post_json(client, "/api/v1/kudos", text)
    assert response.status_code in (400, 413)
    assert "error" in response.get_json()


def test_huddle_notes_refuse_a_nul_and_keep_what_was_there(client, world, login):
    login(world.lead)
    day = date.today().isoformat()
    response = client.post(f"/huddle/{world.shift.id}/{day}/notes", data={"notes": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["?q=%00", "?kind=a%00b", "?page=%00"])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client, world, login, query):
    login(world.admin)
    response = client.get("/api/v1/topics" + query)
    assert response.status_code == 400
    assert error_of(response)["field"] == query[1:].split("=")[0]


def test_a_nul_in_a_url_part_is_a_400(client, world, login):
    login(world.admin)
    assert client.get("/api/v1/topics/a%00b").status_code == 400
    assert client.get("/topics/a%00b").status_code == 400


@pytest.mark.parametrize(
    "body",
    [{"name": 12}, {"name": 1e308}, {"name": {"a": 1}}, {"name": ["a", ["b"]]}, {"name": True}],
)
def test_a_browser_form_sent_as_json_with_wrong_types_is_no_crash(client, world, login, body):
    login(world.admin)
    response = client.post("/admin/locations/new", json={"timezone": "Europe/Berlin", **body})
    assert 200 <= response.status_code < 500


def test_chunked_bodies_over_the_limit_get_413(app, client, world, login):
    login(world.staff)
    limit = app.config["MAX_CONTENT_LENGTH"]

    def chunks():
        piece = b"x" * 65536
        for _ in range(limit // len(piece) + 2):
            yield piece

    for url, content_type in (
        ("/api/v1/kudos", "application/json"),
        ("/kudos", "application/x-www-form-urlencoded"),
    ):
        response = client.post(
            url,
            headers={"Content-Type": content_type, "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input": _Stream(chunks()), "wsgi.input_terminated": True},
        )
        assert response.status_code == 413, url


class _Stream:
    """A body without a length, as a chunked upload reaches the app."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size=-1):
        return self.read(size)


# --- Property-based: every write route, JSON and form ----------------------------------------

FIELD_NAMES = [
    "title", "body", "prompt", "slug", "kind", "minutes", "tags", "message", "value",
    "to_user_id", "notes", "status", "topic", "name", "timezone", "locale", "setting",
    "translations", "code", "location_id", "reason", "about_user_id", "email", "role",
    "starts_at", "weekdays", "season", "webhook_url",
]  # fmt: skip
hostile_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc", "Zs", "So"]), max_size=10),
    st.just(LONE_SURROGATE),
    st.just("a\x00b"),
    st.builds(lambda n: "x" * n, st.sampled_from([200, 501, 5_000, 60_000])),
)
scalars = st.one_of(
    hostile_text,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
bodies = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=6)
form_bodies = st.dictionaries(st.sampled_from(FIELD_NAMES), hostile_text, max_size=6)


def _write_routes(app, world):
    for rule in _rules(app):
        if rule.endpoint == "auth.logout":  # would sign the admin out for the routes after it
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            url = _url(app, rule, world).replace(str(world.there.id), str(world.here.id))
            yield method, url


def _send(client, method, url, **kwargs):
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()
    return response


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, form=form_bodies)
def test_no_json_or_form_route_answers_hostile_input_with_a_5xx(
    app, client, world, login, body, form
):
    login(world.admin)
    for method, url in _write_routes(app, world):
        as_json = _send(client, method, url, json=body)
        assert as_json.status_code < 500, f"{method} {url} json={body!r:.200}"
        encoded = urlencode(form, encoding="utf-8", errors="surrogatepass")
        as_form = _send(
            client,
            method,
            url,
            data=encoded,
            content_type="application/x-www-form-urlencoded",
        )
        assert as_form.status_code < 500, f"{method} {url} form={form!r:.200}"
    db.session.rollback()
    assert client.get("/api/v1/me").status_code == 200  # every route was tried as the admin
