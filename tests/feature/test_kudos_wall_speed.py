"""The kudos wall stays cheap as its location grows (issue 11), and what it does to be cheap
(one statement for the page, names and count; labels and links made once) changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton, format_time
from flask import url_for
from wtforms.widgets import Select

from huddles.config import LOCALES
from huddles.extensions import db
from huddles.kudos import service, views
from huddles.kudos.forms import KudosForm
from huddles.kudos.models import Kudos
from huddles.org.models import Location

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def add_kudos(giver, receiver, number: int, *, value=None, hidden_by=None, read=False) -> Kudos:
    """A kudos `number` hours before START (straight in: the daily cap is tested elsewhere)."""
    created = START - timedelta(hours=number, minutes=number % 60)
    kudos = Kudos(
        location_id=receiver.location_id,
        from_user_id=giver.id,
        to_user_id=receiver.id,
        message=f"Thanks #{number}",
        value=value,
        created_at=created,
        given_on=created.date(),
        daily_number=1000 + number,
        read_out_at=created + timedelta(hours=2) if read else None,
    )
    if hidden_by is not None:
        kudos.hidden_at, kudos.hidden_by_id, kudos.hidden_reason = created, hidden_by.id, "dup"
    db.session.add(kudos)
    return kudos


def grow(world, make_user, *, people: int, kudos: int) -> None:
    """More people (a fifth of them since gone) thanking each other over many days."""
    staff = [make_user("staff", world.here) for _ in range(people)]
    for person in staff[: people // 5]:
        person.active = False
    everyone = [world.staff, world.colleague, world.lead, *staff]
    for number in range(1, kudos + 1):
        giver = everyone[number % len(everyone)]
        receiver = everyone[(number * 7 + 1) % len(everyone)]
        if receiver is giver:
            receiver = everyone[(number * 7 + 2) % len(everyone)]
        hider = {3: world.lead, 4: world.admin}.get(number % 9)
        add_kudos(
            giver,
            receiver,
            number * 11,
            value=("wow", "recovery", None)[number % 3],
            hidden_by=hider,
            read=number % 4 == 0,
        )
    db.session.commit()


def wall_statements(client, login, count_queries, viewer, path: str) -> list[str]:
    login(viewer)
    assert client.get(path).status_code == 200
    with count_queries() as counter:
        page = client.get(path)
    assert page.status_code == 200
    assert "Thanks #" in page.get_data(as_text=True)
    return counter.statements


@pytest.mark.parametrize("viewer", ["lead", "staff", "admin"])
@pytest.mark.parametrize("query", ["", "person", "value=wow", "per_page=1&page=2"])
def test_the_wall_takes_as_many_statements_whatever_the_kudos_people_and_days(
    client, world, login, make_user, count_queries, viewer, query
):
    add_kudos(world.staff, world.colleague, 1, value="wow")
    add_kudos(world.colleague, world.staff, 2, value="wow", hidden_by=world.lead)
    add_kudos(world.colleague, world.staff, 3, value="wow")
    db.session.commit()
    args = [f"location_id={world.here.id}"] if viewer == "admin" else []
    if query == "person":
        args.append(f"person={world.staff.id}")
    elif query:
        args.append(query)
    path = "/kudos?" + "&".join(args)
    person = getattr(world, viewer)
    small = wall_statements(client, login, count_queries, person, path)
    grow(world, make_user, people=30, kudos=300)
    large = wall_statements(client, login, count_queries, person, path)
    assert len(large) == len(small), large
    # The page, its names and its count are one statement; the people for the form another.
    assert sum("kudos" in statement for statement in large) == 1, large
    # An admin's wall also reads the location they chose and the list of locations to pick from.
    assert len(large) <= 3 + 2 * (viewer == "admin"), large


def test_a_page_past_the_end_still_says_how_many_there_are(client, world, login):
    for number in range(5):
        add_kudos(world.staff, world.colleague, number)
    db.session.commit()
    login(world.staff)
    page = client.get("/kudos?per_page=2&page=9").get_data(as_text=True)
    assert "There is nothing on this page" in page
    assert "(5)" in page
    assert "Page 9 of 3" in page


def test_who_left_and_who_hid_keep_their_names_on_the_wall(client, world, login, make_user):
    gone = make_user("staff", world.here, name="Gus Gone")
    add_kudos(gone, world.colleague, 1)
    add_kudos(world.staff, world.colleague, 2, hidden_by=world.admin)
    gone.active = False
    db.session.commit()
    login(world.lead)
    page = client.get("/kudos").get_data(as_text=True)
    assert "<bdi>Gus Gone</bdi>" in page
    assert "by Ada Admin:" in page
    # Whom one can thank (and filter by) are today's people only.
    assert f'value="{gone.id}">Gus Gone</option>' not in page


def as_shown(kudos: Kudos) -> tuple:
    hider = kudos.hidden_by.name if kudos.hidden_by else None
    return (
        kudos.id,
        kudos.giver.name,
        kudos.receiver.name,
        kudos.message,
        kudos.value,
        kudos.created_at,
        kudos.read_out_at,
        kudos.hidden_at,
        hider,
        kudos.hidden_reason,
    )


@pytest.mark.parametrize("include_hidden", [True, False])
@pytest.mark.parametrize("person", [None, "staff"])
@pytest.mark.parametrize("value", [None, "wow"])
def test_the_walls_one_statement_finds_what_kudos_page_finds(
    app, world, make_user, include_hidden, person, value
):
    grow(world, make_user, people=5, kudos=40)
    person_id = getattr(world, person).id if person else None
    for page in (1, 2, 3, 40):
        for per_page, bound in ((3, None), (3, 2), (7, 0), (100, None)):
            filters = dict(
                include_hidden=include_hidden,
                person_id=person_id,
                value=value,
                page=page,
                per_page=per_page,
                count_bound=bound,
            )
            wall = service.wall_page(world.here, **filters)
            reference = service.kudos_page(world.here, **filters)
            assert [dataclasses.astuple(k) for k in wall.items] == [
                as_shown(k) for k in reference.items
            ]
            assert (wall.total, wall.more, wall.pages) == (
                reference.total,
                reference.more,
                reference.pages,
            )
            assert wall.total > 0


def moments():
    """Every hour and many minutes and seconds of a year, across both summer-time changes."""
    moment = datetime(2026, 1, 1, 0, 0, 7, tzinfo=UTC)
    for _ in range(1500):
        yield moment
        moment += timedelta(hours=5, minutes=49, seconds=31)


@pytest.mark.parametrize("locale", LOCALES)
def test_local_times_are_babels_to_the_letter(app, locale):
    for zone in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"):
        with app.test_request_context(f"/kudos?lang={locale}"):
            local_time = views._local_time(Location(timezone=zone))
            tz = ZoneInfo(zone)
            for moment in moments():
                day = format_skeleton("MMMd", moment, tzinfo=tz, locale=locale)
                clock = format_time(moment, format="short", tzinfo=tz, locale=locale)
                assert local_time(moment) == f"{day} · {clock}", (zone, moment)


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"page": None},
        {"page": 2},
        {"location_id": 3, "person": 12, "value": "extra-mile", "per_page": 50, "page": 4},
    ],
)
@pytest.mark.parametrize("endpoint", ["kudos.hide", "kudos.unhide"])
def test_the_moderators_links_are_url_fors(app, endpoint, args):
    with app.test_request_context("/kudos"):
        link = views._kudos_url(endpoint, **args)
        for kudos_id in (1, 10, 987654):
            assert link(kudos_id) == url_for(endpoint, kudos_id=kudos_id, **args)


@pytest.mark.parametrize("chosen", [None, "", "5", "17", "x"])
@pytest.mark.parametrize("attrs", [{}, {"aria-invalid": "true", "aria-describedby": "f-error"}])
def test_the_plain_select_writes_what_wtforms_writes(app, chosen, attrs):
    with app.test_request_context("/kudos", method="POST", data={"to_user_id": chosen or ""}):
        form = KudosForm() if chosen is not None else KudosForm(formdata=None)
        form.to_user_id.choices = [("", "Choose <one>"), (5, "Liam O'Connor"), (17, "Zoë & Co")]
        form.value.choices = [("", "None"), *((key, str(v)) for key, v in service.VALUES.items())]
        form.value.data = "wow" if chosen == "5" else chosen
        for field in (form.to_user_id, form.value):
            assert field(**attrs) == Select()(field, **attrs)
        assert "selected" in form.to_user_id()
