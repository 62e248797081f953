"""Service zones, pure: a zone's ZIP list and polygon checked and normalised, point in
polygon, and which zone a place is in.

A zone is a list of ZIP codes, a polygon, or both. Which zone a place (a ZIP and/or a
point) is in (:func:`match`): a zone that lists the ZIP wins (the lowest id if several
do); else the first zone, by id, whose polygon holds the point (its border included).

Polygons are ``[lat, lng]`` points joined by straight lines in latitude/longitude (the
plate carree), which is what a map shows and close enough for service areas of tens of
km. An outline that crosses the antimeridian is fine: each edge goes the short way round
(longitudes are unwrapped from the first point, so ``[.., 179.5], [.., -179.5]`` is a 1
degree edge), and a point is tested at its longitude and 360 degrees either side. So a
polygon must span less than 180 degrees of longitude, and one around a pole cannot be
drawn (both refused). A self-crossing outline follows the even-odd rule.

Pure: the standard library, core errors and the dispatch geography rules only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chalicelib.core.errors import InvalidInput
from chalicelib.dispatch.rules import geo

MAX_ZONES = 500  # per tenant: the polygon lookup reads them all with one Query
MAX_POLYGON_POINTS = 500
MAX_ZIPS = 1000  # per zone
MAX_ZIP_PREFIXES = 40  # distinct 3-digit prefixes per zone (one claims item each)
MAX_TECHNICIANS = 100  # per zone
COORDINATE_PLACES = 6  # about 0.1 m

Point = tuple[float, float]


@dataclass(frozen=True)
class Polygon:
    """An outline with its longitudes unwrapped (continuous, possibly past +-180) and its
    bounding box in those longitudes."""

    points: tuple[Point, ...]
    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


@dataclass(frozen=True)
class Zone:
    """What matching needs to know of a zone."""

    id: int
    zip_codes: frozenset[str] = field(default_factory=frozenset)
    polygon: Polygon | None = None
    active: bool = True


# --- checking what a zone is given --------------------------------------------------------
def normalize_zips(values: Iterable[object], field_name: str = "zip_codes") -> list[str]:
    """Distinct 5-digit ZIPs (ZIP+4 accepted), sorted; 422 naming the first one that is
    malformed or not a known US ZIP, or when there are too many."""
    found: set[str] = set()
    for i, value in enumerate(values):
        zip5 = geo.normalize_zip(value)
        where = f"{field_name}.{i}"
        if zip5 is None:
            raise InvalidInput("must be a 5-digit ZIP code (or ZIP+4)", field=where)
        if geo.zip_centroid(zip5) is None:
            raise InvalidInput(f"{zip5} is not a known US ZIP code", field=where)
        found.add(zip5)
    if len(found) > MAX_ZIPS:
        raise InvalidInput(f"at most {MAX_ZIPS} ZIP codes per zone", field=field_name)
    prefixes = {z[:3] for z in found}
    if len(prefixes) > MAX_ZIP_PREFIXES:
        raise InvalidInput(
            f"a zone's ZIP codes may start with at most {MAX_ZIP_PREFIXES} different "
            "3-digit prefixes; split it into smaller zones",
            field=field_name,
        )
    return sorted(found)


def _wrap(delta: float) -> float:
    """``delta`` degrees of longitude brought into [-180, 180)."""
    return (delta + 180.0) % 360.0 - 180.0


def _unwrap(points: Sequence[Point]) -> list[Point]:
    out = [points[0]]
    for lat, lng in points[1:]:
        out.append((lat, out[-1][1] + _wrap(lng - out[-1][1])))
    return out


def _area2(points: Sequence[Point]) -> float:
    """Twice the signed area (shoelace), in square degrees."""
    n = len(points)
    return sum(
        points[i][1] * points[(i + 1) % n][0] - points[(i + 1) % n][1] * points[i][0]
        for i in range(n)
    )


def check_polygon(value: object, field_name: str = "polygon") -> list[list[float]]:
    """The outline as ``[[lat, lng], ...]`` (rounded to 6 places, a closing point equal to
    the first dropped), or 422 naming what is wrong: not a list of pairs, a coordinate out
    of range, fewer than 3 distinct points, more than ``MAX_POLYGON_POINTS``, no area, or
    180 degrees of longitude or more."""
    if not isinstance(value, list | tuple):
        raise InvalidInput("must be a list of [latitude, longitude] points", field=field_name)
    points: list[Point] = []
    for i, pair in enumerate(value):
        where = f"{field_name}.{i}"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidInput("must be a [latitude, longitude] pair", field=where)
        lat, lng = geo.check_point(pair[0], pair[1], lat_field=f"{where}.0", lng_field=f"{where}.1")
        point = (round(lat, COORDINATE_PLACES), round(lng, COORDINATE_PLACES))
        if not points or point != points[-1]:
            points.append(point)
    if len(points) > 1 and points[-1] == points[0]:
        points.pop()
    if len(points) > MAX_POLYGON_POINTS:
        raise InvalidInput(f"at most {MAX_POLYGON_POINTS} points", field=field_name)
    if len(set(points)) < 3:
        raise InvalidInput("a polygon needs at least 3 distinct points", field=field_name)
    unwrapped = _unwrap(points)
    lngs = [p[1] for p in unwrapped]
    if max(lngs) - min(lngs) >= 180.0:
        raise InvalidInput(
            "a polygon must span less than 180 degrees of longitude", field=field_name
        )
    if abs(_area2(unwrapped)) < 1e-12:
        raise InvalidInput("the points of a polygon must enclose an area", field=field_name)
    return [[lat, lng] for lat, lng in points]


def polygon_of(points: Sequence[Sequence[float]] | None) -> Polygon | None:
    """The matching form of a checked outline (None for none)."""
    if not points:
        return None
    unwrapped = tuple(_unwrap([(float(p[0]), float(p[1])) for p in points]))
    lats = [p[0] for p in unwrapped]
    lngs = [p[1] for p in unwrapped]
    return Polygon(unwrapped, min(lats), max(lats), min(lngs), max(lngs))


# --- point in polygon ----------------------------------------------------------------------
_EPS = 1e-9


def _on_segment(lat: float, lng: float, a: Point, b: Point) -> bool:
    (y1, x1), (y2, x2) = a, b
    cross = (x2 - x1) * (lat - y1) - (y2 - y1) * (lng - x1)
    if abs(cross) > _EPS * max(1.0, math.hypot(x2 - x1, y2 - y1)):
        return False
    return (
        min(x1, x2) - _EPS <= lng <= max(x1, x2) + _EPS
        and min(y1, y2) - _EPS <= lat <= max(y1, y2) + _EPS
    )


def _inside(lat: float, lng: float, polygon: Polygon) -> bool:
    """Ray casting (even-odd) towards increasing longitude; the border counts as inside."""
    if not (
        polygon.min_lat - _EPS <= lat <= polygon.max_lat + _EPS
        and polygon.min_lng - _EPS <= lng <= polygon.max_lng + _EPS
    ):
        return False
    points = polygon.points
    inside = False
    j = len(points) - 1
    for i in range(len(points)):
        a, b = points[j], points[i]
        if _on_segment(lat, lng, a, b):
            return True
        (y1, x1), (y2, x2) = a, b
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x_cross:
                inside = not inside
        j = i
    return inside


def contains(polygon: Polygon, lat: float, lng: float) -> bool:
    """Whether the point is inside the polygon or on its border (tested at its longitude
    and 360 degrees either side, for outlines unwrapped past +-180)."""
    return any(_inside(lat, lng + shift, polygon) for shift in (0.0, 360.0, -360.0))


# --- which zone ------------------------------------------------------------------------------
def match(
    zones: Iterable[Zone],
    zip_code: object = None,
    lat: float | None = None,
    lng: float | None = None,
) -> Zone | None:
    """The zone of a place: an active zone listing the ZIP (lowest id), else the active
    zone with the lowest id whose polygon holds the point; None when none does."""
    ordered = sorted((z for z in zones if z.active), key=lambda z: z.id)
    zip5 = geo.normalize_zip(zip_code)
    if zip5 is not None:
        for zone in ordered:
            if zip5 in zone.zip_codes:
                return zone
    if lat is None or lng is None:
        return None
    for zone in ordered:
        if zone.polygon is not None and contains(zone.polygon, lat, lng):
            return zone
    return None


def place_point(
    zip_code: object, lat: float | None, lng: float | None
) -> tuple[float, float] | None:
    """The point of a place: its coordinates when both are given, else its ZIP's
    centroid, else None."""
    if lat is not None and lng is not None:
        return float(lat), float(lng)
    return geo.zip_centroid(zip_code)
