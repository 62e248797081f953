"""``/admin/sla`` over the in-process client: policies, bad input, a job's deadlines, the
violations a late move or the sweep records (once), the list's filters, totals and
cursors, isolation, roles and the DynamoDB calls of the hooks and of the sweep."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.core import clock
from chalicelib.sla import sweep
from tests.support.isolation import assert_isolated
from tests.support.reads import counting_reads
from tests.support.sales_helpers import staff, technician, technician_login

POLICIES = {
    "urgent": {"response_minutes": 30, "resolution_minutes": 240},
    "high": {"response_minutes": 60, "resolution_minutes": 480},
}


class Clock:
    """``clock.now`` moved forward (tokens stay valid: they are 15 minutes long)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta(0)
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + self.offset)

    def advance(self, **delta: float) -> datetime:
        self.offset += timedelta(**delta)
        return clock.now()


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _policies(api, account, body, status=200):
    reply = api.patch("/admin/sla", body, as_=account)
    assert reply.status == status, reply.raw
    return reply


def _job(api, account, **fields):
    reply = api.post("/admin/dispatch", {"title": "No heat", **fields}, as_=account)
    assert reply.status == 201, reply.raw
    return reply.data


def _violations(api, account, query=""):
    reply = api.get(f"/admin/sla/violations{query}", as_=account)
    assert reply.status == 200, reply.raw
    return reply.data


def test_policies_set_read_and_remove(api, owner):
    fresh = api.get("/admin/sla", as_=owner).data
    assert [p["priority"] for p in fresh["items"]] == ["low", "normal", "high", "urgent"]
    assert not any(p["configured"] for p in fresh["items"])
    assert fresh["items"][0]["response_minutes"] is None

    shown = _policies(api, owner, POLICIES).data
    by = {p["priority"]: p for p in shown["items"]}
    assert by["urgent"]["response_minutes"] == 30 and by["urgent"]["resolution_minutes"] == 240
    assert by["high"]["configured"] and not by["low"]["configured"]
    assert api.get("/admin/sla", as_=owner).data == shown

    # only what is named changes; null removes; camelCase is accepted
    body = {"low": {"responseMinutes": 480, "resolutionMinutes": 2880}, "urgent": None}
    by = {p["priority"]: p for p in _policies(api, owner, body).data["items"]}
    assert by["low"]["response_minutes"] == 480 and by["high"]["response_minutes"] == 60
    assert not by["urgent"]["configured"] and by["urgent"]["resolution_minutes"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"high": {"response_minutes": 90, "resolution_minutes": 60}}, "high.response_minutes"),
        ({"high": {"response_minutes": 0, "resolution_minutes": 60}}, "high.response_minutes"),
        ({"high": {"response_minutes": -1, "resolution_minutes": 60}}, "high.response_minutes"),
        ({"high": {"response_minutes": 1.5, "resolution_minutes": 60}}, "high.response_minutes"),
        ({"high": {"response_minutes": "5", "resolution_minutes": 60}}, "high.response_minutes"),
        ({"high": {"response_minutes": 5}}, "high.resolution_minutes"),
        ({"high": {"response_minutes": 5, "resolution_minutes": 10**6}}, None),
        ({"critical": {"response_minutes": 5, "resolution_minutes": 10}}, "critical"),
        ({"high": "fast"}, "high"),
        ({}, "low"),
    ],
)
def test_bad_policies_are_422_naming_the_field(api, owner, body, field):
    reply = _policies(api, owner, body, 422)
    assert reply.error["code"] == "VALIDATION_ERROR"
    if field is not None:
        assert field in [d["field"] for d in reply.error["details"]], reply.raw
    assert not any(p["configured"] for p in api.get("/admin/sla", as_=owner).data["items"])


def test_roles_admins_and_managers_write_dispatchers_read(api, owner):
    manager = staff(owner, "manager", 11)
    dispatcher = staff(owner, "dispatcher", 12)
    _, tech_login = technician_login(api, owner)
    assert _policies(api, manager, POLICIES).status == 200
    assert api.get("/admin/sla", as_=dispatcher).status == 200
    assert api.get("/admin/sla/violations", as_=dispatcher).status == 200
    reply = api.patch("/admin/sla", POLICIES, as_=dispatcher)
    assert reply.status == 403 and reply.error["code"] == "FORBIDDEN"
    for path in ("/admin/sla", "/admin/sla/violations"):
        assert api.get(path, as_=tech_login).status == 403
    assert api.patch("/admin/sla", POLICIES, as_=tech_login).status == 403


