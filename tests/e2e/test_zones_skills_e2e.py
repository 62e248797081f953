"""Service zones, technician skills, home bases, a job's zone and the reference's Smart
Dispatch curl, over real HTTP against the `make run` stack: every new call and every new
list filter."""

from __future__ import annotations

import textwrap

from tests.e2e.conftest import ok
from tests.e2e.test_auth_e2e import curl, needs_curl
from tests.support.walk import stack_fetch, walk

API = "/api/v1"
JOB = {
    "title": "AC Repair - Smith Residence",
    "description": "Unit not cooling, thermostat reads 85F",
    "priority": "high",
    "customer_name": "John Smith",
    "service_address": "123 Oak St",
    "service_city": "Tampa",
    "service_state": "FL",
    "service_zip": "33601",
    "scheduled_start": "2026-03-28T09:00:00Z",
    "scheduled_end": "2026-03-28T11:00:00Z",
}
POLYGON = [[28.1, -82.7], [28.1, -82.3], [27.8, -82.3], [27.8, -82.7]]


def _call(stack, method, path, headers, body=None, status=200):
    return ok(stack.request(method, API + path, body, headers), status)


def test_zones_skills_and_home_bases(stack):
    account = stack.register("Zones Cooling")
    h = account["headers"]
    # technicians with a home base: from a ZIP alone, and exact coordinates
    ana = stack.create("/admin/technicians", {"name": "Ana", "home_zip": "33602"}, h)
    assert ana["home_zip"] == "33602" and 27.9 < ana["home_latitude"] < 28.0
    ben = stack.create("/admin/technicians", {"name": "Ben"}, h)
    ben = _call(
        stack,
        "PATCH",
        f"/admin/technicians/{ben['id']}",
        h,
        {"home_latitude": 28.54, "home_longitude": -81.38},
    )
    assert (ben["home_latitude"], ben["home_longitude"]) == (28.54, -81.38)
    status, _, bad = stack.request(
        "POST", API + "/admin/technicians", {"name": "X", "home_zip": "00000"}, h
    )
    assert status == 422 and bad["error"]["details"][0]["field"] == "home_zip"

    # the skills catalogue: create, read, rename, list by cursor, delete; a duplicate is 409
    hvac = stack.create("/admin/technician-skills", {"name": "HVAC"}, h)
    gas = stack.create("/admin/technician-skills", {"name": "Gas"}, h)
    temp = stack.create("/admin/technician-skills", {"name": "Temp"}, h)
    status, _, _ = stack.request("POST", API + "/admin/technician-skills", {"name": "hvac"}, h)
    assert status == 409
    assert _call(stack, "GET", f"/admin/technician-skills/{hvac['id']}", h) == hvac
    renamed = _call(
        stack, "PATCH", f"/admin/technician-skills/{gas['id']}", h, {"name": "Gas fitting"}
    )
    assert renamed["name"] == "Gas fitting"
    deleted = _call(stack, "DELETE", f"/admin/technician-skills/{temp['id']}", h)
    assert deleted == {"id": temp["id"], "deleted": True}
    skills = walk(stack_fetch(stack, h), f"{API}/admin/technician-skills", 1, by_cursor=True)
    assert skills.ids == [hvac["id"], gas["id"]] and skills.total == 2
    # a technician's levels
    levels = _call(
        stack,
        "PUT",
        f"/admin/technician-skills/technicians/{ana['id']}",
        h,
        {"skills": [{"skill_id": hvac["id"], "level": 5}, {"name": "gas FITTING", "level": 2}]},
    )
    assert levels == _call(stack, "GET", f"/admin/technician-skills/technicians/{ana['id']}", h)
    assert [(s["name"], s["level"]) for s in levels["skills"]] == [("Gas fitting", 2), ("HVAC", 5)]

    # zones: a ZIP zone served by Ana, a polygon zone, an inactive one; the list's filter
    tampa = stack.create(
        "/admin/service-zones",
        {"name": "Tampa", "zip_codes": ["33601"], "technician_ids": [ana["id"]]},
        h,
    )
    bay = stack.create("/admin/service-zones", {"name": "Bay", "polygon": POLYGON}, h)
    old = stack.create(
        "/admin/service-zones", {"name": "Old", "zip_codes": ["10001"], "active": False}, h
    )
    status, _, taken = stack.request(
        "POST", API + "/admin/service-zones", {"name": "Dup", "zip_codes": ["33601"]}, h
    )
    assert status == 409 and f"33601 (zone {tampa['id']})" in taken["error"]["message"]
    assert _call(stack, "GET", f"/admin/service-zones/{bay['id']}", h) == bay
    fetch = stack_fetch(stack, h)
    assert walk(fetch, f"{API}/admin/service-zones", 2, by_cursor=True).ids == [
        tampa["id"],
        bay["id"],
        old["id"],
    ]
    active = walk(fetch, f"{API}/admin/service-zones?active=true", 1, by_cursor=False)
    assert active.ids == [tampa["id"], bay["id"]] and active.total == 2
    inactive = walk(fetch, f"{API}/admin/service-zones?active=false", 5, by_cursor=True)
    assert inactive.ids == [old["id"]]
    patched = _call(
        stack, "PATCH", f"/admin/service-zones/{bay['id']}", h, {"technician_ids": [ben["id"]]}
    )
    assert patched["technician_ids"] == [ben["id"]]
    gone = _call(stack, "DELETE", f"/admin/service-zones/{old['id']}", h)
    assert gone == {"id": old["id"], "deleted": True}

    # jobs get their zone; the dispatch list filters by it
    job = stack.create("/admin/dispatch", {**JOB, "required_skills": ["HVAC"]}, h)
    assert job["zone_id"] == tampa["id"]
    elsewhere = stack.create(
        "/admin/dispatch", {**JOB, "service_zip": "33629", "title": "South Tampa"}, h
    )
    assert elsewhere["zone_id"] == bay["id"]  # its ZIP's centroid is in the polygon
    nowhere = stack.create("/admin/dispatch", {**JOB, "service_zip": "10001", "title": "NY"}, h)
    assert nowhere["zone_id"] is None
    in_tampa = walk(fetch, f"{API}/admin/dispatch?zone_id={tampa['id']}", 1, by_cursor=True)
    assert in_tampa.ids == [job["id"]] and in_tampa.total == 1
    moved = _call(stack, "PATCH", f"/admin/dispatch/{nowhere['id']}", h, {"service_zip": "33601"})
    assert moved["zone_id"] == tampa["id"]
    both = walk(
        fetch, f"{API}/admin/dispatch?zone_id={tampa['id']}&status=pending", 1, by_cursor=False
    )
    assert sorted(both.ids) == sorted([job["id"], nowhere["id"]]) and both.total == 2
    assert walk(fetch, f"{API}/admin/dispatch?zone_id={bay['id']}", 5, by_cursor=True).ids == [
        elsewhere["id"]
    ]
    status, _, _ = stack.request(
        "GET", f"{API}/admin/dispatch?zone_id={tampa['id']}&technician_id={ana['id']}", None, h
    )
    assert status == 400

    suggested = _call(stack, "GET", f"/admin/dispatch/{job['id']}/suggestions", h)
    assert [s["name"] for s in suggested["items"]] == ["Ana", "Ben"]
    assert suggested["items"][0]["matched_skills"] == [{"name": "HVAC", "level": 5}]
    assert suggested["items"][0]["serves_zone"] is True
    assert suggested["items"][1]["distance_from"] == "home_base"


