"""Lists cost what they show (issue 10): for each list, page 1, page 20 and a walk of five
cursor pages (limit 50), DynamoDB calls and items read (a Query's ScannedCount plus the
items a Get/BatchGet returned, rollup items included), and whether ``total`` is exact.

Sales: tenants of 100, 10,000 and 100,000 sales over two years (about 137 a day at the
largest), seeded with batched writes and counted with ``rollups.put_counts``; unfiltered,
one technician's, one customer's, one status and a date range. In-process moto (its
Queries cost time in proportion to the table, not what they read: the figures are
counts, not timings). Asserts nothing."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from bench.common import emulated_api

SIZES = (100, 10_000, 100_000)
LIMIT = 50
DAYS = 730
TECHS = 8
CUSTOMERS = 400


def _reads_of(api, owner, path: str) -> dict:  # noqa: ANN001
    from tests.support.reads import counting_reads

    with counting_reads() as reads:
        reply = api.get(path, as_=owner)
    assert reply.status == 200, reply.raw
    return {
        "calls": sum(reads.calls.values()),
        "items_read": reads.items,
        "items_returned": len(reply.data["items"]),
        "total": reply.data["total"],
        "_next": reply.data["next_cursor"],
    }


def _measure(api, owner, path: str, expected_total: int) -> dict:  # noqa: ANN001
    sep = "&" if "?" in path else "?"
    first = _reads_of(api, owner, f"{path}{sep}limit={LIMIT}")
    deep = _reads_of(api, owner, f"{path}{sep}limit={LIMIT}&page=20")
    walk, cursor = [], first["_next"]
    for _ in range(5):
        if cursor is None:
            break
        page = _reads_of(api, owner, f"{path}{sep}limit={LIMIT}&cursor={cursor}")
        walk.append(page["items_read"])
        cursor = page["_next"]
    return {
        "total": first["total"],
        "total_exact": first["total"] == expected_total,
        "page_1": {k: first[k] for k in ("calls", "items_read")},
        "page_20": {k: deep[k] for k in ("calls", "items_read", "items_returned")},
        "cursor_pages_items_read": walk,
    }


def _seed_sales(tenant_id: str, count: int) -> list:
    from chalicelib.platform import rollups
    from chalicelib.sales import listing, store

    rng = random.Random(count)
    start = date(2026, 11, 30) - timedelta(days=DAYS - 1)
    now = datetime(2026, 11, 30, 12, 0)
    sales, scoped = [], defaultdict(list)
    with store.SaleItem.batch_write() as batch:
        for sale_id in range(1, count + 1):
            sale = store.new_sale(
                tenant_id,
                sale_id,
                technician_id=rng.randrange(1, TECHS + 1),
                item_id=1,
                quantity=1,
                sale_price_cents=15000,
                commission_cents=1125,
                commission_snapshot={"commission_cents": 1125},
                customer_id=rng.randrange(1, CUSTOMERS + 1) if rng.random() < 0.7 else None,
                sale_date=(start + timedelta(days=rng.randrange(DAYS))).isoformat(),
                approval_status=rng.choice(("pending", "approved", "approved", "rejected")),
                payment_status=rng.choice(("unpaid", "paid")),
                voided=rng.random() < 0.03,
                created_at=now,
            )
            batch.save(sale)
            sales.append(sale)
            for rollup, entry in listing.entries(sale).items():
                scoped[rollup].append(entry)
    for rollup, entries in scoped.items():
        rollups.put_counts(tenant_id, rollup, entries)
    return sales


def _sales(api) -> dict:  # noqa: ANN001
    result = {}
    for size in SIZES:
        owner = api.register(f"Bench Lists {size}")
        sales = _seed_sales(owner.tenant_id, size)
        dates = sorted(s.sale_date for s in sales)
        low, high = dates[len(dates) // 4], dates[len(dates) // 2]
        customer = sales[0].customer_id or sales[1].customer_id
        busiest_day = max(
            sum(1 for d in dates if d == day) for day in {dates[len(dates) // 3], dates[-1]}
        )
        cases = {
            "all": ("/sales", len(sales)),
            "technician_id=3": (
                "/sales?technician_id=3",
                sum(1 for s in sales if s.technician_id == 3),
            ),
            f"customer_id={customer}": (
                f"/sales?customer_id={customer}",
                sum(1 for s in sales if s.customer_id == customer),
            ),
            "approval_status=pending": (
                "/sales?approval_status=pending",
                sum(1 for s in sales if s.approval_status == "pending"),
            ),
            "date range": (
                f"/sales?date_from={low}&date_to={high}",
                sum(1 for s in sales if low <= s.sale_date <= high),
            ),
        }
        result[f"{size}_sales"] = {
            "about_sales_per_day": busiest_day,
            **{name: _measure(api, owner, path, want) for name, (path, want) in cases.items()},
        }
    return result


FIRST = ("Ann", "Bo", "Cy", "Dee", "Eve", "Flo", "Gus", "Hal", "Ida", "Jo", "Kai", "Lu")
LAST = ("Smith", "Jones", "Brown", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Moore")


def _customers(api, count: int = 20_000) -> dict:  # noqa: ANN001
    from chalicelib.customers import store
    from chalicelib.platform import keys, rollups

    owner = api.register("Bench Customers")
    tid, now, rng = owner.tenant_id, datetime(2026, 11, 30, 12, 0), random.Random(5)
    names = []
    with (
        store.CustomerItem.batch_write() as customers,
        store.CustomerSearchItem.batch_write() as terms,
    ):
        for customer_id in range(1, count + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {customer_id}"
            fields = {"name": name, "email": f"c{customer_id}@example.com", "zip": "33602"}
            customer, _ = store.new_items(tid, customer_id, fields, now)
            customers.save(customer)
            for term in store._terms_of(customer):
                terms.save(store._entry(tid, customer_id, term))
            names.append(name.lower())
    rollups.put_counts(
        tid, store.ROLLUP, [(keys.id_sk(n), store.FACET) for n in range(1, count + 1)]
    )
    selective = "ann smith 1"
    return {
        "customers": count,
        "all": _measure(api, owner, "/admin/customers", count),
        f"search={selective}": _measure(
            api,
            owner,
            f"/admin/customers?search={selective.replace(' ', '%20')}",
            sum(1 for n in names if n.startswith(selective)),
        ),
    }


def run() -> dict:
    with emulated_api() as api:
        return {"limit": LIMIT, "sales": _sales(api), "customers": _customers(api)}
