"""Shared fixtures: environment, an emulated AWS per test (moto), the API client."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "STAGE": "test",
    "TABLE_NAME": "tradekitt-test",
    "EVENTS_QUEUE_NAME": "tradekitt-test-events",
    "EXPORTS_BUCKET": "tradekitt-test-exports",
    "JWT_SECRET": secrets.token_urlsafe(48),
    "API_URL": "http://testserver",
    # API tests make many calls; rate-limit tests lower these themselves.
    "RATE_LIMIT_IP": "100000",
    "RATE_LIMIT_TENANT": "100000",
    "RATE_LIMIT_AUTH": "100000",
}
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
os.environ.update(TEST_ENV)

from tests.support import botocore_cache  # noqa: E402

botocore_cache.install()  # botocore's JSON data parsed once per process, not per test

from tests.support import fast_passwords  # noqa: E402

fast_passwords.install()  # argon2id at its lowest cost in-process (production's: tested)


@pytest.fixture
def aws():
    """A fresh moto backend with the table, queues and bucket of ``infra/template.yaml``."""
    from moto import mock_aws

    from chalicelib.platform import outbox as events
    from chalicelib.platform import table
    from tests.support import moto_tx
    from tests.support.aws import create_resources

    moto_tx.install()  # transactions copy the items they name, not the table
    with mock_aws():
        table.reset_connections()
        events.reset_clients()
        create_resources("test")
        yield
    table.reset_connections()
    events.reset_clients()


@pytest.fixture
def api(aws):
    """The API through ``chalice.test.Client`` (with the local 404 envelope)."""
    from chalice.test import Client

    import app as app_module
    from infra.local.gateway import install_on_test_client
    from tests.support.api import Api

    with Client(app_module.app, stage_name="test", project_dir=str(ROOT)) as client:
        yield Api(install_on_test_client(client))


@pytest.fixture
def owner(api):
    """A registered tenant with its admin logged in."""
    return api.register("Smith HVAC")


@pytest.fixture
def other(api):
    """A second, unrelated tenant."""
    return api.register("Other Plumbing")


@pytest.fixture
def serial_aws():
    """One AWS call at a time (moto's in-process backend is not thread-safe), for tests
    that race threads: they still interleave call by call, as requests to DynamoDB do."""
    from tests.support.aws_calls import one_at_a_time

    with one_at_a_time():
        yield
