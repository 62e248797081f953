"""A technician's home base (``home_zip``, ``home_latitude``, ``home_longitude``): the
pure rule, and the roster's create and update over HTTP."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.technicians.rules import home_base
from tests.support.sales_helpers import technician

TAMPA = (27.9475, -82.4584)  # roughly the centroid of 33602


def _near(lat, lng, point, tolerance=0.2) -> bool:
    return abs(lat - point[0]) < tolerance and abs(lng - point[1]) < tolerance


def test_rule_zip_alone_gives_its_centroid_and_coordinates_win():
    base = home_base({}, {"home_zip": "33602-1234"})
    assert base["home_zip"] == "33602" and _near(
        base["home_latitude"], base["home_longitude"], TAMPA
    )
    exact = home_base({}, {"home_zip": "33602", "home_latitude": 28.0, "home_longitude": -82.0})
    assert exact == {"home_zip": "33602", "home_latitude": 28.0, "home_longitude": -82.0}
    assert home_base({}, {}) == {}
    assert home_base({}, {"home_latitude": 1.5, "home_longitude": 2.5}) == {
        "home_zip": None,
        "home_latitude": 1.5,
        "home_longitude": 2.5,
    }


def test_rule_changes_keep_or_rederive():
    current = {"home_zip": "33602", "home_latitude": 28.0, "home_longitude": -82.0}
    moved = home_base(current, {"home_zip": "10001"})
    assert moved["home_zip"] == "10001"
    assert _near(moved["home_latitude"], moved["home_longitude"], (40.75, -73.99))
    assert home_base(current, {"home_zip": None}) == dict.fromkeys(current)
    pinned = home_base(current, {"home_latitude": 27.0, "home_longitude": -81.0})
    assert pinned == {"home_zip": "33602", "home_latitude": 27.0, "home_longitude": -81.0}
    cleared = home_base(current, {"home_latitude": None, "home_longitude": None})
    assert cleared == {"home_zip": "33602", "home_latitude": None, "home_longitude": None}


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"home_latitude": 27.0}, "home_longitude"),
        ({"home_longitude": -82.0}, "home_latitude"),
        ({"home_latitude": 27.0, "home_longitude": None}, "home_longitude"),
        ({"home_latitude": 91.0, "home_longitude": 0.0}, "home_latitude"),
        ({"home_latitude": 0.0, "home_longitude": 181.0}, "home_longitude"),
        ({"home_zip": "1234"}, "home_zip"),
        ({"home_zip": "00000"}, "home_zip"),
    ],
)
def test_rule_refuses(sent, field):
    with pytest.raises(InvalidInput) as exc:
        home_base({}, sent)
    assert exc.value.field == field


def test_roster_create_and_update(api, owner):
    tech = technician(api, owner, home_zip="33602")
    assert tech["home_zip"] == "33602"
    assert _near(tech["home_latitude"], tech["home_longitude"], TAMPA)
    assert api.get(f"/admin/technicians/{tech['id']}", as_=owner).data == tech
    plain = technician(api, owner)
    assert (plain["home_zip"], plain["home_latitude"], plain["home_longitude"]) == (None,) * 3
    path = f"/admin/technicians/{plain['id']}"
    reply = api.patch(path, {"home_latitude": 27.95, "home_longitude": -82.45}, as_=owner)
    assert reply.status == 200, reply.raw
    assert (reply.data["home_latitude"], reply.data["home_longitude"]) == (27.95, -82.45)
    assert reply.data["home_zip"] is None
    reply = api.patch(path, {"home_zip": "10001", "active": False}, as_=owner)
    assert reply.status == 200 and reply.data["active"] is False
    assert reply.data["home_zip"] == "10001" and reply.data["home_latitude"] > 40
    reply = api.patch(path, {"home_zip": None}, as_=owner)
    assert (reply.data["home_zip"], reply.data["home_latitude"]) == (None, None)
    reply = api.patch(path, {"name": "Renamed"}, as_=owner)  # other changes keep it
    assert reply.data["name"] == "Renamed" and reply.data["home_zip"] is None


def test_roster_bad_home_base_is_422(api, owner):
    base = {"name": "Tech", "pay_type": "hourly"}
    for body, field in [
        ({"home_latitude": 91, "home_longitude": 0}, "home_latitude"),
        ({"home_latitude": 0, "home_longitude": -181}, "home_longitude"),
        ({"home_latitude": 27.9}, "home_longitude"),
        ({"home_zip": "00000"}, "home_zip"),
        ({"home_zip": "33602", "home_longitude": -82.4}, "home_latitude"),
    ]:
        reply = api.post("/admin/technicians", {**base, **body}, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == field, (body, reply.raw)
    tech = technician(api, owner)
    reply = api.patch(f"/admin/technicians/{tech['id']}", {"home_zip": "abc"}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "home_zip"
    assert api.get("/admin/technicians", as_=owner).data["total"] == 1  # none was created
