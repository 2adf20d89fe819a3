"""The topic library pages: browse, read, edit, preview, history, restore and retire."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from huddles.agenda.models import Agenda, AgendaItem
from huddles.extensions import db
from huddles.topics import service
from huddles.topics.models import Topic, TopicRevision

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def make_topic(slug: str, *, kind: str = "tip", status: str = "published", **extra) -> Topic:
    fields = {
        "slug": slug,
        "kind": kind,
        "status": status,
        "title": extra.pop("title", slug.replace("-", " ").capitalize()),
        "prompt": "What will you try?",
        "body": extra.pop("body", f"The body of {slug}.\n\n**Today:** Try it."),
        "tags": extra.pop("tags", ["front-desk"]),
        "source": "Huddles editorial team",
        **extra,
    }
    if kind == "lexicon":
        fields.setdefault("avoid", "No problem.")
        fields.setdefault("say_instead", "My pleasure.")
    return service.create_topic(fields, None, NOW)


def use_topic(topic: Topic, shift, day: date, position: int = 1) -> None:
    agenda = db.session.scalar(
        sa.select(Agenda).where(Agenda.shift_id == shift.id, Agenda.day == day)
    )
    if agenda is None:
        agenda = Agenda(shift_id=shift.id, day=day, scope_key=f"location:{shift.location_id}")
        db.session.add(agenda)
    agenda.items.append(
        AgendaItem(
            position=position,
            slot_key="topic",
            slot_title="Topic",
            fill="rotation",
            kind=topic.kind,
            minutes=2,
            topic_id=topic.id,
            topic_revision_id=topic.current_revision_id,
        )
    )
    db.session.commit()


@pytest.fixture
def library(world):
    return {
        "hello": make_topic("a-great-hello", kind="habit", tags=["greeting"]),
        "draft": make_topic("secret-draft", status="draft"),
        "retired": make_topic("old-retired", status="retired"),
        "phrase": make_topic(
            "my-pleasure",
            kind="lexicon",
            translations={"de": {"title": "Sehr gern", "body": "Deutscher Text."}},
        ),
    }


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "lead"])
def test_staff_and_leads_see_published_topics_only(client, world, login, library, role):
    login(world.by_role(role))
    html = page(client.get("/topics"))
    assert "A great hello" in html and "My pleasure" in html
    assert "Secret draft" not in html and "Old retired" not in html
    assert client.get("/topics/a-great-hello").status_code == 200
    assert client.get("/topics/secret-draft").status_code == 404
    assert client.get("/topics/old-retired").status_code == 404
    assert "/topics/new" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/topics/new",
        "/topics/a-great-hello/edit",
        "/topics/a-great-hello/history",
        "/topics/a-great-hello/revisions/1",
    ],
)
def test_staff_cannot_open_admin_pages(client, world, login, library, url):
    login(world.staff)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/topics/a-great-hello/retire",
        "/topics/a-great-hello/revisions/1/restore",
        "/topics/preview",
    ],
)
def test_leads_cannot_change_topics(client, world, login, library, url):
    login(world.lead)
    client.post(url, data={"body": "x"})
    assert library["hello"].status == "published"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TopicRevision)) == 4


def test_admins_see_every_status_and_filter_by_it(client, world, login, library):
    login(world.admin)
    html = page(client.get("/topics"))
    assert "Secret draft" in html and "Old retired" in html
    html = page(client.get("/topics?status=draft"))
    assert "Secret draft" in html and "A great hello" not in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=hello", "A great hello", "My pleasure"),
        ("q=GREETING", "A great hello", "My pleasure"),  # a tag, any case
        ("q=body+of+my-pleasure", "My pleasure", "A great hello"),
        ("kind=lexicon", "My pleasure", "A great hello"),
        ("tag=greeting", "A great hello", "My pleasure"),
        ("language=de", "My pleasure", "A great hello"),
        ("uses=1-2", "A great hello", "My pleasure"),
        ("uses=0", "My pleasure", "A great hello"),
        ("last_used=never", "My pleasure", "A great hello"),
        ("last_used=over-30", "A great hello", "My pleasure"),
    ],
)
def test_search_and_filters(client, world, login, library, query, shown, hidden):
    use_topic(library["hello"], world.shift, date(2024, 1, 2))
    login(world.staff)
    html = page(client.get(f"/topics?{query}"))
    assert shown in html
    assert hidden not in html


def test_search_treats_wildcards_literally(client, world, login, library):
    login(world.staff)
    assert "No topics match" in page(client.get("/topics?q=%25"))


def test_the_library_shows_times_and_last_use_in_a_fixed_number_of_queries(
    client, world, login, count_queries
):
    login(world.admin)
    for n in range(30):
        topic = make_topic(f"topic-{n:02d}")
        use_topic(topic, world.shift, date(2025, 1, 1 + n % 28), position=1 + n)
    client.get("/topics")  # warm up
    with count_queries() as few:
        html = page(client.get("/topics?per_page=5"))
    with count_queries() as many:
        html = page(client.get("/topics?per_page=30"))
    assert many.count == few.count
    assert "2025-01-01" in html


def test_pagination(client, world, login):
    for n in range(25):
        make_topic(f"topic-{n:02d}")
    login(world.staff)
    html = page(client.get("/topics?per_page=10&page=3"))
    assert "Topic 20" in html and "Topic 24" in html and "Topic 19" not in html
    assert "Page 3 of 3" in html
    html = page(client.get("/topics?per_page=10&page=1&kind=tip"))
    assert 'href="/topics?per_page=10&amp;kind=tip&amp;page=2"' in html
    assert client.get("/topics?page=abc&per_page=-1").status_code == 200


def test_a_topic_page_shows_the_text_prompt_and_lexicon(client, world, login, library):
    login(world.staff)
    html = page(client.get("/topics/my-pleasure"))
    assert "No problem." in html and "My pleasure." in html
    assert "What will you try?" in html
    assert "<strong>Today:</strong>" in html


def test_a_topic_page_speaks_the_readers_language_where_translated(client, world, login, library):
    login(world.staff)
    html = page(client.get("/topics/my-pleasure?lang=de"))
    assert "Sehr gern" in html and "Deutscher Text." in html
    assert "What will you try?" in html  # no German prompt: English


def test_topic_text_is_sanitised_on_the_page(client, world, login):
    make_topic("xss", body='Hi <script>alert(1)</script><img src=x onerror="alert(2)">')
    login(world.staff)
    html = page(client.get("/topics/xss"))
    assert "alert(1)" not in html and "onerror" not in html


def test_admin_creates_a_topic(client, world, login):
    login(world.admin)
    response = client.post(
        "/topics/new",
        data={
            "slug": "new-one",
            "kind": "tip",
            "status": "published",
            "title": "A new one",
            "minutes": "2",
            "prompt": "Why?",
            "body": "Body.",
            "tags": "front-desk, Phone",
            "source": "Us",
        },
    )
    assert response.headers["Location"] == "/topics/new-one"
    topic = service.topic_by_slug("new-one")
    assert topic.current_revision.tags == ["front-desk", "phone"]
    assert topic.current_revision.author_id == world.admin.id


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "Bad Slug"}, "slug", "lowercase"),
        ({"slug": "new"}, "slug", "reserved"),
        ({"slug": "a-great-hello"}, "slug", "already a topic"),
        ({"kind": "poem"}, "kind", "Not a valid choice"),
        ({"title": ""}, "title", "required"),
        ({"minutes": "-1"}, "minutes", "more than 0"),
        ({"season_from": "13-01", "season_to": "01-05"}, "season_from", "not a day"),
        ({"kind": "lexicon", "avoid": ""}, "avoid", "avoid"),
        ({"tags": "ok, not ok!"}, "tags", "may hold only"),
    ],
)
def test_a_bad_new_topic_shows_the_error_next_to_the_field(
    client, world, login, library, change, field, message
):
    login(world.admin)
    data = {"slug": "fresh", "kind": "tip", "status": "draft", "title": "Fresh", **change}
    response = client.post("/topics/new", data=data)
    assert response.status_code == 422
    html = page(response)
    assert f'id="{field}-error"' in html
    assert message in html
    assert service.topic_by_slug("fresh") is None


def test_editing_makes_a_revision_and_keeps_agendas_on_the_old_one(client, world, login, library):
    hello = library["hello"]
    use_topic(hello, world.shift, date(2025, 2, 1))
    first_revision = hello.current_revision_id
    login(world.admin)
    form = page(client.get("/topics/a-great-hello/edit"))
    assert 'name="revision" type="hidden" value="1"' in form
    response = client.post(
        "/topics/a-great-hello/edit",
        data={
            "kind": "habit",
            "status": "published",
            "title": "A better hello",
            "minutes": "2",
            "prompt": "What will you try?",
            "body": "The body of a-great-hello.\n\n**Today:** Try it.",
            "tags": "greeting",
            "source": "Huddles editorial team",
            "revision": "1",
        },
    )
    assert response.headers["Location"] == "/topics/a-great-hello"
    db.session.refresh(hello)
    assert hello.title == "A better hello"
    assert hello.current_revision.number == 2
    assert hello.current_revision.summary == "Changed title"
    item = db.session.scalar(sa.select(AgendaItem))
    assert item.topic_revision_id == first_revision


def test_saving_over_a_newer_revision_is_refused(client, world, login, library):
    service.update_topic(library["hello"], {"title": "Someone else"}, world.admin, NOW)
    login(world.admin)
    response = client.post(
        "/topics/a-great-hello/edit",
        data={"kind": "habit", "status": "published", "title": "Mine", "revision": "1"},
    )
    assert response.status_code == 422
    assert "reload" in page(response)
    assert library["hello"].title == "Someone else"


def test_saving_nothing_new_makes_no_revision(client, world, login, library):
    login(world.admin)
    data = {
        "kind": "habit",
        "status": "published",
        "title": "A great hello",
        "minutes": "2",
        "prompt": "What will you try?",
        "body": "The body of a-great-hello.\n\n**Today:** Try it.",
        "tags": "greeting",
        "source": "Huddles editorial team",
        "revision": "1",
    }
    client.post("/topics/a-great-hello/edit", data=data)
    assert library["hello"].current_revision.number == 1


def test_preview_returns_sanitised_html(client, world, login):
    login(world.admin)
    response = client.post(
        "/topics/preview", json={"body": "**hi** <script>x()</script> [a](javascript:x())"}
    )
    html = response.get_json()["html"]
    assert "<strong>hi</strong>" in html
    assert "script" not in html and "javascript" not in html


def test_preview_without_a_body_is_a_clear_400(client, world, login):
    login(world.admin)
    assert client.post("/topics/preview", json={"text": 1}).status_code == 400


def test_history_diff_and_restore(client, world, login, library):
    hello = library["hello"]
    service.update_topic(hello, {"title": "Second title"}, world.admin, NOW)
    login(world.admin)
    html = page(client.get("/topics/a-great-hello/history"))
    assert "Changed title" in html and "Ada Admin" in html and "Revision 2" in html
    html = page(client.get("/topics/a-great-hello/revisions/2"))
    assert "<del>title: &#34;A great hello&#34;</del>" in html
    assert "<ins>title: &#34;Second title&#34;</ins>" in html
    response = client.post("/topics/a-great-hello/revisions/1/restore")
    assert response.headers["Location"] == "/topics/a-great-hello"
    db.session.refresh(hello)
    assert hello.title == "A great hello"
    assert [r.number for r in hello.revisions] == [1, 2, 3]
    assert hello.current_revision.summary == "Restored revision 1"
    assert client.get("/topics/a-great-hello/revisions/9").status_code == 404
    client.post("/topics/a-great-hello/revisions/9/restore")
    assert len(service.revisions(hello)) == 3


def test_retire_and_publish_again(client, world, login, library):
    login(world.admin)
    response = client.post("/topics/a-great-hello/retire")
    assert response.headers["Location"] == "/topics/a-great-hello"
    hello = library["hello"]
    db.session.refresh(hello)
    assert hello.status == "retired" and hello.current_revision.summary == "Retired"
    login(world.staff)
    assert client.get("/topics/a-great-hello").status_code == 404
    login(world.admin)
    client.post("/topics/a-great-hello/unretire")
    db.session.refresh(hello)
    assert hello.status == "published"
    assert len(service.revisions(hello)) == 3


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_preview_needs_the_csrf_header(self, client, world, login):
        login(world.admin)
        assert client.post("/topics/preview", json={"body": "x"}).status_code == 400
        html = page(client.get("/topics/new"))
        token = html.split('data-csrf="')[1].split('"')[0]
        response = client.post(
            "/topics/preview", json={"body": "**x**"}, headers={"X-CSRFToken": token}
        )
        assert response.get_json()["html"] == "<p><strong>x</strong></p>"
