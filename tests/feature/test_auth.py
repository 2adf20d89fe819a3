"""Sign-in, sessions, invite links and API tokens."""

import pytest
import sqlalchemy as sa

from huddles.auth import service
from huddles.auth.models import ApiToken, User
from huddles.db import utcnow
from huddles.extensions import db
from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture
def person(make_user, make_location):
    return make_user("staff", make_location(), email="Sam@Example.com", password=PASSWORD)


def sign_in(client, email, password, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_sign_in_with_any_case_of_the_email(client, person):
    response = sign_in(client, "SAM@example.COM", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/api/v1/me").get_json()["email"] == "sam@example.com"


@pytest.mark.parametrize(
    ("email", "password"),
    [("sam@example.com", "wrong password"), ("nobody@example.com", PASSWORD), ("", "")],
)
def test_a_failed_sign_in_says_so_next_to_the_field(client, person, email, password):
    response = sign_in(client, email, password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error"' in page
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_person_cannot_sign_in_and_their_session_ends(client, person):
    sign_in(client, "sam@example.com", PASSWORD)
    assert client.get("/").status_code == 200
    service.set_active(person, False)
    assert client.get("/").status_code == 302
    assert sign_in(client, "sam@example.com", PASSWORD).status_code == 422


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/kudos?x=1", "/kudos?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_goes_to_paths_on_this_site(client, person, next_url, expected):
    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"email": "sam@example.com", "password": PASSWORD},
    )
    assert response.headers["Location"] == expected


def test_sign_in_starts_a_new_session(client, person):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, "sam@example.com", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


def _session_cookie(response):
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_remember_me_keeps_the_http_only_cookie_beyond_the_browser_session(client, person):
    kept = _session_cookie(sign_in(client, "sam@example.com", PASSWORD, remember="y"))
    assert "HttpOnly" in kept
    assert "SameSite=Lax" in kept
    assert "Expires=" in kept
    client.post("/logout")
    plain = _session_cookie(sign_in(client, "sam@example.com", PASSWORD))
    assert "Expires=" not in plain


def test_sign_out_needs_a_post(client, person, login):
    login(person)
    assert client.get("/logout").status_code == 200
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_sign_out_tells_the_browser_to_forget_its_copies(client, person, login):
    """On a shared screen the service worker keeps copies of huddle pages for when the network
    is down: signing out clears them (and the HTTP cache), never the cookies."""
    login(person)
    response = client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "cookies" not in response.headers["Clear-Site-Data"]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_post_without_its_csrf_token_is_refused(client, person):
    response = sign_in(client, "sam@example.com", PASSWORD)
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert sign_in(client, "sam@example.com", PASSWORD, csrf_token=token).status_code == 302


def test_an_invite_link_works_once(app, client, make_user, make_location):
    invited = make_user("staff", make_location())
    token = service.make_set_password_token(invited, app.config["SECRET_KEY"])
    form = {"password": "a brand new secret", "confirm": "a brand new secret"}
    landing = client.get(f"/set-password/{token}")
    assert landing.headers["Location"] == "/set-password"  # the token leaves the URL at once
    assert client.post("/set-password", data=form).status_code == 302
    assert db.session.get(User, invited.id).check_password("a brand new secret")
    client.post("/logout")
    assert client.get(f"/set-password/{token}", follow_redirects=True).status_code == 404


def test_a_short_password_is_refused_next_to_the_field(app, client, make_user, make_location):
    invited = make_user("staff", make_location())
    token = service.make_set_password_token(invited, app.config["SECRET_KEY"])
    client.get(f"/set-password/{token}")
    response = client.post("/set-password", data={"password": "short", "confirm": "short"})
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.get(User, invited.id).password_hash is None


def test_a_tampered_invite_link_is_refused(client):
    assert client.get("/set-password/not-a-token", follow_redirects=True).status_code == 404
    assert client.get("/set-password").status_code == 404


def test_api_token_authenticates_and_is_stored_hashed(client, person):
    token = service.issue_api_token(person, "script")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["id"] == person.id
    stored = db.session.scalar(sa.select(ApiToken))
    assert token not in (stored.token_hash, stored.prefix)
    assert stored.last_used_at is not None


def test_a_revoked_or_wrong_token_gets_a_json_401(client, person):
    token = service.issue_api_token(person)
    service.revoke_api_token(db.session.scalar(sa.select(ApiToken.id)), person)
    for bad in (token, "hud_nonsense"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_token"


def test_a_token_request_ignores_the_session_cookie(client, person, login, make_user):
    other = make_user("admin")
    login(other)
    token = service.issue_api_token(person)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["id"] == person.id


def test_a_token_of_a_deactivated_person_stops_working(client, person):
    token = service.issue_api_token(person)
    service.set_active(person, False)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_people_manage_their_own_tokens_on_the_account_page(client, person, login):
    service.allow_api_tokens(person, True, utcnow())
    login(person)
    page = client.post("/account", data={"action": "token", "token-name": "laptop"})
    token = db.session.scalar(sa.select(ApiToken))
    assert token.name == "laptop"
    assert "hud_" in page.get_data(as_text=True)
    client.post(f"/account/tokens/{token.id}/revoke")
    assert db.session.get(ApiToken, token.id).revoked_at is not None


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "HUDDLES_LOGIN_LIMIT": "3 per minute"}]
)
def test_repeated_failed_sign_ins_are_slowed_down(client, person):
    for _ in range(3):
        assert sign_in(client, "sam@example.com", "guess").status_code == 422
    blocked = sign_in(client, "sam@example.com", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize(
    "app_config",
    [{"HUDDLES_PROXY_COUNT": 1, "RATELIMIT_ENABLED": True, "HUDDLES_LOGIN_LIMIT": "1 per minute"}],
)
def test_behind_a_proxy_the_limit_counts_per_client_address(client, person):
    first = {"X-Forwarded-For": "203.0.113.7"}
    second = {"X-Forwarded-For": "198.51.100.9"}
    data = {"email": "sam@example.com", "password": "guess"}
    assert client.post("/login", data=data, headers=first).status_code == 422
    assert client.post("/login", data=data, headers=first).status_code == 429
    assert client.post("/login", data=data, headers=second).status_code == 422


def test_two_workers_share_the_sign_in_limit_through_redis(database_url, app, person):
    """Another process (a second worker) uses up the limit; this one must then refuse."""
    import socket
    import subprocess
    import sys
    import uuid

    from huddles import create_app
    from tests.conftest import test_config

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"huddles-test-{uuid.uuid4().hex}"
    other_worker = f"""
from huddles import create_app
from tests.conftest import test_config
app = create_app(test_config({database_url!r}, RATELIMIT_ENABLED=True,
    RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", RATELIMIT_KEY_PREFIX={prefix!r},
    HUDDLES_LOGIN_LIMIT="2 per minute"))
client = app.test_client()
form = {{"email": "sam@example.com", "password": "x"}}
for _ in range(2):
    assert client.post("/login", data=form).status_code == 422
"""
    subprocess.run([sys.executable, "-c", other_worker], check=True, timeout=60)  # noqa: S603
    this_worker = create_app(
        test_config(
            database_url,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
            RATELIMIT_KEY_PREFIX=prefix,
            HUDDLES_LOGIN_LIMIT="2 per minute",
        )
    ).test_client()
    response = this_worker.post("/login", data={"email": "sam@example.com", "password": "x"})
    assert response.status_code == 429
