"""One world per test module: a module-scoped moto backend with both tenants built once
(building costs more than the calls the matrices make)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def world():
    from chalice.test import Client
    from moto import mock_aws

    import app as app_module
    from chalicelib.platform import outbox as events
    from chalicelib.platform import table
    from infra.local.gateway import install_on_test_client
    from tests.matrix.world import build
    from tests.support.api import Api
    from tests.support.aws import create_resources

    with mock_aws():
        table.reset_connections()
        events.reset_clients()
        create_resources("test")
        with Client(app_module.app, stage_name="test", project_dir=str(ROOT)) as client:
            yield build(Api(install_on_test_client(client)))
    table.reset_connections()
    events.reset_clients()
