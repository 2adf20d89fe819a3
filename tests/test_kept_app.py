"""The `app` fixture hands the next test its app as if new (see tests/kept_app.py).

The tests of this file run in order in one process (`--dist loadfile` keeps a file together):
the first leaves behind what a test could, the second finds none of it.
"""

import sqlalchemy as sa
from flask import g

from huddles.agenda import rendered
from huddles.extensions import db
from huddles.org.models import Organisation

LEFT_BEHIND = {}


def test_a_test_changes_its_app(app, client, organisation):
    app.config["HUDDLES_KUDOS_DAILY_CAP"] = 999
    app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] = 1
    rendered.cache().put((1, "en"), "a revision of this test's database")
    app.extensions["huddles.test_left_this"] = object()
    g.left_by_a_test = True
    assert client.get("/login").status_code == 200
    LEFT_BEHIND.update(app=app, organisation_id=organisation.id)


def test_the_next_test_finds_it_as_built(app, client):
    if LEFT_BEHIND.get("app") is not app:
        return  # a new app (run alone, or another app was built in between): nothing to check
    assert app.config["HUDDLES_KUDOS_DAILY_CAP"] == 5
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] == 3600
    assert rendered.cache().get((1, "en")) is None
    assert "huddles.test_left_this" not in app.extensions
    assert "left_by_a_test" not in g
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0
    # Setup methods work again before the first request, as on a new app.
    app.add_url_rule("/_test/kept", "kept_app_route", lambda: "ok")
    assert client.get("/_test/kept").get_data(as_text=True) == "ok"
    LEFT_BEHIND["route_added"] = app


def test_an_app_given_a_route_is_not_handed_out_again(app, client):
    if LEFT_BEHIND.get("route_added") is not None:
        assert LEFT_BEHIND["route_added"] is not app
    assert client.get("/_test/kept").status_code == 404


def test_ids_start_again_at_one(app, make_location):
    # The first test made organisation 1 (or a later one, run after others): here it is 1 again.
    location = make_location()
    assert location.organisation.id == 1
    assert location.id == 1
