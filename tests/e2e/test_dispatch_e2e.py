"""The reference's Dispatch curls, over real HTTP against the `make run` stack: create,
suggestions, assign, my-jobs, acknowledge, status with GPS, location, board,
optimize-routes (the reference's text with only the host, ids and placeholders
substituted), then the stream."""

from __future__ import annotations

import json
import textwrap
import time
import urllib.request

from tests.e2e.test_auth_e2e import curl, needs_curl

PASSWORD = "techPassword123!"


def _sub(text: str, token: str, tenant: str, **ids: int) -> str:
    text = textwrap.dedent(text).replace("<access_token>", token).replace("<tenant-uuid>", tenant)
    for old, new in ids.items():
        text = text.replace(old.replace("_", "/"), str(new))
    return text


@needs_curl
def test_reference_dispatch_curls(stack):
    account = stack.register("Dispatch Cooling")
    headers, tenant, token = account["headers"], account["tenant_id"], account["access_token"]
    status, _, tech = stack.request(
        "POST",
        "/api/v1/admin/technicians",
        {
            "name": "Tina Tech",
            "pay_type": "hourly",
            "base_pay_cents": 2500,
            "username": "tinadispatch",
            "password": PASSWORD,
        },
        headers,
    )
    assert status == 201, tech
    tech_id = tech["data"]["id"]
    status, _, login = stack.request(
        "POST",
        "/api/v1/auth/login",
        {"username": "tinadispatch", "password": PASSWORD},
        {"X-Tenant-Id": tenant},
    )
    assert status == 200, login
    tech_token = login["data"]["access_token"]

    created = curl(
        stack,
        _sub(
            """\
        curl -X POST https://api.tradekitt.com/api/v1/admin/dispatch \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{
            "title": "AC Repair - Smith Residence",
            "description": "Unit not cooling, thermostat reads 85F",
            "priority": "high",
            "customer_name": "John Smith",
            "service_address": "123 Oak St",
            "service_city": "Tampa",
            "service_state": "FL",
            "service_zip": "33601",
            "scheduled_start": "2026-03-28T09:00:00Z",
            "scheduled_end": "2026-03-28T11:00:00Z"
          }'""",
            token,
            tenant,
        ),
    )
    assert created["ok"] is True, created
    job = created["data"]
    assert job["status"] == "pending" and job["customer_name"] == "John Smith"
    jid = job["id"]

    suggested = curl(
        stack,
        _sub(
            f"""\
        curl "https://api.tradekitt.com/api/v1/admin/dispatch/{jid}/suggestions" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\"""",
            token,
            tenant,
        ),
    )
    assert suggested["ok"] is True and suggested["data"]["job_id"] == jid, suggested
    [best] = suggested["data"]["items"]
    assert best["technician_id"] == tech_id and best["name"] == "Tina Tech"
    assert 0 <= best["score"] <= 100 and set(best["points"]) >= {"skills", "distance", "load"}

    assigned = curl(
        stack,
        _sub(
            f"""\
        curl -X PATCH https://api.tradekitt.com/api/v1/admin/dispatch/{jid}/assign \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{{"technician_id": {tech_id}}}'""",
            token,
            tenant,
        ),
    )
    assert assigned["data"]["status"] == "dispatched", assigned

    mine = curl(
        stack,
        _sub(
            """\
        curl "https://api.tradekitt.com/api/v1/tech/dispatch/my-jobs?date=2026-03-28" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\"""",
            tech_token,
            tenant,
        ),
    )
    assert [j["id"] for j in mine["data"]["items"]] == [jid], mine

    acked = curl(
        stack,
        _sub(
            f"""\
        curl -X PATCH https://api.tradekitt.com/api/v1/tech/dispatch/my-jobs/{jid}/acknowledge \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\"""",
            tech_token,
            tenant,
        ),
    )
    assert acked["data"]["status"] == "acknowledged", acked
    status, _, moved = stack.request(
        "PATCH",
        f"/api/v1/tech/dispatch/my-jobs/{jid}/status",
        {"status": "en_route"},
        {"Authorization": f"Bearer {tech_token}", "X-Tenant-Id": tenant},
    )
    assert status == 200, moved

    on_site = curl(
        stack,
        _sub(
            f"""\
        curl -X PATCH https://api.tradekitt.com/api/v1/tech/dispatch/my-jobs/{jid}/status \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{{"status": "on_site", "latitude": 27.9506, "longitude": -82.4572}}'""",
            tech_token,
            tenant,
        ),
    )
    assert on_site["data"]["status"] == "on_site", on_site

    located = curl(
        stack,
        _sub(
            """\
        curl -X POST https://api.tradekitt.com/api/v1/tech/dispatch/location \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{"latitude": 27.9506, "longitude": -82.4572, "speed": 35.5, "heading": 180}'""",
            tech_token,
            tenant,
        ),
    )
    assert located["data"]["technician_id"] == tech_id, located

    board = curl(
        stack,
        _sub(
            """\
        curl "https://api.tradekitt.com/api/v1/admin/dispatch/board?date=2026-03-28" \\
          -H "Authorization: Bearer <access_token>" \\
          -H "X-Tenant-Id: <tenant-uuid>\"""",
            token,
            tenant,
        ),
    )["data"]
    column = next(c for c in board["technicians"] if c["technician_id"] == tech_id)
    assert [j["id"] for j in column["jobs"]] == [jid] and column["status"] == "on_site"
    assert column["position"]["lat"] == 27.9506 and column["position"]["lng"] == -82.4572

    optimized = curl(
        stack,
        _sub(
            """\
        curl -X POST https://api.tradekitt.com/api/v1/admin/dispatch/optimize-routes \\
          -H "Authorization: Bearer <access_token>" \\
          -H "Content-Type: application/json" \\
          -H "X-Tenant-Id: <tenant-uuid>" \\
          -d '{"date": "2026-03-28"}'""",
            token,
            tenant,
        ),
    )
    assert optimized["ok"] is True and optimized["data"]["date"] == "2026-03-28", optimized
    [route] = optimized["data"]["routes"]
    assert route["technician_id"] == tech_id and route["name"] == "Tina Tech"
    # the job has no coordinates: its ZIP's centroid; the day starts at the last GPS fix
    assert route["order"] == [jid] and route["skipped_job_ids"] == []
    assert route["start"] == {"lat": 27.9506, "lng": -82.4572, "source": "gps"}
    assert route["distance_before_km"] == route["distance_after_km"] > 0
    assert route["feasible"] is True and route["stops"][0]["estimated_arrival"]
    assert optimized["data"]["applied"] is False

    history = stack.request("GET", f"/api/v1/admin/dispatch/{jid}/history", headers=headers)
    assert [m["to_status"] for m in history[2]["data"]["items"]] == [
        "pending",
        "dispatched",
        "acknowledged",
        "en_route",
        "on_site",
    ]

    # the stream: every change so far (events a second old or more), then it ends; the
    # token as a query parameter works too, and Last-Event-ID resumes after an event
    time.sleep(1.2)
    url = f"{stack.base_url}/api/v1/admin/dispatch/stream?access_token={token}"
    with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - localhost
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        text = resp.read().decode()
    assert text.startswith("retry: ")
    ids = [line[4:] for line in text.splitlines() if line.startswith("id: ")]
    # message events (the reference's onmessage receives them), their kind in the data
    assert {line for line in text.splitlines() if line.startswith("event: ")} == {"event: message"}
    events = [json.loads(line[6:])["type"] for line in text.splitlines() if line[:6] == "data: "]
    assert events == [
        "job.created",
        "job.assigned",
        "job.acknowledged",
        "job.en_route",
        "job.on_site",
        "technician.location",
    ], text
    request = urllib.request.Request(
        f"{stack.base_url}/api/v1/admin/dispatch/stream",
        headers={**headers, "Last-Event-ID": ids[3]},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - localhost
        resumed = resp.read().decode()
    assert [line[4:] for line in resumed.splitlines() if line.startswith("id: ")] == ids[4:]
