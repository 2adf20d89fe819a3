""" "Forgot your password?": a one-time link by mail when mail is set up, else ask the lead;
the answer never tells whether an email has an account."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from huddles.auth.models import User
from huddles.extensions import db
from tests.conftest import PASSWORD, open_set_password_link


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def app_config(request):
    if "smtp" not in request.fixturenames:
        return {}
    controller, _inbox = request.getfixturevalue("smtp")
    # A real SMTP conversation (Flask-Mailman would keep mail in memory under TESTING).
    return {
        "MAIL_SERVER": controller.hostname,
        "MAIL_PORT": controller.port,
        "MAIL_BACKEND": "smtp",
    }


@pytest.fixture
def person(make_user, make_location):
    return make_user("staff", make_location(), email="sam@example.com", password=PASSWORD)


def _page_text(response) -> str:
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_known_email_gets_a_one_time_link_that_sets_the_password(smtp, client, person):
    _controller, inbox = smtp
    response = client.post("/forgot-password", data={"email": "Sam@Example.com"})
    assert response.status_code == 200
    assert "a one-time link to set a new password is on its way" in _page_text(response)
    ((recipients, message),) = inbox.messages
    assert recipients == ["sam@example.com"]
    assert "new password" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://localhost/set-password#\S+", body)
    assert link, body
    assert "/set-password/" not in body  # the token rides after '#', never in the path
    # The request changed nothing yet: the old password still works until the link is used.
    assert db.session.get(User, person.id).check_password(PASSWORD)
    claimed = open_set_password_link(client, link.group(0))
    assert claimed.headers["Location"] == "/set-password"
    form = {"password": "a fresh new secret", "confirm": "a fresh new secret"}
    assert client.post("/set-password", data=form).status_code == 302
    assert db.session.get(User, person.id).check_password("a fresh new secret")
    client.post("/logout")
    assert open_set_password_link(client, link.group(0)).status_code == 404  # used up


def test_an_unknown_email_gets_the_same_answer_and_no_mail(smtp, client, person):
    _controller, inbox = smtp
    known = client.post("/forgot-password", data={"email": "sam@example.com"})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.com"})
    assert unknown.status_code == known.status_code == 200
    assert _page_text(unknown).replace("nobody@example.com", "X") == _page_text(known).replace(
        "sam@example.com", "X"
    )
    assert [recipients for recipients, _message in inbox.messages] == [["sam@example.com"]]


def test_a_deactivated_person_gets_no_link(smtp, client, person):
    _controller, inbox = smtp
    person.active = False
    db.session.commit()
    response = client.post("/forgot-password", data={"email": "sam@example.com"})
    assert "is on its way" in _page_text(response)
    assert inbox.messages == []


def test_without_mail_the_page_says_to_ask_the_lead_whatever_the_email(client, person):
    page = client.get("/forgot-password")
    assert "Ask your lead or an admin" in _page_text(page)
    assert 'name="email"' not in page.get_data(as_text=True)
    known = client.post("/forgot-password", data={"email": "sam@example.com"})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.com"})
    assert _page_text(known) == _page_text(unknown) == _page_text(page)


def test_the_sign_in_page_offers_the_way(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in page
    assert "Forgot your password?" in page


@pytest.mark.parametrize(
    "app_config", [{"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "MAIL_BACKEND": "smtp"}]
)
def test_a_mail_outage_gives_the_same_answer(client, person, caplog):
    known = client.post("/forgot-password", data={"email": "sam@example.com"})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert _page_text(unknown).replace("nobody@example.com", "X") == _page_text(known).replace(
        "sam@example.com", "X"
    )
    assert "could not send the password link" in caplog.text
