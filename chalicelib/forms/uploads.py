"""Photos and signatures of form submissions: the client uploads the file straight to S3
with a presigned POST the API issues, then names its key in the submission.

The key is ``tenants/<tid>/forms/jobs/<job>/<form>/<field>/<nonce>-<mac>.<ext>``
(``keys.form_upload_prefix``): the MAC (HMAC-SHA256 under a key derived from the signing
secret, 128 bits) covers the whole key, so a submission proves the key was issued by this
API for that tenant, job, form and field without a table read; a key of another job,
form, field or tenant, or an altered one, is 422. The submission also checks (one
HeadObject per file) that the file was uploaded and is within the size limit. The POST
policy pins the key and the content type and caps the size with ``content-length-range``
(S3 enforces it; the announced ``size_bytes`` is the cap), and expires after 15 minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from chalicelib.core.errors import invalid
from chalicelib.core.settings import get_settings
from chalicelib.forms import rules
from chalicelib.platform import keys, storage

EXPIRES_S = 900
_NAME = re.compile(r"^([0-9a-f]{16})-([0-9a-f]{32})\.([a-z]{3,4})$")


def _mac(key_without_mac: str) -> str:
    secret = hashlib.sha256(b"tradekitt form upload\0" + get_settings().signing_key().encode())
    return hmac.new(secret.digest(), key_without_mac.encode(), hashlib.sha256).hexdigest()[:32]


def new_key(tenant_id: str, job_id: int, form_id: int, field_key: str, ext: str) -> str:
    prefix = keys.form_upload_prefix(tenant_id, job_id, form_id, field_key)
    nonce = secrets.token_hex(8)
    return f"{prefix}{nonce}-{_mac(f'{prefix}{nonce}.{ext}')}.{ext}"


def issued(tenant_id: str, job_id: int, form_id: int, field_key: str, key: str) -> bool:
    """Whether this API issued ``key`` for that field of that job's form."""
    prefix = keys.form_upload_prefix(tenant_id, job_id, form_id, field_key)
    if not key.startswith(prefix):
        return False
    match = _NAME.match(key[len(prefix) :])
    if match is None:
        return False
    nonce, mac, ext = match.groups()
    return hmac.compare_digest(mac, _mac(f"{prefix}{nonce}.{ext}"))


def issue(
    tenant_id: str,
    job_id: int,
    form_id: int,
    fields: list[dict[str, Any]],
    field_key: str,
    content_type: str,
    size_bytes: int,
) -> dict[str, Any]:
    """A presigned POST for one file of ``field_key`` (a photo or signature field of the
    form's current version)."""
    ext = rules.upload_extension(fields, field_key, content_type)
    rules.check_size(size_bytes)
    key = new_key(tenant_id, job_id, form_id, field_key, ext)
    post = storage.presigned_post(key, content_type, size_bytes, EXPIRES_S)
    return {
        "field": field_key,
        "key": key,
        "content_type": content_type,
        "max_bytes": size_bytes,
        "method": "POST",
        "url": post["url"],
        "fields": post["fields"],
        "expires_in": EXPIRES_S,
    }


def check_files(
    tenant_id: str,
    job_id: int,
    form_id: int,
    fields: list[dict[str, Any]],
    files: dict[str, str],
    verified: set[str],
) -> None:
    """Each file a submission names (field key -> object key) was issued for that field
    and uploaded (``verified``: keys already checked by this request)."""
    types = {f["key"]: f["type"] for f in fields}
    for field_key, key in files.items():
        if key in verified:
            continue
        at = f"values.{field_key}"
        if not issued(tenant_id, job_id, form_id, field_key, key):
            raise invalid(at, "is not the key of a file uploaded for this field of this job's form")
        if key.rsplit(".", 1)[-1] not in rules.CONTENT_TYPES[types[field_key]].values():
            raise invalid(at, f"is not a file a {types[field_key]} field accepts")
        stored = storage.head(key)
        if stored is None:
            raise invalid(
                at, "has not been uploaded yet: upload the file with the presigned POST first"
            )
        if stored["size"] > rules.MAX_UPLOAD_BYTES:
            raise invalid(at, "the uploaded file is larger than 10 MB")
        verified.add(key)
