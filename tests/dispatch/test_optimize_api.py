"""``POST /admin/dispatch/optimize-routes``: the reference's call, each technician's day
ordered (windows honoured, start point, skipped jobs), ``apply`` saving the order that
the board follows, what clears it, a lost race, bad input and the DynamoDB calls."""

from __future__ import annotations

import json

from chalicelib.dispatch.rules import geo
from tests.support.reads import counting_reads
from tests.support.sales_helpers import technician, technician_login

DAY = "2026-03-28"
PATH = "/admin/dispatch/optimize-routes"
TAMPA = (27.9506, -82.4572)
STEP = 0.05  # degrees of latitude between neighbouring stops (about 5.6 km)


def _job(api, owner, lat=None, lng=None, *, start="09:00", end="17:00", tech=None, **fields):
    body = {"title": "Stop", "customer_name": "Route Customer", **fields}
    if lat is not None:
        body |= {"latitude": lat, "longitude": lng}
    if start:
        body["scheduled_start"] = f"{DAY}T{start}:00Z"
    if end:
        body["scheduled_end"] = f"{DAY}T{end}:00Z"
    reply = api.post("/admin/dispatch", body, as_=owner)
    assert reply.status == 201, reply.raw
    job = reply.data
    if tech is not None:
        reply = api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech}, as_=owner)
        assert reply.status == 200, reply.raw
    return job


def _zigzag(api, owner, tech, places=(0, 3, 1, 2)):
    """Jobs on a north-south line, scheduled (wide windows) in a zig-zag order; returns
    them in that order and the ids in line order."""
    jobs = [
        _job(api, owner, TAMPA[0] + k * STEP, TAMPA[1], start=f"09:0{i}", tech=tech)
        for i, k in enumerate(places)
    ]
    line = [j["id"] for _, j in sorted(zip(places, jobs, strict=True), key=lambda p: p[0])]
    return jobs, line


def _route(reply, tech_id):
    assert reply.status == 200, reply.raw
    [route] = [r for r in reply.data["routes"] if r["technician_id"] == tech_id]
    return route


def _km(points):
    return sum(geo.distance_km(a, b) for a, b in zip(points, points[1:], strict=False))


def test_reference_call_orders_each_technicians_day(api, owner):
    a = technician(api, owner, name="Ana Route")
    b = technician(api, owner, name="Ben Route")
    jobs, line = _zigzag(api, owner, a["id"])
    solo = _job(api, owner, *TAMPA, tech=b["id"])
    _job(api, owner, *TAMPA)  # unassigned: nobody's route
    cancelled = _job(api, owner, TAMPA[0] + 9 * STEP, TAMPA[1], tech=a["id"])
    api.patch(f"/admin/dispatch/{cancelled['id']}/cancel", {"reason": "x"}, as_=owner)
    _job(api, owner, TAMPA[0] + 7 * STEP, TAMPA[1], tech=a["id"], start=None, end=None)  # today

    reply = api.post(PATH, {"date": DAY}, as_=owner)
    data = reply.data
    assert data["date"] == DAY and data["applied"] is False
    assert [r["technician_id"] for r in data["routes"]] == [a["id"], b["id"]]
    route = _route(reply, a["id"])
    assert route["name"] == "Ana Route"
    assert route["order"] == line and route["changed"] is True
    assert route["method"] == "exact" and route["feasible"] is True
    assert route["late_job_ids"] == [] and route["skipped_job_ids"] == []
    # no home base and no GPS fix: the day starts at its first stop (the current order's)
    first = jobs[0]
    assert route["start"] == {
        "lat": first["latitude"],
        "lng": first["longitude"],
        "source": "first_stop",
    }
    points = [TAMPA[0] + k * STEP for k in (0, 3, 1, 2)]
    before = _km([(lat, TAMPA[1]) for lat in points])
    assert abs(route["distance_before_km"] - before) < 0.01
    assert (
        abs(route["distance_after_km"] - 3 * geo.distance_km(TAMPA, (TAMPA[0] + STEP, TAMPA[1])))
        < 0.01
    )
    assert route["distance_after_km"] < route["distance_before_km"]
    stops = route["stops"]
    assert [s["job_id"] for s in stops] == line and [s["position"] for s in stops] == [1, 2, 3, 4]
    arrivals = [s["estimated_arrival"] for s in stops]
    assert all(arrivals) and arrivals == sorted(arrivals)
    assert all(s["window_end"] == f"{DAY}T17:00:00Z" and not s["late"] for s in stops)
    assert route["departure"] <= f"{DAY}T09:00:00Z"
    assert _route(reply, b["id"])["order"] == [solo["id"]]
    # without apply nothing is saved and the board keeps its order
    assert api.get(f"/admin/dispatch/{jobs[1]['id']}", as_=owner).data["route_position"] is None
    column = _column(api, owner, a["id"])
    assert [j["id"] for j in column if j["status"] == "dispatched"] == [j["id"] for j in jobs]