@needs_curl
def test_reference_smart_dispatch_curl(stack):
    account = stack.register("Smart Cooling")
    h, tenant, token = account["headers"], account["tenant_id"], account["access_token"]
    near = stack.create(
        "/admin/technicians",
        {"name": "Near Nia", "home_latitude": 27.95, "home_longitude": -82.46},
        h,
    )
    far = stack.create("/admin/technicians", {"name": "Far Finn", "home_zip": "32801"}, h)
    job = stack.create("/admin/dispatch", JOB, h)
    command = textwrap.dedent(
        f"""\
        curl "https://api.tradekitt.com/api/v1/admin/dispatch/{job["id"]}/suggestions" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\""""
    )
    reply = curl(stack, command.replace("<access_token>", token).replace("<tenant-uuid>", tenant))
    assert reply["ok"] is True, reply
    data = reply["data"]
    assert data["job_id"] == job["id"] and data["total"] == 2
    items = data["items"]
    assert [s["technician_id"] for s in items] == [near["id"], far["id"]]
    assert items[0]["score"] > items[1]["score"]
    for item in items:
        assert set(item) >= {
            "technician_id",
            "name",
            "score",
            "matched_skills",
            "missing_skills",
            "serves_zone",
            "distance_km",
            "jobs_that_day",
            "scheduled_minutes",
            "overlapping_job_ids",
            "points",
        }
        assert 0 <= item["score"] <= 100 and item["score"] == sum(item["points"].values())
