"""Invite and reset links carry their token after '#': it reaches no request path, so no access
log, proxy or Referer. The page's script (or the person, without scripts) sends it to a claim
route, which puts it into the session as the old `/set-password/<token>` links still do."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import request

from huddles.auth import service
from huddles.auth.links import set_password_link, token_from_pasted
from huddles.auth.models import User
from huddles.extensions import db
from tests.conftest import csrf_token_from, open_set_password_link

NEW_SECRET = "a brand new secret"


@pytest.fixture
def invited(make_user, make_location):
    return make_user("staff", make_location(), email="nia@example.com")


@pytest.fixture
def token(app, invited):
    return service.make_set_password_token(invited, app.config["SECRET_KEY"])


@pytest.fixture
def seen_paths(app):
    """Every path and query string the server is asked for, as an access log records them."""
    paths: list[str] = []

    def record() -> None:
        paths.append(request.full_path)

    # Straight into the table: the app has not served a request yet, but may have been set up.
    app.before_request_funcs.setdefault(None, []).insert(0, record)
    return paths


def _choose(client, password: str = NEW_SECRET):
    return client.post("/set-password", data={"password": password, "confirm": password})


def test_a_new_link_has_no_token_in_its_path_and_carries_it_after_the_hash(app, token):
    with app.test_request_context():
        link = set_password_link(token)
    assert link == f"http://localhost/set-password#{token}"
    app.config["HUDDLES_PUBLIC_URL"] = "https://huddles.example.org/"
    with app.test_request_context():
        assert set_password_link(token) == f"https://huddles.example.org/set-password#{token}"
    with app.app_context():  # the CLI: no request to take a host from
        assert set_password_link(token) == f"https://huddles.example.org/set-password#{token}"


def test_opening_an_invite_link_never_shows_the_server_the_token(client, login, world, seen_paths):
    login(world.admin)
    page = client.post(
        "/admin/people/new",
        data={"name": "Ola New", "email": "ola@example.com", "role": "staff"}
        | {"location_id": str(world.here.id), "locale": ""},
    ).get_data(as_text=True)
    link = re.search(r'value="(http://localhost/set-password#([^"]+))"', page)
    assert link, page
    token = link.group(2)
    client.post("/logout")
    seen_paths.clear()
    claimed = open_set_password_link(client, link.group(1))
    assert claimed.status_code == 303 and claimed.headers["Location"] == "/set-password"
    form = client.get("/set-password")
    assert "Choose a password for ola@example.com" in form.get_data(as_text=True)
    assert _choose(client).headers["Location"] == "/"
    assert seen_paths and not any(token in path for path in seen_paths), seen_paths


def test_the_claimed_link_sets_the_password_once(client, invited, token):
    claimed = client.post("/set-password/claim", data={"code": token})
    assert claimed.headers["Location"] == "/set-password"
    assert 'name="password"' in client.get("/set-password").get_data(as_text=True)
    assert _choose(client).status_code == 302
    assert db.session.get(User, invited.id).check_password(NEW_SECRET)
    client.post("/logout")
    used = client.post("/set-password/claim", data={"code": token})
    assert used.status_code == 404
    assert "This link does not work any more" in used.get_data(as_text=True)


def test_the_page_behind_a_link_says_what_to_do_without_scripts(client):
    page = client.get("/set-password")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert re.search(r"<noscript>.*paste it below.*</noscript>", html, re.S)
    assert 'action="/set-password/claim"' in html and 'name="code"' in html
    assert '<script src="/static/js/set_password.js" defer></script>' in html
    assert 'name="password"' not in html  # no form to choose a password without a link
    assert "<script>" not in html  # the CSP allows no inline script


@pytest.mark.parametrize(
    "pasted",
    [
        "{token}",
        "  {token}\n",
        "http://localhost/set-password#{token}",
        "<https://huddles.example.org/set-password#{token}>",
        "http://localhost/set-password/{token}",  # an old link pasted: it works as well
    ],
)
def test_without_scripts_the_pasted_code_or_link_opens_the_form(client, invited, token, pasted):
    claimed = client.post("/set-password/claim", data={"code": pasted.format(token=token)})
    assert claimed.headers["Location"] == "/set-password"
    assert _choose(client).status_code == 302
    assert db.session.get(User, invited.id).check_password(NEW_SECRET)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_paste_form_carries_its_csrf_token_and_needs_it(client, invited, token):
    assert client.post("/set-password/claim", data={"code": token}).status_code == 400
    html = client.get("/set-password").get_data(as_text=True)
    data = {"code": token, "csrf_token": csrf_token_from(html)}
    assert client.post("/set-password/claim", data=data).headers["Location"] == "/set-password"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Paste the code from your link."),
        ({"code": "   "}, "Paste the code from your link."),
        ({"code": "not a code at all!"}, "This is not the code of a Huddles link"),
        ({"code": "x" * 5000}, "This is not the code of a Huddles link"),
        ({"code": "http://localhost/set-password#"}, "This is not the code of a Huddles link"),
    ],
)
def test_junk_in_the_paste_form_is_refused_next_to_the_field(client, data, message):
    response = client.post("/set-password/claim", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'class="error"' in html
    assert response.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        assert "set_password_token" not in session


@pytest.mark.parametrize(
    "body",
    [
        {"json": {"code": ["a", "list"]}},
        {"json": {"code": {"nested": 1}}},
        {"json": [1, 2]},
        {"data": {"code": "a\x00b"}},
        {"data": b"\xff\xfe", "content_type": "application/octet-stream"},
    ],
)
def test_odd_bodies_get_a_4xx_never_a_500(client, body):
    assert 400 <= client.post("/set-password/claim", **body).status_code < 500


def test_a_bad_or_expired_token_shows_the_invalid_link_page(app, client, invited, clock):
    token = service.make_set_password_token(invited, app.config["SECRET_KEY"])
    tampered = client.post("/set-password/claim", data={"code": token[:-2] + "xx"})
    assert tampered.status_code == 404
    assert "This link does not work any more" in tampered.get_data(as_text=True)
    clock.shift(timedelta(seconds=app.config["HUDDLES_INVITE_MAX_AGE"] + 60))
    expired = client.post("/set-password/claim", data={"code": token})
    assert expired.status_code == 404
    assert "This link does not work any more" in expired.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "set_password_token" not in session


def test_a_newer_link_opens_over_a_dead_one_left_in_the_session(app, client, invited):
    old = service.make_set_password_token(invited, app.config["SECRET_KEY"])
    client.get(f"/set-password/{old}")  # opened, never finished
    service.reset_password(invited)  # the admin sends a new link: the old one dies
    dead = client.get("/set-password")
    assert dead.status_code == 404
    html = dead.get_data(as_text=True)
    assert "This link does not work any more" in html
    assert 'action="/set-password/claim"' in html and "js/set_password.js" in html
    new = service.make_set_password_token(invited, app.config["SECRET_KEY"])
    assert client.post("/set-password/claim", data={"code": new}).status_code == 303
    assert _choose(client).status_code == 302


def test_links_sent_before_the_change_still_work(client, invited, token):
    landing = client.get(f"/set-password/{token}")
    assert landing.headers["Location"] == "/set-password"
    assert _choose(client).status_code == 302
    assert db.session.get(User, invited.id).check_password(NEW_SECRET)


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "HUDDLES_LOGIN_LIMIT": "2 per minute"}]
)
def test_guessing_codes_is_slowed_down_per_client(app, client, token):
    guesser = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(2):
        client.post("/set-password/claim", data={"code": "a.b.c"}, environ_base=guesser)
    blocked = client.post("/set-password/claim", data={"code": token}, environ_base=guesser)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    other = app.test_client().post("/set-password/claim", data={"code": token})
    assert other.status_code == 303


@pytest.mark.parametrize(
    ("pasted", "found"),
    [
        ("abc.def", "abc.def"),
        (".eJy.abc.def", ".eJy.abc.def"),
        ("https://h/set-password#abc.def", "abc.def"),
        ("https://h/set-password/abc.def/", "abc.def"),
        ("'abc.def'", "abc.def"),
        ("", None),
        ("#", None),
        ("abc def", None),
        ("abc/def", None),
        ("a" * 501, None),
        ("ab\u00e9", None),
    ],
)
def test_the_token_is_found_in_what_was_pasted(pasted, found):
    assert token_from_pasted(pasted) == found
