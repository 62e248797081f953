"""Key formats of service zones: the zones, their ZIP claims and their counts."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk

# --- service zones ----------------------------------------------------------------------
# A tenant's zones are one partition by id (``GET /admin/service-zones`` and the polygon
# lookup are one Query of it), counted by the rollup scope ``ZONES_ROLLUP_SCOPE`` (facet:
# active "1"/"0"). ``ZONEZIP`` holds the ZIP claims of the active zones, one item per
# 3-digit ZIP prefix (``z<zip5>`` -> zone id: a ZIP's zone is one GetItem), and the
# ``META`` item (how many zones, how many active ones with a polygon).
ZONES_ROLLUP_SCOPE = ("ZONE",)


def zone_key(tenant_id: str, zone_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "ZONE"), id_sk(zone_id)


def zones_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "ZONE")


def zone_zip_shard_key(tenant_id: str, zip_prefix: str) -> tuple[str, str]:
    """The claims of the ZIPs starting with ``zip_prefix`` (3 digits)."""
    return tenant_pk(tenant_id, "ZONEZIP"), f"P#{zip_prefix}"


def zone_meta_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's zone counts (checked against the cap on create)."""
    return tenant_pk(tenant_id, "ZONEZIP"), "META"
