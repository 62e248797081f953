"""boto3 clients for the services beside the table (SQS, S3), one per service, endpoint
and region, created on first use (boto3 is imported lazily: most routes' cold start does
not need it)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.core import settings


@lru_cache(maxsize=16)
def _client_for(service: str, endpoint: str | None, region: str) -> Any:
    import boto3  # ships with the Lambda runtime

    return boto3.client(service, endpoint_url=endpoint, region_name=region)


def client(service: str) -> Any:
    """The shared client of ``service`` for the current endpoint (emulator or AWS)."""
    return _client_for(service, settings.aws_endpoint_url(), settings.aws_region())


def reset_clients() -> None:
    """Forget cached clients (tests start a fresh emulator per test)."""
    _client_for.cache_clear()
