"""The huddle screen carries its own words in every language its topic-language control offers
(for the live switch): the same words the page shows, made once per language, at no query."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, gettext

from huddles.config import LOCALES
from huddles.huddle import labels
from tests.feature.agenda_helpers import LIBRARY_KINDS, add_topic
from tests.feature.test_huddle import page_url
from tests.feature.test_speed import MOST_STATEMENTS

pytestmark = pytest.mark.usefixtures("clock")


class Marked(HTMLParser):
    """The text of each element marked data-l="key", and each data-l-aria label."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []
        self.arias: list[tuple[str, str]] = []
        self.open: list[tuple[str, list[str]] | None] = []
        self.labels_json = ""
        self._in_labels = False

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if "data-l-aria" in found:
            self.arias.append((found["data-l-aria"], found.get("aria-label") or ""))
        self._in_labels = found.get("id") == "huddle-labels"
        if tag in ("img", "input", "br", "meta", "link"):
            return
        self.open.append((found["data-l"], []) if "data-l" in found else None)

    def handle_endtag(self, tag):
        self._in_labels = False
        if tag in ("img", "input", "br", "meta", "link") or not self.open:
            return
        entry = self.open.pop()
        if entry is not None:
            self.texts.append((entry[0], " ".join("".join(entry[1]).split())))

    def handle_data(self, data):
        if self._in_labels:
            self.labels_json += data
        for entry in self.open:
            if entry is not None:
                entry[1].append(data)


@pytest.fixture
def translated_library():
    """Topics of every kind in English, German and Arabic, so the screen offers all three."""
    for kind in (*LIBRARY_KINDS, "lexicon"):
        for number in range(2):
            add_topic(
                f"{kind}-{number}",
                kind,
                avoid="No." if kind == "lexicon" else None,
                say_instead="Yes." if kind == "lexicon" else None,
                translations={
                    "de": {"title": f"Thema {number}", "body": "Deutsch.", "prompt": "Was?"},
                    "ar": {"title": f"موضوع {number}", "body": "عربي.", "prompt": "ماذا؟"},
                },
                commit=False,
            )
    from huddles.extensions import db

    db.session.commit()


def screen(client, login, world, lang: str) -> Marked:
    login(world.lead)
    response = client.get(f"{page_url(world)}?lang={lang}")
    assert response.status_code == 200
    marked = Marked()
    marked.feed(response.get_data(as_text=True))
    return marked


@pytest.mark.parametrize("lang", ["en", "de", "ar"])
def test_each_marked_word_is_the_word_the_page_shows(
    client, login, world, translated_library, lang
):
    marked = screen(client, login, world, lang)
    offered = json.loads(marked.labels_json)
    assert set(offered) == {"en", "de", "ar"}
    words = offered[lang]["words"]
    values = offered[lang]["values"]

    def filled(key: str) -> str:
        return re.sub(r"%\((\w+)\)s", lambda match: values[match.group(1)], words[key])

    assert len(marked.texts) > 20 and marked.arias
    for key, text in marked.texts:
        assert filled(key) == text, key
    for key, text in marked.arias:
        assert filled(key) == text, key


def test_the_words_are_each_languages_catalogue(app, client, login, world, translated_library):
    marked = screen(client, login, world, "en")
    offered = json.loads(marked.labels_json)
    with app.test_request_context(), force_locale("de"):
        assert offered["de"]["words"]["attendance"] == gettext("Attendance") != "Attendance"
        assert offered["de"]["words"]["slot:Thank-yous"] == gettext("Thank-yous")
    with app.test_request_context(), force_locale("ar"):
        assert offered["ar"]["words"]["next"] == gettext("Next") != "Next"
    # Every key is a word of the screen, in every language the app speaks.
    for code in LOCALES:
        with app.test_request_context():
            assert set(json.loads(labels.screen_labels(code))) == set(labels.LABELS)


def test_the_words_cost_no_query(
    client, login, world, translated_library, count_queries, monkeypatch
):
    screen(client, login, world, "en")  # the agenda is made, the words looked up

    def statements() -> int:
        with count_queries() as counter:
            response = client.get(f"{page_url(world)}?lang=de")
        assert response.status_code == 200
        return counter.count

    statements()  # and every cache the page reads from is warm
    with_words = statements()
    monkeypatch.setattr(labels, "screen_words", lambda huddle, languages: "{}")
    assert statements() == with_words <= MOST_STATEMENTS
