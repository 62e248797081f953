"""chalicelib.dispatch.rules.geo: distances, coordinate checks, offline ZIP centroids."""

from __future__ import annotations

import gzip
import math

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.dispatch.rules import geo


def test_haversine_known_distances():
    # New York City Hall -> Los Angeles City Hall: about 3,936 km
    assert geo.haversine_km(40.7128, -74.0060, 34.0522, -118.2437) == pytest.approx(3935.75, abs=1)
    # one degree of latitude is about 111.2 km
    assert geo.haversine_km(10, 20, 11, 20) == pytest.approx(111.195, abs=0.01)
    assert geo.haversine_km(45, 90, 45, 90) == 0.0
    # antipodes: half the circumference, no domain error from rounding
    assert geo.haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * geo.EARTH_RADIUS_KM)
    assert geo.haversine_km(90, 0, -90, 0) == pytest.approx(math.pi * geo.EARTH_RADIUS_KM)


def test_haversine_is_symmetric_and_crosses_the_antimeridian():
    a, b = (64.84, -147.72), (51.5, 0.13)
    assert geo.distance_km(a, b) == pytest.approx(geo.distance_km(b, a))
    assert geo.haversine_km(0, 179.5, 0, -179.5) == pytest.approx(111.195, abs=0.01)


@pytest.mark.parametrize("value", [0, 90, -90, 45.5, -89.999999])
def test_valid_latitudes(value):
    assert geo.is_valid_lat(value)
    assert geo.lat_error(value) is None


@pytest.mark.parametrize(
    "value", [90.0001, -90.5, 1000, math.nan, math.inf, -math.inf, True, "45", None]
)
def test_invalid_latitudes(value):
    assert not geo.is_valid_lat(value)
    assert geo.lat_error(value)


@pytest.mark.parametrize("value", [0, 180, -180, 179.99])
def test_valid_longitudes(value):
    assert geo.is_valid_lng(value)
    assert geo.lng_error(value) is None


@pytest.mark.parametrize("value", [180.01, -181, math.nan, math.inf, False, "1", None])
def test_invalid_longitudes(value):
    assert not geo.is_valid_lng(value)
    assert geo.lng_error(value)


def test_error_messages_say_the_range():
    assert geo.lat_error(91) == "latitude must be between -90 and 90"
    assert geo.lng_error(-200) == "longitude must be between -180 and 180"
    assert geo.lat_error("x") == "latitude must be a finite number"


def test_check_point_names_the_field():
    assert geo.check_point(10, 20) == (10.0, 20.0)
    with pytest.raises(InvalidInput) as lat:
        geo.check_point(95, 20)
    assert lat.value.field == "latitude"
    with pytest.raises(InvalidInput) as lng:
        geo.check_point(10, 200, lng_field="jobs.3.longitude")
    assert lng.value.field == "jobs.3.longitude"


@pytest.mark.parametrize(
    ("raw", "zip5"),
    [
        ("77429", "77429"),
        (" 77429 ", "77429"),
        ("77429-1234", "77429"),
        ("774291234", "77429"),
        ("00501", "00501"),
        ("7742", None),
        ("774290", None),
        ("77429-123", None),
        ("abcde", None),
        ("７７４２９", None),  # full-width digits are not a ZIP
        ("", None),
        (77429, None),
        (None, None),
    ],
)
def test_normalize_zip(raw, zip5):
    assert geo.normalize_zip(raw) == zip5


def test_zip_centroids_from_the_shipped_table():
    assert geo.zip_centroid("77429") == (29.9766, -95.6358)  # Cypress, TX
    assert geo.zip_centroid("77429-0001") == (29.9766, -95.6358)
    assert geo.zip_centroid("00501") == (40.8154, -73.0451)  # Holtsville, NY (the lowest)
    lat, lng = geo.zip_centroid("10001")  # Manhattan
    assert geo.haversine_km(lat, lng, 40.7506, -73.9972) < 3
    lat, lng = geo.zip_centroid("99501")  # Anchorage
    assert 61 < lat < 61.3 and -150 < lng < -149.7


@pytest.mark.parametrize("code", ["00000", "99999", "00100", "09001", "96201", "nope", "", None])
def test_unknown_or_malformed_zip_is_none(code):
    # 09001 (AE) and 96201 (AP) are military ZIPs, left out on purpose
    assert geo.zip_centroid(code) is None


def test_the_table_is_whole_sorted_and_within_range():
    table = geo.load_zip_table()
    assert 40_000 < len(table) < 45_000
    zips = list(table.zips)
    assert zips == sorted(set(zips))
    assert all(-90 * geo.ZIP_DATA_SCALE <= v <= 90 * geo.ZIP_DATA_SCALE for v in table.lats)
    assert all(-180 * geo.ZIP_DATA_SCALE <= v <= 180 * geo.ZIP_DATA_SCALE for v in table.lngs)
    # small enough for the Lambda package
    assert geo.ZIP_DATA_PATH.stat().st_size < 512 * 1024


def test_encode_decode_round_trip(tmp_path):
    rows = [(99501, 612_000, -1_498_000), (501, 408_154, -730_451), (77429, 299_766, -956_358)]
    path = tmp_path / "t.bin.gz"
    path.write_bytes(gzip.compress(geo.encode_zip_table(rows)))
    table = geo.load_zip_table(path)
    assert list(table.zips) == [501, 77429, 99501]
    assert table.get("77429") == (29.9766, -95.6358)
    assert table.get("77428") is None
    assert table.get("99999") is None
    assert table.get("00000") is None


def test_decode_refuses_a_foreign_or_truncated_blob():
    with pytest.raises(ValueError):
        geo.decode_zip_table(b"NOTZIP" + b"\0" * 20)
    blob = geo.encode_zip_table([(501, 1, 2)])
    with pytest.raises(ValueError):
        geo.decode_zip_table(blob[:-1])


def test_the_table_loads_once(monkeypatch):
    geo.zip_centroid("77429")
    calls = []
    monkeypatch.setattr(geo, "load_zip_table", lambda *a: calls.append(a))
    assert geo.zip_centroid("10001") is not None
    assert calls == []
