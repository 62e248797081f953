"""The tenant's branding (``/admin/settings/branding``): display name, colours, and a logo
and favicon the client uploads straight to S3 with a presigned POST the API issues.

Upload, then confirm: ``issue`` answers a presigned POST for a key
``tenants/<tid>/branding/<kind>/<nonce>-<mac>.<ext>`` (``keys.branding_upload_prefix``);
the MAC (HMAC-SHA256 under a key derived from the signing secret, 128 bits) covers the
whole key, so the confirm step (``PATCH /admin/settings/branding`` with ``logo_key`` or
``favicon_key``) proves without a table read that this API issued the key for this tenant
and kind (another tenant's, another kind's or an altered key is 422). The confirm also
checks with one HeadObject that the object is there, of the type the key was issued for,
and within the size limit. The POST policy pins the key and the content type and caps the
size with ``content-length-range`` (S3 enforces it), and expires after 15 minutes.

The branding shows each file as a presigned GET (``LINK_TTL_S``: an hour; a client reads
the branding at each start, ``GET /tenants/resolve/{code}``) or null. A link presigned by
a Lambda lasts no longer than the credentials that signed it (which is why it is short).

DynamoDB calls: get 1; upload 0 (S3: none, the POST is signed locally); patch 2 (read,
conditional update) plus one S3 HeadObject per file named.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from chalicelib.core.errors import invalid
from chalicelib.core.settings import get_settings
from chalicelib.platform import keys, storage
from chalicelib.settings import rules
from chalicelib.settings import service as tenant_settings

EXPIRES_S = 900
LINK_TTL_S = 3600
_NAME = re.compile(r"^([0-9a-f]{16})-([0-9a-f]{32})\.([a-z]{3,4})$")


def _mac(key_without_mac: str) -> str:
    secret = hashlib.sha256(b"tradekitt branding upload\0" + get_settings().signing_key().encode())
    return hmac.new(secret.digest(), key_without_mac.encode(), hashlib.sha256).hexdigest()[:32]


def new_key(tenant_id: str, kind: str, ext: str) -> str:
    prefix = keys.branding_upload_prefix(tenant_id, kind)
    nonce = secrets.token_hex(8)
    return f"{prefix}{nonce}-{_mac(f'{prefix}{nonce}.{ext}')}.{ext}"


def issued(tenant_id: str, kind: str, key: str) -> bool:
    """Whether this API issued ``key`` for this tenant's ``kind`` (logo or favicon)."""
    prefix = keys.branding_upload_prefix(tenant_id, kind)
    if not key.startswith(prefix):
        return False
    match = _NAME.match(key[len(prefix) :])
    if match is None:
        return False
    nonce, mac, ext = match.groups()
    return ext in rules.IMAGE_TYPES.values() and hmac.compare_digest(
        mac, _mac(f"{prefix}{nonce}.{ext}")
    )


def issue(tenant_id: str, kind: str, content_type: str, size_bytes: int) -> dict[str, Any]:
    """A presigned POST (15 minutes) for the tenant's new ``kind`` file of at most
    ``size_bytes``; 422 naming ``content_type`` or ``size_bytes`` past the kind's limits."""
    problem = rules.upload_problem(kind, content_type, size_bytes)
    if problem:
        raise invalid(*problem)
    key = new_key(tenant_id, kind, rules.IMAGE_TYPES[content_type])
    post = storage.presigned_post(key, content_type, size_bytes, EXPIRES_S)
    return {
        "kind": kind,
        "key": key,
        "content_type": content_type,
        "max_bytes": size_bytes,
        "method": "POST",
        "url": post["url"],
        "fields": post["fields"],
        "expires_in": EXPIRES_S,
    }


def _link(key: str | None) -> str | None:
    return storage.presigned_get(key, LINK_TTL_S) if key else None


def view(branding: dict[str, Any]) -> dict[str, Any]:
    """The branding as the API shows it (``rules.branding_of``'s keys, the files as links
    ``logo_url``/``favicon_url`` beside their keys)."""
    shown = {key: branding.get(key) for key in rules.BRANDING_TEXT_KEYS}
    for kind, (stored_key, _) in rules.UPLOAD_KINDS.items():
        shown[stored_key] = branding.get(stored_key)
        shown[f"{kind}_url"] = _link(branding.get(stored_key))
    return shown


def public_view(branding: dict[str, Any]) -> dict[str, Any]:
    """What ``GET /tenants/resolve/{code}`` shows: the reference's ``display_name`` and
    ``primary_color``, the other colours, and the files as links (no object keys)."""
    shown = view(branding)
    for stored_key, _ in rules.UPLOAD_KINDS.values():
        shown.pop(stored_key)
    return shown


def of_tenant(tenant: Any) -> dict[str, Any]:
    """The tenant's branding (``view``)."""
    return view(tenant_settings.effective(tenant)["branding"])


def get(tenant_id: str) -> dict[str, Any]:
    return of_tenant(tenant_settings.get(tenant_id))


def check_files(tenant_id: str, changes: dict[str, Any]) -> None:
    """Each file key ``changes`` names was issued for this tenant and kind and its object
    uploaded (422 naming ``logo_key`` / ``favicon_key`` otherwise)."""
    for kind, (stored_key, _) in rules.UPLOAD_KINDS.items():
        key = changes.get(stored_key)
        if key is None:
            continue
        if not issued(tenant_id, kind, key):
            raise invalid(stored_key, f"is not the key of a {kind} uploaded for this business")
        problem = rules.stored_file_problem(kind, key, storage.head(key))
        if problem:
            raise invalid(stored_key, problem)


def update(tenant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change the branding (only the keys sent; null resets one: no logo, the default
    colour...). A file key must name an uploaded object (``check_files``)."""
    check_files(tenant_id, changes)
    tenant = tenant_settings.update(tenant_id, {"branding": changes})
    return of_tenant(tenant)
