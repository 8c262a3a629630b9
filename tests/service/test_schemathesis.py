"""Property-based run of the app's own OpenAPI (schemathesis): no 5xx, responses conform.

Bounded: a few examples per operation and a per-example deadline, on SQLite, each case
sent without a key and with an evaluator's key (which reaches the protected handlers).
Operations are driven one by one through hypothesis so that the run does not depend on
schemathesis's pytest plugin.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.helpers import add_key

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 10


def test_api_conforms_to_its_openapi(app, client, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the schemathesis run uses SQLite only (the API tests cover PostgreSQL)")
    _, key = add_key(app, "evaluator")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=10_000, suppress_health_check=list(HealthCheck),
                  database=None)
        def run(case):
            case.call_and_validate(checks=CHECKS)
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

        run()
