"""``GET /admin/customers/{id}/history``: jobs, sales, invoices and estimates newest first,
with the records of merged customers; walked by cursor it gives every entry once, in
order; each page reads O(limit) per source; another tenant's id is 404."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.reads import counting_reads
from tests.support.sales_helpers import line_item, technician

TODAY = date.today()


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _ok(reply, status=201):
    assert reply.status == status, reply.raw
    return reply.data


def _records(api, owner, customer_id: int, tech: int, item: int, sales_days=(-1, -3, -10)):
    for offset in sales_days:
        body = {
            "technician_id": tech,
            "item_id": item,
            "sale_price_cents": 1000 + offset,
            "customer_id": customer_id,
            "sale_date": _day(offset),
        }
        _ok(api.post("/sales", body, as_=owner))
    for title in ("No cooling", "Annual check"):
        _ok(api.post("/admin/dispatch", {"title": title, "customer_id": customer_id}, as_=owner))
    for offset in (5, -2):
        body = {
            "customer_id": customer_id,
            "line_items": [{"description": "Repair", "amount_cents": 15000, "quantity": 1}],
            "due_date": _day(offset),
        }
        _ok(api.post("/admin/invoices", body, as_=owner))
    body = {
        "customer_id": customer_id,
        "line_items": [{"description": "New unit", "amount_cents": 850000, "quantity": 1}],
        "valid_until": _day(30),
    }
    _ok(api.post("/admin/estimates", body, as_=owner))


def _history(api, owner, customer_id: int, query: str = "limit=200"):
    return api.get(f"/admin/customers/{customer_id}/history?{query}", as_=owner)


def _walk(api, owner, customer_id: int, limit: int) -> list[dict]:
    got, cursor = [], None
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = _ok(_history(api, owner, customer_id, query), 200)
        assert len(page["items"]) <= limit
        got += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return got


def test_history_newest_first_with_merged_records(api, owner, other):
    tech, item = technician(api, owner)["id"], line_item(api, owner)["id"]
    hal = _ok(api.post("/admin/customers", {"name": "Hal"}, as_=owner))["id"]
    dup = _ok(api.post("/admin/customers", {"name": "Hal Dup"}, as_=owner))["id"]
    _records(api, owner, hal, tech, item)
    assert _ok(_history(api, owner, dup), 200)["items"] == []
    _ok(
        api.post(
            "/sales",
            {
                "technician_id": tech,
                "item_id": item,
                "sale_price_cents": 7,
                "customer_id": dup,
                "sale_date": _day(-2),
            },
            as_=owner,
        )
    )
    _ok(api.post("/admin/dispatch", {"title": "Dup job", "customer_id": dup}, as_=owner))
    before = _ok(_history(api, owner, hal), 200)["items"]
    assert len(before) == 8 and {e["type"] for e in before} == {
        "sale",
        "job",
        "invoice",
        "estimate",
    }
    _ok(api.post(f"/admin/customers/{hal}/merge", {"from_id": dup}, as_=owner), 200)

    full = _ok(_history(api, owner, hal), 200)
    items = full["items"]
    assert full["customer_id"] == hal and full["next_cursor"] is None and len(items) == 10
    orders = [(e["date"], e["type"], e["id"]) for e in items]
    assert orders == sorted(orders, reverse=True)
    assert {e["customer_id"] for e in items} == {hal, dup}
    sale = next(e for e in items if e["type"] == "sale" and e["customer_id"] == dup)
    assert (sale["date"], sale["status"], sale["amount_cents"]) == (_day(-2), "pending", 7)
    assert "by" in sale["summary"]
    job = next(e for e in items if e["type"] == "job" and e["customer_id"] == dup)
    assert (
        job["status"] == "pending" and job["amount_cents"] is None and "Dup job" in job["summary"]
    )
    invoice = next(e for e in items if e["type"] == "invoice")
    assert invoice["amount_cents"] == 15000 and invoice["status"] == "draft"
    estimate = next(e for e in items if e["type"] == "estimate")
    assert estimate["amount_cents"] == 850000 and estimate["status"] == "draft"
    # by cursor, every entry once and in order, whatever the page size
    for limit in (1, 3, 4):
        assert _walk(api, owner, hal, limit) == items
    # the merged id answers the survivor's history
    assert _ok(_history(api, owner, dup), 200)["items"] == items
    # another tenant: 404; page past 1 and a foreign cursor: 400
    assert _history(api, other, hal).status == 404
    assert _history(api, owner, hal, "page=2").status == 400
    first = _ok(_history(api, owner, hal, "limit=2"), 200)
    other_hal = _ok(api.post("/admin/customers", {"name": "Other"}, as_=owner))["id"]
    assert _history(api, owner, other_hal, f"cursor={first['next_cursor']}").status == 400
    assert _history(api, owner, 999).status == 404


def test_a_page_reads_o_limit_per_source(api, owner):
    tech, item = technician(api, owner)["id"], line_item(api, owner)["id"]
    cid = _ok(api.post("/admin/customers", {"name": "Busy"}, as_=owner))["id"]
    _records(api, owner, cid, tech, item, sales_days=tuple(range(-12, 0)))
    with counting_reads() as reads:
        page = _ok(_history(api, owner, cid, "limit=2"), 200)
    assert len(page["items"]) == 2 and page["next_cursor"]
    # one Query per source (jobs' entries, sales, invoices, estimates), each of limit + 1
    assert reads.calls["Query"] == 4 and reads.queried <= 4 * 3
    with counting_reads() as reads:
        nxt = _ok(_history(api, owner, cid, f"limit=2&cursor={page['next_cursor']}"), 200)
    assert len(nxt["items"]) == 2 and reads.calls["Query"] == 4
    assert reads.queried <= 4 * 3 + 2  # the estimates re-read what was returned
