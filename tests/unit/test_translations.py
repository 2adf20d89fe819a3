"""The interface catalogs: complete, with the placeholders of the English, and used by the pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from huddles.config import LOCALES

CATALOGS = Path(__file__).resolve().parents[2] / "huddles" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
LANGUAGES = [locale for locale in LOCALES if locale != "en"]


def catalog(language: str):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=language)


def messages(language: str):
    for message in catalog(language):
        if message.id:
            yield message


def test_the_template_lists_every_string_the_catalogs_have():
    with (CATALOGS / "messages.pot").open("rb") as pot_file:
        template = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(pot_file)
            if message.id
        }
    for language in LANGUAGES:
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in messages(language)}
        assert ids == template, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language):
    plurals = catalog(language).num_plurals
    for message in messages(language):
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        assert all(strings), f"{language}: untranslated {ids[0]!r}"
        if len(ids) > 1:
            assert len(strings) == plurals, f"{language}: plural forms of {ids[0]!r}"
            allowed = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[1]))
            for string in strings:
                assert set(PLACEHOLDER.findall(string)) <= allowed, (language, ids[0], string)
        else:
            wanted = set(PLACEHOLDER.findall(ids[0]))
            assert set(PLACEHOLDER.findall(strings[0])) == wanted, (language, ids[0], strings[0])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_page_speaks_the_language(app, client, language):
    sign_in = next(m.string for m in messages(language) if m.id == "Sign in")
    page = client.get(f"/login?lang={language}").get_data(as_text=True)
    assert sign_in in page
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in page


def test_a_person_sees_their_locations_language(app, client, login, make_user, make_location):
    polish = make_location("Old Town Bistro", "Europe/Warsaw", "pl")
    login(make_user("staff", polish))
    today = next(m.string for m in messages("pl") if m.id == "Today")
    assert today in client.get("/").get_data(as_text=True)


def test_the_template_holds_every_string_of_the_code(tmp_path):
    """A new or changed string must reach the catalogs (see README, Languages)."""
    import subprocess
    import sys

    root = CATALOGS.parents[1]
    fresh = tmp_path / "fresh.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "-o",
        str(fresh),
        ".",
    ]
    subprocess.run(command, cwd=root, check=True, capture_output=True, timeout=120)  # noqa: S603

    def ids(path: Path) -> set[str]:
        with path.open("rb") as pot_file:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot_file) if m.id}

    assert ids(fresh) == ids(CATALOGS / "messages.pot")
