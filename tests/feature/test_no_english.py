"""Every page in every language: no interface word left in English.

The pages are walked from the app's URL map (every GET page a person opens, with the demo
organisation behind it) as admin, lead and staff. A visible text (or a label a screen reader
speaks) that is exactly an English message of the catalogue whose translation differs is a
slip: the page printed the English instead of asking the catalogue. Text marked as English
on purpose (`lang="en"`, the "shown in English" fallback), code and people's content are not
interface words and are skipped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from huddles.agenda.days import local_today
from huddles.auth.models import User
from huddles.demo.data import load_demo
from huddles.extensions import db
from huddles.org.models import Shift
from huddles.topics.models import Topic
from tests.conftest import sign_in_client

CATALOGS = Path(__file__).resolve().parents[2] / "huddles" / "translations"
# Pages that are not HTML pages of the interface, or that need a one-time token.
SKIP_ENDPOINTS = {
    "static",
    "auth.logout",
    "auth.set_password",
    "huddle.check_in",
    "huddle.check_in_code",
    "huddle.record_pdf",
    "reports.records_pdf",
    "displays.state",
    "pwa.manifest",
    "pwa.favicon",
    "pwa.service_worker",
}
SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "option"}


def translated_messages(locale: str) -> set[str]:
    """The English messages that the catalogue of `locale` translates into something else."""
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    found = set()
    kept = set()  # words that one of their senses keeps as they are ("Name", "Admin" in German)
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(strings):
            continue
        for english in ids:
            if "%(" in english or "{" in english:
                continue  # with placeholders the page text never equals the msgid
            if english.strip() and english not in strings:
                found.add(english.strip())
            elif english.strip():
                kept.add(english.strip())
    return found - kept


class VisibleText(HTMLParser):
    """The texts a person sees or hears, outside code, scripts and parts marked English."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        skip = (
            tag in SKIP_TAGS
            or values.get("lang") == "en"
            or values.get("translate") == "no"
            or "shown-in-english" in (values.get("class") or "")
            # People's and content text, isolated as it must be (dir="auto" / <bdi>).
            or tag == "bdi"
            or values.get("dir") == "auto"
        )
        if not self._skipping() and not skip:
            for name in SPOKEN_ATTRIBUTES:
                if values.get(name):
                    self.texts.append(values[name])
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.texts.append(data)


def data_words() -> set[str]:
    """The demo's own names (shifts, locations, people): data, even where one is "Late"."""
    from huddles.org.models import Location

    names = set(db.session.scalars(sa.select(Shift.name)))
    names |= set(db.session.scalars(sa.select(Location.name)))
    names |= set(db.session.scalars(sa.select(User.name)))
    return names


def raw_codes() -> set[str]:
    """The stored codes of statuses and roles: printed as they are, they are English words."""
    from huddles.agenda.models import AGENDA_STATUSES
    from huddles.attendance.models import STATUSES as ATTENDANCE
    from huddles.auth.models import ROLES
    from huddles.stories.models import STORY_STATUSES
    from huddles.topics.files import TRANSLATION_STATUSES
    from huddles.topics.models import STATUSES

    codes = {*AGENDA_STATUSES, *ATTENDANCE, *ROLES, *STORY_STATUSES, *STATUSES}
    return codes | set(TRANSLATION_STATUSES)


def slips(html: str, english: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    found = set()
    for text in parser.texts:
        for part in re.split(r"\s*[·|]\s*", re.sub(r"\s+", " ", text).strip()):
            if part in english or part.rstrip(":") in english:
                found.add(part)
    return found


def urls(app, values: dict[str, object]) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
            continue
        if rule.rule.startswith("/api/") or rule.rule.endswith((".csv", ".pdf", ".svg")):
            continue
        if any(arg not in values for arg in rule.arguments):
            continue
        with app.test_request_context():
            from flask import url_for

            found.append(
                (rule.endpoint, url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
            )
    return sorted(set(found))


@pytest.fixture
def demo(app):
    load_demo("demo password 123", now=datetime.now(UTC))
    lead = db.session.scalar(sa.select(User).where(User.email == "lead@example.com"))
    assert lead is not None and lead.location_id is not None
    shift = db.session.scalar(
        sa.select(Shift).where(Shift.location_id == lead.location_id).order_by(Shift.id)
    )
    topic = db.session.scalar(
        sa.select(Topic).where(Topic.status == "published").order_by(Topic.slug)
    )
    day = local_today(lead.location, datetime.now(UTC))
    return {
        "location_id": lead.location_id,
        "shift_id": shift.id,
        "day": day.isoformat(),
        "slug": topic.slug,
        "number": 1,
        "user_id": db.session.scalar(sa.select(User.id).where(User.email == "staff1@example.com")),
    }


@pytest.mark.parametrize("locale", ["de", "ru", "pl", "ar"])
def test_no_page_slips_into_english(app, client, demo, locale):
    english = (translated_messages(locale) | raw_codes()) - data_words()
    people = {
        role: db.session.scalar(sa.select(User).where(User.email == email))
        for role, email in (
            ("admin", "admin@example.com"),
            ("lead", "lead@example.com"),
            ("staff", "staff1@example.com"),
        )
    }
    problems: dict[str, set[str]] = {}
    seen: set[str] = set()
    pages = urls(app, demo)
    assert len(pages) > 25
    for role, person in [("anonymous", None), *people.items()]:
        sign_in_client(client, person)
        for endpoint, url in pages:
            joiner = "&" if "?" in url else "?"
            response = client.get(f"{url}{joiner}lang={locale}")
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            seen.add(f"{role} {endpoint}")
            found = slips(response.get_data(as_text=True), english)
            if found:
                problems[f"{role} {endpoint}"] = found
    for page in (
        "lead main.today",
        "lead agenda.week",
        "lead huddle.screen",
        "lead huddle.record",
        "lead reports.index",
        "lead reports.kudos",
        "staff kudos.wall",
        "staff topics.show",
        "admin topics.edit",
        "admin org.people",
        "anonymous auth.login",
    ):
        assert page in seen
    assert problems == {}, "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(problems.items()))


def test_the_check_finds_a_slip_and_leaves_content_alone(app):
    english = translated_messages("de") | raw_codes()
    assert "Done" in english
    assert slips("<p><span class='badge'>Done</span> <b>running</b></p>", english) == {
        "Done",
        "running",
    }
    assert (
        slips('<p><bdi>Done</bdi> <span lang="en">Done</span> <q dir="auto">Done</q></p>', english)
        == set()
    )
