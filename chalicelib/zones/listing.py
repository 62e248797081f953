"""The zones list (``GET /admin/service-zones``) on ``platform.listing``: the zones'
partition ``T#<tid>#ZONE`` by id, counted by the rollup scope ``keys.ZONES_ROLLUP_SCOPE``
in blocks of 100 ids (fine) and 10,000 ids (coarse). The facet is ``active`` ("1"/"0"),
the one filter. Creating, deleting and (de)activating a zone move the counts in their own
transaction (``counted``)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.platform.tx import Labelled
from chalicelib.zones.store import Part, ZoneItem

ROLLUP = Rollup(keys.ZONES_ROLLUP_SCOPE, fine=8, coarse=6)


def facet(active: bool) -> str:
    return "1" if active else "0"


def entry(zone_id: int, active: bool) -> Entry:
    return keys.id_sk(zone_id), facet(active)


def counted(zone_id: int, old: bool | None, new: bool | None, tenant_id: str) -> list[Part]:
    """The part that counts a new zone (``old`` None), a deleted one (``new`` None) or a
    change of ``active``; none when nothing moves."""
    if old == new:
        return []
    before = None if old is None else entry(zone_id, old)
    after = None if new is None else entry(zone_id, new)

    def part(tx: Labelled) -> None:
        rollups.move(tx, tenant_id, ROLLUP, before, after)

    return [part]


def page(tenant_id: str, request: PageRequest, *, active: bool | None) -> dict[str, Any]:
    """One page of the zones, by id (only active or inactive ones if ``active`` says)."""
    source = listing.Source.partition(ZoneItem, keys.zones_pk(tenant_id), descending=False)
    wanted = None if active is None else facet(active)
    return listing.page(
        source,
        ROLLUP,
        tenant_id,
        request,
        name=f"zones|active={wanted}",
        matches=None if wanted is None else (lambda f: f == wanted),
        condition=None if active is None else ZoneItem.active == active,
    )
