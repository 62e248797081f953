"""Export files on S3: the exports bucket (``settings.exports_bucket``), every key under
the tenant's prefix ``tenants/<tenant_id>/``.

* A closed pay period's frozen files (written once by the close, served byte for byte
  afterwards): ``tenants/<tid>/pay-periods/<id>/pay-period.csv``, ``pay-period.pdf``,
  ``statements/<technician id>.pdf`` and ``statements/<technician id>.json`` (the frozen
  statement lines).
* A copy of every other export served (open periods rendered live, commission reports,
  sales exports): ``tenants/<tid>/exports/<UTC yyyy/mm/dd>/<HHMMSS>-<random>/<filename>``.

boto3 is imported lazily (it is not needed by most routes' cold start).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable

from chalicelib.core.settings import get_settings

log = logging.getLogger("tradekitt.exports")
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"
JSON = "application/json"
PUT_THREADS = 8


@dataclass(frozen=True)
class ExportFile:
    """One file to store: its key, bytes and content type."""

    key: str
    body: bytes
    content_type: str

    def record(self) -> dict[str, Any]:
        """What the period's summary keeps about the file (to find and verify it)."""
        return {"key": self.key, "bytes": len(self.body),
                "sha256": hashlib.sha256(self.body).hexdigest()}


def tenant_prefix(tenant_id: str) -> str:
    return f"tenants/{tenant_id}/"


def period_key(tenant_id: str, period_id: int, name: str) -> str:
    """Key of a closed period's frozen file, e.g. ``pay-period.pdf``."""
    return f"{tenant_prefix(tenant_id)}pay-periods/{period_id}/{name}"


def statement_key(tenant_id: str, period_id: int, technician_id: int, ext: str) -> str:
    return period_key(tenant_id, period_id, f"statements/{technician_id}.{ext}")


def copy_key(tenant_id: str, filename: str, now: datetime | None = None) -> str:
    """Key of the copy of a live export (unique per request)."""
    now = now or datetime.now(timezone.utc)
    return (f"{tenant_prefix(tenant_id)}exports/{now:%Y/%m/%d}/"
            f"{now:%H%M%S}-{secrets.token_hex(4)}/{filename}")


@lru_cache(maxsize=4)
def _client_for(endpoint: str | None, region: str) -> Any:
    import boto3  # local import: keep module import cheap

    return boto3.client("s3", endpoint_url=endpoint, region_name=region)


def _s3() -> Any:
    settings = get_settings()
    return _client_for(settings.aws_endpoint_url, settings.aws_region)


def reset_clients() -> None:
    _client_for.cache_clear()


def bucket() -> str:
    return get_settings().exports_bucket


def put(file: ExportFile) -> None:
    _s3().put_object(Bucket=bucket(), Key=file.key, Body=file.body,
                     ContentType=file.content_type)


def put_all(files: Iterable[ExportFile]) -> None:
    """Store several files (in parallel; any failure raises)."""
    files = list(files)
    if len(files) <= 1:
        for file in files:
            put(file)
        return
    client, name = _s3(), bucket()

    def one(file: ExportFile) -> None:
        client.put_object(Bucket=name, Key=file.key, Body=file.body,
                          ContentType=file.content_type)

    with ThreadPoolExecutor(max_workers=min(PUT_THREADS, len(files))) as pool:
        for _ in pool.map(one, files):
            pass


def keep_copy(file: ExportFile) -> bool:
    """Store the copy of a live export; a failure is logged, not raised (the export itself
    is still served)."""
    try:
        put(file)
    except Exception:  # noqa: BLE001 - best effort
        log.exception("could not keep a copy of export %s", file.key)
        return False
    return True


def get(key: str) -> bytes | None:
    """The object's bytes, or None when it does not exist."""
    client = _s3()
    try:
        reply = client.get_object(Bucket=bucket(), Key=key)
    except client.exceptions.NoSuchKey:
        return None
    return reply["Body"].read()
