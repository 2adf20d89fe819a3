"""Hostile and malformed input on every write route: always a 4xx, never a crash."""

from __future__ import annotations

import pytest

from tests.feature.test_access import _rules, _url

BODIES = [
    [],
    [1, 2],
    "just a string",
    42,
    None,
    {"status": ["present"], "to_user_id": "abc", "message": {"x": 1}, "value": 7},
    {"status": "present" * 1000, "to_user_id": 10**30, "message": "x" * 10_000},
    {"slug": "../../etc/passwd", "kind": None, "title": ["a"], "minutes": "lots", "tags": "x"},
    {"slot": {"key": 1}, "notes": ["a"], "kudos_ids": "1,2"},
]
QUERIES = ["", "?date=not-a-date", "?date=9999-99-99", "?date=1900-01-01", "?page=-1&per_page=x"]


@pytest.mark.parametrize("role", ["staff", "lead", "admin"])
def test_no_write_route_crashes_on_malformed_json(app, client, world, login, role):
    login(world.by_role(role))
    for rule in _rules(app):
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        for method in sorted(methods):
            url = _url(app, rule, world).replace(str(world.there.id), str(world.here.id))
            for body in BODIES:
                response = client.open(url, method=method, json=body)
                response.close()
                assert response.status_code < 500, f"{role} {method} {url} {body!r:.80}"


def test_no_read_route_crashes_on_malformed_parameters(app, client, world, login):
    login(world.admin)
    for rule in _rules(app):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = _url(app, rule, world)
        for query in QUERIES:
            response = client.get(url + query)
            response.close()
            assert response.status_code < 500, f"GET {url}{query}"


def test_non_utf8_and_oversize_bodies_are_refused(client, world, login):
    login(world.admin)
    garbage = client.post(
        "/api/v1/kudos", data=b"\xff\xfe\x00{", headers={"Content-Type": "application/json"}
    )
    assert 400 <= garbage.status_code < 500
    huge = client.post(
        "/api/v1/kudos", data=b"x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"}
    )
    assert huge.status_code == 413
