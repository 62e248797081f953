"""S3 object keys in the exports bucket (not table keys)."""

from __future__ import annotations

import secrets
from datetime import datetime


# --- exports: S3 object keys in the exports bucket -----------------------------------------
# A closed pay period's frozen files (written once by the close, served byte for byte
# afterwards): ``tenants/<tid>/pay-periods/<id>/pay-period.csv``, ``pay-period.pdf``,
# ``statements/<technician id>.pdf`` and ``statements/<technician id>.json`` (the frozen
# statement lines). A copy of every other export served (open periods rendered live,
# commission reports, sales exports):
# ``tenants/<tid>/exports/<UTC yyyy/mm/dd>/<HHMMSS>-<random>/<filename>``.
def export_prefix(tenant_id: str) -> str:
    return f"tenants/{tenant_id}/"


def period_file_key(tenant_id: str, period_id: int, name: str) -> str:
    """Key of a closed period's frozen file, e.g. ``pay-period.pdf``."""
    return f"{export_prefix(tenant_id)}pay-periods/{period_id}/{name}"


def statement_file_key(tenant_id: str, period_id: int, technician_id: int, ext: str) -> str:
    return period_file_key(tenant_id, period_id, f"statements/{technician_id}.{ext}")


def export_copy_key(tenant_id: str, filename: str, now: datetime) -> str:
    """Key of the copy of a live export (unique per request)."""
    return (
        f"{export_prefix(tenant_id)}exports/{now:%Y/%m/%d}/"
        f"{now:%H%M%S}-{secrets.token_hex(4)}/{filename}"
    )