def test_a_job_gets_its_deadlines_and_a_new_priority_new_ones(api, owner):
    _policies(api, owner, POLICIES)
    job = _job(api, owner, priority="high")
    created = _iso(job["created_at"])
    assert _iso(job["sla_response_due"]) - created == timedelta(minutes=60)
    assert _iso(job["sla_resolution_due"]) - created == timedelta(minutes=480)
    assert job["sla_response_due"].endswith("Z")
    assert api.get(f"/admin/dispatch/{job['id']}", as_=owner).data == job

    plain = _job(api, owner)  # normal: no policy, no deadlines
    assert plain["sla_response_due"] is None and plain["sla_resolution_due"] is None

    urgent = api.patch(f"/admin/dispatch/{job['id']}", {"priority": "urgent"}, as_=owner).data
    assert _iso(urgent["sla_response_due"]) - created == timedelta(minutes=30)
    assert _iso(urgent["sla_resolution_due"]) - created == timedelta(minutes=240)
    low = api.patch(f"/admin/dispatch/{job['id']}", {"priority": "low"}, as_=owner).data
    assert low["sla_response_due"] is None and low["sla_resolution_due"] is None
    # a policy change leaves existing jobs' deadlines alone
    _policies(api, owner, {"high": {"response_minutes": 5, "resolution_minutes": 10}})
    again = api.get(f"/admin/dispatch/{plain['id']}", as_=owner).data
    assert again["sla_response_due"] is None


def test_late_acknowledge_records_a_response_violation_once(api, owner, monkeypatch):
    now = Clock(monkeypatch)
    _policies(api, owner, {"high": {"response_minutes": 1, "resolution_minutes": 5}})
    tech, login = technician_login(api, owner, name="Tina Late")
    job = _job(api, owner, priority="high", title="Late response")
    api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    now.advance(minutes=2)
    path = f"/tech/dispatch/my-jobs/{job['id']}"
    reply = api.patch(f"{path}/acknowledge", as_=login)
    assert reply.status == 200, reply.raw
    page = _violations(api, owner)
    assert page["total"] == 1 and page["next_cursor"] is None
    [v] = page["items"]
    assert v == {
        "job_id": job["id"],
        "title": "Late response",
        "priority": "high",
        "kind": "response",
        "due": job["sla_response_due"],
        "met_at": v["met_at"],
        "technician_id": tech["id"],
        "technician_name": "Tina Late",
        "recorded_at": v["recorded_at"],
    }
    assert v["met_at"] > v["due"] and v["met_at"] == v["recorded_at"]
    # the sweep finds nothing more for it: the response is recorded, resolution is ahead
    assert sweep.sweep()["recorded"] == 0
    # further moves record nothing new until the resolution deadline passes
    api.patch(f"{path}/status", {"status": "en_route"}, as_=login)
    assert _violations(api, owner)["total"] == 1
    now.advance(minutes=4)
    for status in ("on_site", "in_progress", "completed"):
        assert api.patch(f"{path}/status", {"status": status}, as_=login).status == 200
    page = _violations(api, owner)
    assert [(v["kind"], v["job_id"]) for v in page["items"]] == [
        ("resolution", job["id"]),
        ("response", job["id"]),
    ]
    assert (
        page["items"][0]["met_at"]
        == api.get(f"/admin/dispatch/{job['id']}", as_=owner).data["completed_at"]
    )
    assert sweep.sweep() == {"checked": 0, "recorded": 0, "stale": 0}


