"""Schemathesis against /api/v1/openapi.json, in-process on the WSGI app: no answer is a 5xx,
whatever the schema-shaped (and schema-breaking) input."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from huddles.auth import service
from huddles.extensions import db


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_api_operation_answers_with_a_5xx(app, world, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {service.issue_api_token(world.admin, 'fuzz')}"}
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @settings(
            max_examples=10,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case) -> None:
            response = case.call(headers=headers)
            db.session.rollback()
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.operation.label}: {response.status_code} {case.as_curl_command()}"
                )

        try:
            call()
        except Unsatisfiable:
            # Nothing to break in an operation without parameters (GET /health, say).
            assert mode == GenerationMode.NEGATIVE, operation.label
    assert failures == []
    assert len(statuses) > len(operations)  # it did reach the app, many times
    if mode == GenerationMode.POSITIVE:
        assert any(status == 200 for status in statuses)
