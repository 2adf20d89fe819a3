"""A lead swaps a topic from the Prepare screen (issue 13): the next best or a fitting one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from huddles import rotation
from huddles.agenda import planning
from huddles.agenda.models import Agenda, AgendaItem
from huddles.extensions import db
from huddles.topics.models import Topic
from tests.feature.agenda_helpers import add_topic

NOW = datetime.now(UTC)


def _next_default_of_yes() -> date:
    day = NOW.date() + timedelta(days=1)
    while rotation.DEFAULT_TEMPLATE.theme_for(day) != "default-of-yes":
        day += timedelta(days=1)
    return day


# A coming day whose theme is the default of yes (the Prepare screen shows days to come).
DAY = _next_default_of_yes()


@pytest.fixture
def library(world):
    world.here.setting = "restaurant"
    db.session.commit()
    assert rotation.DEFAULT_TEMPLATE.theme_for(DAY) == "default-of-yes"
    for n in range(3):
        add_topic(f"bistro-yes-{n}", "default-of-yes", settings=("restaurant",))
    for n in range(4):
        add_topic(f"hotel-yes-{n}", "default-of-yes", settings=("hotel",))
    for n in range(3):
        add_topic(f"phrase-{n}", "lexicon", avoid="a", say_instead="b")
    return world


def topic_item(agenda: Agenda) -> AgendaItem:
    return next(item for item in agenda.items if item.slot_key == "topic")


def slug_of(item: AgendaItem) -> str:
    return db.session.get(Topic, item.topic_id).slug


def test_swap_options_list_fitting_topics_first_without_the_current_one(app, library):
    agenda = planning.get_agenda(library.shift, DAY, now=NOW)
    current = slug_of(topic_item(agenda))
    assert current.startswith("bistro-yes-")
    options = planning.swap_options(agenda, "topic")
    slugs = [option.slug for option in options]
    assert current not in slugs and len(slugs) == 5
    assert [option.fits for option in options] == [True, True, False, False, False]
    assert all(option.title for option in options)


def test_the_prepare_screen_offers_the_swap_to_the_lead_only(client, library, login):
    url = f"/huddle/{library.shift.id}/{DAY.isoformat()}"
    login(library.lead)
    page = client.get(url).get_data(as_text=True)
    assert "Swap a topic" in page and f"{url}/swap?slot=topic" in page
    login(library.staff)
    page = client.get(url).get_data(as_text=True)
    assert "Swap a topic" not in page
    assert client.get(f"{url}/swap?slot=topic").status_code in (403, 404)


def test_the_choices_of_a_slot_are_listed_on_their_own_page(client, library, login):
    """The screen names the slots; the few topics on offer are worked out when asked for."""
    url = f"/huddle/{library.shift.id}/{DAY.isoformat()}"
    login(library.lead)
    client.get(url)
    options = planning.swap_options(db.session.scalar(sa.select(Agenda)), "topic")
    page = client.get(f"{url}/swap?slot=topic").get_data(as_text=True)
    assert "made for another kind of workplace" in page and "next best" in page
    for option in options:
        assert f'value="{option.slug}"' in page
    assert page.index(options[0].slug) < page.index(options[-1].slug)


@pytest.mark.parametrize(("slot", "status"), [("nope", 404), ("welcome", 400), ("", 404)])
def test_asking_for_the_choices_of_a_slot_that_cannot_swap_says_why(
    client, library, login, slot, status
):
    url = f"/huddle/{library.shift.id}/{DAY.isoformat()}"
    login(library.lead)
    client.get(url)
    response = client.get(f"{url}/swap?slot={slot}")
    assert response.status_code == status


def test_after_the_start_the_choices_page_sends_the_lead_back(client, library, login):
    url = f"/huddle/{library.shift.id}/{DAY.isoformat()}"
    login(library.lead)
    client.get(url)
    agenda = db.session.scalar(sa.select(Agenda))
    agenda.status, agenda.started_at = "running", NOW
    db.session.commit()
    response = client.get(f"{url}/swap?slot=topic")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)


def test_a_lead_swaps_for_a_chosen_topic_and_it_is_recorded(client, library, login):
    agenda = planning.get_agenda(library.shift, DAY, now=NOW)
    choice = planning.swap_options(agenda, "topic")[1].slug
    login(library.lead)
    response = client.post(
        f"/huddle/{library.shift.id}/{DAY.isoformat()}/swap",
        data={"slot": "topic", "topic_slug": choice},
    )
    assert response.status_code == 302
    db.session.expire_all()
    item = topic_item(db.session.scalar(sa.select(Agenda)))
    assert slug_of(item) == choice
    assert item.swapped_at is not None and item.swapped_by_id == library.lead.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Swapped: the huddle will cover" in page


def test_a_swap_without_a_choice_takes_the_next_best(client, library, login):
    agenda = planning.get_agenda(library.shift, DAY, now=NOW)
    best = planning.swap_options(agenda, "topic")[0].slug
    login(library.lead)
    client.post(f"/huddle/{library.shift.id}/{DAY.isoformat()}/swap", data={"slot": "topic"})
    db.session.expire_all()
    assert slug_of(topic_item(db.session.scalar(sa.select(Agenda)))) == best


def test_a_topic_that_is_not_on_offer_is_refused(client, library, login):
    login(library.lead)
    client.get(f"/huddle/{library.shift.id}/{DAY.isoformat()}")
    before = slug_of(topic_item(db.session.scalar(sa.select(Agenda))))
    response = client.post(
        f"/huddle/{library.shift.id}/{DAY.isoformat()}/swap",
        data={"slot": "topic", "topic_slug": "phrase-0"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "topic_slug"
    db.session.expire_all()
    assert slug_of(topic_item(db.session.scalar(sa.select(Agenda)))) == before


@pytest.mark.parametrize("role", ["staff", "other_lead"])
def test_only_the_lead_of_the_location_or_an_admin_swaps(client, library, login, role):
    login(getattr(library, role))
    response = client.post(
        f"/huddle/{library.shift.id}/{DAY.isoformat()}/swap", data={"slot": "topic"}
    )
    assert response.status_code in (403, 404)
    login(library.admin)
    response = client.post(
        f"/huddle/{library.shift.id}/{DAY.isoformat()}/swap", data={"slot": "topic"}
    )
    assert response.status_code == 302


def test_after_the_start_a_swap_is_a_conflict(client, library, login):
    login(library.lead)
    client.get(f"/huddle/{library.shift.id}/{DAY.isoformat()}")
    agenda = db.session.scalar(sa.select(Agenda))
    agenda.status, agenda.started_at = "running", NOW
    db.session.commit()
    response = client.post(
        f"/huddle/{library.shift.id}/{DAY.isoformat()}/swap",
        data={"slot": "topic"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert planning.swap_options(agenda, "topic") == []
    page = client.get(f"/huddle/{library.shift.id}/{DAY.isoformat()}").get_data(as_text=True)
    assert "Swap a topic" not in page


def test_the_api_swaps_to_a_named_topic_and_lists_options(client, library, login):
    login(library.lead)
    url = f"/api/v1/shifts/{library.shift.id}/agenda"
    day = DAY
    options = client.get(f"{url}/swap-options?slot=topic&date={day.isoformat()}").get_json()
    assert options[0]["fits"] is True and {"topic_slug", "title", "last_used"} <= set(options[0])
    chosen = options[-1]["topic_slug"]
    body = client.post(
        f"{url}/swap?date={day.isoformat()}", json={"slot": "topic", "topic_slug": chosen}
    ).get_json()
    assert next(i for i in body["items"] if i["slot"] == "topic")["topic_slug"] == chosen
    bad = client.post(f"{url}/swap?date={day.isoformat()}", json={"slot": "topic", "topic_slug": 3})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "topic_slug"


def test_swap_choices_are_titled_in_the_readers_language(client, library, login):
    """A topic translated into the page's language is offered under its translated title, on
    the choices page and in the API; one without that translation keeps its own title."""
    for n in range(3):
        topic = db.session.scalar(sa.select(Topic).where(Topic.slug == f"bistro-yes-{n}"))
        topic.current_revision.translations = {"de": {"title": f"Ja-Thema {n}"}}
    db.session.commit()
    login(library.lead)
    url = f"/api/v1/shifts/{library.shift.id}/agenda/swap-options?slot=topic&date={DAY}"
    titles = [option["title"] for option in client.get(url + "&lang=de").get_json()]
    assert any(title.startswith("Ja-Thema") for title in titles)
    assert not any(title.startswith("Bistro Yes") for title in titles)
    english = [option["title"] for option in client.get(url + "&lang=en").get_json()]
    assert any(title.startswith("Bistro Yes") for title in english)
    page = client.get(f"/huddle/{library.shift.id}/{DAY}/swap?slot=topic&lang=de")
    assert page.status_code == 200 and "Ja-Thema" in page.get_data(as_text=True)


def test_the_swap_names_the_new_topic_in_the_readers_language(client, library, login):
    agenda = planning.get_agenda(library.shift, DAY, now=NOW)
    choice = planning.swap_options(agenda, "topic")[1].slug
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == choice))
    topic.current_revision.translations = {"de": {"title": "Ja sagen, auf Deutsch"}}
    library.lead.locale = "de"
    db.session.commit()
    login(library.lead)
    url = f"/huddle/{library.shift.id}/{DAY.isoformat()}"
    response = client.post(f"{url}/swap", data={"slot": "topic", "topic_slug": choice})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    flashed = page.split('class="flash flash-success">')[1].split("</p>")[0]
    assert flashed == "Getauscht: Die Teambesprechung behandelt „Ja sagen, auf Deutsch“."
