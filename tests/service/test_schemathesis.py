"""Property-based run of the app's own OpenAPI (schemathesis): no 5xx, responses conform.

Bounded: a few examples per operation and a per-example deadline, on SQLite, with and
without a key (an evaluator's key reaches the protected operations' handlers).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.service.conftest import add_key

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(app, client, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the schemathesis run uses SQLite only (the API tests cover PostgreSQL)")
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=5000, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case, app):
    _, key = add_key(app, "evaluator")
    case.call_and_validate(checks=CHECKS)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
