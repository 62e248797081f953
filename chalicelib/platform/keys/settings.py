"""Key formats of tenant settings: the S3 object keys of the branding's uploaded files."""

from __future__ import annotations

from chalicelib.platform.keys.exports import export_prefix


# --- settings: the branding's logo and favicon (S3 object keys in the exports bucket) ----
# ``tenants/<tid>/branding/<kind>/<name>`` (kind ``logo`` or ``favicon``): a file uploaded
# through a presigned POST the API issued (``<name>`` is chosen and signed by the API, so
# the branding's confirm step can prove the key was issued for that tenant and kind).
def branding_upload_prefix(tenant_id: str, kind: str) -> str:
    return f"{export_prefix(tenant_id)}branding/{kind}/"
