"""Service zones: the zone items, the ZIP claims of the active zones and the tenant's zone
counts.

Keys (``platform.keys``, "zones"): zone ``T#<tid>#ZONE`` / ``<id>``; claims
``T#<tid>#ZONEZIP`` / ``P#<3-digit prefix>`` with one attribute ``z<zip5>`` = zone id per
claimed ZIP (a ZIP belongs to at most one active zone: claiming a taken one fails the
transaction); counts ``T#<tid>#ZONEZIP`` / ``META`` (``zones``: every zone, capped on
create; ``polygons``: active zones with a polygon, so a lookup skips the polygon Query when
there are none).

Every change of a zone is one transaction: the zone (conditioned on its ``version`` as
read), its claims, the counts and the list's rollup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.platform import keys
from chalicelib.platform.batch import get_raw
from chalicelib.platform.table import BaseItem, register, take
from chalicelib.platform.tx import Labelled, labelled_transaction
from chalicelib.zones.rules import MAX_ZONES

Part = Callable[[Labelled], None]
CLAIM = "z"  # attribute name prefix of a claimed ZIP on a claims item


@register
class ZoneItem(BaseItem):
    """A service zone. ``polygon`` is ``[[lat, lng], ...]`` as checked by the rules."""

    tenant_id = UnicodeAttribute()
    zone_id = NumberAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    zip_codes = ListAttribute(of=UnicodeAttribute, default=list)
    polygon = JSONAttribute(null=True)
    technician_ids = ListAttribute(of=NumberAttribute, default=list)
    active = BooleanAttribute(default=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


@register
class ZipClaimsItem(BaseItem):
    """The claimed ZIPs of one 3-digit prefix: ``claims`` (zip5 -> zone id) is read from
    the raw ``z<zip5>`` attributes."""

    claims: dict[str, int]

    @classmethod
    def from_raw_data(cls, data: dict[str, Any]) -> ZipClaimsItem:
        item = super().from_raw_data(data)
        item.claims = _claims(data)
        return item


@register
class ZoneMetaItem(BaseItem):
    zones = NumberAttribute(default=0)
    polygons = NumberAttribute(default=0)


def _claims(raw: dict[str, Any] | None) -> dict[str, int]:
    return {
        name[len(CLAIM) :]: int(value["N"])
        for name, value in (raw or {}).items()
        if name.startswith(CLAIM) and name[len(CLAIM) :].isdigit() and "N" in value
    }


# --- reads -------------------------------------------------------------------------------
def ref(tenant_id: str, zone_id: int) -> tuple[type[ZoneItem], tuple[str, str]]:
    return ZoneItem, keys.zone_key(tenant_id, zone_id)


def claims_ref(tenant_id: str, zip5: str) -> tuple[type[ZipClaimsItem], tuple[str, str]]:
    return ZipClaimsItem, keys.zone_zip_shard_key(tenant_id, zip5[:3])


def meta_ref(tenant_id: str) -> tuple[type[ZoneMetaItem], tuple[str, str]]:
    return ZoneMetaItem, keys.zone_meta_key(tenant_id)


def get(tenant_id: str, zone_id: int, consistent: bool = False) -> ZoneItem | None:
    return ZoneItem.find(
        keys.zone_key(tenant_id, zone_id), tenant_id=tenant_id, consistent=consistent
    )


def polygon_zones(tenant_id: str) -> list[ZoneItem]:
    """The tenant's active zones with a polygon, by id (one Query of the zones' partition,
    continued per MB; a tenant has at most ``MAX_ZONES``)."""
    found = ZoneItem.query(
        keys.zones_pk(tenant_id),
        filter_condition=(ZoneItem.active == True) & ZoneItem.polygon.exists(),  # noqa: E712
        limit=MAX_ZONES,
    )
    return take(found, MAX_ZONES)


def claims_of(tenant_id: str, prefixes: Iterable[str]) -> dict[str, int]:
    """zip5 -> zone id of every claimed ZIP with these prefixes (one BatchGetItem)."""
    wanted = [keys.zone_zip_shard_key(tenant_id, p) for p in sorted(set(prefixes))]
    found: dict[str, int] = {}
    for raw in get_raw(wanted, consistent=True):
        found.update(_claims(raw))
    return found


# --- parts of a zone's transaction -------------------------------------------------------
def _claim_attr(zip5: str) -> NumberAttribute:
    return NumberAttribute(attr_name=CLAIM + zip5)


def claims_parts(
    tenant_id: str, zone_id: int, added: Iterable[str], removed: Iterable[str]
) -> list[Part]:
    """One update per 3-digit prefix: claim ``added`` (each must be free) and release
    ``removed`` (each must still be this zone's). Labelled ``zip:<prefix>``."""
    by_prefix: dict[str, tuple[list[str], list[str]]] = {}
    for zip5 in sorted(set(added)):
        by_prefix.setdefault(zip5[:3], ([], []))[0].append(zip5)
    for zip5 in sorted(set(removed)):
        by_prefix.setdefault(zip5[:3], ([], []))[1].append(zip5)
    parts: list[Part] = []
    for prefix, (claim, release) in sorted(by_prefix.items()):
        actions = [_claim_attr(z).set(zone_id) for z in claim]
        actions += [_claim_attr(z).remove() for z in release]
        checks = [_claim_attr(z).does_not_exist() for z in claim]
        checks += [_claim_attr(z) == zone_id for z in release]
        condition = checks[0]
        for check in checks[1:]:
            condition &= check

        def part(tx: Labelled, prefix=prefix, actions=actions, condition=condition) -> None:
            item = ZipClaimsItem(*keys.zone_zip_shard_key(tenant_id, prefix))
            tx.update(f"zip:{prefix}", item, actions, condition=condition)

        parts.append(part)
    return parts


def meta_part(tenant_id: str, zones: int, polygons: int) -> list[Part]:
    """Move the counts (``zones`` +1 is refused past ``MAX_ZONES``: label ``meta``)."""
    actions = []
    if zones:
        actions.append(ZoneMetaItem.zones.add(zones))
    if polygons:
        actions.append(ZoneMetaItem.polygons.add(polygons))
    if not actions:
        return []
    condition = None
    if zones > 0:
        condition = ZoneMetaItem.zones.does_not_exist() | (ZoneMetaItem.zones < MAX_ZONES)

    def part(tx: Labelled) -> None:
        tx.update("meta", ZoneMetaItem(*keys.zone_meta_key(tenant_id)), actions, condition)

    return [part]


# --- writes ------------------------------------------------------------------------------
def new_zone(tenant_id: str, zone_id: int, **fields: Any) -> ZoneItem:
    return ZoneItem(
        *keys.zone_key(tenant_id, zone_id), tenant_id=tenant_id, zone_id=zone_id, **fields
    )


def create(zone: ZoneItem, parts: list[Part]) -> None:
    with labelled_transaction() as tx:
        tx.create("zone", zone)
        for part in parts:
            part(tx)


UPDATABLE = ("name", "description", "zip_codes", "polygon", "technician_ids", "active")


def update(zone: ZoneItem, changes: dict[str, Any], at: str, parts: list[Part]) -> ZoneItem:
    """Apply ``changes`` to the zone as read (``ConditionFailed`` labelled ``zone`` when it
    changed meanwhile) with the parts; returns it as written."""
    actions = []
    for name, value in changes.items():
        if name not in UPDATABLE:
            raise ValueError(f"zone attribute {name!r} cannot be changed")
        attr = getattr(ZoneItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    version = int(zone.version or 1)
    actions += [ZoneItem.updated_at.set(at), ZoneItem.version.set(version + 1)]
    with labelled_transaction() as tx:
        tx.update("zone", zone, actions, condition=ZoneItem.version == version)
        for part in parts:
            part(tx)
    for name, value in changes.items():
        setattr(zone, name, value)
    zone.updated_at, zone.version = at, version + 1
    return zone


def delete(zone: ZoneItem, parts: list[Part]) -> None:
    with labelled_transaction() as tx:
        tx.delete("zone", zone, condition=ZoneItem.version == int(zone.version or 1))
        for part in parts:
            part(tx)
