"""``/admin/pay-periods``: listing (ids given at creation, filters, back-dated periods),
per-technician totals, closing (frozen totals, idempotent, resumable, safe against
concurrent sales and closes), the locks on a closed period, clawbacks, frequency changes,
technicians' statements, permissions and tenant isolation."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest

from chalicelib.core import clock
from chalicelib.payperiods import store as period_store
from chalicelib.payroll import close as payroll_close
from chalicelib.payroll import service
from chalicelib.sales import store as sales_store
from tests.payperiods.support import table_writes
from tests.support.isolation import assert_isolated
from tests.support.payroll_helpers import (
    CFG,
    csv_rows,
    past_windows,
    pdf_text,
    ready,
    real_today,
    s3_keys,
    s3_object,
    sale,
    travel,
    window,
)
from tests.support.sales_helpers import (
    SEED_PAYMENT_STATUS,
    SEED_SALE,
    SEED_VOID,
    record,
    staff,
    technician,
    technician_login,
)

TOTAL_KEYS = {
    "technician_id",
    "technician_name",
    "pay_type",
    "sales_count",
    "sales_cents",
    "commission_cents",
    "adjustments_cents",
    "hours_minutes",
    "hourly_rate_cents",
    "base_pay_cents",
    "total_pay_cents",
}


def _periods(api, account, query: str = "") -> list[dict]:
    reply = api.get("/admin/pay-periods" + query, as_=account)
    assert reply.status == 200, reply.raw
    return reply.data["items"]


def _close(api, account, period_id: int):
    return api.patch(f"/admin/pay-periods/{period_id}/close", as_=account)


def curl(api, account, method: str, path: str, accept: str = "*/*"):
    """A request with exactly the seed's curl headers (curl adds ``Accept: */*`` and, with
    no ``-d``, no Content-Type)."""
    from tests.support.api import Reply

    headers = {
        "Authorization": f"Bearer {account.access_token}",
        "X-Tenant-Id": account.tenant_id,
        "Accept": accept,
    }
    resp = api.client.http.request(method, "/api/v1" + path, headers=headers, body=b"")
    return Reply(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.body)


def _by_tech(detail: dict) -> dict[int, dict]:
    return {t["technician_id"]: t for t in detail["technicians"]}


@pytest.fixture
def no_wait(monkeypatch):
    """Index-lag retries without real sleeping."""
    monkeypatch.setattr(clock, "sleep", lambda seconds: None)


def test_seed_list_and_close_curls(api, owner):
    ready(api, owner)
    w1, w2 = past_windows(2)
    sold = sale(api, owner, w1.start + timedelta(days=2))
    sale(api, owner, w2.start)

    # the seed's list call, verbatim; it writes nothing
    with table_writes() as written:
        reply = curl(api, owner, "GET", "/admin/pay-periods")
    assert reply.status == 200, reply.raw
    assert written == []
    listed = reply.data
    assert set(listed) == {"items", "total", "page", "limit", "total_pages", "next_cursor"}
    # newest first; each period got its id when its first sale created it
    assert [(p["id"], p["start_date"], p["end_date"], p["status"]) for p in listed["items"]] == [
        (2, w2.key, w2.end.isoformat(), "open"),
        (1, w1.key, w1.end.isoformat(), "open"),
    ]
    assert [p["sales_recorded"] for p in listed["items"]] == [1, 1]
    assert all(p["frequency"] == "biweekly" and p["totals"] is None for p in listed["items"])
    assert _periods(api, owner) == listed["items"]  # ids are stable

    live = api.get("/admin/pay-periods/1", as_=owner).data
    [mike] = live["technicians"]
    assert set(mike) == TOTAL_KEYS
    assert (
        mike["technician_id"],
        mike["sales_count"],
        mike["sales_cents"],
        mike["commission_cents"],
        mike["total_pay_cents"],
    ) == (1, 1, 150000, 11250, 11250)
    assert live["exports"] is None and live["status"] == "open"

    # the seed's close call, verbatim (no body, no Content-Type)
    reply = curl(api, owner, "PATCH", "/admin/pay-periods/1/close")
    assert reply.status == 200, reply.raw
    closed = reply.data
    assert closed["status"] == "closed" and closed["closed_by"] == owner.user["id"]
    assert closed["closed_at"] and closed["technicians"] == live["technicians"]
    assert (
        closed["totals"]
        == {**live["totals"]}
        == {
            "technician_count": 1,
            "sales_count": 1,
            "sales_cents": 150000,
            "commission_cents": 11250,
            "adjustments_cents": 0,
            "hours_minutes": 0,
            "base_pay_cents": 0,
            "total_pay_cents": 11250,
            "sales_recorded": 1,
            "pending_sales": 0,
        }
    )
    files = closed["exports"]
    prefix = f"tenants/{owner.tenant_id}/pay-periods/1/"
    assert files["pay_period_csv"]["key"] == prefix + "pay-period.csv"
    assert files["pay_period_pdf"]["key"] == prefix + "pay-period.pdf"
    assert files["statements"]["1"]["key"] == prefix + "statements/1.pdf"

    # closing twice: the same frozen result, byte for byte, nothing rewritten
    written = {k: s3_object(owner.tenant_id, k.split("/", 2)[2]) for k in s3_keys(owner.tenant_id)}
    writes = []
    from chalicelib.platform import storage as exports

    original_put = exports.put_all
    exports.put_all = lambda files: writes.append(files)
    try:
        again = curl(api, owner, "PATCH", "/admin/pay-periods/1/close")
    finally:
        exports.put_all = original_put
    assert (again.status, again.raw) == (200, reply.raw)
    assert (
        writes == []
        and {k: s3_object(owner.tenant_id, k.split("/", 2)[2]) for k in s3_keys(owner.tenant_id)}
        == written
    )
    assert api.get("/admin/pay-periods/1", as_=owner).data == closed
    listed = _periods(api, owner)
    assert listed[1]["status"] == "closed" and listed[1]["totals"] == closed["totals"]
    assert [p["id"] for p in _periods(api, owner, "?status=closed")] == [1]
    assert sold["id"] == 1


def test_totals_commission_clawbacks_pay_types(api, owner, monkeypatch):
    ready(api, owner)
    salaried = technician(api, owner, name="Sally Salary", pay_type="salary", base_pay_cents=200000)
    hourly = technician(api, owner, name="Hank Hourly", pay_type="hourly", base_pay_cents=3000)
    installer = technician(api, owner, name="Ian Installer", pay_type="commission")
    api.put(
        f"{CFG}/tech/{installer['id']}/plan/installer",
        {"kind": "percentage", "rate_bps": 200},
        as_=owner,
    )
    api.put(
        f"{CFG}/tech/{salaried['id']}/plan/technician",
        {"kind": "percentage", "rate_bps": 333},
        as_=owner,
    )
    retired = technician(api, owner, name="Rita Retired", pay_type="hourly")
    w1, w2 = past_windows(2)
    day = w1.start + timedelta(days=1)
    a = sale(api, owner, day, installer_id=installer["id"])  # 11250 + 3000
    sale(api, owner, day, sale_price_cents=123457)  # 7.5%: 9259.275 -> 9259
    sale(api, owner, day, technician_id=salaried["id"], sale_price_cents=99999)  # 3330
    pending = sale(api, owner, day, approve=False)  # earns nothing yet
    voided = sale(api, owner, day)
    api.patch(f"/sales/{voided['id']}/void", SEED_VOID, as_=owner)  # open period: gone
    rejected = record(api, owner, {**SEED_SALE, "sale_date": day.isoformat()})
    api.patch(f"/sales/{rejected['id']}/reject", {}, as_=owner)
    sale(api, owner, w2.start, technician_id=retired["id"])
    api.patch(f"/admin/technicians/{retired['id']}", {"active": False}, as_=owner)
    _periods(api, owner)

    detail = api.get("/admin/pay-periods/1", as_=owner).data
    techs = _by_tech(detail)
    # every active technician, ordered by id; Rita (inactive, nothing in period 1) is not
    assert list(techs) == [1, salaried["id"], hourly["id"], installer["id"]]
    mike = techs[1]
    assert (mike["sales_count"], mike["sales_cents"], mike["commission_cents"]) == (
        2,
        150000 + 123457,
        11250 + 9259,
    )
    sally = techs[salaried["id"]]
    assert (
        sally["pay_type"],
        sally["base_pay_cents"],
        sally["commission_cents"],
        sally["total_pay_cents"],
    ) == ("salary", 200000, 3330, 203330)
    hank = techs[hourly["id"]]
    assert (
        hank["hours_minutes"],
        hank["hourly_rate_cents"],
        hank["base_pay_cents"],
        hank["total_pay_cents"],
    ) == (0, 3000, 0, 0)  # no time tracking yet
    ian = techs[installer["id"]]
    assert (ian["sales_count"], ian["sales_cents"], ian["commission_cents"]) == (0, 0, 3000)
    assert detail["totals"]["pending_sales"] == 1 and detail["totals"]["sales_recorded"] == 6
    assert detail["totals"]["total_pay_cents"] == sum(t["total_pay_cents"] for t in techs.values())
    closed = _close(api, owner, 1).data
    assert closed["technicians"] == detail["technicians"]

    # voiding a sale of the closed period claws it back in the current (open) period
    reply = api.patch(f"/sales/{a['id']}/void", SEED_VOID, as_=owner)
    assert reply.status == 200 and reply.data["clawback_cents"] == -(11250 + 3000)
    assert api.get("/admin/pay-periods/1", as_=owner).data == closed  # frozen
    assert api.patch(f"/sales/{pending['id']}/approve", {}, as_=owner).status == 409
    current = _periods(api, owner)[0]
    assert current["id"] == 3 and current["start_date"] == window(real_today()).key
    live = _by_tech(api.get("/admin/pay-periods/3", as_=owner).data)
    assert live[1]["adjustments_cents"] == -11250 and live[1]["total_pay_cents"] == -11250
    assert live[installer["id"]]["adjustments_cents"] == -3000
    assert live[1]["commission_cents"] == 0

    # period 2: the inactive technician with a sale is on its payroll
    two = _by_tech(api.get("/admin/pay-periods/2", as_=owner).data)
    assert (two[retired["id"]]["sales_count"], two[retired["id"]]["sales_cents"]) == (1, 150000)


def test_close_guards_and_locks(api, owner):
    ready(api, owner)
    [w1] = past_windows(1)
    day = w1.start + timedelta(days=3)
    approved = sale(api, owner, day)
    pending = sale(api, owner, day, approve=False)
    other_pending = sale(api, owner, day, approve=False)
    sale(api, owner, real_today())  # creates the current period: id 2

    reply = _close(api, owner, 2)  # the current period has not ended
    assert reply.status == 409 and reply.error["code"] == "CONFLICT"
    assert "has not ended yet" in reply.error["message"]
    assert api.get("/admin/pay-periods/2", as_=owner).data["status"] == "open"
    for bad in ("99", "0", "abc", "-1"):
        reply = _close(api, owner, bad)
        assert reply.status == 404 and reply.error["code"] == "NOT_FOUND", bad
        assert api.get(f"/admin/pay-periods/{bad}", as_=owner).status == 404

    assert _close(api, owner, 1).status == 200
    # nothing dated in the closed period can be recorded or change its commission
    reply = api.post("/sales", {**SEED_SALE, "sale_date": day.isoformat()}, as_=owner)
    assert reply.status == 409 and "closed pay period" in reply.error["message"]
    reply = api.post("/sales", {**SEED_SALE, "sale_date": w1.end.isoformat()}, as_=owner)
    assert reply.status == 409
    for path in (f"/sales/{pending['id']}/approve", f"/sales/{pending['id']}/reject"):
        reply = api.patch(path, {}, as_=owner)
        assert reply.status == 409 and "closed pay period" in reply.error["message"]
    # payment status stays editable (it does not change commission)
    assert (
        api.patch(f"/sales/{approved['id']}/payment-status", SEED_PAYMENT_STATUS, as_=owner).status
        == 200
    )
    # voiding: a clawback in the open period (approved), nothing owed (pending)
    assert (
        api.patch(f"/sales/{approved['id']}/void", SEED_VOID, as_=owner).data["clawback_cents"]
        == -11250
    )
    assert (
        api.patch(f"/sales/{other_pending['id']}/void", SEED_VOID, as_=owner).data["clawback_cents"]
        is None
    )
    frozen = api.get("/admin/pay-periods/1", as_=owner).data
    assert _by_tech(frozen)[1]["commission_cents"] == 11250
    # the day after the closed period is open
    assert (
        api.post(
            "/sales",
            {**SEED_SALE, "sale_date": (w1.end + timedelta(days=1)).isoformat()},
            as_=owner,
        ).status
        == 201
    )


def test_back_dated_sales_and_list_filters(api, owner):
    ready(api, owner)
    [w1] = past_windows(1)
    sale(api, owner, w1.start)
    old = date(2019, 6, 12)  # years before the tenant signed up
    sale(api, owner, old)
    sale(api, owner, real_today())
    items = _periods(api, owner)
    # newest first by date; ids in the order the periods were created, not by date
    assert [p["start_date"] for p in items] == [window(real_today()).key, w1.key, window(old).key]
    assert [p["id"] for p in items] == [3, 1, 2]
    assert _periods(api, owner, f"?date={old.isoformat()}")[0]["id"] == 2
    assert [p["id"] for p in _periods(api, owner, f"?date={w1.end}")] == [1]
    assert _periods(api, owner, f"?date={old - timedelta(days=30)}") == []
    assert [p["id"] for p in _periods(api, owner, "?date_from=2019-01-01&date_to=2019-12-31")] == [
        2
    ]
    assert [p["id"] for p in _periods(api, owner, f"?date_from={w1.start}")] == [3, 1]
    # a period ending on date_from overlaps the range; one starting after date_to does not
    assert [p["id"] for p in _periods(api, owner, f"?date_from={w1.end}")] == [3, 1]
    assert [p["id"] for p in _periods(api, owner, f"?date_to={w1.end}")] == [1, 2]
    assert [p["id"] for p in _periods(api, owner, f"?date_to={w1.start}")] == [1, 2]
    assert [p["id"] for p in _periods(api, owner, "?status=open")] == [3, 1, 2]
    assert _periods(api, owner, "?status=closed") == []
    page = api.get("/admin/pay-periods?limit=2&page=2", as_=owner).data
    assert ([p["id"] for p in page["items"]], page["total"], page["total_pages"]) == ([2], 3, 2)
    for bad in (
        "?status=done",
        "?date=2026-02-30",
        "?date_from=2026-02-01&date_to=2026-01-01",
        "?limit=0",
    ):
        reply = api.get("/admin/pay-periods" + bad, as_=owner)
        assert reply.status == 400 and reply.error["code"] == "BAD_REQUEST", bad
    # a new back-dated sale's period has its id at once (the sale created it)
    older = date(2018, 1, 3)
    sale(api, owner, older)
    reply = api.get("/admin/pay-periods/4", as_=owner)
    assert reply.status == 200 and reply.data["start_date"] == window(older).key
    assert reply.data["technicians"][0]["commission_cents"] == 11250
    assert _close(api, owner, 4).status == 200
    # closing history from before the tenant signed up creates no empty old period
    assert api.get("/admin/pay-periods?limit=1", as_=owner).data["total"] == 4


def test_closing_while_a_sale_is_recorded(api, owner):
    """Both orders of a close racing a sale dated in the period: whatever commits first
    wins, and the frozen totals hold exactly the sales that were recorded."""
    ready(api, owner)
    [w1] = past_windows(1)
    day = w1.start + timedelta(days=4)
    sale(api, owner, day)
    to_approve = sale(api, owner, day, approve=False)
    to_void = sale(api, owner, day)
    _periods(api, owner)

    # 1. the close locks the period first: the sale, approval and void are refused
    inside, release = threading.Event(), threading.Event()
    original_begin = period_store.begin_close

    def paused_begin(*args, **kwargs):
        item = original_begin(*args, **kwargs)
        inside.set()
        assert release.wait(20)
        return item

    replies: dict = {}
    service_store = payroll_close.periods  # the period ledger the close drives
    service_store.begin_close = paused_begin
    try:
        thread = threading.Thread(target=lambda: replies.setdefault("close", _close(api, owner, 1)))
        thread.start()
        assert inside.wait(20)
        assert api.get("/admin/pay-periods/1", as_=owner).data["status"] == "closing"
        refused = api.post("/sales", {**SEED_SALE, "sale_date": day.isoformat()}, as_=owner)
        approval = api.patch(f"/sales/{to_approve['id']}/approve", {}, as_=owner)
        void = api.patch(f"/sales/{to_void['id']}/void", SEED_VOID, as_=owner)
    finally:
        release.set()
        thread.join(20)
        service_store.begin_close = original_begin
    assert refused.status == 409 and "being closed" in refused.error["message"]
    assert approval.status == 409 and void.status == 409
    assert "being closed" in void.error["message"]
    closed = replies["close"]
    assert closed.status == 200, closed.raw
    mike = _by_tech(closed.data)[1]
    assert (mike["sales_count"], mike["commission_cents"]) == (2, 22500)
    assert closed.data["totals"]["sales_recorded"] == 3
    assert api.get(f"/sales/{to_void['id']}", as_=owner).data["voided"] is False

    # 2. the sale's transaction is under way when the close starts: the close locks the
    # period, the sale's commit fails its "period open" condition -> 409, not counted
    [w0] = past_windows(2)[:1]
    day0 = w0.start
    sale(api, owner, day0)
    _periods(api, owner)
    period_id = _periods(api, owner, f"?date={day0}")[0]["id"]
    in_sale, go = threading.Event(), threading.Event()
    original_create = sales_store.create

    def paused_create(new):
        in_sale.set()
        assert go.wait(20)
        return original_create(new)

    sales_store.create = paused_create
    try:
        thread = threading.Thread(
            target=lambda: replies.setdefault(
                "late_sale",
                api.post("/sales", {**SEED_SALE, "sale_date": day0.isoformat()}, as_=owner),
            )
        )
        thread.start()
        assert in_sale.wait(20)
        closing = _close(api, owner, period_id)
    finally:
        go.set()
        thread.join(20)
        sales_store.create = original_create
    assert closing.status == 200, closing.raw
    assert replies["late_sale"].status == 409
    assert closing.data["totals"]["sales_recorded"] == 1
    assert _by_tech(closing.data)[1]["sales_count"] == 1


def test_a_change_committed_just_before_the_lock_is_frozen(api, owner, no_wait):
    """A sale approved after the close read the period but before the close locked it:
    the close checks the sales against the period's counters as they are once locked, so
    it freezes that approval (and does not wait for an index that already caught up)."""
    ready(api, owner)
    [w1] = past_windows(1)
    pending = sale(api, owner, w1.start, approve=False)
    original_begin = period_store.begin_close
    approvals: list = []

    def approved_first(*args, **kwargs):
        approve = threading.Thread(
            target=lambda: approvals.append(
                api.patch(f"/sales/{pending['id']}/approve", {}, as_=owner)
            )
        )
        approve.start()
        approve.join(20)
        return original_begin(*args, **kwargs)

    service_store = payroll_close.periods
    service_store.begin_close = approved_first
    try:
        closed = _close(api, owner, 1)
    finally:
        service_store.begin_close = original_begin
    assert [r.status for r in approvals] == [200]
    assert closed.status == 200, closed.raw
    assert _by_tech(closed.data)[1]["commission_cents"] == 11250


def test_many_sales_racing_a_close(api, owner, serial_aws):
    """Sales recorded from several threads while the period closes: every 201 is in the
    frozen totals, every other answer is a 409."""
    ready(api, owner)
    [w1] = past_windows(1)
    day = w1.start
    sale(api, owner, day)
    _periods(api, owner)
    results: list = []
    lock = threading.Lock()
    start = threading.Barrier(5)

    def seller():
        start.wait(20)
        for _ in range(4):
            reply = api.post("/sales", {**SEED_SALE, "sale_date": day.isoformat()}, as_=owner)
            with lock:
                results.append(reply.status)

    threads = [threading.Thread(target=seller) for _ in range(4)]
    for t in threads:
        t.start()
    start.wait(20)
    closed = _close(api, owner, 1)
    for t in threads:
        t.join(60)
    assert closed.status == 200, closed.raw
    assert set(results) <= {201, 409}
    recorded = 1 + results.count(201)
    assert closed.data["totals"]["sales_recorded"] == recorded
    listed = api.get(f"/sales?date_from={day}&date_to={day}&limit=200", as_=owner).data
    assert listed["total"] == recorded


def test_two_closes_at_once_give_one_result(api, owner, serial_aws):
    ready(api, owner)
    [w1] = past_windows(1)
    sale(api, owner, w1.start)
    _periods(api, owner)
    replies: list = []
    barrier = threading.Barrier(2)

    def closer():
        barrier.wait(20)
        replies.append(_close(api, owner, 1))

    threads = [threading.Thread(target=closer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status for r in replies] == [200, 200], [r.raw for r in replies]
    assert replies[0].raw == replies[1].raw


def test_close_resumes_after_a_crash(api, owner, monkeypatch, no_wait):
    ready(api, owner)
    [w1] = past_windows(1)
    sale(api, owner, w1.start)
    _periods(api, owner)
    from chalicelib.platform import storage as exports

    def broken(files):
        raise RuntimeError("S3 is down")

    monkeypatch.setattr(exports, "put_all", broken)
    reply = _close(api, owner, 1)
    assert reply.status == 500 and reply.error["code"] == "INTERNAL_ERROR"
    stuck = api.get("/admin/pay-periods/1", as_=owner).data
    assert stuck["status"] == "closing"  # locked, not closed
    assert (
        api.post("/sales", {**SEED_SALE, "sale_date": w1.start.isoformat()}, as_=owner).status
        == 409
    )
    monkeypatch.undo()  # S3 is back
    monkeypatch.setattr(clock, "sleep", lambda seconds: None)
    # a close that died without a word (timeout): its lease holds the period until it
    # runs out; meanwhile another close waits, then says retry
    item = period_store.get(owner.tenant_id, w1.key)
    item.update(
        actions=[
            type(item).lease_until.set(int(time.time()) + 60),
            type(item).close_token.set("dead"),
        ]
    )
    monkeypatch.setattr(payroll_close, "WAIT_FOR_OTHER_CLOSE_S", 0.0)
    reply = _close(api, owner, 1)
    assert reply.status == 409 and "being closed" in reply.error["message"]
    # once the lease ran out, the next close takes over and completes
    item.update(actions=[type(item).lease_until.set(0)])
    done = _close(api, owner, 1)
    assert done.status == 200, done.raw
    assert done.data["status"] == "closed"
    assert _by_tech(done.data)[1]["commission_cents"] == 11250
    assert _close(api, owner, 1).raw == done.raw


def test_a_long_close_continues_where_it_stopped(api, owner, monkeypatch):
    """Statement PDFs are rendered within a time budget; past it the close records its
    progress and answers 409, and the next close renders only what is missing, from the
    frozen data (the sales are not read again)."""
    ready(api, owner)
    for n in range(3):
        sale(
            api,
            owner,
            past_windows(1)[0].start,
            technician_id=technician(api, owner, name=f"Tech {n}")["id"],
        )
    sale(api, owner, past_windows(1)[0].start)
    _periods(api, owner)
    live = api.get("/admin/pay-periods/1", as_=owner).data
    ticks = iter(range(1000))
    monkeypatch.setattr(clock, "monotonic", lambda: float(next(ticks)))
    monkeypatch.setattr(payroll_close, "CLOSE_BUDGET_S", 2.5)  # two statements per call
    rendered = []
    original_render = payroll_close._statement_pdf

    def counting(ctx, period, statement):
        rendered.append(statement.technician_id)
        return original_render(ctx, period, statement)

    monkeypatch.setattr(payroll_close, "_statement_pdf", counting)
    reply = _close(api, owner, 1)
    assert reply.status == 409 and "2 of 4 statements" in reply.error["message"]
    assert api.get("/admin/pay-periods/1", as_=owner).data["status"] == "closing"
    assert (
        api.post("/sales", {**SEED_SALE, "sale_date": live["start_date"]}, as_=owner).status == 409
    )

    def no_sales(*args):
        raise AssertionError("a resumed close must not read the sales again")

    monkeypatch.setattr(service, "_sales_in", no_sales)
    done = _close(api, owner, 1)
    assert done.status == 200, done.raw
    assert rendered == [1, 2, 3, 4]  # each statement rendered once
    assert done.data["technicians"] == live["technicians"]
    assert sorted(done.data["exports"]["statements"]) == ["1", "2", "3", "4"]
    assert _close(api, owner, 1).raw == done.raw


def test_close_waits_for_the_sales_index(api, owner, monkeypatch, no_wait):
    """The date index (a GSI) may lag: the close reads it until it matches the counters
    the sales' transactions kept on the period, else answers 409 and stays resumable."""
    ready(api, owner)
    [w1] = past_windows(1)
    first = sale(api, owner, w1.start)
    second = sale(api, owner, w1.start, approve=False)
    api.patch(f"/sales/{second['id']}/approve", {}, as_=owner)
    _periods(api, owner)
    original = service._sales_in
    views = []

    def lagging(tenant_id, window_):
        found = original(tenant_id, window_)
        views.append(len(found))
        if len(views) == 1:
            return [s for s in found if int(s.sale_id) != second["id"]]  # not indexed yet
        if len(views) == 2:
            for s in found:  # indexed, but still showing the pending version
                if int(s.sale_id) == second["id"]:
                    s.approval_status, s.revision = "pending", 1
        return found

    monkeypatch.setattr(service, "_sales_in", lagging)
    reply = _close(api, owner, 1)
    assert reply.status == 200, reply.raw
    assert len(views) == 3
    assert _by_tech(reply.data)[1]["commission_cents"] == 22500
    assert first["id"] != second["id"]

    # an index that never catches up: 409, the period stays locked ("closing")
    [w0] = past_windows(2)[:1]
    sale(api, owner, w0.start)
    period_id = _periods(api, owner, f"?date={w0.start}")[0]["id"]
    monkeypatch.setattr(service, "_sales_in", lambda tenant_id, window_: [])
    reply = _close(api, owner, period_id)
    assert reply.status == 409 and "index" in reply.error["message"]
    assert api.get(f"/admin/pay-periods/{period_id}", as_=owner).data["status"] == "closing"
    monkeypatch.setattr(service, "_sales_in", original)
    assert _close(api, owner, period_id).status == 200  # the failed close gave its lease up


