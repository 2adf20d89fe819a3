"""The OpenAPI document is complete: every /api/v1 route is documented, every documented route
exists, and what a walk over the API answers validates against the documented schemas."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from typing import Any

import jsonschema
import pytest

from huddles.api.openapi import document
from tests.feature.agenda_helpers import add_library
from tests.feature.report_helpers import add_huddle, add_kudos, backdate, today_in

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _template(path: str) -> str:
    """/shifts/{id}/x and /shifts/<int:shift_id>/x both become /shifts/{}/x."""
    path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", path)
    return re.sub(r"\{[^}]+\}", "{}", path)


def routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            for method in rule.methods - IGNORED_METHODS:
                found.add((method, _template(rule.rule[len(PREFIX) :])))
    return found


def documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), _template(path))
        for path, operations in document()["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_route_is_documented_and_every_documented_route_exists(app):
    assert sorted(routes(app) - documented()) == [], "routes missing from the OpenAPI document"
    assert sorted(documented() - routes(app)) == [], "documented routes that do not exist"


def test_the_document_is_valid_openapi_shape():
    doc = document()
    assert doc["openapi"].startswith("3.")
    for path, operations in doc["paths"].items():
        assert path.startswith("/")
        for method, operation in operations.items():
            assert "200" in operation["responses"] or "201" in operation["responses"], (
                method,
                path,
            )
            for name in re.findall(r"\{([^}]+)\}", path):
                params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
                assert name in {p["name"] for p in params}, (method, path, name)


def _json_schema(schema: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema (draft 4): `nullable` becomes a null type."""
    if isinstance(schema, list):
        return [_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable"):
        if "type" in result:
            result["type"] = [result["type"], "null"]
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
    for key in ("example", "description"):
        if key in result and not isinstance(result[key], dict):
            result.pop(key)
    return result


def _matches(template: str, path: str) -> bool:
    """Whether a concrete path (/topics/tip-0) fits a documented template (/topics/{slug})."""
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.fullmatch(pattern, path) is not None


def validate(method: str, path: str, status: int, body: Any) -> None:
    doc = document()
    operation = next(
        ops[method.lower()]
        for template, ops in doc["paths"].items()
        if _matches(template, path) and method.lower() in ops
    )
    response = operation["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    root = _json_schema({**copy.deepcopy(schema), "components": doc["components"]})
    jsonschema.Draft4Validator(root, format_checker=jsonschema.FormatChecker()).validate(body)


@pytest.fixture
def history(world):
    backdate(world.shift)
    topics = add_library(per_kind=1, lexicon=1)
    today = today_in()
    for offset in (1, 2, 3):
        add_huddle(
            world.shift,
            today - timedelta(days=offset),
            "done",
            topic=topics[0],
            feedback="up",
            marks={world.staff: "present", world.colleague: "absent"},
        )
        add_kudos(world.staff, world.colleague, today - timedelta(days=offset), "wow")
    add_huddle(world.shift, today - timedelta(days=4), "missed", topic=topics[1])
    return topics


def test_a_walk_over_the_api_validates_against_the_schemas(client, world, login, history):
    """Every documented GET (and the main writes) answers what its schema says."""
    today = today_in()
    yesterday = today - timedelta(days=1)
    slug = history[0].slug
    login(world.admin)
    here = world.here.id
    calls: list[tuple[str, str, dict | None]] = [
        ("GET", "/health", None),
        ("GET", "/openapi.json", None),
        ("GET", "/me", None),
        ("GET", "/locations", None),
        ("GET", f"/shifts?location_id={here}", None),
        ("GET", f"/people?location_id={here}", None),
        ("GET", "/people?per_page=2&page=2", None),
        ("GET", "/topics?per_page=3", None),
        ("GET", f"/topics/{slug}", None),
        ("GET", f"/kudos?location_id={here}", None),
        ("GET", f"/shifts/{world.shift.id}/agenda?date={today}", None),
        ("GET", f"/shifts/{world.shift.id}/attendance?date={today}", None),
        ("GET", f"/shifts/{world.shift.id}/huddle?date={yesterday}", None),
        (
            "PUT",
            f"/shifts/{world.shift.id}/attendance/{world.staff.id}?date={yesterday}",
            {"status": "present"},
        ),
        ("POST", "/kudos", {"to_user_id": world.staff.id, "message": "Thank you!"}),
        ("POST", "/topics", {"kind": "tip", "title": "A brand new tip", "body": "Try it."}),
        ("PATCH", "/topics/a-brand-new-tip", {"title": "A renamed tip"}),
        ("DELETE", "/topics/a-brand-new-tip", None),
    ]
    for report in ("attendance", "coverage", "kudos", "topics"):
        calls.append(("GET", f"/reports/{report}?location_id={here}", None))
    for method, path, body in calls:
        response = client.open(PREFIX + path, method=method, json=body)
        assert response.status_code in (200, 201), (method, path, response.get_json())
        validate(method, path.split("?")[0], response.status_code, response.get_json())


def test_errors_validate_against_the_error_schema(client, world, login):
    login(world.lead)
    response = client.get(f"{PREFIX}/reports/coverage?from=soon")
    assert response.status_code == 400
    validate("GET", "/reports/coverage", 400, response.get_json())
