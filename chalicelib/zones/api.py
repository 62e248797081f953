"""``/admin/service-zones``: named areas (ZIP lists and/or polygons) and the technicians who
serve them; a dispatch job's ``zone_id`` is found from its ZIP or point."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core import roles
from chalicelib.core.routing import ApiRequest, endpoint
from chalicelib.core.schemas import changes_of, page_of
from chalicelib.zones import service as zones
from chalicelib.zones.models import ZoneDeletedOut, ZoneIn, ZoneOut, ZonePatch, ZonesQuery

bp = Blueprint(__name__)
TAG = "service-zones"
PATH = "/admin/service-zones"
ONE = f"{PATH}/{{zone_id}}"
NOT_NULL = ("name", "technician_ids", "active")


@endpoint(
    bp,
    PATH,
    "POST",
    summary="Create a service zone",
    tag=TAG,
    permission=roles.ZONES_WRITE,
    body=ZoneIn,
    response=ZoneOut,
    status=201,
)
def create_zone(req: ApiRequest) -> Any:
    """ZIPs are kept as 5 digits (unknown ones are 422). 409 when a ZIP is in another
    active zone, or past the tenant's 500 zones."""
    return zones.create(req.tenant_id, req.body.model_dump())


@endpoint(
    bp,
    PATH,
    "GET",
    summary="List service zones",
    tag=TAG,
    permission=roles.ZONES_READ,
    query=ZonesQuery,
    response=page_of(ZoneOut),
    paginated=True,
)
def list_zones(req: ApiRequest) -> Any:
    """By id; ``active`` filters. ``total`` is exact; pass a page's ``next_cursor`` as
    ``cursor`` to walk on."""
    return zones.page(req.tenant_id, req.page, active=req.query.active)  # type: ignore[arg-type]


@endpoint(
    bp,
    ONE,
    "GET",
    summary="Get a service zone",
    tag=TAG,
    permission=roles.ZONES_READ,
    response=ZoneOut,
)
def get_zone(req: ApiRequest) -> Any:
    return zones.get(req.tenant_id, req.int_param("zone_id"))


@endpoint(
    bp,
    ONE,
    "PATCH",
    summary="Update a service zone",
    tag=TAG,
    permission=roles.ZONES_WRITE,
    body=ZonePatch,
    response=ZoneOut,
)
def update_zone(req: ApiRequest) -> Any:
    """Deactivating a zone releases its ZIPs (it keeps its list); re-activating claims
    them again (409 when another active zone took one meanwhile). Jobs keep the zone they
    were given until their address changes."""
    changes = changes_of(req.body, NOT_NULL)
    return zones.update(req.tenant_id, req.int_param("zone_id"), changes)


@endpoint(
    bp,
    ONE,
    "DELETE",
    summary="Delete a service zone",
    tag=TAG,
    permission=roles.ZONES_WRITE,
    response=ZoneDeletedOut,
)
def delete_zone(req: ApiRequest) -> Any:
    """Its ZIPs are released; jobs keep the ``zone_id`` they were given."""
    zone_id = req.int_param("zone_id")
    zones.delete(req.tenant_id, zone_id)
    return {"id": zone_id, "deleted": True}
