"""On an Arabic page every piece of people's or content text is isolated (`dir="auto"` on a
block, `<bdi>` inline), so English names, questions and quotes keep their own order."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import sqlalchemy as sa

from huddles.auth.models import User
from huddles.extensions import db
from huddles.kudos.models import Kudos
from huddles.org.models import Location, Shift
from tests.conftest import sign_in_client
from tests.feature.test_no_english import demo, urls  # noqa: F401  (the demo fixture)


class Isolation(HTMLParser):
    """Each text with whether an ancestor isolates it."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        # SVG charts carry their numbers and names in a table beside them (checked there).
        isolated = tag in (
            "bdi",
            "script",
            "style",
            "textarea",
            "option",
            "title",
            "code",
            "pre",
            "svg",
        )
        isolated = isolated or values.get("dir") in ("auto", "ltr", "rtl") and tag != "html"
        if tag not in self.VOID:
            self.stack.append((tag, isolated))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data, any(iso for _tag, iso in self.stack)))


def content_strings() -> set[str]:
    names = set(db.session.scalars(sa.select(User.name)))
    names |= set(db.session.scalars(sa.select(Shift.name)))
    names |= set(db.session.scalars(sa.select(Location.name)))
    names |= {m for m in db.session.scalars(sa.select(Kudos.message)) if m and len(m) > 12}
    return {n for n in names if n and len(n) > 3}


def test_people_and_content_text_is_isolated_on_arabic_pages(app, client, demo):  # noqa: F811
    strings = content_strings()
    pattern = re.compile("|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True)))
    problems: dict[str, set[str]] = {}
    for email in ("lead@example.com", "staff1@example.com", "admin@example.com"):
        person = db.session.scalar(sa.select(User).where(User.email == email))
        sign_in_client(client, person)
        for endpoint, url in urls(app, demo):
            joiner = "&" if "?" in url else "?"
            response = client.get(f"{url}{joiner}lang=ar")
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            parser = Isolation()
            parser.feed(response.get_data(as_text=True))
            for text, isolated in parser.texts:
                if isolated:
                    continue
                for found in pattern.findall(text):
                    problems.setdefault(f"{email.split('@')[0]} {endpoint}", set()).add(found)
    assert problems == {}, "\n".join(f"{k}: {sorted(v)[:6]}" for k, v in sorted(problems.items()))
