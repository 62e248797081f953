"""Contract tests (issue 11): schemathesis generates requests for every operation of the
OpenAPI document and checks every answer against it: no 5xx, no response that violates
its schema, no status code the document does not list, the documented content type.

In-process (the app as WSGI over ``chalice.test.Client`` and moto), seeded and bounded:
``EXAMPLES`` cases per operation (plus the reference's examples), derandomized, so a run
is repeatable and the suite stays well inside its time budget. Every operation runs with
an admin's token; the technician's own routes (``/tech``, ``/sales``, ``/export``,
``/auth/me``) run again with a technician login's token. One tenant per worker module,
with a technician, a line item and a sale, so ids 1 name real records.

``CONTRACT_EXAMPLES`` raises the bound; ``CONTRACT_REPORT=<file>`` appends one line per
operation with the number of requests it made (the figures in the issue's note).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
# What the contract promises (issue 11). Not schemathesis's acceptance checks: the schema
# says `integer` for cents and ids, which JSON Schema also grants to 108.0, and the API
# refuses floats for money on purpose (SPEC.md: no floats); cross-field rules ("exactly
# one of commission_rate_bps or flat_cents") are not expressible either.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
TECHNICIAN_PATHS = r"^/api/v1/(tech/|sales|export/|auth/me)"


def _document() -> dict:
    """The document ``GET /api/openapi.json`` serves (built the same way, at collection,
    so each operation is a test of its own that pytest-xdist can place)."""
    import app  # noqa: F401 - registers the routes
    from chalicelib.core import openapi, registry

    registry.load_all()
    return openapi.build_document()


schema = schemathesis.openapi.from_dict(_document())
# The technician's pass runs the same operations again with another token: its examples
# and generated cases, without a second boundary sweep (the coverage phase, most of the
# admin pass's requests), which would test the same parsing twice.
technician_schema = schemathesis.openapi.from_dict(_document()).include(path_regex=TECHNICIAN_PATHS)
technician_schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(scope="module")
def world():
    """One moto backend and one tenant per module: its admin, a technician with a login,
    a line item and a sale."""
    from chalice.test import Client
    from moto import mock_aws

    import app as app_module
    from chalicelib.platform import outbox, table
    from infra.local.gateway import install_on_test_client
    from tests.support.api import Api
    from tests.support.aws import create_resources
    from tests.support.sales_helpers import SEED_SALE, seed_catalog, technician_login
    from tests.support.wsgi import wsgi_app

    with mock_aws():
        table.reset_connections()
        outbox.reset_clients()
        create_resources("test")
        with Client(app_module.app, stage_name="test", project_dir=str(ROOT)) as client:
            api = Api(install_on_test_client(client))
            owner = api.register("Contract HVAC")
            seed_catalog(api, owner)
            _, tech = technician_login(api, owner)
            assert api.post("/sales", SEED_SALE, as_=owner).status == 201
            calls = {"n": 0}
            app = wsgi_app(client)

            def counted(environ, start_response):
                calls["n"] += 1
                return app(environ, start_response)

            yield {"owner": owner, "technician": tech, "wsgi": counted, "calls": calls}
        table.reset_connections()
        outbox.reset_clients()


def _run(case, world, account) -> None:
    case.headers = {**(case.headers or {}), **account.headers()}
    case.call_and_validate(checks=CHECKS, app=world["wsgi"])


@pytest.fixture
def report(world, request):
    before = world["calls"]["n"]
    yield
    target = os.environ.get("CONTRACT_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(f"{request.node.name}\t{world['calls']['n'] - before}\n")


@schema.parametrize()
@BOUNDS
def test_every_operation_keeps_its_contract(case, world, report):
    _run(case, world, world["owner"])


@technician_schema.parametrize()
@BOUNDS
def test_technician_operations_keep_their_contract(case, world, report):
    _run(case, world, world["technician"])