def _column(api, owner, tech_id):
    board = api.get(f"/admin/dispatch/board?date={DAY}", as_=owner).data
    return next(c for c in board["technicians"] if c["technician_id"] == tech_id)["jobs"]


def test_apply_saves_the_order_the_board_follows_and_changes_clear_it(api, owner):
    a = technician(api, owner)
    b = technician(api, owner)
    jobs, line = _zigzag(api, owner, a["id"])
    reply = api.post(PATH, {"date": DAY, "apply": True}, as_=owner)
    route = _route(reply, a["id"])
    assert reply.data["applied"] is True and route["applied"] is True and route["order"] == line
    for position, job_id in enumerate(line, 1):
        assert api.get(f"/admin/dispatch/{job_id}", as_=owner).data["route_position"] == position
    assert [j["id"] for j in _column(api, owner, a["id"])] == line

    # the same order again writes nothing
    with counting_reads() as again:
        assert (
            _route(api.post(PATH, {"date": DAY, "apply": True}, as_=owner), a["id"])["order"]
            == line
        )
    assert again.calls["TransactWriteItems"] == 0

    # a new job of the technician's day goes after the saved route until it is re-applied
    late_add = _job(api, owner, TAMPA[0] + 1.5 * STEP, TAMPA[1], tech=a["id"], start="08:00")
    assert [j["id"] for j in _column(api, owner, a["id"])] == [*line, late_add["id"]]
    # another technician, a new schedule or a new place clears a job's saved position
    moved, rescheduled, relocated = line[1], line[2], line[3]
    api.patch(f"/admin/dispatch/{moved}/assign", {"technician_id": b["id"]}, as_=owner)
    api.patch(f"/admin/dispatch/{rescheduled}", {"scheduled_end": f"{DAY}T18:00:00Z"}, as_=owner)
    api.patch(f"/admin/dispatch/{relocated}", {"latitude": 28.1, "longitude": -82.4}, as_=owner)
    for job_id in (moved, rescheduled, relocated):
        assert api.get(f"/admin/dispatch/{job_id}", as_=owner).data["route_position"] is None
    api.patch(f"/admin/dispatch/{line[0]}", {"title": "renamed"}, as_=owner)
    assert api.get(f"/admin/dispatch/{line[0]}", as_=owner).data["route_position"] == 1
    column = [j["id"] for j in _column(api, owner, a["id"])]
    assert column[0] == line[0] and set(column) == {line[0], rescheduled, relocated, late_add["id"]}

    # re-applied: every open job of the day has its place again
    route = _route(api.post(PATH, {"date": DAY, "apply": True}, as_=owner), a["id"])
    assert set(route["order"]) == {line[0], rescheduled, relocated, late_add["id"]}
    assert [j["id"] for j in _column(api, owner, a["id"])] == route["order"]
    positions = [
        api.get(f"/admin/dispatch/{j}", as_=owner).data["route_position"] for j in route["order"]
    ]
    assert positions == [1, 2, 3, 4]


def test_the_apply_event_reaches_the_stream(api, owner, monkeypatch):
    from datetime import timedelta

    from chalicelib.dispatch import api as dispatch_api

    monkeypatch.setattr(dispatch_api, "STREAM_SETTLE", timedelta(0))
    a = technician(api, owner)
    _, line = _zigzag(api, owner, a["id"])
    api.post(PATH, {"date": DAY, "apply": True}, as_=owner)
    text = api.get("/admin/dispatch/stream", as_=owner).raw.decode()
    events = [json.loads(t[6:]) for t in text.splitlines() if t.startswith("data: ")]
    [event] = [e for e in events if e["type"] == "route.optimized"]
    assert event["technician_id"] == a["id"] and event["order"] == line
    assert event["date"] == DAY


