"""``GET /admin/pay-periods`` and ``GET /tech/pay-periods`` over real HTTP against the
`make run` stack: every filter (status, date, date_from, date_to), walked by page and by
cursor, gives every period once, newest first, with an exact total; ids follow creation;
an altered or foreign cursor is 400; sales racing to create new periods each get one
period with one id."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import pytest

from chalicelib.core.clock import today_in
from chalicelib.payperiods.rules import period_for
from tests.e2e.conftest import ok, refused
from tests.payperiods.support import matches
from tests.support.racing import at_once
from tests.support.walk import stack_fetch, walk

LISTS = ("/admin/pay-periods", "/tech/pay-periods")


def _today() -> date:
    return today_in("America/New_York")  # the tenant's default timezone


def _past_windows(count: int, before: date) -> list:
    """The ``count`` biweekly windows before the one holding ``before``, oldest first."""
    found, start = [], period_for(before, "biweekly").start
    for _ in range(count):
        window = period_for(start - timedelta(days=1), "biweekly")
        found.append(window)
        start = window.start
    return found[::-1]


def _shop(stack, name: str) -> dict:
    account = stack.register(name)
    headers = account["headers"]
    username, password = "tech" + uuid.uuid4().hex[:8], "techPassword123!"
    tech = stack.create(
        "/admin/technicians",
        {"name": "Tina Tech", "pay_type": "commission", "username": username, "password": password},
        headers,
    )
    item = stack.create(
        "/admin/line-items",
        {"name": "Tune-up", "category": "Maintenance", "price_cents": 9900},
        headers,
    )
    login = ok(
        stack.request(
            "POST",
            "/api/v1/auth/login",
            {"username": username, "password": password},
            {"X-Tenant-Id": account["tenant_id"]},
        )
    )
    tech_headers = {
        "Authorization": f"Bearer {login['access_token']}",
        "X-Tenant-Id": account["tenant_id"],
    }
    return {"headers": headers, "tech_headers": tech_headers, "tech": tech, "item": item}


def _sale(stack, shop: dict, day: date) -> dict:
    body = {
        "technician_id": shop["tech"]["id"],
        "item_id": shop["item"]["id"],
        "sale_price_cents": 9900,
        "sale_date": day.isoformat(),
    }
    return stack.create("/sales", body, shop["headers"])


@pytest.fixture(scope="module")
def shop(stack):
    """9 periods created in shuffled date order (8 past windows, then today's), 2 of
    them closed; ``book`` maps each id to its dates and status."""
    shop = _shop(stack, "Period Plumbing")
    windows = _past_windows(8, _today())
    order = list(range(8))
    random.Random(11).shuffle(order)
    for n in order:
        _sale(stack, shop, windows[n].start + timedelta(days=n % 4))
    _sale(stack, shop, _today())
    ids = {windows[n].key: k + 1 for k, n in enumerate(order)}
    for n in (1, 5):
        path = f"/api/v1/admin/pay-periods/{ids[windows[n].key]}/close"
        ok(stack.request("PATCH", path, headers=shop["headers"]))
    book = {}
    for period_id in range(1, 10):
        got = ok(
            stack.request("GET", f"/api/v1/admin/pay-periods/{period_id}", headers=shop["headers"])
        )
        book[period_id] = {k: got[k] for k in ("start_date", "end_date", "status")}
    shop["book"] = book
    return shop


def _walk(stack, headers, path: str, query: str, limit: int, by_cursor: bool):
    got = walk(stack_fetch(stack, headers), f"/api/v1{path}?{query}", limit, by_cursor=by_cursor)
    return got.ids, got.total


def test_every_filter_of_both_lists_by_page_and_by_cursor(stack, shop):
    book = shop["book"]
    starts = sorted(p["start_date"] for p in book.values())

    def plus(key: str, days: int) -> str:
        return (date.fromisoformat(key) + timedelta(days=days)).isoformat()

    newest_first = sorted(book, key=lambda i: book[i]["start_date"], reverse=True)
    assert newest_first != sorted(book, reverse=True)  # ids follow creation, not dates
    filters = [
        {},
        {"status": "open"},
        {"status": "closed"},
        {"status": "closing"},
        {"date": plus(starts[3], 5)},
        {"date": "2015-06-01"},
        {"date_from": plus(starts[2], 7)},
        {"date_to": plus(starts[6], 1)},
        {"date_from": starts[1], "date_to": plus(starts[7], 13), "status": "open"},
    ]
    for flt in filters:
        want = [i for i in newest_first if matches(book[i], flt)]
        query = "&".join(f"{k}={v}" for k, v in flt.items())
        for path, headers in zip(LISTS, (shop["headers"], shop["tech_headers"]), strict=True):
            for limit, by_cursor in ((2, False), (2, True), (50, False)):
                ids, total = _walk(stack, headers, path, query, limit, by_cursor)
                assert (ids, total) == (want, len(want)), (path, flt, limit, by_cursor)


def test_altered_and_foreign_cursors_are_400(stack, shop):
    body = ok(stack.request("GET", "/api/v1/admin/pay-periods?limit=2", headers=shop["headers"]))
    cursor = body["next_cursor"]
    assert cursor
    for query in (f"cursor={cursor}x", f"cursor={cursor[:-2]}", f"cursor={cursor}&status=open"):
        refused(stack, f"/api/v1/admin/pay-periods?limit=2&{query}", shop["headers"])
    other = stack.register("Other Period Plumbing")
    refused(stack, f"/api/v1/admin/pay-periods?limit=2&cursor={cursor}", other["headers"])


def test_racing_sales_create_each_new_period_once(stack):
    """Sales sent at once, three per new period: all are recorded, each period is created
    once with its own id, and the total is exact."""
    shop = _shop(stack, "Racing Periods HVAC")
    windows = _past_windows(4, _today())
    days = [w.start + timedelta(days=n) for w in windows for n in (0, 2, 4)]

    def seller(day: date) -> int:
        body = {
            "technician_id": shop["tech"]["id"],
            "item_id": shop["item"]["id"],
            "sale_price_cents": 9900,
            "sale_date": day.isoformat(),
        }
        return stack.request("POST", "/api/v1/sales", body, shop["headers"])[0]

    statuses = at_once([lambda day=day: seller(day) for day in days], timeout=90)
    assert statuses == [201] * len(days)
    body = ok(stack.request("GET", "/api/v1/admin/pay-periods", headers=shop["headers"]))
    assert body["total"] == 4
    assert [p["start_date"] for p in body["items"]] == [w.key for w in reversed(windows)]
    assert sorted(p["id"] for p in body["items"]) == [1, 2, 3, 4]
    assert [p["sales_recorded"] for p in body["items"]] == [3, 3, 3, 3]
