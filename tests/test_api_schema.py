"""Property-based run of the OpenAPI schema against the live test server (schemathesis):
no 500, no status, content type or body off the schema. Bounded to stay fast."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
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
    skipped = []

    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not any(operation.iter_parameters()):
            continue  # nothing to get wrong in a request without parameters

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            case.call_and_validate(checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            # Schemathesis sends no invalid path parameters (they would change the URL):
            # detail operations have nothing negative to send.
            assert mode == GenerationMode.NEGATIVE, operation.label
            skipped.append(operation.label)
    assert all("{" in label for label in skipped), skipped
