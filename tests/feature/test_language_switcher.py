"""The header's language switcher: it is on every page and the choice sticks."""

from __future__ import annotations

import sqlalchemy as sa

from huddles.auth.models import User
from huddles.extensions import db
from huddles.i18n import COOKIE
from tests.conftest import csrf_token_from


def test_the_login_page_has_a_switcher_and_a_cookie_keeps_the_choice(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert 'action="/language"' in html and 'lang="ar"' in html
    token = csrf_token_from(html)
    response = client.post(
        "/language", data={"lang": "de", "next": "/login?lang=ru", "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert f"{COOKIE}=de" in response.headers["Set-Cookie"]
    again = client.get("/login").get_data(as_text=True)
    assert '<html lang="de"' in again
    # ?lang= still wins over the cookie.
    assert '<html lang="ar" dir="rtl"' in client.get("/login?lang=ar").get_data(as_text=True)


def test_signed_in_the_choice_is_the_persons_setting(client, world, login):
    login(world.staff)
    html = client.get("/").get_data(as_text=True)
    response = client.post(
        "/language", data={"lang": "pl", "next": "/", "csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 302
    stored = db.session.scalar(sa.select(User.locale).where(User.id == world.staff.id))
    assert stored == "pl"
    assert '<html lang="pl"' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_or_a_foreign_next_is_refused(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    bad = client.post("/language", data={"lang": "xx", "csrf_token": token})
    assert bad.status_code == 400
    away = client.post(
        "/language", data={"lang": "de", "next": "//evil.example/x", "csrf_token": token}
    )
    assert away.status_code == 302 and away.headers["Location"] == "/"


def test_a_word_with_a_context_falls_back_to_its_plain_translation(app):
    from huddles.i18n import lazy_pgettext, pgettext

    label = lazy_pgettext("a context the catalogue does not know yet", "Today")
    with app.test_request_context("/?lang=de"):
        assert pgettext("a context the catalogue does not know yet", "Today") == "Heute"
        assert str(label) == "Heute"
        rendered = app.jinja_env.from_string('{{ pgettext("unknown context", "Today") }}').render()
        assert rendered == "Heute"