def test_on_time_jobs_and_cancelled_ones_record_nothing(api, owner, monkeypatch):
    now = Clock(monkeypatch)
    _policies(api, owner, {"urgent": {"response_minutes": 1, "resolution_minutes": 2}})
    tech, login = technician_login(api, owner)
    prompt = _job(api, owner, priority="urgent")
    api.patch(f"/admin/dispatch/{prompt['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    api.patch(f"/tech/dispatch/my-jobs/{prompt['id']}/acknowledge", as_=login)
    called_off = _job(api, owner, priority="urgent")
    api.patch(f"/admin/dispatch/{called_off['id']}/cancel", {"reason": "x"}, as_=owner)
    now.advance(minutes=1, seconds=30)
    # the acknowledged job met its response; nothing else is due yet
    assert sweep.sweep() == {"checked": 0, "recorded": 0, "stale": 0}
    now.advance(minutes=1)  # its resolution has passed: the sweep records it, open
    assert sweep.sweep() == {"checked": 1, "recorded": 1, "stale": 0}
    [v] = _violations(api, owner)["items"]
    assert (v["job_id"], v["kind"], v["met_at"]) == (prompt["id"], "resolution", None)


def test_the_sweep_records_missed_deadlines_exactly_once(api, owner, monkeypatch):
    now = Clock(monkeypatch)
    _policies(api, owner, {"urgent": {"response_minutes": 1, "resolution_minutes": 3}})
    tech = technician(api, owner, name="Sam Sweep")
    job = _job(api, owner, priority="urgent", title="Nobody came")
    api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    assert sweep.sweep()["checked"] == 0  # nothing due yet
    now.advance(minutes=1, seconds=1)
    assert sweep.sweep() == {"checked": 1, "recorded": 1, "stale": 0}
    assert sweep.sweep() == {"checked": 0, "recorded": 0, "stale": 0}
    [v] = _violations(api, owner)["items"]
    assert (v["kind"], v["met_at"], v["technician_id"]) == ("response", None, tech["id"])
    # a late reassignment does not record it again
    other = technician(api, owner)
    api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": other["id"]}, as_=owner)
    assert _violations(api, owner)["total"] == 1
    now.advance(minutes=5)
    # the resolution: two sweeps racing (a re-run) record it once
    assert sweep.sweep()["recorded"] == 1 and sweep.sweep()["recorded"] == 0
    page = _violations(api, owner)
    assert page["total"] == 2 and {v["kind"] for v in page["items"]} == {"response", "resolution"}
    resolution = next(v for v in page["items"] if v["kind"] == "resolution")
    assert resolution["technician_id"] == other["id"]


def test_the_move_and_the_sweep_record_once_between_them(api, owner, monkeypatch):
    now = Clock(monkeypatch)
    _policies(api, owner, {"high": {"response_minutes": 1, "resolution_minutes": 60}})
    tech, login = technician_login(api, owner)
    job = _job(api, owner, priority="high")
    api.patch(f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner)
    now.advance(minutes=2)
    assert sweep.sweep()["recorded"] == 1  # open
    [open_] = _violations(api, owner)["items"]
    assert open_["met_at"] is None
    api.patch(f"/tech/dispatch/my-jobs/{job['id']}/acknowledge", as_=login)
    [met] = _violations(api, owner)["items"]  # the same violation, now met late
    acknowledged = api.get(f"/admin/dispatch/{job['id']}", as_=owner).data["acknowledged_at"]
    assert met["met_at"] == acknowledged and met["recorded_at"] == open_["recorded_at"]


def test_violation_filters_totals_and_cursor(api, owner, monkeypatch):
    now = Clock(monkeypatch)
    _policies(
        api,
        owner,
        {
            "high": {"response_minutes": 1, "resolution_minutes": 2},
            "low": {"response_minutes": 1, "resolution_minutes": 1},
        },
    )
    a = technician(api, owner)
    b = technician(api, owner)
    jobs = []
    for priority, tech in (("high", a), ("high", b), ("low", a), ("low", None)):
        job = _job(api, owner, priority=priority)
        if tech:
            api.patch(
                f"/admin/dispatch/{job['id']}/assign", {"technician_id": tech["id"]}, as_=owner
            )
        jobs.append(job)
    now.advance(minutes=3)
    assert sweep.sweep()["recorded"] == 4
    every = _violations(api, owner)
    assert every["total"] == 8 and len(every["items"]) == 8
    dues = [v["due"] for v in every["items"]]
    assert dues == sorted(dues, reverse=True)  # the latest deadline first

    def total(query):
        return _violations(api, owner, query)["total"]

    assert total("?kind=response") == 4 and total("?kind=resolution") == 4
    assert total("?priority=high") == 4 and total("?priority=low&kind=resolution") == 2
    assert total(f"?technician_id={a['id']}") == 4
    assert total(f"?technician_id={b['id']}&kind=response") == 1
    shown = _violations(api, owner, f"?technician_id={a['id']}&priority=low")["items"]
    assert {v["job_id"] for v in shown} == {jobs[2]["id"]}
    day = every["items"][0]["due"][:10]
    assert total(f"?date_from={day}&date_to={day}") == 8
    assert total("?date_from=2020-01-01&date_to=2020-12-31") == 0
    assert total(f"?date_from={day}&priority=high&kind=response") == 2

    first = _violations(api, owner, "?limit=3")
    assert first["total_pages"] == 3 and first["next_cursor"]
    walked = first["items"]
    cursor = first["next_cursor"]
    while cursor:
        page = _violations(api, owner, f"?limit=3&cursor={cursor}")
        walked += page["items"]
        cursor = page["next_cursor"]
    assert [(v["job_id"], v["kind"]) for v in walked] == [
        (v["job_id"], v["kind"]) for v in every["items"]
    ]
    assert _violations(api, owner, "?limit=3&page=3")["items"] == every["items"][6:]
    # another list's cursor is refused
    reply = api.get(f"/admin/sla/violations?kind=response&cursor={first['next_cursor']}", as_=owner)
    assert reply.status == 400


@pytest.mark.parametrize(
    "query",
    [
        "?kind=late",
        "?priority=critical",
        "?technician_id=0",
        "?technician_id=abc",
        "?date_from=2026-13-01",
        "?date_from=2026-03-02&date_to=2026-03-01",
    ],
)
def test_bad_filters_are_4xx(api, owner, query):
    reply = api.get(f"/admin/sla/violations{query}", as_=owner)
    assert reply.status in (400, 422) and reply.json["ok"] is False, reply.raw


def test_tenant_isolation(api, owner, other, monkeypatch):
    now = Clock(monkeypatch)
    _policies(api, owner, {"high": {"response_minutes": 1, "resolution_minutes": 2}})
    job = _job(api, owner, priority="high", title="Owner secret job")
    now.advance(minutes=3)
    sweep.sweep()
    assert _violations(api, owner)["total"] == 2
    # the other tenant sees no policy and no violation of the owner's
    assert not any(p["configured"] for p in api.get("/admin/sla", as_=other).data["items"])
    theirs = _violations(api, other)
    assert (
        theirs["total"] == 0
        and b"Owner secret job" not in api.get("/admin/sla/violations", as_=other).raw
    )
    # its own writes stay in its tenant
    _policies(api, other, {"high": {"response_minutes": 600, "resolution_minutes": 900}})
    by = {p["priority"]: p for p in api.get("/admin/sla", as_=owner).data["items"]}
    assert by["high"]["response_minutes"] == 1
    # the owner's ids are not found and the owner's X-Tenant-Id is refused
    assert_isolated(
        api,
        owner,
        other,
        [
            ("GET", f"/admin/dispatch/{job['id']}", None),
            ("PATCH", f"/admin/dispatch/{job['id']}", {"priority": "low"}),
        ],
        secrets=["Owner secret job"],
    )
    for method, path, body in (
        ("GET", "/admin/sla", None),
        ("PATCH", "/admin/sla", POLICIES),
        ("GET", "/admin/sla/violations", None),
    ):
        reply = api.call(method, path, body, as_=other, headers={"X-Tenant-Id": owner.tenant_id})
        assert reply.status == 403 and reply.error["code"] == "FORBIDDEN"


def test_dynamodb_calls_of_the_hooks_and_the_sweep(api, owner, monkeypatch):
    now = Clock(monkeypatch)
    _policies(api, owner, {"high": {"response_minutes": 1, "resolution_minutes": 600}})
    with counting_reads() as read_policies:
        api.get("/admin/sla", as_=owner)
    with counting_reads() as write_policies:
        _policies(api, owner, {"low": {"response_minutes": 1, "resolution_minutes": 600}})
    with counting_reads() as create:
        job = _job(api, owner, priority="high")
    with counting_reads() as reprioritize:
        api.patch(f"/admin/dispatch/{job['id']}", {"priority": "low"}, as_=owner)
    for _ in range(4):
        _job(api, owner, priority="high")
    now.advance(minutes=2)
    with counting_reads() as swept:
        assert sweep.sweep() == {"checked": 5, "recorded": 5, "stale": 0}
    with counting_reads() as listed:
        assert _violations(api, owner, "?limit=2")["total"] == 5
    for reads in (read_policies, write_policies, create, reprioritize, listed):
        assert reads.calls.pop("UpdateItem", 0) >= 2  # the rate-limit windows (and a write)
    assert read_policies.calls == {"GetItem": 2}  # the caller, the policies
    assert write_policies.calls == {"GetItem": 2}  # the caller, the answer (+ UpdateItem)
    # creation reads the policies in its batch: no call more than without SLA
    assert create.calls == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}
    assert reprioritize.calls == {"GetItem": 3, "TransactWriteItems": 1}  # + the policies
    # the sweep: one Query per shard, then per due job one GetItem and one transaction
    assert swept.calls == {"Query": 4, "GetItem": 5, "TransactWriteItems": 5}
    assert listed.calls == {"GetItem": 1, "BatchGetItem": 1, "Query": 1}
