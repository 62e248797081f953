"""zones.rules: ZIP lists and polygons checked, point in polygon (border, holes of concave
outlines, the antimeridian), and which zone a place is in."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.zones import rules

SQUARE = [[28.0, -82.6], [28.0, -82.4], [27.8, -82.4], [27.8, -82.6]]
# a "U" open to the north: the notch 27.95..28.0 x -82.55..-82.45 is outside
U_SHAPE = [
    [28.0, -82.6],
    [28.0, -82.55],
    [27.95, -82.55],
    [27.95, -82.45],
    [28.0, -82.45],
    [28.0, -82.4],
    [27.8, -82.4],
    [27.8, -82.6],
]
# Fiji-like: straddles the antimeridian (179.5 .. -179.5 is one degree wide)
ACROSS = [[-16.0, 179.5], [-16.0, -179.5], [-17.0, -179.5], [-17.0, 179.5]]


def _poly(points):
    return rules.polygon_of(rules.check_polygon(points))


def _field(exc: pytest.ExceptionInfo) -> str:
    return exc.value.field


def test_zip_lists_are_normalised_deduplicated_and_checked():
    assert rules.normalize_zips(["33602", " 33601-1234 ", "336011234", "33601"]) == [
        "33601",
        "33602",
    ]
    assert rules.normalize_zips([]) == []
    for bad, field in ((["33601", "3360"], "zip_codes.1"), (["abcde"], "zip_codes.0")):
        with pytest.raises(InvalidInput) as exc:
            rules.normalize_zips(bad)
        assert _field(exc) == field
    with pytest.raises(InvalidInput, match="not a known US ZIP") as exc:
        rules.normalize_zips(["00000"])
    assert _field(exc) == "zip_codes.0"


def test_zip_lists_are_capped_by_count_and_by_prefixes(monkeypatch):
    monkeypatch.setattr(rules.geo, "zip_centroid", lambda z: (1.0, 1.0))
    with pytest.raises(InvalidInput, match="at most 1000"):
        rules.normalize_zips(f"{n:05d}" for n in range(10000, 11001))
    many_prefixes = [f"{p:03d}01" for p in range(100, 100 + rules.MAX_ZIP_PREFIXES + 1)]
    with pytest.raises(InvalidInput, match="3-digit prefixes"):
        rules.normalize_zips(many_prefixes)
    assert len(rules.normalize_zips(many_prefixes[:-1])) == rules.MAX_ZIP_PREFIXES


def test_polygons_are_checked():
    assert rules.check_polygon(SQUARE) == SQUARE
    closed = [*SQUARE, SQUARE[0]]
    assert rules.check_polygon(closed) == SQUARE  # the closing point is dropped
    assert rules.check_polygon([[1.12345678, 2.0], [1.0, 3.0], [2.0, 2.0]])[0] == [1.123457, 2.0]
    cases = [
        ("nope", "polygon", "list"),
        ([[1, 2], [3]], "polygon.1", "pair"),
        ([[1, 2], [3, 4], [91, 0]], "polygon.2.0", "between -90 and 90"),
        ([[1, 2], [3, 4], [0, -181]], "polygon.2.1", "between -180 and 180"),
        ([[1, 2], [3, 4]], "polygon", "at least 3"),
        ([[1, 2], [1, 2], [3, 4], [1, 2]], "polygon", "at least 3"),
        ([[0, 0], [1, 1], [2, 2]], "polygon", "enclose an area"),
        ([[0, -100], [1, 0], [0, 100]], "polygon", "180 degrees"),
        ([[i / 1000, (i % 7) / 1000] for i in range(501)], "polygon", "at most 500"),
        ([[True, 2], [3, 4], [5, 5]], "polygon.0.0", "finite number"),
    ]
    for points, field, message in cases:
        with pytest.raises(InvalidInput, match=message) as exc:
            rules.check_polygon(points)
        assert _field(exc) == field, points


def test_point_in_polygon_with_its_border():
    square = _poly(SQUARE)
    assert rules.contains(square, 27.9, -82.5)
    assert not rules.contains(square, 28.1, -82.5)
    assert not rules.contains(square, 27.9, -82.3)
    assert rules.contains(square, 28.0, -82.5)  # on an edge
    assert rules.contains(square, 27.8, -82.6)  # a corner
    u = _poly(U_SHAPE)
    assert not rules.contains(u, 27.98, -82.5)  # in the notch
    assert rules.contains(u, 27.98, -82.58) and rules.contains(u, 27.9, -82.5)
    assert rules.contains(u, 27.95, -82.5)  # the notch's floor is the border


def test_polygons_across_the_antimeridian():
    fiji = _poly(ACROSS)
    assert rules.contains(fiji, -16.5, 179.9)
    assert rules.contains(fiji, -16.5, -179.9)
    assert rules.contains(fiji, -16.5, 180.0) and rules.contains(fiji, -16.5, -180.0)
    assert not rules.contains(fiji, -16.5, 179.0)
    assert not rules.contains(fiji, -16.5, -179.0)
    assert not rules.contains(fiji, -16.5, 0.0)
    # the same outline given from its other side
    other_start = _poly([ACROSS[1], ACROSS[2], ACROSS[3], ACROSS[0]])
    assert rules.contains(other_start, -16.5, 179.9) and rules.contains(other_start, -16.5, -179.9)


def test_match_prefers_a_listed_zip_then_the_lowest_id_polygon():
    a = rules.Zone(id=3, zip_codes=frozenset({"33601"}))
    b = rules.Zone(id=2, polygon=_poly(SQUARE))
    c = rules.Zone(id=1, polygon=_poly(SQUARE), active=False)
    d = rules.Zone(id=5, polygon=_poly(SQUARE), zip_codes=frozenset({"33602"}))
    zones = [a, b, c, d]
    # the ZIP wins even when the point is in a polygon of a lower id
    assert rules.match(zones, "33601-0001", 27.9, -82.5) is a
    assert rules.match(zones, "33602", 27.9, -82.5) is d
    # else the lowest active id whose polygon holds the point (inactive ones never match)
    assert rules.match(zones, "99999", 27.9, -82.5) is b
    assert rules.match(zones, None, 27.9, -82.5) is b
    assert rules.match(zones, None, 40.0, -75.0) is None
    assert rules.match(zones, None, None, None) is None
    two = [rules.Zone(id=9, zip_codes=frozenset({"33601"})), rules.Zone(id=4, zip_codes={"33601"})]
    assert rules.match(two, "33601").id == 4  # ties by id


def test_place_point_is_the_coordinates_else_the_zip_centroid():
    assert rules.place_point("33601", 1.5, 2.5) == (1.5, 2.5)
    lat, lng = rules.place_point("33601", None, None)
    assert 27.8 < lat < 28.1 and -82.6 < lng < -82.3
    assert rules.place_point("00000", None, None) is None
    assert rules.place_point(None, 1.0, None) is None
