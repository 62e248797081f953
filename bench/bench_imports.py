"""Onboarding imports: the DynamoDB calls of a 5,000-row sales import (20 technicians,
50 line items, a year of history over 27 biweekly pay periods, 1,000 customers by e-mail
each on 4 sales, 500 walk-in customers by name, 500 sales without a customer), counted by
AWS operation with rate limiting off (``bench.common``), and of its re-import and of the
same file with one bad row. The technicians and line items come through their own
imports (counted too). Times are in-process moto times, not AWS latencies."""

from __future__ import annotations

import time
from datetime import date, timedelta

from bench.common import count_calls, emulated_api

N_SALES, N_TECHS, N_ITEMS, N_EMAILS, N_WALK_INS = 5_000, 20, 50, 1_000, 500
CSV = {"Content-Type": "text/csv"}


def _sales_file(today: date) -> str:
    lines = [
        "technician_id,item_id,sale_price_cents,quantity,customer_name,customer_email,sale_date"
    ]
    for n in range(N_SALES):
        day = (today - timedelta(days=(n * 7) % 365)).isoformat()
        tech, item = 1 + n % N_TECHS, 1 + (n * 7) % N_ITEMS
        price = 10_000 + (n * 37) % 150_000
        if n < 4 * N_EMAILS:
            customer = f"Customer {n % N_EMAILS},customer{n % N_EMAILS}@example.com"
        elif n < 4 * N_EMAILS + N_WALK_INS:
            customer = f"Walk-in {n},"
        else:
            customer = ","
        lines.append(f"{tech},{item},{price},1,{customer},{day}")
    return "\n".join(lines) + "\n"


def _post(api, owner, kind: str, text: str):  # noqa: ANN001
    with count_calls() as counter:
        started = time.perf_counter()
        reply = api.post(f"/admin/import/{kind}", as_=owner, headers=CSV, raw=text.encode())
        took = time.perf_counter() - started
    return reply, {
        "status": reply.status,
        "dynamodb_calls": counter.of("dynamodb"),
        "dynamodb_ops": counter.ops("dynamodb"),
        "seconds": round(took, 1),
    }


def run() -> dict:
    from tests.support import moto_tx

    # moto deep-copies the whole table once per item of a transaction (O(table) per
    # counted item); the tests' shim copies only the items named. Calls are unchanged.
    moto_tx.install()
    result: dict = {"sales": N_SALES, "technicians": N_TECHS, "line_items": N_ITEMS}
    with emulated_api() as api:
        owner = api.register("Bench Imports HVAC")
        techs = "name,pay_type,base_pay_cents\n" + "".join(
            f"Tech {n},hourly,2500\n" for n in range(1, N_TECHS + 1)
        )
        _, result["technicians_import"] = _post(api, owner, "technicians", techs)
        items = "name,category,price_cents\n" + "".join(
            f"Item {n},{('Maintenance', 'Parts', 'Repair')[n % 3]},{5_000 + 1_000 * n}\n"
            for n in range(1, N_ITEMS + 1)
        )
        _, result["line_items_import"] = _post(api, owner, "line-items", items)
        text = _sales_file(date.today())
        result["file_bytes"] = len(text.encode())
        reply, result["sales_import"] = _post(api, owner, "sales", text)
        assert reply.status == 201, reply.raw
        _, result["sales_re_import"] = _post(api, owner, "sales", text)
        bad = text.rsplit("\n", 2)[0] + "\n99,1,100,1,,,\n"  # the last row names no technician
        _, result["sales_import_one_bad_row"] = _post(api, owner, "sales", bad)
        listed = api.get("/sales?limit=1", as_=owner).data
        periods = api.get("/admin/pay-periods?limit=200", as_=owner).data
        result["sales_listed"] = listed["total"]
        result["pay_periods"] = periods["total"]
        result["sales_in_periods"] = sum(p["sales_recorded"] for p in periods["items"])
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
