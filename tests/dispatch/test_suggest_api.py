"""``GET /admin/dispatch/{id}/suggestions``: the reference's call, the ranking and its parts
from skills levels, the job's zone, GPS fixes and home bases, the day's load and
overlapping bookings; 409 for a finished job; roles and tenants; and its DynamoDB calls."""

from __future__ import annotations

from tests.support.isolation import assert_isolated
from tests.support.reads import counting_reads
from tests.support.sales_helpers import staff, technician, technician_login

SEED_JOB = {
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
TAMPA_33601 = (27.9961, -82.582)  # the ZIP's centroid (the seed job has no coordinates)


def _job(api, owner, **fields):
    reply = api.post("/admin/dispatch", {**SEED_JOB, **fields}, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data


def _suggest(api, account, job_id):
    reply = api.get(f"/admin/dispatch/{job_id}/suggestions", as_=account)
    assert reply.status == 200, reply.raw
    return reply.data


def _assign(api, owner, job_id, tech_id):
    reply = api.patch(f"/admin/dispatch/{job_id}/assign", {"technician_id": tech_id}, as_=owner)
    assert reply.status == 200, reply.raw


def test_ranking_and_its_parts(api, owner):
    # Ana: HVAC expert, serves the zone, reported her position next to the job
    ana, ana_login = technician_login(api, owner, name="Ana")
    # Ben: HVAC only as a tag on his roster record, home base far away (Orlando)
    technician(api, owner, name="Ben", skills=["hvac"], home_zip="32801")
    # Cal: serves the zone, no skills, home base in Tampa, booked at the same time
    cal = technician(api, owner, name="Cal", home_latitude=27.99, home_longitude=-82.58)
    gone = technician(api, owner, name="Dee", active=False)
    hvac = api.post("/admin/technician-skills", {"name": "HVAC"}, as_=owner).data
    body = {"skills": [{"skill_id": hvac["id"], "level": 5}]}
    api.put(f"/admin/technician-skills/technicians/{ana['id']}", body, as_=owner)
    zone = {"name": "Tampa", "zip_codes": ["33601"], "technician_ids": [ana["id"], cal["id"]]}
    zone_id = api.post("/admin/service-zones", zone, as_=owner).data["id"]
    reply = api.post(
        "/tech/dispatch/location", {"latitude": 27.99, "longitude": -82.58}, as_=ana_login
    )
    assert reply.status == 201
    busy = _job(api, owner, title="Busy", scheduled_start="2026-03-28T10:00:00Z")
    _assign(api, owner, busy["id"], cal["id"])
    later = _job(
        api,
        owner,
        title="Later",
        scheduled_start="2026-03-28T14:00:00Z",
        scheduled_end="2026-03-28T18:00:00Z",
    )
    _assign(api, owner, later["id"], ana["id"])
    job = _job(api, owner, required_skills=["HVAC", "Refrigeration"])
    assert job["zone_id"] == zone_id

    got = _suggest(api, owner, job["id"])
    assert got["job_id"] == job["id"] and got["zone_id"] == zone_id
    assert got["scheduled_date"] == "2026-03-28" and got["location_from"] == "zip"
    assert (got["latitude"], got["longitude"]) == TAMPA_33601
    assert got["required_skills"] == ["HVAC", "Refrigeration"]
    assert got["weights"] == {"skills": 35, "zone": 20, "distance": 20, "load": 10, "overlap": 15}
    items = got["items"]
    assert got["total"] == 3 and gone["id"] not in [s["technician_id"] for s in items]
    by_name = {s["name"]: s for s in items}
    a, b, c = by_name["Ana"], by_name["Ben"], by_name["Cal"]
    assert [s["name"] for s in items] == ["Ana", "Cal", "Ben"]
    assert a["matched_skills"] == [{"name": "HVAC", "level": 5}]
    assert a["missing_skills"] == ["Refrigeration"]
    assert a["serves_zone"] is True and a["distance_from"] == "gps" and a["distance_km"] < 2
    assert a["jobs_that_day"] == 1 and a["scheduled_minutes"] == 240
    assert a["overlapping_job_ids"] == []
    assert a["points"] == {"skills": 18, "zone": 20, "distance": 20, "load": 5, "overlap": 15}
    assert a["score"] == 78
    assert b["matched_skills"] == [{"name": "HVAC", "level": None}]  # a roster tag
    assert b["serves_zone"] is False and b["distance_from"] == "home_base"
    assert 120 < b["distance_km"] < 140 and b["points"]["distance"] == 0
    assert c["matched_skills"] == [] and c["serves_zone"] is True
    assert c["distance_from"] == "home_base" and c["overlapping_job_ids"] == [busy["id"]]
    assert c["jobs_that_day"] == 1 and c["scheduled_minutes"] == 60
    assert c["points"]["overlap"] == 0
    for item in items:
        assert item["score"] == sum(item["points"].values())
    # the job's own coordinates win over its ZIP
    api.patch(f"/admin/dispatch/{job['id']}", {"latitude": 28.54, "longitude": -81.38}, as_=owner)
    moved = _suggest(api, owner, job["id"])
    assert moved["location_from"] == "job" and moved["zone_id"] == zone_id  # its ZIP's zone
    moved_ben = next(s for s in moved["items"] if s["name"] == "Ben")
    assert moved_ben["distance_km"] < 2 and moved_ben["points"]["distance"] == 20  # Orlando


def test_a_job_without_skills_zone_or_place(api, owner):
    a, b = technician(api, owner, name="A"), technician(api, owner, name="B")
    job = _job(api, owner, service_zip=None, scheduled_start=None, scheduled_end=None)
    got = _suggest(api, owner, job["id"])
    assert got["zone_id"] is None and got["latitude"] is None and got["location_from"] is None
    assert [s["technician_id"] for s in got["items"]] == [a["id"], b["id"]]  # a tie: by id
    assert got["items"][0]["points"] == {
        "skills": 35,
        "zone": 20,
        "distance": 5,
        "load": 10,
        "overlap": 15,
    }
    assert _suggest(api, owner, _job(api, owner)["id"])["total"] == 2


def test_finished_jobs_unknown_ones_roles_and_tenants(api, owner, other):
    tech, login = technician_login(api, owner)
    job = _job(api, owner)
    cancelled = _job(api, owner)
    api.patch(f"/admin/dispatch/{cancelled['id']}/cancel", {"reason": "x"}, as_=owner)
    reply = api.get(f"/admin/dispatch/{cancelled['id']}/suggestions", as_=owner)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    done = _job(api, owner)
    _assign(api, owner, done["id"], tech["id"])
    path = f"/tech/dispatch/my-jobs/{done['id']}"
    api.patch(f"{path}/acknowledge", as_=login)
    for status in ("en_route", "on_site", "in_progress", "completed"):
        assert api.patch(f"{path}/status", {"status": status}, as_=login).status == 200
    assert api.get(f"/admin/dispatch/{done['id']}/suggestions", as_=owner).status == 409
    assert api.get("/admin/dispatch/999/suggestions", as_=owner).status == 404
    assert api.get("/admin/dispatch/abc/suggestions", as_=owner).status == 404
    assert _suggest(api, staff(owner, "dispatcher"), job["id"])["total"] == 1
    assert api.get(f"/admin/dispatch/{job['id']}/suggestions", as_=login).status == 403
    technician(api, other)
    assert_isolated(api, owner, other, [("GET", f"/admin/dispatch/{job['id']}/suggestions", None)])


def test_dynamodb_calls_per_suggestions_request(api, owner):
    techs = [technician(api, owner, name=f"T{n}") for n in range(4)]
    api.post("/admin/technician-skills", {"name": "HVAC"}, as_=owner)
    zone = {"name": "Tampa", "zip_codes": ["33601"], "technician_ids": [techs[0]["id"]]}
    api.post("/admin/service-zones", zone, as_=owner)
    job = _job(api, owner, required_skills=["hvac"])
    for n in range(6):  # other days' jobs, and the day's, cost nothing more
        _assign(api, owner, _job(api, owner)["id"], techs[n % 4]["id"])
        _job(api, owner, scheduled_start=f"2026-04-{n + 1:02d}T09:00:00Z", scheduled_end=None)
    with counting_reads() as reads:
        assert _suggest(api, owner, job["id"])["total"] == 4
    reads.calls.pop("UpdateItem")  # the rate-limit windows
    # the caller; the job; the active technicians, the day's jobs and the positions; one
    # BatchGetItem (the required skill's catalogue entry, the technicians' levels, the zone)
    assert reads.calls == {"GetItem": 2, "Query": 3, "BatchGetItem": 1}
    plain = _job(api, owner, service_zip="33629")  # no skills asked, in no zone
    with counting_reads() as reads:
        _suggest(api, owner, plain["id"])
    reads.calls.pop("UpdateItem")
    assert reads.calls == {"GetItem": 2, "Query": 3}
