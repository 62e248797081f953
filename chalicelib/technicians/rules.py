"""Technicians, pure: the home base (a technician's start point for suggestions and route
optimisation).

``home_zip`` (kept as 5 digits, ZIP+4 accepted), ``home_latitude`` and ``home_longitude``:
the coordinates go together; given a ZIP without coordinates, the point is the ZIP's
centroid (``dispatch.rules.geo``; an unknown ZIP is then 422). On a change, sending
``home_zip`` without coordinates re-derives the point from it (``null`` clears the home
base); sending the coordinates (both) sets the point exactly.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.errors import InvalidInput
from chalicelib.dispatch.rules import geo

HOME_FIELDS = ("home_zip", "home_latitude", "home_longitude")


def home_base(current: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """The home base to store, from what it is (``current``) and the fields ``sent``
    (only those the client sent; None clears). Empty when no home field was sent."""
    if not any(name in sent for name in HOME_FIELDS):
        return {}
    has_lat, has_lng = "home_latitude" in sent, "home_longitude" in sent
    together = "home_latitude and home_longitude go together"
    if has_lat != has_lng:
        raise InvalidInput(together, field="home_longitude" if has_lat else "home_latitude")
    if has_lat and (sent["home_latitude"] is None) != (sent["home_longitude"] is None):
        lone = "home_longitude" if sent["home_longitude"] is None else "home_latitude"
        raise InvalidInput(together, field=lone)
    zip5 = current.get("home_zip")
    if "home_zip" in sent:
        zip5 = None
        if sent["home_zip"] is not None:
            zip5 = geo.normalize_zip(sent["home_zip"])
            if zip5 is None:
                raise InvalidInput("must be a 5-digit ZIP code (or ZIP+4)", field="home_zip")
    if has_lat:
        lat, lng = sent["home_latitude"], sent["home_longitude"]
        if lat is not None:
            lat, lng = geo.check_point(
                lat, lng, lat_field="home_latitude", lng_field="home_longitude"
            )
    elif "home_zip" in sent:
        lat = lng = None
        if zip5 is not None:
            centroid = geo.zip_centroid(zip5)
            if centroid is None:
                raise InvalidInput(
                    f"{zip5} is not a known US ZIP code: give home_latitude and home_longitude",
                    field="home_zip",
                )
            lat, lng = centroid
    else:
        lat, lng = current.get("home_latitude"), current.get("home_longitude")
    return {"home_zip": zip5, "home_latitude": lat, "home_longitude": lng}
