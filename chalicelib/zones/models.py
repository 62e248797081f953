"""The request and response models of ``/admin/service-zones`` (``zones.api``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool

from chalicelib.core.schemas import Body, Id, Out, Query, reference_example
from chalicelib.zones.rules import MAX_POLYGON_POINTS, MAX_TECHNICIANS, MAX_ZIPS

Name = Annotated[str, Field(min_length=1, max_length=100)]
Zip = Annotated[str, Field(min_length=1, max_length=10, description="5 digits or ZIP+4")]
Zips = Annotated[list[Zip], Field(max_length=MAX_ZIPS)]
Point = tuple[
    Annotated[float, Field(ge=-90, le=90, description="latitude")],
    Annotated[float, Field(ge=-180, le=180, description="longitude")],
]
Outline = Annotated[
    list[Point],
    Field(
        max_length=MAX_POLYGON_POINTS + 1,
        description=(
            "[latitude, longitude] points (at least 3; a closing point equal to the first "
            f"is dropped; at most {MAX_POLYGON_POINTS}), joined by straight lines in "
            "latitude/longitude; an edge crossing the antimeridian goes the short way"
        ),
    ),
]
TechnicianIds = Annotated[list[Id], Field(max_length=MAX_TECHNICIANS)]

EXAMPLE = {
    "name": "Tampa North",
    "zip_codes": ["33601", "33602"],
    "polygon": [[28.10, -82.60], [28.10, -82.30], [27.90, -82.30], [27.90, -82.60]],
    "technician_ids": [3],
}


class ZoneIn(Body):
    """A zone is ``zip_codes``, a ``polygon`` or both. A ZIP belongs to at most one active
    zone (409 naming the zone that has it); ``technician_ids`` are the technicians who
    serve the zone (each must exist: 422)."""

    model_config = reference_example(EXAMPLE)

    name: Name
    description: str | None = Field(default=None, max_length=1000)
    zip_codes: Zips = Field(default_factory=list)
    polygon: Outline | None = None
    technician_ids: TechnicianIds = Field(default_factory=list)
    active: StrictBool = True


class ZonePatch(Body):
    """Only the fields sent change; ``polygon``/``zip_codes`` null clear them while the
    zone keeps the other."""

    model_config = reference_example({"technician_ids": [3, 4]})

    name: Name | None = None
    description: str | None = Field(default=None, max_length=1000)
    zip_codes: Zips | None = None
    polygon: Outline | None = None
    technician_ids: TechnicianIds | None = None
    active: StrictBool | None = None


class ZonesQuery(Query):
    active: bool | None = Field(default=None, description="only active (true) or inactive")


class ZoneOut(Out):
    id: int
    name: str
    description: str | None
    zip_codes: list[str]
    polygon: list[list[float]] | None
    technician_ids: list[int]
    active: bool
    created_at: str
    updated_at: str


class ZoneDeletedOut(Out):
    id: int
    deleted: bool
