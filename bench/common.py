"""Shared benchmark plumbing: an in-process emulated AWS, the API client, and a counter
of AWS calls per request (a hook on botocore's ``_make_api_call``)."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "STAGE": "test",
    "TABLE_NAME": "tradekitt-test",
    "EVENTS_QUEUE_NAME": "tradekitt-test-events",
    "EXPORTS_BUCKET": "tradekitt-test-exports",
    "JWT_SECRET": secrets.token_urlsafe(48),
    "RATE_LIMIT_IP": "0",
    "RATE_LIMIT_TENANT": "0",
    "RATE_LIMIT_AUTH": "0",
}


class CallCounter:
    """Counts AWS API calls by ``service.Operation`` while active."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def of(self, service: str) -> int:
        return sum(n for key, n in self.calls.items() if key.startswith(service + "."))

    def ops(self, service: str) -> dict[str, int]:
        return {k.split(".", 1)[1]: n for k, n in self.calls.items() if k.startswith(service + ".")}


@contextlib.contextmanager
def count_calls() -> Iterator[CallCounter]:
    from tests.support.aws_calls import wrapped

    counter = CallCounter()

    def counting(call, client, operation, params):  # type: ignore[no-untyped-def]
        counter.calls[f"{client.meta.service_model.service_name}.{operation}"] += 1
        return call(client, operation, params)

    with wrapped(counting):
        yield counter


@contextlib.contextmanager
def emulated_api() -> Iterator[object]:
    """moto in-process + the table/queues/bucket + an ``Api`` test client."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(BENCH_ENV)
    from chalice.test import Client
    from moto import mock_aws

    import app as app_module
    from chalicelib.platform import outbox as events
    from chalicelib.platform import table
    from infra.local.gateway import install_on_test_client
    from tests.support.api import Api
    from tests.support.aws import create_resources

    with mock_aws():
        table.reset_connections()
        events.reset_clients()
        create_resources("test")
        with Client(app_module.app, stage_name="test", project_dir=str(ROOT)) as client:
            yield Api(install_on_test_client(client))
