"""Dispatch over real HTTP against the `make run` stack: every filter of the job list (by
page and by cursor), the technician's day, and the bad input the issue names (illegal
moves, another technician's or tenant's job, coordinates out of range, an unknown ZIP
without coordinates, an end before the start, an unknown technician)."""

from __future__ import annotations

from tests.e2e.conftest import ok

JOBS = "/api/v1/admin/dispatch"
PASSWORD = "techPassword123!"
BASE = {
    "title": "Furnace check",
    "customer_name": "Rita Rules",
    "service_zip": "33601",
    "scheduled_start": "2026-05-04T09:00:00Z",
    "scheduled_end": "2026-05-04T10:00:00Z",
}


def _technician(stack, headers, tenant, name: str) -> tuple[int, dict[str, str]]:
    username = name.lower().replace(" ", "")
    tech = stack.create(
        "/admin/technicians",
        {
            "name": name,
            "pay_type": "hourly",
            "base_pay_cents": 2500,
            "username": username,
            "password": PASSWORD,
        },
        headers,
    )
    login = ok(
        stack.request(
            "POST",
            "/api/v1/auth/login",
            {"username": username, "password": PASSWORD},
            {"X-Tenant-Id": tenant},
        )
    )
    return tech["id"], {"Authorization": f"Bearer {login['access_token']}", "X-Tenant-Id": tenant}


def _ids(stack, headers, query: str) -> tuple[list[int], int]:
    """Every id of ``GET /admin/dispatch?<query>`` walked two a page by cursor, and the
    total; the same walk by page number must agree."""
    by_cursor: list[int] = []
    cursor = ""
    while True:
        page = ok(stack.request("GET", f"{JOBS}?{query}&limit=2&cursor={cursor}", None, headers))
        by_cursor += [job["id"] for job in page["items"]]
        cursor = page.get("next_cursor") or ""
        if not cursor:
            break
    by_page: list[int] = []
    for number in range(1, page["total_pages"] + 1):
        page = ok(stack.request("GET", f"{JOBS}?{query}&limit=2&page={number}", None, headers))
        by_page += [job["id"] for job in page["items"]]
    assert by_page == by_cursor, query
    assert len(by_cursor) == page["total"], query
    return by_cursor, page["total"]


def test_every_job_filter_and_the_bad_input(stack):
    account = stack.register("Rules Heating")
    headers, tenant = account["headers"], account["tenant_id"]
    ana, ana_h = _technician(stack, headers, tenant, "Ana Rules")
    ben, ben_h = _technician(stack, headers, tenant, "Ben Rules")

    made = {}
    for name, fields in {
        "a": {"priority": "urgent"},
        "b": {"priority": "low"},
        "c": {
            "priority": "urgent",
            "scheduled_start": "2026-05-05T09:00:00Z",
            "scheduled_end": "2026-05-05T10:00:00Z",
        },
        "d": {},
        "e": {"priority": "urgent"},
    }.items():
        made[name] = stack.create("/admin/dispatch", {**BASE, **fields}, headers)["id"]
    for name, tech in (("a", ana), ("c", ana), ("d", ben)):
        ok(stack.request("PATCH", f"{JOBS}/{made[name]}/assign", {"technician_id": tech}, headers))
    ok(stack.request("PATCH", f"{JOBS}/{made['e']}/cancel", {"reason": "duplicate"}, headers))

    ids = {name: made[name] for name in made}
    assert sorted(_ids(stack, headers, "date=2026-05-04")[0]) == sorted(ids[n] for n in "abde")
    assert sorted(_ids(stack, headers, "status=dispatched")[0]) == sorted(ids[n] for n in "acd")
    assert _ids(stack, headers, "status=cancelled")[0] == [ids["e"]]
    assert sorted(_ids(stack, headers, "priority=urgent")[0]) == sorted(ids[n] for n in "ace")
    assert sorted(_ids(stack, headers, f"technician_id={ana}")[0]) == sorted(ids[n] for n in "ac")
    assert _ids(stack, headers, f"technician_id={ana}&date=2026-05-05")[0] == [ids["c"]]
    assert _ids(stack, headers, "priority=urgent&status=pending")[1] == 0
    assert _ids(stack, headers, "status=pending")[0] == [ids["b"]]
    mine = ok(stack.request("GET", "/api/v1/tech/dispatch/my-jobs?date=2026-05-04", None, ana_h))
    assert [job["id"] for job in mine["items"]] == [ids["a"]]

    def refused(method: str, path: str, body, who, status: int, field: str | None = None):
        got, _, reply = stack.request(method, path, body, who)
        assert got == status, (method, path, body, reply)
        if field is not None:
            assert reply["error"]["details"][0]["field"] == field, reply

    # every move the workflow does not allow is 409
    refused(
        "PATCH",
        f"/api/v1/tech/dispatch/my-jobs/{ids['a']}/status",
        {"status": "on_site"},
        ana_h,
        409,
    )
    refused(
        "PATCH",
        f"/api/v1/tech/dispatch/my-jobs/{ids['a']}/status",
        {"status": "completed"},
        ana_h,
        409,
    )
    refused("PATCH", f"{JOBS}/{ids['e']}/assign", {"technician_id": ana}, headers, 409)
    refused("PATCH", f"{JOBS}/{ids['e']}/cancel", {"reason": "again"}, headers, 409)
    # a technician on another's job, another tenant's job
    refused("PATCH", f"/api/v1/tech/dispatch/my-jobs/{ids['a']}/acknowledge", None, ben_h, 404)
    other = stack.register("Other Rules")["headers"]
    refused("GET", f"{JOBS}/{ids['a']}", None, other, 404)
    refused("PATCH", f"{JOBS}/{ids['a']}/assign", {"technician_id": ana}, other, 404)
    # coordinates, places, windows and technicians
    refused("POST", JOBS, {**BASE, "latitude": 90.5, "longitude": 0}, headers, 422, "latitude")
    refused("POST", JOBS, {**BASE, "latitude": 0, "longitude": -180.5}, headers, 422, "longitude")
    refused(
        "POST",
        "/api/v1/tech/dispatch/location",
        {"latitude": -91, "longitude": 0},
        ana_h,
        422,
        "latitude",
    )
    refused("POST", JOBS, {**BASE, "service_zip": "00000"}, headers, 422, "service_zip")
    refused(
        "POST",
        JOBS,
        {**BASE, "scheduled_end": "2026-05-04T08:00:00Z"},
        headers,
        422,
        "scheduled_end",
    )
    refused(
        "PATCH", f"{JOBS}/{ids['b']}/assign", {"technician_id": 999}, headers, 422, "technician_id"
    )
    refused("GET", f"{JOBS}?status=unknown", None, headers, 400)