def test_windows_are_honoured(api, owner):
    tech = technician(api, owner)
    near, far = TAMPA, (TAMPA[0] + 4 * STEP, TAMPA[1])
    # the near job is booked late, the far one early: the far one goes first
    late = _job(
        api, owner, *near, start="13:00", end="14:00", tech=tech["id"], estimated_minutes=30
    )
    early = _job(
        api, owner, *far, start="09:00", end="09:30", tech=tech["id"], estimated_minutes=30
    )
    route = _route(api.post(PATH, {"date": DAY}, as_=owner), tech["id"])
    assert route["order"] == [early["id"], late["id"]] and route["feasible"] is True
    for stop in route["stops"]:
        assert stop["window_start"] <= stop["estimated_arrival"] <= stop["window_end"] or (
            stop["estimated_arrival"] <= stop["window_start"]  # early: waits for the window
        )
    # a day that cannot be met is answered with its late jobs, not an error
    other = technician(api, owner)
    a = _job(api, owner, *near, start="09:00", end="09:10", tech=other["id"], estimated_minutes=120)
    b = _job(api, owner, *far, start="09:00", end="09:10", tech=other["id"], estimated_minutes=120)
    route = _route(api.post(PATH, {"date": DAY}, as_=owner), other["id"])
    assert route["feasible"] is False and len(route["late_job_ids"]) == 1
    assert set(route["late_job_ids"]) < {a["id"], b["id"]}
    assert [s["late"] for s in route["stops"]].count(True) == 1


def test_start_point_and_skipped_jobs(api, owner):
    tech, login = technician_login(api, owner)
    jobs, line = _zigzag(api, owner, tech["id"])
    by_zip = _job(api, owner, tech=tech["id"], service_zip="33602")  # no coordinates: the ZIP
    nowhere = _job(api, owner, tech=tech["id"])  # neither: skipped, not an error
    route = _route(api.post(PATH, {"date": DAY}, as_=owner), tech["id"])
    assert route["skipped_job_ids"] == [nowhere["id"]] and by_zip["id"] in route["order"]
    assert nowhere["id"] not in route["order"] and len(route["stops"]) == 5
    assert route["start"]["source"] == "first_stop"

    fix = {"latitude": 28.3, "longitude": -82.45}
    assert api.post("/tech/dispatch/location", fix, as_=login).status == 201
    route = _route(api.post(PATH, {"date": DAY}, as_=owner), tech["id"])
    assert route["start"] == {"lat": 28.3, "lng": -82.45, "source": "gps"}
    # from the north the line is walked from its northern end
    assert route["order"][:3] == line[::-1][:3]

    # a home base on the technician's record wins over the GPS fix
    home = {"home_latitude": 27.5, "home_longitude": -82.5}
    assert api.patch(f"/admin/technicians/{tech['id']}", home, as_=owner).status == 200
    with counting_reads() as reads:
        route = _route(api.post(PATH, {"date": DAY}, as_=owner), tech["id"])
    assert reads.calls["Query"] == 1  # every technician with stops has a home: no positions
    assert route["start"] == {"lat": 27.5, "lng": -82.5, "source": "home"}


def test_technician_ids_pick_the_routes(api, owner):
    a = technician(api, owner)
    b = technician(api, owner)
    idle = technician(api, owner)
    _zigzag(api, owner, a["id"])
    _job(api, owner, *TAMPA, tech=b["id"])
    reply = api.post(
        PATH, {"date": DAY, "technician_ids": [idle["id"], b["id"], b["id"]]}, as_=owner
    )
    routes = reply.data["routes"]
    assert [r["technician_id"] for r in routes] == [idle["id"], b["id"]]
    assert routes[0]["order"] == [] and routes[0]["method"] == "none" and routes[0]["start"] is None
    assert routes[0]["distance_before_km"] == routes[0]["distance_after_km"] == 0
    assert len(routes[1]["order"]) == 1


