"""boto3 clients for the services beside the table (SQS, S3), one per service, endpoint
and region, created on first use (boto3 is imported lazily: most routes' cold start does
not need it)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.core import settings


@lru_cache(maxsize=16)
def _client_for(
    service: str, endpoint: str | None, region: str, signature_version: str | None = None
) -> Any:
    import boto3  # ships with the Lambda runtime

    config = None
    if signature_version is not None:
        from botocore.config import Config

        config = Config(signature_version=signature_version)
    return boto3.client(service, endpoint_url=endpoint, region_name=region, config=config)


def client(service: str, *, signature_version: str | None = None) -> Any:
    """The shared client of ``service`` for the current endpoint (emulator or AWS);
    ``signature_version`` pins how it signs (``s3v4`` for presigned uploads)."""
    return _client_for(
        service, settings.aws_endpoint_url(), settings.aws_region(), signature_version
    )


def reset_clients() -> None:
    """Forget cached clients (tests start a fresh emulator per test)."""
    _client_for.cache_clear()
