"""The zones list (``GET /admin/service-zones``) on ``platform.listing``: the zones'
partition ``T#<tid>#ZONE`` by id, counted by the rollup scope ``keys.ZONES_ROLLUP_SCOPE``
in blocks of 100 ids (fine) and 10,000 ids (coarse). The facet is ``active`` ("1"/"0"),
the one filter. Creating, deleting and (de)activating a zone move the counts in their own
transaction (``counted``)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing
from chalicelib.platform.rollups import Rollup
from chalicelib.zones.store import Part, ZoneItem

ROLLUP = Rollup(keys.ZONES_ROLLUP_SCOPE, fine=8, coarse=6)
ZONES = listing.ActiveList("zones", ZoneItem, keys.zones_pk, ROLLUP)


def counted(zone_id: int, old: bool | None, new: bool | None, tenant_id: str) -> list[Part]:
    """The part that counts a new zone (``old`` None), a deleted one (``new`` None) or a
    change of ``active``; none when nothing moves."""
    return [] if old == new else [ZONES.counted(tenant_id, zone_id, old, new)]


def page(tenant_id: str, request: PageRequest, *, active: bool | None) -> dict[str, Any]:
    """One page of the zones, by id (only active or inactive ones if ``active`` says)."""
    return ZONES.page(tenant_id, request, active=active)
