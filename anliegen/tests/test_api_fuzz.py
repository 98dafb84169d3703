"""Schema fuzzing: schemathesis sends generated requests to every route of the OpenAPI
document with an agent's token. No answer may be a server error, and every answer's status
must be one the document lists for that route (so the document says what the API does)."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import status_code_conformance
from schemathesis.checks import not_a_server_error

from anliegen.api.actions import create_token

EXAMPLES_PER_ROUTE = 4  # about a second per route on a busy machine: the run stays well under a minute


@pytest.fixture
def agent_token(world) -> str:
    return create_token(user=world.agent, name="fuzzing")[1]


@pytest.fixture
def wsgi_app():
    """The WSGI application, keeping the test's database connection open between requests
    (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_it_answers_every_generated_request_without_a_server_error(world, agent_token, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {agent_token}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def probe(case):
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
            except Exception as exc:
                failures.append(f"{case.operation.label}: {response.status_code} {exc}")
                raise

        probe()
    assert not failures
