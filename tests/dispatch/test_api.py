"""``/admin/dispatch`` and ``/tech/dispatch``: the reference's calls, the workflow over
HTTP, bad input, isolation, exact totals, the board and the event log."""

from __future__ import annotations

import json

from tests.support.reads import counting_reads
from tests.support.sales_helpers import event_types, staff, technician, technician_login

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
DAY = "2026-03-28"
GPS = {"latitude": 27.9506, "longitude": -82.4572}


def _job(api, owner, **fields):
    reply = api.post("/admin/dispatch", {**SEED_JOB, **fields}, as_=owner)
    assert reply.status == 201, reply.raw
    return reply.data


def test_reference_create_assign_and_technician_flow(api, owner):
    tech, tech_login = technician_login(api, owner)
    job = _job(api, owner)
    assert job["status"] == "pending" and job["priority"] == "high"
    assert job["customer_id"] == 1 and job["scheduled_date"] == DAY
    assert api.get("/admin/customers/1", as_=owner).data["name"] == "John Smith"
    assert api.get(f"/admin/dispatch/{job['id']}", as_=owner).data == job

    reply = api.patch(
        f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner
    )
    assert reply.status == 200, reply.raw
    assert reply.data["status"] == "dispatched" and reply.data["technician_id"] == tech["id"]

    mine = api.get(f"/tech/dispatch/my-jobs?date={DAY}", as_=tech_login).data
    assert [j["id"] for j in mine["items"]] == [job["id"]] and mine["total"] == 1
    assert api.get("/tech/dispatch/my-jobs?date=2026-03-29", as_=tech_login).data["total"] == 0

    path = f"/tech/dispatch/my-jobs/{job['id']}"
    reply = api.patch(f"{path}/acknowledge", as_=tech_login)
    assert reply.status == 200 and reply.data["status"] == "acknowledged"
    assert api.patch(f"{path}/acknowledge", as_=tech_login).status == 409
    # skipping a step is 409; each step in order works
    assert api.patch(f"{path}/status", {"status": "on_site", **GPS}, as_=tech_login).status == 409
    for status in ("en_route", "on_site", "in_progress", "completed"):
        reply = api.patch(f"{path}/status", {"status": status, **GPS}, as_=tech_login)
        assert reply.status == 200 and reply.data["status"] == status, reply.raw
    assert reply.data["completed_at"]
    for status in ("en_route", "completed"):
        assert api.patch(f"{path}/status", {"status": status}, as_=tech_login).status == 409
    reply = api.patch(f"/admin/dispatch/{job['id']}/cancel", {"reason": "x"}, as_=owner)
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"

    moves = api.get(f"/admin/dispatch/{job['id']}/history", as_=owner).data["items"]
    assert [(m["from_status"], m["to_status"]) for m in moves] == [
        (None, "pending"),
        ("pending", "dispatched"),
        ("dispatched", "acknowledged"),
        ("acknowledged", "en_route"),
        ("en_route", "on_site"),
        ("on_site", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert moves[4]["latitude"] == 27.9506 and moves[4]["longitude"] == -82.4572
    assert moves[1]["actor_id"] == owner.user["id"] and moves[2]["actor_id"] != owner.user["id"]
    assert all(m["at"] for m in moves)
    types = event_types(owner.tenant_id)
    for name in ("dispatch.created", "dispatch.assigned", "dispatch.completed"):
        assert types.count(name) == 1, types


def test_reassign_unassign_and_cancel(api, owner):
    a = technician(api, owner)
    b = technician(api, owner)
    job = _job(api, owner)
    path = f"/admin/dispatch/{job['id']}"
    assert api.patch(f"{path}/unassign", as_=owner).status == 409  # nothing to unassign
    api.patch(f"{path}/assign", {"technician_id": a["id"]}, as_=owner)
    reply = api.patch(f"{path}/assign", {"technician_id": b["id"]}, as_=owner)
    assert reply.status == 200 and reply.data["technician_id"] == b["id"]
    assert api.get(f"/admin/dispatch?technician_id={a['id']}", as_=owner).data["total"] == 0
    assert api.get(f"/admin/dispatch?technician_id={b['id']}", as_=owner).data["total"] == 1
    reply = api.patch(f"{path}/unassign", as_=owner)
    assert reply.status == 200 and reply.data["status"] == "pending"
    assert reply.data["technician_id"] is None
    assert api.get(f"/admin/dispatch?technician_id={b['id']}", as_=owner).data["total"] == 0
    assert api.patch(f"{path}/cancel", {}, as_=owner).status == 422  # a reason is required
    reply = api.patch(f"{path}/cancel", {"reason": "customer called off"}, as_=owner)
    assert reply.status == 200 and reply.data["status"] == "cancelled"
    assert reply.data["cancel_reason"] == "customer called off"
    assert api.patch(f"{path}/cancel", {"reason": "again"}, as_=owner).status == 409
    assert api.patch(f"{path}/assign", {"technician_id": a["id"]}, as_=owner).status == 409
    assert api.patch(path, {"title": "late edit"}, as_=owner).status == 409
    history = api.get(f"{path}/history", as_=owner).data["items"]
    assert [m["action"] for m in history] == [
        "created",
        "assigned",
        "reassigned",
        "unassigned",
        "cancelled",
    ]
    assert history[2]["previous_technician_id"] == a["id"]
    assert history[-1]["reason"] == "customer called off"


def test_no_reassign_once_en_route(api, owner):
    tech, login = technician_login(api, owner)
    other = technician(api, owner)
    job = _job(api, owner)
    api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    path = f"/tech/dispatch/my-jobs/{job['id']}"
    api.patch(f"{path}/acknowledge", as_=login)
    # acknowledged: reassigning is still allowed (back to dispatched), so move it back
    reply = api.patch(
        f"/admin/dispatch/{job['id']}/assign", {"technician_id": other["id"]}, as_=owner
    )
    assert reply.status == 200 and reply.data["status"] == "dispatched"
    assert api.patch(f"{path}/acknowledge", as_=login).status == 404  # no longer theirs
    api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    api.patch(f"{path}/acknowledge", as_=login)
    assert api.patch(f"{path}/status", {"status": "en_route"}, as_=login).status == 200
    for call in ("assign", "unassign"):
        body = {"technician_id": other["id"]} if call == "assign" else None
        reply = api.patch(f"/admin/dispatch/{job['id']}/{call}", body, as_=owner)
        assert reply.status == 409, (call, reply.raw)


def test_bad_input(api, owner):
    for body, field in [
        ({**SEED_JOB, "latitude": 90.5}, "latitude"),
        ({**SEED_JOB, "latitude": -91}, "latitude"),
        ({**SEED_JOB, "longitude": 180.01}, "longitude"),
        ({**SEED_JOB, "longitude": -181}, "longitude"),
        ({**SEED_JOB, "scheduled_end": "2026-03-28T08:00:00Z"}, "scheduled_end"),
        ({**SEED_JOB, "scheduled_end": SEED_JOB["scheduled_start"]}, "scheduled_end"),
        ({**SEED_JOB, "scheduled_start": "tomorrow"}, "scheduled_start"),
        ({**SEED_JOB, "priority": "whenever"}, "priority"),
        ({**SEED_JOB, "customer_id": 77}, "customer_id"),
        ({"description": "no title"}, "title"),
    ]:
        reply = api.post("/admin/dispatch", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == field, reply.raw
    job = _job(api, owner)
    reply = api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": 99}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "technician_id"
    reply = api.patch(
        f"/admin/dispatch/{job['id']}", {"scheduled_end": "2026-03-28T08:59:00Z"}, as_=owner
    )
    assert reply.status == 422
    assert api.patch(f"/admin/dispatch/{job['id']}", {"title": None}, as_=owner).status == 422
    assert api.get("/admin/dispatch/999", as_=owner).status == 404
    assert api.get("/admin/dispatch?status=nope", as_=owner).status == 400
    _, login = technician_login(api, owner)
    for body in ({"latitude": 91, "longitude": 0}, {"latitude": 0, "longitude": 181}):
        assert api.post("/tech/dispatch/location", body, as_=login).status == 422
    path = f"/tech/dispatch/my-jobs/{job['id']}/status"
    assert api.patch(path, {"status": "cancelled"}, as_=login).status == 422


def test_a_jobs_place_is_checked(api, owner):
    """A ZIP that the offline table does not know, without coordinates, cannot place the
    job: 422 naming ``service_zip``; with coordinates it is kept as given. Latitude and
    longitude go together, on create and on a change."""
    for body, field in [
        ({**SEED_JOB, "service_zip": "00000"}, "service_zip"),
        ({**SEED_JOB, "service_zip": "ABCDE"}, "service_zip"),
        ({**SEED_JOB, "latitude": 27.9}, "longitude"),
        ({**SEED_JOB, "longitude": -82.4}, "latitude"),
    ]:
        reply = api.post("/admin/dispatch", body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["details"][0]["field"] == field, reply.raw
        assert "ZIP" in reply.error["details"][0]["message"] or field != "service_zip"
    placed = _job(api, owner, service_zip="00000", **GPS)
    assert (placed["service_zip"], placed["latitude"]) == ("00000", GPS["latitude"])
    job = _job(api, owner)  # ZIP 33601 alone: its centroid places it
    path = f"/admin/dispatch/{job['id']}"
    reply = api.patch(path, {"service_zip": "00000"}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "service_zip"
    assert api.patch(path, {"latitude": 27.95}, as_=owner).status == 422  # no longitude
    assert api.patch(path, {"service_zip": "00000", **GPS}, as_=owner).status == 200
    reply = api.patch(f"/admin/dispatch/{placed['id']}", {"latitude": None}, as_=owner)
    assert reply.status == 422 and reply.error["details"][0]["field"] == "latitude"
    assert api.get(f"/admin/dispatch/{job['id']}", as_=owner).data["service_zip"] == "00000"


def test_a_burst_of_jobs_creating_customers_is_all_recorded(api, owner, monkeypatch):
    """Another writer takes the next customer id before each of our writes: the job loses
    that compare-and-set once, reserves an id outright and is recorded (it used to lose
    again and again until it answered 409)."""
    from chalicelib.dispatch import service as dispatch_service
    from chalicelib.platform import counters

    read = dispatch_service.get_many

    def racing_read(*args, **kwargs):
        got = read(*args, **kwargs)
        counters.next_id(owner.tenant_id, "customer")
        return got

    monkeypatch.setattr(dispatch_service, "get_many", racing_read)
    job = _job(api, owner, customer_name="Burst Customer")
    customer = api.get(f"/admin/customers/{job['customer_id']}", as_=owner)
    assert customer.status == 200 and customer.data["name"] == "Burst Customer"


def test_a_technician_only_sees_and_moves_their_own_jobs(api, owner):
    tech, login = technician_login(api, owner)
    other, other_login = technician_login(api, owner, name="Olly Other")
    job = _job(api, owner)
    api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    path = f"/tech/dispatch/my-jobs/{job['id']}"
    assert api.patch(f"{path}/acknowledge", as_=other_login).status == 404
    assert api.patch(f"{path}/status", {"status": "en_route"}, as_=other_login).status == 404
    assert api.get("/tech/dispatch/my-jobs", as_=other_login).data["total"] == 0
    assert api.get(f"/admin/dispatch/{job['id']}", as_=login).status == 403
    assert api.patch(f"{path}/acknowledge", as_=login).status == 200


def test_other_tenants_ids_are_404(api, owner, other):
    job = _job(api, owner)
    tech = technician(api, owner)
    their_tech = technician(api, other)
    path = f"/admin/dispatch/{job['id']}"
    assert api.get(path, as_=other).status == 404
    assert api.get(f"{path}/history", as_=other).status == 404
    assert api.patch(path, {"title": "mine now"}, as_=other).status == 404
    assert api.patch(f"{path}/assign", {"technician_id": their_tech["id"]}, as_=other).status == 404
    assert api.patch(f"{path}/cancel", {"reason": "x"}, as_=other).status == 404
    assert api.patch(f"{path}/unassign", as_=other).status == 404
    reply = api.patch(f"{path}/assign", {"technician_id": tech["id"] + 100}, as_=owner)
    assert reply.status == 422
    assert api.get("/admin/dispatch", as_=other).data["total"] == 0
    assert api.get(f"/admin/dispatch/board?date={DAY}", as_=other).data["total"] == 0


def test_totals_stay_exact_through_creates_and_moves(api, owner):
    a = technician(api, owner)
    jobs = [_job(api, owner, priority=p) for p in ("low", "high", "high", "urgent")]
    _job(api, owner, priority="normal", scheduled_start="2026-03-29T09:00:00Z", scheduled_end=None)
    dispatcher = staff(owner, "dispatcher")

    def total(query=""):
        return api.get(f"/admin/dispatch?{query}", as_=dispatcher).data["total"]

    assert (total(), total(f"date={DAY}"), total("priority=high")) == (5, 4, 2)
    api.patch(f"/admin/dispatch/{jobs[1]['id']}/assign", {"technician_id": a["id"]}, as_=owner)
    api.patch(f"/admin/dispatch/{jobs[2]['id']}/cancel", {"reason": "dup"}, as_=owner)
    api.patch(f"/admin/dispatch/{jobs[0]['id']}", {"priority": "high"}, as_=owner)
    api.patch(
        f"/admin/dispatch/{jobs[3]['id']}",
        {"scheduled_start": "2026-03-29T07:00:00Z", "scheduled_end": "2026-03-29T08:00:00Z"},
        as_=owner,
    )
    assert total("status=pending") == 3 and total("status=dispatched") == 1
    assert total("status=cancelled") == 1 and total("priority=high") == 3
    assert total(f"date={DAY}") == 3 and total("date=2026-03-29") == 2
    assert total(f"technician_id={a['id']}") == 1
    assert total(f"technician_id={a['id']}&status=pending") == 0
    page = api.get("/admin/dispatch?limit=2", as_=owner).data
    assert page["total_pages"] == 3 and page["next_cursor"]
    seen = [j["id"] for j in page["items"]]
    while page["next_cursor"]:
        page = api.get(f"/admin/dispatch?limit=2&cursor={page['next_cursor']}", as_=owner).data
        seen += [j["id"] for j in page["items"]]
    assert sorted(seen) == list(range(1, 6))


def test_board_groups_by_technician_with_positions(api, owner):
    tech, login = technician_login(api, owner)
    idle = technician(api, owner, name="Idle Ida")
    assigned, unassigned = _job(api, owner), _job(api, owner, title="Later")
    _job(api, owner, scheduled_start="2026-03-29T09:00:00Z", scheduled_end=None)
    api.patch(f"/admin/dispatch/{assigned['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    reply = api.post("/tech/dispatch/location", {**GPS, "speed": 35.5, "heading": 180}, as_=login)
    assert reply.status == 201 and reply.data["technician_id"] == tech["id"]
    board = api.get(f"/admin/dispatch/board?date={DAY}", as_=owner).data
    assert board["date"] == DAY and board["total"] == 2
    assert [j["id"] for j in board["unassigned"]] == [unassigned["id"]]
    columns = {c["technician_id"]: c for c in board["technicians"]}
    assert [j["id"] for j in columns[tech["id"]]["jobs"]] == [assigned["id"]]
    assert columns[tech["id"]]["status"] == "dispatched"
    assert columns[tech["id"]]["position"]["lat"] == 27.9506
    assert columns[tech["id"]]["position"]["lng"] == -82.4572
    assert columns[idle["id"]]["status"] == "available" and columns[idle["id"]]["position"] is None


def test_board_is_a_bounded_number_of_queries(api, owner):
    for _ in range(3):
        _job(api, owner)
    with counting_reads() as reads:
        assert api.get(f"/admin/dispatch/board?date={DAY}", as_=owner).status == 200
    small = reads.calls["Query"]
    for _ in range(12):
        _job(api, owner, scheduled_start="2026-03-30T09:00:00Z", scheduled_end=None)
        _job(api, owner)
    with counting_reads() as reads:
        assert api.get(f"/admin/dispatch/board?date={DAY}", as_=owner).status == 200
    assert reads.calls["Query"] == small == 3
    assert reads.calls["Scan"] == 0


def test_dynamodb_calls_per_create_assign_and_move(api, owner):
    tech, login = technician_login(api, owner)
    with counting_reads() as create:
        job = _job(api, owner)
    with counting_reads() as assign:
        api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    with counting_reads() as move:
        api.patch(f"/tech/dispatch/my-jobs/{job['id']}/acknowledge", as_=login)
    with counting_reads() as gps:
        path = f"/tech/dispatch/my-jobs/{job['id']}/status"
        api.patch(path, {"status": "en_route", **GPS}, as_=login)
    # besides rate limiting (an UpdateItem per scope): the route decorator's GetItem of
    # the caller's account, then the job's own calls
    for reads in (create, assign, move, gps):
        assert reads.calls.pop("UpdateItem") == 2  # the IP and tenant rate-limit windows
    assert create.calls == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    assert assign.calls == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    assert move.calls == {"GetItem": 2, "TransactWriteItems": 1}
    assert gps.calls == {"GetItem": 2, "TransactWriteItems": 1}


def test_stream_sends_the_events_after_last_event_id(api, owner, monkeypatch):
    from datetime import timedelta

    from chalicelib.dispatch import api as dispatch_api

    monkeypatch.setattr(dispatch_api, "STREAM_SETTLE", timedelta(0))
    job = _job(api, owner)
    api.patch(f"/admin/dispatch/{job['id']}/cancel", {"reason": "x"}, as_=owner)
    reply = api.get(f"/admin/dispatch/stream?access_token={owner.access_token}")
    assert reply.status == 200 and reply.headers["content-type"] == "text/event-stream"
    text = reply.raw.decode()
    ids = [line[4:] for line in text.splitlines() if line.startswith("id: ")]
    # message events (what the reference's onmessage receives), their kind in the data
    assert {line for line in text.splitlines() if line.startswith("event: ")} == {"event: message"}
    assert [
        json.loads(line[6:])["type"] for line in text.splitlines() if line.startswith("data: ")
    ] == ["job.created", "job.cancelled"]
    reply = api.get("/admin/dispatch/stream", as_=owner, headers={"Last-Event-ID": ids[0]})
    assert [line[4:] for line in reply.raw.decode().splitlines() if line.startswith("id: ")] == [
        ids[1]
    ]
    assert api.get("/admin/dispatch/stream?access_token=nope").status == 401
