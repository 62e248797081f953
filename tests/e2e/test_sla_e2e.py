"""SLA management over real HTTP against the `make run` stack: policies (read, set, remove,
bad input), the deadlines of new and re-prioritised jobs, a violation recorded by a late
acknowledge and one by the scheduled sweep (fired as ``make tick`` does:
``python -m infra.local.worker --once``), each once, and every filter of
``GET /admin/sla/violations`` with its cursor.

The shortest policy is one minute, so the test waits that minute once."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, datetime

from tests.e2e.conftest import ROOT, ok

API = "/api/v1"
PASSWORD = "techPassword123!"


def _tick(stack) -> None:
    """``make tick``: every schedule once (the SLA sweep among them), against the stack's
    emulator and local DynamoDB."""
    env = dict(stack.env)
    for name, value in (  # what infra.local.run gives every local process
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        env.setdefault(name, value)
    found = re.search(r"Starting dynoxide \(the local DynamoDB\) on port (\d+)", stack.log())
    if found:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{found.group(1)}"
    done = subprocess.run(
        [sys.executable, "-m", "infra.local.worker", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sweep_sla_deadlines failed" not in done.stdout + done.stderr, done.stderr


def _wait_past(moment: str) -> None:
    due = datetime.fromisoformat(moment)
    while (left := (due - datetime.now(UTC)).total_seconds()) > -1:
        time.sleep(min(max(left + 1.1, 0.1), 5))


def test_sla_policies_deadlines_and_violations(stack):
    account = stack.register("SLA Heating")
    headers, tenant = account["headers"], account["tenant_id"]

    def call(method, path, body=None, as_=headers):
        return stack.request(method, API + path, body, as_)

    policies = ok(call("GET", "/admin/sla"))
    assert [p["priority"] for p in policies["items"]] == ["low", "normal", "high", "urgent"]
    assert not any(p["configured"] for p in policies["items"])
    status, _, body = call(
        "PATCH", "/admin/sla", {"high": {"response_minutes": 9, "resolution_minutes": 5}}
    )
    assert status == 422 and body["error"]["code"] == "VALIDATION_ERROR"
    assert body["error"]["details"][0]["field"] == "high.response_minutes"
    status, _, body = call(
        "PATCH", "/admin/sla", {"critical": {"response_minutes": 1, "resolution_minutes": 2}}
    )
    assert status == 422, body
    body = {
        "urgent": {"response_minutes": 1, "resolution_minutes": 30},
        "high": {"response_minutes": 1, "resolution_minutes": 60},
        "low": {"response_minutes": 600, "resolution_minutes": 6000},
    }
    by = {p["priority"]: p for p in ok(call("PATCH", "/admin/sla", body))["items"]}
    assert by["urgent"]["response_minutes"] == 1 and by["high"]["resolution_minutes"] == 60
    by = {p["priority"]: p for p in ok(call("PATCH", "/admin/sla", {"low": None}))["items"]}
    assert not by["low"]["configured"] and by["urgent"]["configured"]
    assert ok(call("GET", "/admin/sla"))["items"] == list(by.values())

    tech = stack.create(
        "/admin/technicians",
        {"name": "Tina Slow", "username": "tinasla", "password": PASSWORD},
        headers,
    )
    login = ok(
        stack.request(
            "POST",
            API + "/auth/login",
            {"username": "tinasla", "password": PASSWORD},
            {"X-Tenant-Id": tenant},
        )
    )
    tech_headers = {"Authorization": f"Bearer {login['access_token']}", "X-Tenant-Id": tenant}

    late = stack.create("/admin/dispatch", {"title": "Late ack", "priority": "urgent"}, headers)
    idle = stack.create("/admin/dispatch", {"title": "Nobody came", "priority": "high"}, headers)
    plain = stack.create("/admin/dispatch", {"title": "No policy", "priority": "normal"}, headers)
    for job in (late, idle):
        created = datetime.fromisoformat(job["created_at"])
        response = datetime.fromisoformat(job["sla_response_due"])
        assert (response - created).total_seconds() == 60, job
    assert plain["sla_response_due"] is None and plain["sla_resolution_due"] is None
    moved = ok(call("PATCH", f"/admin/dispatch/{plain['id']}", {"priority": "urgent"}))
    assert moved["sla_response_due"] is not None and moved["sla_resolution_due"] is not None
    back = ok(call("PATCH", f"/admin/dispatch/{plain['id']}", {"priority": "normal"}))
    assert back["sla_response_due"] is None
    ok(call("PATCH", f"/admin/dispatch/{late['id']}/assign", {"technician_id": tech["id"]}))
    assert ok(call("GET", "/admin/sla/violations"))["total"] == 0

    _wait_past(idle["sla_response_due"])
    acked = stack.request(
        "PATCH", f"{API}/tech/dispatch/my-jobs/{late['id']}/acknowledge", None, tech_headers
    )
    assert acked[0] == 200, acked[2]
    page = ok(call("GET", "/admin/sla/violations"))
    assert page["total"] == 1
    [v] = page["items"]
    assert (v["job_id"], v["kind"], v["priority"], v["technician_id"]) == (
        late["id"],
        "response",
        "urgent",
        tech["id"],
    )
    assert (
        v["met_at"] == acked[2]["data"]["acknowledged_at"] and v["due"] == late["sla_response_due"]
    )

    _tick(stack)  # the sweep records the job nobody acknowledged
    _tick(stack)  # and a second run records nothing again
    page = ok(call("GET", "/admin/sla/violations"))
    assert page["total"] == 2, page
    assert [(v["job_id"], v["kind"]) for v in page["items"]] == [
        (idle["id"], "response"),
        (late["id"], "response"),
    ]  # the later deadline first
    swept = page["items"][0]
    assert swept["met_at"] is None and swept["technician_id"] is None
    assert swept["title"] == "Nobody came"

    def total(query):
        return ok(call("GET", f"/admin/sla/violations?{query}"))["total"]

    today = datetime.now(UTC).date().isoformat()
    day = late["sla_response_due"][:10]
    assert total("kind=response") == 2 and total("kind=resolution") == 0
    assert total("priority=urgent") == 1 and total("priority=high&kind=response") == 1
    assert total(f"technician_id={tech['id']}") == 1
    assert total(f"technician_id={tech['id']}&priority=high") == 0
    assert total(f"date_from={day}&date_to={max(day, today)}") == 2
    assert total("date_from=2020-01-01&date_to=2020-01-31") == 0
    first = ok(call("GET", "/admin/sla/violations?limit=1"))
    assert first["total_pages"] == 2 and first["next_cursor"]
    second = ok(call("GET", f"/admin/sla/violations?limit=1&cursor={first['next_cursor']}"))
    assert second["next_cursor"] is None
    assert [first["items"][0]["job_id"], second["items"][0]["job_id"]] == [idle["id"], late["id"]]
    status, _, body = call("GET", "/admin/sla/violations?kind=late")
    assert status == 400 and body["error"]["code"] == "BAD_REQUEST"

    # the technician may not read them; another tenant sees none
    assert stack.request("GET", API + "/admin/sla/violations", None, tech_headers)[0] == 403
    stranger = stack.register("SLA Stranger")
    assert ok(call("GET", "/admin/sla/violations", as_=stranger["headers"]))["total"] == 0
