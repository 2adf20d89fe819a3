"""The library's translations: files per language, their status and reviews, and `?lang=`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from huddles.extensions import db
from huddles.topics import service
from huddles.topics.models import Topic, TopicRevision
from huddles.validation import FieldError
from tests.conftest import csrf_token_from

CONTENT = Path(__file__).resolve().parents[2] / "content"
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)

TOPIC = """---
slug: my-pleasure
kind: lexicon
title: "My pleasure"
minutes: 0.5
prompt: "What does our answer to a thank-you say?"
tags: [phone]
source: "Huddles editorial team"
status: published
avoid: "No problem."
say_instead: "My pleasure."
translations: {}
---
"No problem" puts a problem into a nice moment.

**Today:** Swap it.
"""

GERMAN = """---
title: "Gern geschehen"
prompt: "Was sagt unsere Antwort auf ein Dankeschön?"
avoid: "Kein Problem."
say_instead: "Sehr gern geschehen!"
status: reviewed
---
„Kein Problem“ bringt ein Problem in einen schönen Moment.

**Heute:** Ersetzt es.
"""


def library(tmp_path: Path, translations: dict[str, dict[str, str]]) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    (root / "my-pleasure.md").write_text(TOPIC, encoding="utf-8")
    for language, named in translations.items():
        folder = root / "translations" / language
        folder.mkdir(parents=True)
        for name, text in named.items():
            (folder / name).write_text(text, encoding="utf-8")
    return root


def current(slug: str = "my-pleasure") -> TopicRevision:
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == slug))
    assert topic is not None and topic.current_revision is not None
    return topic.current_revision


def test_import_reads_translation_files_with_their_status(app, tmp_path):
    root = library(tmp_path, {"de": {"my-pleasure.md": GERMAN}})
    report = service.import_library(root, None, NOW)
    assert report.rejected == [] and report.added == ["my-pleasure"]
    german = current().translations["de"]
    assert german == {
        "title": "Gern geschehen",
        "prompt": "Was sagt unsere Antwort auf ein Dankeschön?",
        "body": (
            "„Kein Problem“ bringt ein Problem in einen schönen Moment.\n\n**Heute:** Ersetzt es."
        ),
        "avoid": "Kein Problem.",
        "say_instead": "Sehr gern geschehen!",
        "status": "reviewed",
    }


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        ("de/no-such-topic.md", GERMAN, "There is no topic no-such-topic"),
        ("xx/my-pleasure.md", GERMAN, "Unknown language xx"),
        ("de/my-pleasure.md", GERMAN.replace("status: reviewed", "status: done"), "done"),
        ("de/my-pleasure.md", GERMAN.replace("status: reviewed\n", ""), "needs a status"),
        ("de/my-pleasure.md", GERMAN.replace("title:", "colour: x\ntitle:"), "colour"),
        ("de/my-pleasure.md", GERMAN.replace('title: "Gern geschehen"', 'title: ""'), "title"),
    ],
)
def test_a_bad_translation_file_is_rejected_with_a_reason(app, tmp_path, path, text, reason):
    language, name = path.split("/")
    root = library(tmp_path, {language: {name: text}})
    report = service.import_library(root, None, NOW)
    assert report.added == ["my-pleasure"]  # the topic itself still loads
    assert len(report.rejected) == 1
    rejected_name, why = report.rejected[0]
    assert rejected_name == f"translations/{path}" and reason in why
    assert current().translations == {}


def test_a_translation_given_inline_and_in_a_file_is_rejected(app, tmp_path):
    root = library(tmp_path, {"de": {"my-pleasure.md": GERMAN}})
    inline = TOPIC.replace("translations: {}", 'translations:\n  de:\n    title: "Gern"')
    (root / "my-pleasure.md").write_text(inline, encoding="utf-8")
    report = service.import_library(root, None, NOW)
    assert report.rejected and "also given in my-pleasure.md" in report.rejected[0][1]
    assert current().translations == {"de": {"title": "Gern", "status": "draft"}}


def test_the_whole_library_round_trips_byte_for_byte(app, tmp_path):
    report = service.import_library(CONTENT, None, NOW)
    assert report.rejected == []
    out = tmp_path / "out"
    service.export_library(out)
    source_files = sorted(p.relative_to(CONTENT) for p in CONTENT.rglob("*.md"))
    exported = sorted(p.relative_to(out) for p in out.rglob("*.md"))
    assert exported == source_files
    assert any(str(p).startswith("translations/de/") for p in exported)
    different = [p for p in source_files if (out / p).read_bytes() != (CONTENT / p).read_bytes()]
    assert different == []
    again = service.import_library(out, None, NOW)
    assert not again.changed and not again.added and not again.rejected


def test_every_translation_of_the_library_is_complete(app):
    service.import_library(CONTENT, None, NOW)
    revisions = db.session.scalars(
        sa.select(TopicRevision).join(Topic, Topic.current_revision_id == TopicRevision.id)
    ).all()
    for revision in revisions:
        for language in ("de", "ru", "pl", "ar"):
            translation = revision.translations.get(language)
            assert translation, (revision.title, language)
            assert translation["status"] in ("draft", "reviewed")
            assert translation["title"] and translation["body"]
            if revision.kind == "lexicon":
                assert translation["avoid"] and translation["say_instead"]


def test_revisions_keep_the_translations_they_had(app, tmp_path, make_user):
    root = library(tmp_path, {"de": {"my-pleasure.md": GERMAN}})
    service.import_library(root, None, NOW)
    first = current()
    (root / "translations" / "de" / "my-pleasure.md").write_text(
        GERMAN.replace('Gern geschehen"', 'Sehr gern"'), encoding="utf-8"
    )
    report = service.import_library(root, None, NOW)
    assert report.changed == ["my-pleasure"]
    second = current()
    assert second.number == 2 and second.translations["de"]["title"] == "Sehr gern"
    db.session.refresh(first)
    assert first.translations["de"]["title"] == "Gern geschehen"


def _draft_topic() -> Topic:
    service.create_topic(
        {
            "slug": "my-pleasure",
            "kind": "lexicon",
            "status": "published",
            "title": "My pleasure",
            "avoid": "No problem.",
            "say_instead": "My pleasure.",
        },
        None,
        NOW,
    )
    topic = db.session.scalar(sa.select(Topic))
    assert topic is not None
    return topic


def test_the_translator_cannot_review_their_own_translation(app, world, make_user):
    topic = _draft_topic()
    translator, reviewer = world.admin, make_user("admin")
    german = {"title": "Gern geschehen", "say_instead": "Sehr gern!", "avoid": "Kein Problem."}
    with pytest.raises(FieldError) as refused:
        service.update_topic(
            topic, {"translations": {"de": {**german, "status": "reviewed"}}}, translator, NOW
        )
    assert refused.value.field == "translations.de.status"
    assert "someone else must review" in refused.value.message
    service.update_topic(topic, {"translations": {"de": german}}, translator, NOW)
    with pytest.raises(FieldError) as again:
        service.update_topic(
            topic, {"translations": {"de": {**german, "status": "reviewed"}}}, translator, NOW
        )
    assert "last change to the Deutsch translation" in again.value.message
    service.update_topic(
        topic, {"translations": {"de": {**german, "status": "reviewed"}}}, reviewer, NOW
    )
    assert topic.current_revision.translations["de"]["status"] == "reviewed"
    info = service.translation_info(topic)["de"]
    assert (info.changed_by, info.reviewed_by) == (translator.id, reviewer.id)
    # Changing a reviewed translation makes it a draft again: it needs a new read.
    service.update_topic(
        topic,
        {"translations": {"de": {**german, "title": "Sehr gern", "status": "reviewed"}}},
        reviewer,
        NOW,
    )
    assert topic.current_revision.translations["de"]["status"] == "draft"
    assert service.translation_info(topic)["de"].reviewed_by is None


def test_the_api_carries_translations_and_honours_lang(client, world, login, app, tmp_path):
    root = library(tmp_path, {"de": {"my-pleasure.md": GERMAN}})
    service.import_library(root, None, NOW)
    login(world.staff)
    body = client.get("/api/v1/topics?lang=de").get_json()
    item = body["items"][0]
    assert item["lang"] == "de" and item["title"] == "Gern geschehen"
    assert item["say_instead"] == "Sehr gern geschehen!" and "Heute" in item["body_html"]
    assert item["translations"]["de"]["status"] == "reviewed"
    assert item["untranslated"] == []
    english = client.get("/api/v1/topics/my-pleasure?lang=ar").get_json()
    assert english["lang"] == "en" and english["title"] == "My pleasure"
    assert set(english["untranslated"]) == {"title", "prompt", "body", "avoid", "say_instead"}
    bad = client.get("/api/v1/topics?lang=xx")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "lang"


def test_the_api_falls_back_to_the_persons_language(client, world, login, app, tmp_path):
    root = library(tmp_path, {"de": {"my-pleasure.md": GERMAN}})
    service.import_library(root, None, NOW)
    world.staff.locale = "de"
    db.session.commit()
    login(world.staff)
    item = client.get("/api/v1/topics/my-pleasure").get_json()
    assert item["lang"] == "de" and item["title"] == "Gern geschehen"
    assert client.get("/api/v1/topics/my-pleasure?lang=en").get_json()["lang"] == "en"


def _german_topic(tmp_path: Path) -> Topic:
    root = library(tmp_path, {"de": {"my-pleasure.md": GERMAN.replace("reviewed", "draft")}})
    service.import_library(root, None, NOW)
    topic = db.session.scalar(sa.select(Topic))
    assert topic is not None
    return topic


def test_the_library_shows_languages_with_their_status_and_filters_missing(
    client, world, login, tmp_path
):
    _german_topic(tmp_path)
    service.create_topic(
        {"slug": "only-english", "kind": "tip", "status": "published", "title": "Only English"},
        None,
        NOW,
    )
    login(world.admin)
    html = client.get("/topics?lang=de").get_data(as_text=True)
    assert "Gern geschehen" in html  # the title in the reader's language
    assert 'class="badge translation-draft" lang="de"' in html
    assert 'class="badge translation-missing"' in html
    assert "Only English" in html and 'class="shown-in-english"' in html
    missing = client.get("/topics?missing=de").get_data(as_text=True)
    assert "Only English" in missing and "My pleasure" not in missing
    translated = client.get("/topics?language=de").get_data(as_text=True)
    assert "Only English" not in translated


def test_the_editor_edits_each_language_and_refuses_a_self_review(
    client, world, login, make_user, tmp_path
):
    topic = _german_topic(tmp_path)
    login(world.admin)
    page = client.get(f"/topics/{topic.slug}/edit").get_data(as_text=True)
    assert 'id="panel-de"' in page and 'id="panel-ar"' in page
    assert 'value="Gern geschehen"' in page
    assert '<input dir="rtl" id="tr_ar-title" lang="ar"' in page
    token = csrf_token_from(page)
    form = {
        "csrf_token": token,
        "revision": "1",
        "kind": "lexicon",
        "status": "published",
        "title": "My pleasure",
        "minutes": "0.5",
        "prompt": "What does our answer to a thank-you say?",
        "body": '"No problem" puts a problem into a nice moment.\n\n**Today:** Swap it.',
        "tags": "phone",
        "source": "Huddles editorial team",
        "avoid": "No problem.",
        "say_instead": "My pleasure.",
        "tr_de-title": "Sehr gern",
        "tr_de-prompt": "Was sagen wir?",
        "tr_de-body": "Text.",
        "tr_de-avoid": "Kein Problem.",
        "tr_de-say_instead": "Sehr gern!",
        "tr_de-status": "reviewed",
        "tr_ar-title": "بكل سرور",
        "tr_ar-status": "draft",
    }
    refused = client.post(f"/topics/{topic.slug}/edit", data=form)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="tr_de-status-error"' in html and "someone else must" in html
    assert 'value="Sehr gern"' in html  # nothing typed is lost
    saved = client.post(f"/topics/{topic.slug}/edit", data={**form, "tr_de-status": "draft"})
    assert saved.status_code == 302
    db.session.refresh(topic)
    translations = topic.current_revision.translations
    assert translations["de"]["title"] == "Sehr gern" and translations["de"]["status"] == "draft"
    assert translations["ar"] == {"title": "بكل سرور", "status": "draft"}
    reviewer = make_user("admin", name="Rita Reviewer")
    login(reviewer)
    again = client.get(f"/topics/{topic.slug}/edit").get_data(as_text=True)
    assert "Last changed by" in again
    reviewed = client.post(
        f"/topics/{topic.slug}/edit",
        data={**form, "revision": "2", "csrf_token": csrf_token_from(again)},
    )
    assert reviewed.status_code == 302
    db.session.refresh(topic)
    assert topic.current_revision.translations["de"]["status"] == "reviewed"
    assert "Reviewed by Rita Reviewer" in client.get(f"/topics/{topic.slug}/edit").get_data(
        as_text=True
    )


def test_the_agenda_api_and_the_huddle_screen_carry_every_language(client, world, login, app):
    service.import_library(CONTENT, None, NOW)
    login(world.lead)
    url = f"/api/v1/shifts/{world.shift.id}/agenda"
    english = client.get(url).get_json()
    topic = next(item for item in english["items"] if item["slot"] == "topic")
    assert topic["lang"] == "en"
    german = client.get(f"{url}?lang=de").get_json()
    item = next(i for i in german["items"] if i["slot"] == "topic")
    revision = service.topic_by_slug(topic["topic_slug"]).current_revision
    assert item["lang"] == "de" and item["title"] == revision.translations["de"]["title"]
    assert item["prompt"] == revision.translations["de"]["prompt"]
    bad = client.get(f"{url}?lang=klingon")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "lang"
    # The screen embeds the agenda in every language offered, for the live switch.
    day = english["date"]
    html = client.get(f"/huddle/{world.shift.id}/{day}").get_data(as_text=True)
    assert 'id="huddle-languages"' in html and 'class="js-lang-main"' in html
    for code in ("en", "de", "ru", "pl", "ar"):
        assert f'<option value="{code}" lang="{code}"' in html
    assert json.dumps(revision.translations["ar"]["title"])[1:-1] in html
    # On the TV nothing is marked "shown in English".
    assert "shown in English" not in html
