"""Service zones (issue 12 item 6): named areas given as ZIP codes and/or a polygon, the
technicians who serve each, and which zone a place is in (``rules.match``).

Rules the API keeps:

- a zone needs ``zip_codes`` or a ``polygon`` (or both); ZIPs are stored as 5 digits
  (ZIP+4 accepted) and must be known US ZIPs; a polygon is checked by ``rules.check_polygon``;
- a ZIP belongs to at most one *active* zone: listing one another active zone has is 409
  naming that zone (an inactive zone keeps its list but claims nothing, so re-activating it
  is 409 when another zone took one of its ZIPs meanwhile);
- every ``technician_ids`` entry must be one of the tenant's technicians (422 otherwise);
- a tenant has at most ``rules.MAX_ZONES`` zones (409 past it).

DynamoDB calls: create 3 (the id counter, a BatchGetItem of the technicians named, one
TransactWriteItems: the zone, its ZIP claims, the counts, the list's rollup); get 1; list 1
BatchGetItem (the counts) + about 1 Query of ``limit`` zones; update and delete 2 (a
consistent GetItem, one TransactWriteItems; + the BatchGetItem when technicians are named).
A place's zone (``zone_id_of``): one BatchGetItem (the ZIP's claims item and the counts),
plus one Query of the active polygon zones only when the ZIP is in no zone and the tenant
has polygon zones; ``zone_of`` adds a GetItem of the zone when the ZIP matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound, invalid
from chalicelib.core.pagination import PageRequest
from chalicelib.dispatch.rules import geo
from chalicelib.platform import counters
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.technicians import service as technicians
from chalicelib.zones import listing, rules, store
from chalicelib.zones.store import ZoneItem

ENTITY = "zone"


# --- the zone as the API shows it --------------------------------------------------------
def view(zone: ZoneItem) -> dict[str, Any]:
    return {
        "id": int(zone.zone_id),
        "name": zone.name,
        "description": zone.description,
        "zip_codes": list(zone.zip_codes or []),
        "polygon": zone.polygon,
        "technician_ids": [int(t) for t in zone.technician_ids or []],
        "active": bool(zone.active),
        "created_at": zone.created_at,
        "updated_at": zone.updated_at,
    }


def summary(zone: ZoneItem | None) -> dict[str, Any] | None:
    """What dispatch needs of a zone: ``id``, ``name``, ``technician_ids``, ``active``."""
    if zone is None:
        return None
    return {
        "id": int(zone.zone_id),
        "name": zone.name,
        "technician_ids": [int(t) for t in zone.technician_ids or []],
        "active": bool(zone.active),
    }


def ref(tenant_id: str, zone_id: int) -> tuple[type[ZoneItem], tuple[str, str]]:
    """A zone, for another feature's batch read (``summary`` of what it gets)."""
    return store.ref(tenant_id, zone_id)


def _zone(tenant_id: str, zone_id: int, consistent: bool = False) -> ZoneItem:
    zone = store.get(tenant_id, zone_id, consistent)
    if zone is None:
        raise NotFound(f"service zone {zone_id} not found")
    return zone


def get(tenant_id: str, zone_id: int) -> dict[str, Any]:
    return view(_zone(tenant_id, zone_id))


def page(tenant_id: str, request: PageRequest, active: bool | None = None) -> dict[str, Any]:
    body = listing.page(tenant_id, request, active=active)
    body["items"] = [view(z) for z in body["items"]]
    return body


