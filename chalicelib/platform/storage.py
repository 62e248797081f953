"""Export files on S3: the exports bucket (``settings.exports_bucket``), every object
under the tenant's prefix ``tenants/<tenant_id>/`` (object keys are built by
``platform.keys``, section "exports"). boto3 is imported lazily (it is not needed by most
routes' cold start).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chalicelib.core.settings import get_settings
from chalicelib.platform import aws

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
        return {
            "key": self.key,
            "bytes": len(self.body),
            "sha256": hashlib.sha256(self.body).hexdigest(),
        }


def _s3() -> Any:
    return aws.client("s3")


def bucket() -> str:
    return get_settings().exports_bucket


def put(file: ExportFile) -> None:
    _s3().put_object(Bucket=bucket(), Key=file.key, Body=file.body, ContentType=file.content_type)


def put_all(files: Iterable[ExportFile]) -> None:
    """Store several files (in parallel; any failure raises)."""
    files = list(files)
    if len(files) <= 1:
        for file in files:
            put(file)
        return
    client, name = _s3(), bucket()

    def one(file: ExportFile) -> None:
        client.put_object(Bucket=name, Key=file.key, Body=file.body, ContentType=file.content_type)

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


# --- direct uploads (a client sends the file to S3 itself) ---------------------------------
def presigned_post(key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
    """A presigned POST (``{"url", "fields"}``) that stores exactly ``key`` with
    ``content_type``, refusing a file of more than ``max_bytes`` (S3 enforces the policy's
    ``content-length-range``) after ``expires_s`` seconds."""
    signer = aws.client("s3", signature_version="s3v4")  # SigV4: every region takes it
    return signer.generate_presigned_post(
        Bucket=bucket(),
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_s,
    )


def presigned_get(key: str, expires_s: int) -> str:
    """A presigned GET url of ``key`` (a link in an e-mail opens the stored file without
    a login), valid for ``expires_s`` seconds."""
    signer = aws.client("s3", signature_version="s3v4")
    return signer.generate_presigned_url(
        "get_object", Params={"Bucket": bucket(), "Key": key}, ExpiresIn=expires_s
    )


def head(key: str) -> dict[str, Any] | None:
    """``{"size", "content_type"}`` of the object, or None when it does not exist."""
    from botocore.exceptions import ClientError

    try:
        reply = _s3().head_object(Bucket=bucket(), Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return {"size": int(reply["ContentLength"]), "content_type": reply.get("ContentType")}
