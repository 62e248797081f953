"""``GET /sales`` costs what it shows (issue 10): every filter, walked by page and by
cursor, returns every sale once, newest first; ``total`` stays exact through records,
approvals, rejections, payments and voids; pages read O(limit); cursors are bound to their
list and tenant."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest

from tests.support.reads import counting_reads
from tests.support.sales_helpers import record, seed_catalog, technician, technician_login
from tests.support.walk import Walk, api_fetch, api_refused, forged, walk


def _today() -> date:
    from chalicelib.core import clock

    return clock.today_in("America/New_York")


def _walk(api, account, query: str, limit: int, by_cursor: bool) -> Walk:
    return walk(api_fetch(api, account), f"/sales?{query}", limit, by_cursor=by_cursor)


@pytest.fixture
def book(api, owner):
    """30 sales by 3 technicians over ~2 months, 2 customers, in every state."""
    seed_catalog(api, owner)
    for n in (2, 3):
        technician(api, owner, name=f"Tech {n}")
    rng = random.Random(3)
    today, sales = _today(), {}
    for n in range(30):
        body = {
            "technician_id": rng.choice((1, 2, 3)),
            "item_id": 5,
            "sale_price_cents": 150000,
            "sale_date": (today - timedelta(days=rng.randrange(0, 60))).isoformat(),
        }
        if n % 3 == 0:
            name = "Ann Arbor" if n % 2 else "Bo Brown"
            body["customer_name"] = name
            body["customer_email"] = name.split()[0].lower() + "@example.com"
        sale = record(api, owner, body)
        sales[sale["id"]] = sale
    for sale_id in sales:
        if sale_id % 4 == 0:
            assert api.patch(f"/sales/{sale_id}/approve", {}, as_=owner).status == 200
        elif sale_id % 7 == 0:
            reply = api.patch(f"/sales/{sale_id}/reject", {"reason": "dup"}, as_=owner)
            assert reply.status == 200, reply.raw
        if sale_id % 5 == 0:
            reply = api.patch(f"/sales/{sale_id}/payment-status", {"status": "paid"}, as_=owner)
            assert reply.status == 200
        if sale_id % 6 == 0:
            assert api.patch(f"/sales/{sale_id}/void", {"voided": True}, as_=owner).status == 200
    return {s["id"]: api.get(f"/sales/{s['id']}", as_=owner).data for s in sales.values()}


def _matches(sale: dict, flt: dict) -> bool:
    for key, value in flt.items():
        if key == "date_from":
            if sale["sale_date"] < value:
                return False
        elif key == "date_to":
            if sale["sale_date"] > value:
                return False
        elif sale[key] != value:
            return False
    return True


def _order(book: dict, flt: dict) -> list[int]:
    kept = [s for s in book.values() if _matches(s, flt)]
    return [s["id"] for s in sorted(kept, key=lambda s: (s["sale_date"], s["id"]), reverse=True)]


def _query(flt: dict) -> str:
    return "&".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in flt.items())


def test_every_filter_walked_by_page_and_by_cursor_returns_each_sale_once(api, owner, book):
    customers = sorted({s["customer_id"] for s in book.values() if s["customer_id"]})
    assert len(customers) == 2
    dates = sorted(s["sale_date"] for s in book.values())
    middle = {"date_from": dates[5], "date_to": dates[-6]}
    filters = [
        {},
        {"technician_id": 2},
        {"customer_id": customers[0]},
        {"customer_id": customers[1], "technician_id": 3},
        {"approval_status": "approved"},
        {"approval_status": "pending", "voided": False},
        {"payment_status": "paid"},
        {"voided": True},
        middle,
        {**middle, "technician_id": 1, "approval_status": "pending"},
        {"customer_id": customers[0], "payment_status": "unpaid", **middle},
    ]
    for flt in filters:
        want = _order(book, flt)
        for limit in (4, 50):
            by_page = _walk(api, owner, _query(flt), limit, by_cursor=False)
            assert by_page.total == len(want), flt
            assert by_page.ids == want, (flt, limit)
            assert _walk(api, owner, _query(flt), limit, by_cursor=True).ids == want, (flt, limit)


def test_totals_stay_exact_through_every_change(api, owner):
    seed_catalog(api, owner)

    def totals() -> dict[str, int]:
        return {
            q: api.get(f"/sales?{q}", as_=owner).data["total"]
            for q in (
                "",
                "technician_id=1",
                "approval_status=pending",
                "approval_status=approved",
                "approval_status=rejected",
                "payment_status=paid",
                "voided=true",
                "voided=false",
                "customer_id=1",
            )
        }

    base = {"technician_id": 1, "item_id": 5, "sale_price_cents": 150000}
    ids = [
        record(api, owner, {**base, "customer_name": "Cy", "customer_email": "cy@example.com"})[
            "id"
        ]
        for _ in range(4)
    ]
    assert totals() == {
        "": 4,
        "technician_id=1": 4,
        "approval_status=pending": 4,
        "approval_status=approved": 0,
        "approval_status=rejected": 0,
        "payment_status=paid": 0,
        "voided=true": 0,
        "voided=false": 4,
        "customer_id=1": 4,
    }
    api.patch(f"/sales/{ids[0]}/approve", {}, as_=owner)
    api.patch(f"/sales/{ids[1]}/reject", {"reason": "no"}, as_=owner)
    api.patch(f"/sales/{ids[2]}/payment-status", {"status": "paid"}, as_=owner)
    api.patch(f"/sales/{ids[2]}/payment-status", {"status": "paid"}, as_=owner)  # again
    api.patch(f"/sales/{ids[3]}/void", {"voided": True}, as_=owner)
    api.patch(f"/sales/{ids[3]}/void", {"voided": True}, as_=owner)  # voiding twice is a no-op
    assert api.patch(f"/sales/{ids[0]}/approve", {}, as_=owner).status == 409  # counts nothing
    assert totals() == {
        "": 4,
        "technician_id=1": 4,
        "approval_status=pending": 2,
        "approval_status=approved": 1,
        "approval_status=rejected": 1,
        "payment_status=paid": 1,
        "voided=true": 1,
        "voided=false": 3,
        "customer_id=1": 4,
    }


def test_a_technician_walks_only_their_own_sales(api, owner):
    seed_catalog(api, owner)
    tech, tech_account = technician_login(api, owner)
    mine = [
        record(api, owner, {"technician_id": tech["id"], "item_id": 5, "sale_price_cents": 100})
        for _ in range(5)
    ]
    record(api, owner, {"technician_id": 1, "item_id": 5, "sale_price_cents": 100})
    ids = _walk(api, tech_account, "voided=false", 2, by_cursor=True).ids
    assert ids == sorted((s["id"] for s in mine), reverse=True)
    assert api.get("/sales?technician_id=1", as_=tech_account).status == 403


def test_pages_read_o_limit(api, owner):
    seed_catalog(api, owner)
    base = {"technician_id": 1, "item_id": 5, "sale_price_cents": 100}
    today = _today()
    for n in range(40):
        record(api, owner, {**base, "sale_date": (today - timedelta(days=n // 4)).isoformat()})
    with counting_reads() as reads:
        first = api.get("/sales?limit=5", as_=owner).data
    assert reads.queried == 5 and reads.calls["Query"] == 1
    with counting_reads() as reads:
        deep = api.get("/sales?limit=5&page=6", as_=owner).data
    assert reads.queried <= 5 + 4  # the page, and the earlier sales of the day it starts in
    everything = [s["id"] for s in api.get("/sales?limit=200", as_=owner).data["items"]]
    assert [s["id"] for s in deep["items"]] == everything[25:30]
    with counting_reads() as reads:
        api.get(f"/sales?limit=5&cursor={first['next_cursor']}", as_=owner)
    assert reads.queried == 5


def test_a_cursor_is_bound_to_its_list_and_tenant(api, owner, other):
    seed_catalog(api, owner)
    seed_catalog(api, other)
    for account in (owner, other):
        for _ in range(3):
            record(api, account, {"technician_id": 1, "item_id": 5, "sale_price_cents": 100})
    cursor = api.get("/sales?limit=1", as_=owner).data["next_cursor"]
    assert cursor
    for query, account in itertools.product(
        (
            *forged(cursor),
            "cursor=%00",
            f"cursor={cursor}&technician_id=1",
            f"cursor={cursor}&voided=false",
        ),
        (owner,),
    ):
        api_refused(api, account, f"/sales?limit=1&{query}")
    reply = api.get(f"/sales?limit=1&cursor={cursor}", as_=other)
    assert reply.status == 400