# --- checking what a zone is given ---------------------------------------------------------
def _checked(tenant_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with the ZIPs normalised and the polygon checked; the technicians named
    must exist (one BatchGetItem)."""
    out = dict(fields)
    if out.get("zip_codes") is not None:
        out["zip_codes"] = rules.normalize_zips(out["zip_codes"])
    if "polygon" in out:  # [] as null: no polygon
        out["polygon"] = rules.check_polygon(out["polygon"]) if out["polygon"] else None
    if out.get("technician_ids") is not None:
        ids = list(dict.fromkeys(out["technician_ids"]))
        found = get_many([technicians.ref(tenant_id, t) for t in ids]) if ids else []
        for tech_id, tech in zip(ids, found, strict=True):
            if tech is None or tech.tenant_id != tenant_id:
                where = f"technician_ids.{out['technician_ids'].index(tech_id)}"
                raise invalid(where, f"technician {tech_id} does not exist")
        out["technician_ids"] = ids
    return out


def _needs_an_area(zip_codes: list[str] | None, polygon: Any) -> None:
    if not zip_codes and not polygon:
        raise invalid("zip_codes", "a zone needs zip_codes or a polygon (or both)")


def _refused(tenant_id: str, exc: ConditionFailed, zone_id: int, zips: list[str]) -> Conflict:
    """The 409 of a zone write whose conditions failed: the cap, or ZIPs another active
    zone has (named)."""
    if "meta" in exc.failed:
        return Conflict(f"a business may have at most {rules.MAX_ZONES} service zones")
    claims = store.claims_of(tenant_id, (z[:3] for z in zips))
    taken = {z: claims[z] for z in zips if claims.get(z) not in (None, zone_id)}
    if not taken:
        return Conflict("the service zones are being changed by other requests; retry")
    shown = ", ".join(f"{z} (zone {owner})" for z, owner in sorted(taken.items())[:10])
    return Conflict(f"ZIP codes already in another active service zone: {shown}")


def _has_polygon(active: bool, polygon: Any) -> int:
    return int(bool(active) and bool(polygon))


# --- writes ------------------------------------------------------------------------------
def create(tenant_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    fields = _checked(tenant_id, fields)
    zips = fields.get("zip_codes") or []
    _needs_an_area(zips, fields.get("polygon"))
    active = bool(fields.get("active", True))
    zone_id = counters.next_id(tenant_id, ENTITY)
    at = clock.iso_utc(clock.now())
    zone = store.new_zone(
        tenant_id,
        zone_id,
        **{**fields, "zip_codes": zips, "active": active},
        version=1,
        created_at=at,
        updated_at=at,
    )
    parts = [
        *store.claims_parts(tenant_id, zone_id, zips if active else (), ()),
        *store.meta_part(tenant_id, 1, _has_polygon(active, fields.get("polygon"))),
        *listing.counted(zone_id, None, active, tenant_id),
    ]
    for _ in retries():
        try:
            store.create(zone, parts)
        except ConditionFailed as exc:
            raise _refused(tenant_id, exc, zone_id, zips) from exc
        except Contention:
            continue
        return view(zone)
    raise Conflict("the service zones are being changed by other requests; retry")


def update(tenant_id: str, zone_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Only the fields sent change (``polygon``/``zip_codes`` null or [] clear them, as
    long as the zone keeps one of the two)."""
    changes = _checked(tenant_id, changes)
    if "zip_codes" in changes and changes["zip_codes"] is None:
        changes["zip_codes"] = []
    for _ in retries():
        zone = _zone(tenant_id, zone_id, consistent=True)
        if not changes:
            return view(zone)
        zips = list(changes.get("zip_codes", zone.zip_codes or []))
        polygon = changes["polygon"] if "polygon" in changes else zone.polygon
        active = bool(changes.get("active", zone.active))
        _needs_an_area(zips, polygon)
        old_claims = set(zone.zip_codes or []) if zone.active else set()
        new_claims = set(zips) if active else set()
        polygons = _has_polygon(active, polygon) - _has_polygon(bool(zone.active), zone.polygon)
        parts = [
            *store.claims_parts(
                tenant_id, zone_id, new_claims - old_claims, old_claims - new_claims
            ),
            *store.meta_part(tenant_id, 0, polygons),
            *listing.counted(zone_id, bool(zone.active), active, tenant_id),
        ]
        try:
            store.update(zone, changes, clock.iso_utc(clock.now()), parts)
        except ConditionFailed as exc:
            if "zone" in exc.failed:
                continue  # changed meanwhile: apply the change to what it is now
            raise _refused(tenant_id, exc, zone_id, sorted(new_claims - old_claims)) from exc
        except Contention:
            continue
        return view(zone)
    raise Conflict(f"service zone {zone_id} is being changed by other requests; retry")


def delete(tenant_id: str, zone_id: int) -> None:
    """Delete a zone and release its ZIPs. Jobs keep the ``zone_id`` they were given (it is
    recomputed when their address changes)."""
    for _ in retries():
        zone = _zone(tenant_id, zone_id, consistent=True)
        claims = set(zone.zip_codes or []) if zone.active else set()
        parts = [
            *store.claims_parts(tenant_id, zone_id, (), claims),
            *store.meta_part(tenant_id, -1, -_has_polygon(bool(zone.active), zone.polygon)),
            *listing.counted(zone_id, bool(zone.active), None, tenant_id),
        ]
        try:
            store.delete(zone, parts)
        except (ConditionFailed, Contention):
            continue
        return
    raise Conflict(f"service zone {zone_id} is being changed by other requests; retry")


# --- which zone a place is in ----------------------------------------------------------------
@dataclass(frozen=True)
class Lookup:
    """One place's zone lookup. ``refs`` are read in the caller's batch (with what else it
    reads); ``zone_id(got)`` decides from what came back (querying the polygon zones only
    when the ZIP is in no zone and the tenant has some)."""

    tenant_id: str
    zip_code: Any
    latitude: float | None
    longitude: float | None

    @property
    def zip5(self) -> str | None:
        return geo.normalize_zip(self.zip_code)

    @property
    def refs(self) -> list[Any]:
        found: list[Any] = [store.meta_ref(self.tenant_id)]
        if self.zip5 is not None:
            found.append(store.claims_ref(self.tenant_id, self.zip5))
        return found

    def resolve(self, got: list[Any]) -> tuple[int | None, ZoneItem | None]:
        """(zone id, the zone when it was read to decide) from what ``refs`` read."""
        meta, claims = got[0], (got[1] if self.zip5 is not None else None)
        if claims is not None and self.zip5 in claims.claims:
            return claims.claims[self.zip5], None
        if meta is None or int(meta.polygons or 0) <= 0:
            return None, None
        point = rules.place_point(self.zip_code, self.latitude, self.longitude)
        if point is None:
            return None, None
        zones = store.polygon_zones(self.tenant_id)
        shapes = {int(z.zone_id): z for z in zones}
        matched = rules.match(
            [rules.Zone(id=i, polygon=rules.polygon_of(z.polygon)) for i, z in shapes.items()],
            None,
            *point,
        )
        return (None, None) if matched is None else (matched.id, shapes[matched.id])

    def zone_id(self, got: list[Any]) -> int | None:
        return self.resolve(got)[0]


def locate(
    tenant_id: str, zip_code: Any, latitude: float | None, longitude: float | None
) -> Lookup:
    return Lookup(tenant_id, zip_code, latitude, longitude)


def zone_id_of(
    tenant_id: str, zip_code: Any, latitude: float | None, longitude: float | None
) -> int | None:
    """The id of the active zone a place is in (``rules.match``), or None."""
    lookup = locate(tenant_id, zip_code, latitude, longitude)
    return lookup.zone_id(get_many(lookup.refs, consistent=True))


def zone_of(
    tenant_id: str, zip_code: Any, latitude: float | None, longitude: float | None
) -> dict[str, Any] | None:
    """The active zone a place is in (``summary``: id, name, technician_ids), or None."""
    lookup = locate(tenant_id, zip_code, latitude, longitude)
    zone_id, zone = lookup.resolve(get_many(lookup.refs, consistent=True))
    if zone_id is None:
        return None
    return summary(zone or store.get(tenant_id, zone_id))
