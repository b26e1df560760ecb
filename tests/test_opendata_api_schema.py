"""Property-based run of the OpenAPI schema against the live test server (schemathesis):
no 500, no status, content type or body off the schema. Bounded to stay fast."""

import pytest
import schemathesis
from django.db import connection
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from listings.lifecycle import Status
from tests.factories import make_need, make_organization, make_technology

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def _restore_migration_data(django_db_setup, django_db_blocker):
    """pytest-django empties every table after a transactional test; put back what the
    migrations loaded (taxonomy, staff group) so later tests and --reuse-db runs still have it.
    Module-scoped, so it runs after that flush."""
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def api_schema(live_server, settings):
    settings.API_ANON_THROTTLE_RATE = "100000/minute"
    organization = make_organization(name="Schema University")
    make_technology(organization, title="Solar cell", fields=("solar",), trl=5)
    make_technology(organization, title="Wind blade", fields=("wind",), trl=8, ip_status="pending")
    make_technology(organization, title="Draft", status=Status.DRAFT)
    make_need(organization, title="Need storage", fields=("energy-storage",))
    return schemathesis.openapi.from_url(live_server.url + "/api/schema/?format=json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(api_schema, mode):
    # Each operation's Hypothesis strategy, driven here (schemathesis' own pytest loader needs
    # pytest internals that pytest 9 no longer has).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 9

    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not any(operation.query):
            # Schemathesis sends no invalid path parameters (they would change the URL):
            # only operations with query parameters have something to get wrong.
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            case.call_and_validate(checks=CHECKS)

        run()