def test_bad_input(api, owner, other):
    mine = technician(api, owner)
    theirs = [technician(api, other) for _ in range(3)][-1]  # an id the owner has not
    assert theirs["id"] > mine["id"]
    for body, field in [
        ({"date": "2026-13-01"}, "date"),
        ({"date": "28/03/2026"}, "date"),
        ({}, "date"),
        ({"date": DAY, "apply": "yes"}, "apply"),
        ({"date": DAY, "technician_ids": "3"}, "technician_ids"),
        ({"date": DAY, "technician_ids": [0]}, "technician_ids.0"),
        ({"date": DAY, "technician_ids": [mine["id"], 999]}, "technician_ids.1"),
        ({"date": DAY, "technician_ids": [theirs["id"]]}, "technician_ids.0"),
    ]:
        reply = api.post(PATH, body, as_=owner)
        assert reply.status == 422, (body, reply.raw)
        assert reply.error["code"] == "VALIDATION_ERROR"
        assert reply.error["details"][0]["field"] == field, (body, reply.raw)
    # an empty day is an empty list, with or without apply
    for body in ({"date": "2026-04-01"}, {"date": "2026-04-01", "apply": True}):
        reply = api.post(PATH, body, as_=owner)
        assert reply.status == 200 and reply.data["routes"] == [], reply.raw
    # the other tenant's jobs are not the owner's day
    _job(api, other, *TAMPA, tech=theirs["id"])
    assert api.post(PATH, {"date": DAY}, as_=owner).data["routes"] == []
    assert len(api.post(PATH, {"date": DAY}, as_=other).data["routes"]) == 1


def test_a_lost_race_is_re_read_and_retried(api, owner, monkeypatch):
    from chalicelib.dispatch import optimize, store

    tech = technician(api, owner)
    jobs, line = _zigzag(api, owner, tech["id"])
    real = store.change_many
    raced = []

    def racing(changed, parts, checked=()):
        if not raced:  # another request changes a job between the read and the write
            raced.append(True)
            api.patch(f"/admin/dispatch/{jobs[2]['id']}", {"description": "edited"}, as_=owner)
        return real(changed, parts, checked)

    monkeypatch.setattr(optimize.store, "change_many", racing)
    with counting_reads() as reads:
        route = _route(api.post(PATH, {"date": DAY, "apply": True}, as_=owner), tech["id"])
    assert raced and route["order"] == line
    assert reads.calls["Query"] == 3  # the day twice, the positions once
    positions = [api.get(f"/admin/dispatch/{j}", as_=owner).data["route_position"] for j in line]
    assert positions == [1, 2, 3, 4]


def test_dynamodb_calls_per_optimize(api, owner):
    a, login = technician_login(api, owner)
    b = technician(api, owner)
    _zigzag(api, owner, a["id"])
    _zigzag(api, owner, b["id"], places=(2, 0, 1))
    for _ in range(6):  # other days' jobs are not read
        _job(api, owner, *TAMPA, start=None, end=None, tech=a["id"])
    with counting_reads() as plan:
        assert api.post(PATH, {"date": DAY}, as_=owner).status == 200
    with counting_reads() as apply:
        assert api.post(PATH, {"date": DAY, "apply": True}, as_=owner).status == 200
    api.post("/tech/dispatch/location", {"latitude": 28.0, "longitude": -82.5}, as_=login)
    with counting_reads() as again:
        assert api.post(PATH, {"date": DAY, "apply": True}, as_=owner).status == 200
    for reads in (plan, apply, again):
        assert reads.calls.pop("UpdateItem") == 2  # the IP and tenant rate-limit windows
        assert reads.calls["Scan"] == 0
    # the caller's account (GetItem), the day's jobs and the positions (2 Queries: no
    # technician has a home base), the tenant and both technicians (1 BatchGetItem)
    assert plan.calls == {"GetItem": 1, "Query": 2, "BatchGetItem": 1}
    assert plan.queried == 7 + 0  # the 7 jobs of the day; no positions yet
    # apply: one transaction per technician whose order changed
    assert apply.calls == {"GetItem": 1, "Query": 2, "BatchGetItem": 1, "TransactWriteItems": 2}
    # the new GPS fix changes the first technician's order only (or none)
    assert again.calls["TransactWriteItems"] <= 1


def test_a_day_past_one_transaction_is_saved_in_several(api, owner, monkeypatch):
    from chalicelib.dispatch import optimize

    monkeypatch.setattr(optimize, "TX_ITEMS", 3)  # 99 jobs per transaction in production
    tech = technician(api, owner)
    _, line = _zigzag(api, owner, tech["id"], places=(0, 4, 1, 3, 2))
    with counting_reads() as reads:
        route = _route(api.post(PATH, {"date": DAY, "apply": True}, as_=owner), tech["id"])
    assert route["order"] == line and reads.calls["TransactWriteItems"] == 2
    positions = [api.get(f"/admin/dispatch/{j}", as_=owner).data["route_position"] for j in line]
    assert positions == [1, 2, 3, 4, 5]
