"""A dispatch job's zone: found at create (its ZIP, else its point or its ZIP's centroid in
a polygon), found again whenever its ZIP or coordinates change, shown as ``zone_id``, and
``GET /admin/dispatch?zone_id=`` with exact totals (also when the zone changes under a
race) at O(limit)."""

from __future__ import annotations

from tests.support.racing import at_once
from tests.support.reads import counting_reads
from tests.support.sales_helpers import technician
from tests.support.walk import api_fetch, walk

ZONES = "/admin/service-zones"
DAY = "2026-03-28"
# around downtown Tampa: holds the point below and the centroid of 33602, not of 33629
DOWNTOWN = [[27.97, -82.47], [27.97, -82.44], [27.93, -82.44], [27.93, -82.47]]
INSIDE = {"latitude": 27.95, "longitude": -82.457}


def _zone(api, owner, **body):
    reply = api.post(ZONES, {"name": "Zone", **body}, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data["id"]


def _job(api, owner, **fields):
    body = {
        "title": "Job",
        "scheduled_start": f"{DAY}T09:00:00Z",
        "scheduled_end": f"{DAY}T10:00:00Z",
        **fields,
    }
    reply = api.post("/admin/dispatch", body, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data


def _total(api, owner, query: str) -> int:
    reply = api.get(f"/admin/dispatch?{query}", as_=owner)
    assert reply.status == 200, reply.raw
    return reply.data["total"]


def test_a_jobs_zone_at_create(api, owner):
    by_zip = _zone(api, owner, zip_codes=["33601"])
    polygon = _zone(api, owner, polygon=DOWNTOWN)
    assert _job(api, owner, service_zip="33601", **INSIDE)["zone_id"] == by_zip  # ZIP wins
    assert _job(api, owner, service_zip="33629", **INSIDE)["zone_id"] == polygon
    assert _job(api, owner, service_zip="33602")["zone_id"] == polygon  # its centroid
    assert _job(api, owner, service_zip="33629")["zone_id"] is None
    assert _job(api, owner)["zone_id"] is None
    job = _job(api, owner, service_zip="33601-4444")
    assert job["zone_id"] == by_zip
    assert api.get(f"/admin/dispatch/{job['id']}", as_=owner).data["zone_id"] == by_zip
    api.patch(f"{ZONES}/{polygon}", {"active": False}, as_=owner)
    assert _job(api, owner, **INSIDE)["zone_id"] is None  # inactive zones match nothing


def test_the_zone_follows_the_address_and_the_list_stays_exact(api, owner):
    north = _zone(api, owner, zip_codes=["33612"])
    downtown = _zone(api, owner, polygon=DOWNTOWN)
    tech = technician(api, owner)
    job = _job(api, owner, service_zip="33612")
    other = _job(api, owner, service_zip="33612", priority="high")
    path = f"/admin/dispatch/{job['id']}"
    assert _total(api, owner, f"zone_id={north}") == 2
    reply = api.patch(path, {"service_zip": "33629", **INSIDE}, as_=owner)
    assert reply.status == 200 and reply.data["zone_id"] == downtown
    assert _total(api, owner, f"zone_id={north}") == 1
    assert _total(api, owner, f"zone_id={downtown}") == 1
    # a change of the day keeps it in its zone's list, under the new day
    api.patch(path, {"scheduled_start": "2026-03-30T09:00:00Z", "scheduled_end": None}, as_=owner)
    assert _total(api, owner, f"zone_id={downtown}&date=2026-03-30") == 1
    assert _total(api, owner, f"zone_id={downtown}&date={DAY}") == 0
    # workflow moves keep the zone's counts by status
    api.patch(f"{path}/assign", {"technician_id": tech["id"]}, as_=owner)
    assert _total(api, owner, f"zone_id={downtown}&status=dispatched") == 1
    api.patch(f"/admin/dispatch/{other['id']}/cancel", {"reason": "x"}, as_=owner)
    assert _total(api, owner, f"zone_id={north}&status=cancelled") == 1
    assert _total(api, owner, f"zone_id={north}&status=pending") == 0
    assert _total(api, owner, f"zone_id={north}&priority=high") == 1
    # out of every zone: its point leaves the polygon, its ZIP is in none
    reply = api.patch(path, {"latitude": 40.0, "longitude": -75.0}, as_=owner)
    assert reply.data["zone_id"] is None
    assert _total(api, owner, f"zone_id={downtown}") == 0
    # details that are not its place keep the zone
    api.patch(path, {"service_zip": "33612", "latitude": None, "longitude": None}, as_=owner)
    reply = api.patch(path, {"title": "renamed"}, as_=owner)
    assert reply.data["zone_id"] == north and _total(api, owner, f"zone_id={north}") == 2
    assert _total(api, owner, "") == 2


def test_zone_filter_pages_cursors_and_bad_queries(api, owner):
    zone = _zone(api, owner, zip_codes=["33601"])
    ids = []
    for n in range(7):
        day = f"2026-03-{20 + n % 3}"
        job = _job(
            api,
            owner,
            service_zip="33601" if n % 2 == 0 else "33629",
            scheduled_start=f"{day}T09:00:00Z",
            scheduled_end=None,
        )
        if n % 2 == 0:
            ids.append(job["id"])
    fetch = api_fetch(api, owner)
    by_cursor = walk(fetch, f"/admin/dispatch?zone_id={zone}", 2, by_cursor=True)
    by_page = walk(fetch, f"/admin/dispatch?zone_id={zone}", 2, by_cursor=False)
    assert sorted(by_cursor.ids) == sorted(ids) == sorted(by_page.ids)
    assert by_cursor.ids == by_page.ids and by_cursor.total == 4
    with counting_reads() as reads:
        first = api.get(f"/admin/dispatch?zone_id={zone}&limit=2", as_=owner).data
    assert len(first["items"]) == 2 and reads.calls["Query"] == 1 and reads.queried == 2
    assert _total(api, owner, f"zone_id={zone + 100}") == 0
    tech = technician(api, owner)
    for query in (f"zone_id={zone}&technician_id={tech['id']}", "zone_id=abc", "zone_id=0"):
        reply = api.get(f"/admin/dispatch?{query}", as_=owner)
        assert reply.status == 400 and reply.error["code"] == "BAD_REQUEST", query
    first_cursor = first["next_cursor"]
    reply = api.get(f"/admin/dispatch?limit=2&cursor={first_cursor}", as_=owner)
    assert reply.status == 400  # a zone list's cursor is not the tenant list's


def test_create_costs_no_extra_call_for_a_zip_zone(api, owner):
    zone = _zone(api, owner, zip_codes=["33601"])
    with counting_reads() as create:
        assert _job(api, owner, service_zip="33601")["zone_id"] == zone
    create.calls.pop("UpdateItem")  # the rate-limit windows
    # the caller, one BatchGetItem (id counter, customer or counter, SLA policies, the
    # ZIP's claims, the zone counts) and the transaction
    assert create.calls == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    _zone(api, owner, polygon=DOWNTOWN)
    with counting_reads() as create:
        _job(api, owner, service_zip="33629", **INSIDE)
    create.calls.pop("UpdateItem")
    assert create.calls == {"GetItem": 1, "BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1}


def test_racing_zone_changes_keep_the_counts_exact(api, owner, serial_aws):
    a = _zone(api, owner, zip_codes=["33601"])
    b = _zone(api, owner, zip_codes=["33602"])
    c = _zone(api, owner, zip_codes=["33603"])
    job = _job(api, owner, service_zip="33601")
    path = f"/admin/dispatch/{job['id']}"
    for _ in range(3):
        replies = at_once(
            [
                lambda: api.patch(path, {"service_zip": "33602"}, as_=owner),
                lambda: api.patch(path, {"service_zip": "33603"}, as_=owner),
                lambda: api.patch(path, {"priority": "urgent"}, as_=owner),
            ]
        )
        assert all(r is not None and r.status == 200 for r in replies)
        final = api.get(path, as_=owner).data["zone_id"]
        totals = {z: _total(api, owner, f"zone_id={z}") for z in (a, b, c)}
        assert totals == {z: int(z == final) for z in (a, b, c)}, (final, totals)
        assert _total(api, owner, f"zone_id={final}&priority=urgent") == 1
        api.patch(path, {"service_zip": "33601", "priority": "normal"}, as_=owner)
