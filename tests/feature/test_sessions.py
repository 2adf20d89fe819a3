"""Server-side sessions: sign-out that signs out, limits that end them, the account's list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from huddles.auth import service
from huddles.auth.models import ApiToken, User, UserSession
from huddles.db import utcnow
from huddles.extensions import db
from tests.conftest import PASSWORD, session_key_for, sign_in_client

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def person(make_user, make_location):
    return make_user("lead", make_location(), email="lena@example.com", password=PASSWORD)


def sign_in(client, remember=False, agent=FIREFOX):
    data = {"email": "lena@example.com", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data, headers={"User-Agent": agent})
    assert response.status_code == 302
    return response


def signed_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


def copy_cookies(source, target):
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def rows() -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(UserSession)))


@pytest.mark.parametrize("remember", [True, False])
def test_sign_out_signs_out_even_with_keep_me_signed_in(client, person, remember):
    sign_in(client, remember=remember)
    assert signed_in(client)
    client.post("/logout")
    assert not signed_in(client)
    assert client.get("/").status_code == 302
    assert rows() == []


def test_a_copied_cookie_stops_working_after_sign_out(app, client, person):
    sign_in(client, remember=True)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert signed_in(thief)
    client.post("/logout")
    assert not signed_in(thief)


def test_the_cookie_holds_a_random_key_and_the_table_only_its_hash(client, person):
    sign_in(client)
    with client.session_transaction() as session:
        key = session["_user_id"]
    assert len(key) >= 40 and str(person.id) != key
    (row,) = rows()
    assert key not in row.key_hash
    assert (row.user_id, row.remember, row.user_agent) == (person.id, False, FIREFOX)


def test_one_sql_statement_checks_the_session_and_its_person(client, person, count_queries):
    sign_in(client)
    client.get("/api/v1/me")  # last_seen_at was just written; the next minute needs no write
    with count_queries() as counter:
        assert client.get("/api/v1/me").status_code == 200
    touching = [s for s in counter.statements if "user_sessions" in s or "FROM users" in s]
    assert len(touching) == 1, counter.statements
    assert "JOIN users" in touching[0]


def _age(**changes):
    db.session.execute(sa.update(UserSession).values(**changes))
    db.session.commit()


def test_an_idle_session_ends(app, client, person):
    sign_in(client)
    idle = app.config["HUDDLES_SESSION_IDLE"]
    _age(last_seen_at=utcnow() - timedelta(seconds=idle - 60))
    assert signed_in(client)
    _age(last_seen_at=utcnow() - timedelta(seconds=idle + 1))
    assert not signed_in(client)


def test_a_session_ends_at_its_absolute_limit_however_busy(app, client, person):
    before = utcnow()
    sign_in(client)
    (row,) = rows()
    limit = timedelta(seconds=app.config["HUDDLES_SESSION_MAX_AGE"])
    assert before + limit <= row.expires_at <= utcnow() + limit
    _age(expires_at=utcnow() - timedelta(seconds=1))
    assert not signed_in(client)


def test_keep_me_signed_in_outlasts_idleness_but_not_its_14_days(app, client, person):
    sign_in(client, remember=True)
    (row,) = rows()
    assert row.remember
    assert (row.expires_at - row.created_at) == timedelta(days=14)
    _age(last_seen_at=utcnow() - timedelta(days=3))
    assert signed_in(client)
    _age(expires_at=utcnow() - timedelta(seconds=1))
    assert not signed_in(client)


@pytest.mark.parametrize("remember", [True, False])
def test_an_unchanged_session_cookie_is_not_sent_again(client, person, remember):
    """The server-side row decides when a session ends; each page does not re-sign the cookie
    (a "keep me signed in" cookie keeps the expiry it got at sign-in)."""
    sign_in(client, remember=remember)
    client.get("/")  # the first page may add its CSRF token to the session
    for path in ("/", "/api/v1/me", "/kudos"):
        response = client.get(path)
        assert response.status_code == 200
        assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]


def test_a_request_sent_before_the_sign_in_and_answered_after_it_sets_no_cookie(
    app, client, person
):
    """The sign-in page's background requests (the manifest, which the browser and the service
    worker fetch as the page loads) carry the visitor's cookie from before the sign-in. Answered
    after it, a cookie in their answer would replace the new one and sign the person out."""
    client.get("/login")
    before = app.test_client()
    copy_cookies(client, before)
    sign_in(client)
    for path in ("/manifest.webmanifest", "/favicon.ico", "/sw.js", "/static/css/app.css"):
        with before.get(path) as late:
            assert late.status_code == 200, path
            cookies = late.headers.getlist("Set-Cookie")
        assert not [cookie for cookie in cookies if cookie.startswith("session=")], path
    assert signed_in(client)


@pytest.mark.parametrize("app_config", [{"HUDDLES_SESSION_IDLE": 60}])
def test_the_idle_limit_is_configurable(client, person):
    sign_in(client)
    _age(last_seen_at=utcnow() - timedelta(seconds=61))
    assert not signed_in(client)


def test_the_account_page_lists_sessions_and_signs_out_the_others(app, client, person):
    sign_in(client, agent=FIREFOX)
    phone = app.test_client()
    sign_in(phone, agent=IPHONE)
    page = client.get("/account")
    text = page.get_data(as_text=True)
    assert "Firefox / Linux" in text and "Safari / iPhone" in text
    assert "this device" in text
    assert page.headers["Cache-Control"] == "no-store"
    client.post("/account/sessions/end-others")
    assert signed_in(client)
    assert not signed_in(phone)
    assert [row.user_agent for row in rows()] == [FIREFOX]


def test_a_password_set_from_a_link_ends_every_session_and_token(app, client, person):
    elsewhere = app.test_client()
    sign_in_client(elsewhere, person)
    token = service.issue_api_token(person, "script")
    link = service.make_set_password_token(person, app.config["SECRET_KEY"])
    client.post("/set-password/claim", data={"code": link})
    form = {"password": "a brand new secret", "confirm": "a brand new secret"}
    assert client.post("/set-password", data=form).status_code == 302
    assert not signed_in(elsewhere)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert signed_in(client)  # the new session of the person who just chose it
    assert len(rows()) == 1


def test_changing_ones_password_ends_every_other_session_and_token(app, client, person):
    sign_in(client, remember=True)
    phone = app.test_client()
    sign_in(phone, agent=IPHONE)
    token = service.issue_api_token(person)
    wrong = client.post(
        "/account/password",
        data={
            "pw-current": "not it",
            "pw-password": "a whole new one",
            "pw-confirm": "a whole new one",
        },
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.get_data(as_text=True)
    assert signed_in(phone)
    response = client.post(
        "/account/password",
        data={
            "pw-current": PASSWORD,
            "pw-password": "a whole new one",
            "pw-confirm": "a whole new one",
        },
    )
    assert response.headers["Location"] == "/account"
    assert db.session.get(User, person.id).check_password("a whole new one")
    assert signed_in(client)
    assert not signed_in(phone)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    (row,) = rows()
    assert row.remember  # this device keeps its "keep me signed in"


def test_an_admin_reset_ends_every_session_and_token(app, client, world, login):
    person = world.staff
    elsewhere = sign_in_client(app.test_client(), person)
    token = service.issue_api_token(person)
    login(world.admin)
    page = client.post(f"/admin/people/{person.id}/reset-password")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"  # the page shows a one-time link
    assert not signed_in(elsewhere)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_deactivation_ends_sessions_and_tokens_for_good(app, person):
    device = sign_in_client(app.test_client(), person)
    token = service.issue_api_token(person)
    service.set_active(person, False)
    service.set_active(person, True)
    assert not signed_in(device)
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None


def test_ended_sessions_are_pruned_by_the_scheduler_job(app, person):
    from huddles.scheduler import job_named, run_job

    live = session_key_for(person)
    session_key_for(person)
    newest = max(rows(), key=lambda row: row.id)
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == newest.id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    assert "pruned 1" in run_job(job_named("prune-sessions"), now=utcnow())
    assert len(rows()) == 1
    assert live


# --- Who may make API tokens ---------------------------------------------------------------


def test_staff_see_no_api_tokens_until_an_admin_allows_it(app, client, world, login):
    login(world.staff)
    assert "API tokens" not in client.get("/account").get_data(as_text=True)
    refused = client.post("/account", data={"action": "token", "token-name": "mine"})
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0

    admin = sign_in_client(app.test_client(), world.admin)
    person_page = admin.get(f"/admin/people/{world.staff.id}").get_data(as_text=True)
    assert "Allow API tokens" in person_page
    admin.post(f"/admin/people/{world.staff.id}/api-tokens", data={"allowed": "1"})
    assert db.session.get(User, world.staff.id).api_tokens_allowed

    page = client.post("/account", data={"action": "token", "token-name": "mine"})
    assert "API tokens" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    token = db.session.scalar(sa.select(ApiToken))
    assert token.name == "mine"

    admin.post(f"/admin/people/{world.staff.id}/api-tokens", data={"allowed": "0"})
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_leads_and_admins_always_have_api_tokens(client, world, login):
    for user in (world.lead, world.admin):
        login(user)
        assert "API tokens" in client.get("/account").get_data(as_text=True)


def test_only_admins_decide_about_api_tokens(client, world, login):
    login(world.lead)
    response = client.post(f"/admin/people/{world.staff.id}/api-tokens", data={"allowed": "1"})
    assert response.status_code == 403
    assert not db.session.get(User, world.staff.id).api_tokens_allowed


# --- Limits and headers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "HUDDLES_LOGIN_LIMIT": "2 per minute"}]
)
def test_sign_in_limits_count_per_client_and_never_lock_the_account(app, client, person):
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    data = {"email": "lena@example.com", "password": "guess"}
    for _ in range(2):
        client.post("/login", data=data, environ_base=attacker)
    blocked = client.post("/login", data=data, environ_base=attacker)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    owner = app.test_client()
    response = owner.post(
        "/login",
        data={"email": "lena@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
    )
    assert response.status_code == 302
    assert signed_in(owner)


def test_password_pages_are_not_cached_and_the_link_leaves_the_url(app, client, person):
    link = service.make_set_password_token(person, app.config["SECRET_KEY"])
    landing = client.get(f"/set-password/{link}")
    assert landing.status_code == 302
    assert link not in landing.headers["Location"]
    page = client.get(landing.headers["Location"])
    assert page.status_code == 200
    assert link not in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    claimed = app.test_client().post("/set-password/claim", data={"code": link})
    assert claimed.status_code == 303 and link not in claimed.headers["Location"]
    assert claimed.headers["Cache-Control"] == "no-store"
    assert client.get("/forgot-password").headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/app.css")
    response.close()
    assert response.headers.get("Cache-Control") != "no-store"


# --- The development runner -----------------------------------------------------------------


def test_no_scheduler_runs_inside_the_web_server():
    from importlib.metadata import entry_points
    from pathlib import Path

    from apscheduler.schedulers.blocking import BlockingScheduler

    from huddles.scheduler import build_scheduler

    commands = entry_points(group="flask.commands")
    assert not [ep for ep in commands if ep.value.startswith("huddles")]
    assert build_scheduler.__defaults__ is None
    root = Path(__file__).resolve().parents[2]
    procfile = (root / "Procfile.dev").read_text()
    assert "flask run" in procfile and "flask scheduler run" in procfile
    assert "honcho start -f Procfile.dev" in (root / "Makefile").read_text()
    assert BlockingScheduler.__name__ in Path(build_scheduler.__code__.co_filename).read_text()