def test_clawbacks_land_in_the_open_period_and_its_close(api, owner, monkeypatch):
    ready(api, owner)
    [w1] = past_windows(1)
    old = sale(api, owner, w1.start)
    _periods(api, owner)
    assert _close(api, owner, 1).status == 200
    api.patch(f"/sales/{old['id']}/void", SEED_VOID, as_=owner)
    current = window(real_today())
    today_sale = sale(api, owner, real_today())
    # two weeks later the current period has ended and can be closed
    travel(monkeypatch, current.end.toordinal() - real_today().toordinal() + 1)
    closed = _close(api, owner, 2)
    assert closed.status == 200, closed.raw
    mike = _by_tech(closed.data)[1]
    assert (mike["commission_cents"], mike["adjustments_cents"], mike["total_pay_cents"]) == (
        11250,
        -11250,
        0,
    )
    statement = api.get(
        "/export/commission-statement/1/2/pdf", as_=owner, headers={"Accept": "*/*"}
    )
    assert statement.status == 200
    text = pdf_text(statement.raw)
    assert f"clawback: sale {old['id']} voided" in text and "-$112.50" in text
    assert today_sale["id"] > old["id"]
    # and in both exports of that period
    [row, total] = csv_rows(api.get("/admin/csv-export/pay-period/2", as_=owner).raw)
    assert (row["commission"], row["adjustments"], row["total_pay"]) == (
        "112.50",
        "-112.50",
        "0.00",
    )
    assert total["adjustments"] == "-112.50"
    summary = pdf_text(
        api.get("/export/pay-period/2/pdf", as_=owner, headers={"Accept": "*/*"}).raw
    )
    assert "-$112.50" in summary and "$112.50" in summary


