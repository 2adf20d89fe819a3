"""The core of the JSON API: health, me, locations, shifts, errors."""

import pytest


def test_health_answers_without_signing_in(client):
    assert client.get("/api/v1/health").get_json() == {"status": "ok", "database": "ok"}


def test_openapi_describes_the_contract(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    for path in ["/me", "/locations", "/shifts", "/shifts/{id}/agenda", "/topics", "/kudos"]:
        assert path in document["paths"]


def test_me(client, world, login):
    login(world.lead)
    assert client.get("/api/v1/me").get_json() == {
        "id": world.lead.id,
        "name": "Lena Lead",
        "email": world.lead.email,
        "role": "lead",
        "location_id": world.here.id,
        "locale": None,
    }


@pytest.mark.parametrize(("role", "expected"), [("staff", 1), ("lead", 1), ("admin", 2)])
def test_people_see_only_their_locations(client, world, login, role, expected):
    login(world.by_role(role))
    locations = client.get("/api/v1/locations").get_json()
    assert len(locations) == expected
    assert locations[0]["name"] == "Harbour Hotel"
    assert set(locations[0]) == {"id", "name", "timezone", "locale"}


def test_shifts_of_my_location(client, world, login):
    login(world.staff)
    shifts = client.get("/api/v1/shifts").get_json()
    assert [shift["name"] for shift in shifts] == ["Early"]
    assert shifts[0]["starts_at"] == "07:00"
    assert shifts[0]["weekdays"] == [0, 1, 2, 3, 4, 5, 6]


def test_shifts_of_another_location_are_refused_with_a_clear_error(client, world, login):
    login(world.staff)
    response = client.get(f"/api/v1/shifts?location_id={world.there.id}")
    assert response.status_code == 403
    assert "Old Town Bistro" in response.get_json()["error"]["message"]


def test_admins_filter_shifts_by_location(client, world, login):
    login(world.admin)
    shifts = client.get(f"/api/v1/shifts?location_id={world.there.id}").get_json()
    assert [shift["name"] for shift in shifts] == ["Dinner"]


@pytest.mark.parametrize("value", ["abc", "1.5", "-"])
def test_a_malformed_parameter_names_the_field(client, world, login, value):
    login(world.staff)
    response = client.get(f"/api/v1/shifts?location_id={value}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "location_id"


def test_unknown_api_paths_and_methods_answer_in_json(client, world, login):
    login(world.staff)
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/api/v1/me")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"


def test_html_errors_are_pages_without_a_trace(client, world, login):
    login(world.staff)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "There is nothing here." in page and "Traceback" not in page


def test_a_crash_is_a_plain_500_page(app, client, world, login):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    login(world.staff)
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "secret internals" not in page and "Traceback" not in page


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
