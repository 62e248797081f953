"""``GET /sales`` over real HTTP against the `make run` stack (dynoxide): every filter,
walked by page and by cursor, gives every sale once, newest first, with an exact total;
a foreign or altered cursor is 400; concurrent approvals and payments keep totals exact."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import ok, refused
from tests.support.walk import stack_fetch, walk


@pytest.fixture(scope="module")
def shop(stack):
    account = stack.register("List Heating")
    headers = account["headers"]
    techs = [
        stack.create("/admin/technicians", {"name": f"Tech {n}", "pay_type": "commission"}, headers)
        for n in range(2)
    ]
    item = stack.create(
        "/admin/line-items",
        {"name": "Tune-up", "category": "Maintenance", "price_cents": 9900},
        headers,
    )
    today, sales = date.today(), []
    for n in range(18):
        body = {
            "technician_id": techs[n % 2]["id"],
            "item_id": item["id"],
            "sale_price_cents": 9900,
            "sale_date": (today - timedelta(days=n % 5)).isoformat(),
        }
        if n % 3 == 0:
            body.update(customer_name="Dee Day", customer_email="dee@example.com")
        sales.append(stack.create("/sales", body, headers))
    for sale in sales[::4]:
        ok(stack.request("PATCH", f"/api/v1/sales/{sale['id']}/approve", {}, headers))
    for sale in sales[1::5]:
        ok(
            stack.request(
                "PATCH", f"/api/v1/sales/{sale['id']}/payment-status", {"status": "paid"}, headers
            )
        )
    ok(stack.request("PATCH", f"/api/v1/sales/{sales[2]['id']}/void", {"voided": True}, headers))
    final = [ok(stack.request("GET", f"/api/v1/sales/{s['id']}", headers=headers)) for s in sales]
    return {"headers": headers, "sales": final, "techs": techs, "account": account}


def _walk(stack, headers, query: str, limit: int, by_cursor: bool) -> tuple[list[int], int]:
    got = walk(stack_fetch(stack, headers), f"/api/v1/sales?{query}", limit, by_cursor=by_cursor)
    return got.ids, got.total


def test_every_filter_by_page_and_by_cursor(stack, shop):
    sales, headers = shop["sales"], shop["headers"]
    customer = next(s["customer_id"] for s in sales if s["customer_id"])
    day = sorted(s["sale_date"] for s in sales)[len(sales) // 2]
    filters = {
        "": lambda s: True,
        f"technician_id={shop['techs'][1]['id']}": lambda s: (
            s["technician_id"] == shop["techs"][1]["id"]
        ),
        f"customer_id={customer}": lambda s: s["customer_id"] == customer,
        f"customer_id={customer}&technician_id={shop['techs'][0]['id']}": lambda s: (
            s["customer_id"] == customer and s["technician_id"] == shop["techs"][0]["id"]
        ),
        "approval_status=approved": lambda s: s["approval_status"] == "approved",
        "payment_status=paid": lambda s: s["payment_status"] == "paid",
        "voided=true": lambda s: s["voided"],
        "voided=false": lambda s: not s["voided"],
        f"date_from={day}": lambda s: s["sale_date"] >= day,
        f"date_to={day}": lambda s: s["sale_date"] <= day,
    }
    for query, keep in filters.items():
        want = [
            s["id"]
            for s in sorted(sales, key=lambda s: (s["sale_date"], s["id"]), reverse=True)
            if keep(s)
        ]
        assert want, query
        for by_cursor in (False, True):
            ids, total = _walk(stack, headers, query, 4, by_cursor)
            assert (ids, total) == (want, len(want)), (query, by_cursor)


def test_a_cursor_is_refused_by_another_list_and_tenant(stack, shop):
    headers = shop["headers"]
    cursor = ok(stack.request("GET", "/api/v1/sales?limit=2", headers=headers))["next_cursor"]
    stranger = stack.register("Stranger Plumbing")["headers"]
    refused(stack, f"/api/v1/sales?limit=2&cursor={cursor}&voided=true", headers)
    refused(stack, f"/api/v1/sales?limit=2&cursor={cursor[:-2]}", headers)
    refused(stack, f"/api/v1/sales?limit=2&cursor={cursor}", stranger)


def test_concurrent_changes_keep_totals_exact(stack):
    """Approvals and payments racing on the same sales: every one lands, and the filtered
    totals equal what the sales say."""
    headers = stack.register("Race Electric")["headers"]
    tech = stack.create("/admin/technicians", {"name": "Rae", "pay_type": "commission"}, headers)
    item = stack.create(
        "/admin/line-items", {"name": "Panel", "category": "Install", "price_cents": 5000}, headers
    )
    sales = [
        stack.create(
            "/sales",
            {"technician_id": tech["id"], "item_id": item["id"], "sale_price_cents": 5000},
            headers,
        )
        for _ in range(8)
    ]
    replies: list[int] = []

    def change(sale: dict, path: str, body: dict) -> None:
        status, _, _ = stack.request("PATCH", f"/api/v1/sales/{sale['id']}/{path}", body, headers)
        replies.append(status)

    threads = [threading.Thread(target=change, args=(s, "approve", {})) for s in sales]
    threads += [
        threading.Thread(target=change, args=(s, "payment-status", {"status": "partial"}))
        for s in sales
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert replies == [200] * len(threads)
    for query, total in {
        "approval_status=approved": 8,
        "approval_status=pending": 0,
        "payment_status=partial": 8,
        "payment_status=unpaid": 0,
        "": 8,
    }.items():
        assert ok(stack.request("GET", f"/api/v1/sales?{query}", headers=headers))["total"] == total