def test_a_closed_period_without_frozen_data(api, owner):
    """A period marked closed by other means (older data: no id, not counted) is listed
    once the deploy's backfill gave it its id, and still answers cleanly."""
    from chalicelib.payperiods import service as periods
    from tests.support.sales_helpers import close_period

    ready(api, owner)
    [w0, w1] = past_windows(2)
    close_period(owner.tenant_id, w1.start)
    sale(api, owner, w0.start)
    assert [p["id"] for p in _periods(api, owner)] == [1]  # not listed before the backfill
    assert periods.backfill(owner.tenant_id) == 1
    items = _periods(api, owner)
    assert [p["id"] for p in items] == [2, 1]
    assert items[0]["status"] == "closed" and items[0]["totals"] is None
    detail = api.get("/admin/pay-periods/2", as_=owner).data
    assert detail["technicians"] == [] and detail["totals"] is None
    assert _close(api, owner, 2).status == 200
    reply = api.get("/admin/csv-export/pay-period/2", as_=owner)
    assert reply.status == 404 and reply.error["code"] == "NOT_FOUND"


def test_frequency_change_takes_effect_after_the_current_period(api, owner, monkeypatch):
    ready(api, owner)
    [w1] = past_windows(1)
    sale(api, owner, w1.start)
    _periods(api, owner)
    assert _close(api, owner, 1).status == 200
    current = window(real_today())
    reply = api.patch("/admin/settings", {"pay_period_frequency": "monthly"}, as_=owner)
    assert reply.status == 200, reply.raw
    effective = current.end + timedelta(days=1)
    assert reply.data["pay_period_frequency"] == "monthly"
    assert reply.data["pay_period_schedule"] == [
        {"from": None, "frequency": "biweekly"},
        {"from": effective.isoformat(), "frequency": "monthly"},
    ]
    # the current period keeps its dates; the closed one is untouched
    items = _periods(api, owner)
    assert [(p["id"], p["start_date"], p["end_date"], p["frequency"]) for p in items] == [
        (2, current.key, current.end.isoformat(), "biweekly"),
        (1, w1.key, w1.end.isoformat(), "biweekly"),
    ]
    # after the change: the first monthly period starts the day after (clipped)
    travel(monkeypatch, effective.toordinal() - real_today().toordinal())
    reply = api.post("/sales", {**SEED_SALE, "sale_date": effective.isoformat()}, as_=owner)
    assert reply.status == 201, reply.raw
    items = _periods(api, owner)
    last_day = (effective.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
    assert (items[0]["start_date"], items[0]["end_date"], items[0]["frequency"]) == (
        effective.isoformat(),
        last_day.isoformat(),
        "monthly",
    )
    assert api.get("/admin/pay-periods/1", as_=owner).data["end_date"] == w1.end.isoformat()
    # another change starts after the current (monthly) period
    reply = api.patch("/admin/settings", {"pay_period_frequency": "biweekly"}, as_=owner)
    schedule = reply.data["pay_period_schedule"]
    assert schedule[-1]["frequency"] == "biweekly" and len(schedule) == 3


def test_permissions_and_statements(api, owner):
    ready(api, owner)
    tina, tina_login = technician_login(api, owner, name="Tina Tech")
    otto, otto_login = technician_login(api, owner, name="Otto Other")
    [w1] = past_windows(1)
    sale(api, owner, w1.start, technician_id=tina["id"])
    sale(api, owner, w1.start, technician_id=otto["id"], sale_price_cents=100000)
    sale(api, owner, past_windows(2)[0].start, technician_id=otto["id"])  # period 2
    dispatcher = staff(owner, "dispatcher")
    manager = staff(owner, "manager")
    admin_calls = [
        ("GET", "/admin/pay-periods", None),
        ("GET", "/admin/pay-periods/1", None),
        ("PATCH", "/admin/pay-periods/1/close", None),
    ]
    for account in (dispatcher, tina_login):
        for method, path, body in admin_calls:
            reply = api.call(method, path, body, as_=account)
            assert reply.status == 403 and reply.error["code"] == "FORBIDDEN", (path,)
    assert api.get("/admin/pay-periods/1", as_=manager).status == 200

    # a technician sees their own statement (live, then frozen), not another's
    mine = api.get("/tech/pay-periods/1/statement", as_=tina_login)
    assert mine.status == 200, mine.raw
    data = mine.data
    assert (data["technician_id"], data["frozen"], data["period"]["id"]) == (tina["id"], False, 1)
    [line] = data["lines"]
    assert (line["role"], line["rule"], line["commission_cents"]) == (
        "technician",
        "tenant_default",
        0,
    )
    assert data["totals"]["technician_id"] == tina["id"]
    # the tenant's periods, also those without the technician's sales
    periods = api.get("/tech/pay-periods", as_=tina_login).data["items"]
    assert [p["id"] for p in periods] == [1, 2] and "totals" not in periods[0]
    assert api.get("/tech/pay-periods", as_=manager).status == 403  # no technician record
    pdf = api.get(
        f"/export/commission-statement/{tina['id']}/1/pdf",
        as_=tina_login,
        headers={"Accept": "*/*"},
    )
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    reply = api.get(
        f"/export/commission-statement/{otto['id']}/1/pdf",
        as_=tina_login,
        headers={"Accept": "*/*"},
    )
    assert reply.status == 403 and reply.error["code"] == "FORBIDDEN"
    assert (
        api.get(
            f"/export/commission-statement/{tina['id']}/1/pdf",
            as_=dispatcher,
            headers={"Accept": "*/*"},
        ).status
        == 403
    )
    for path in (
        "/export/pay-period/1/pdf",
        "/admin/csv-export/pay-period/1",
        "/admin/csv-export/sales",
        "/admin/csv-export/commission-report",
    ):
        assert api.get(path, as_=tina_login, headers={"Accept": "*/*"}).status == 403
    assert _close(api, owner, 1).status == 200
    frozen = api.get("/tech/pay-periods/1/statement", as_=tina_login).data
    assert frozen["frozen"] is True and frozen["lines"] == data["lines"]
    assert frozen["totals"] == data["totals"]
    assert (
        api.get("/tech/pay-periods/1/statement", as_=otto_login).data["technician_id"] == otto["id"]
    )
    assert (
        api.get(
            f"/export/commission-statement/{otto['id']}/1/pdf",
            as_=manager,
            headers={"Accept": "*/*"},
        ).status
        == 200
    )
    assert (
        api.get(
            "/export/commission-statement/99/1/pdf", as_=owner, headers={"Accept": "*/*"}
        ).status
        == 404
    )
    assert api.get("/tech/pay-periods/9/statement", as_=tina_login).status == 404


def test_tenant_isolation(api, owner, other):
    ready(api, owner)
    technician(api, owner, name="Secret Sam")
    [w1] = past_windows(1)
    sale(api, owner, w1.start, notes="secret note")
    _periods(api, owner)
    assert _close(api, owner, 1).status == 200
    pdf = {"Accept": "*/*"}
    calls = [
        ("GET", "/admin/pay-periods/1", None),
        ("GET", "/admin/pay-periods/2", None),
        ("PATCH", "/admin/pay-periods/1/close", None),
        ("PATCH", "/admin/pay-periods/2/close", None),
        ("GET", "/admin/csv-export/pay-period/1", None),
        ("GET", "/export/pay-period/1/pdf", None),
        ("GET", "/export/commission-statement/1/1/pdf", None),
        ("GET", "/tech/pay-periods/1/statement", None),
    ]
    assert_isolated(api, owner, other, calls, secrets=["Secret Sam", "Mike Johnson"])
    for path in ("/export/pay-period/1/pdf", "/export/commission-statement/1/1/pdf"):
        reply = api.get(path, as_=other, headers=pdf)
        assert reply.status == 404 and reply.error["code"] == "NOT_FOUND"
    # the other tenant has no periods of its own yet: nothing of the owner's shows
    listed = api.get("/admin/pay-periods", as_=other).data
    assert (listed["items"], listed["total"]) == ([], 0)
    assert api.get("/admin/pay-periods/1", as_=other).status == 404
    assert api.get("/admin/pay-periods/1", as_=owner).data["status"] == "closed"
    # the owner's period 2 is the one after the closed one, created by the close
    assert api.get("/admin/pay-periods/2", as_=owner).data["start_date"] == (
        (w1.end + timedelta(days=1)).isoformat()
    )
