"""Sales: DynamoDB calls for recording a sale (first call, idempotent replay, without a
key, by a technician user) and for listing sales (a page of 50 out of 60), counted by
operation with rate limiting off (``bench.common``). Also the SQS sends per request.
Asserts nothing."""

from __future__ import annotations

from bench.common import count_calls, emulated_api
from tests.support.sales_helpers import SEED_SALE

SALE = SEED_SALE  # the API reference's example
TOTAL_SALES = 60


def _figures(counter) -> dict:  # noqa: ANN001
    return {
        "dynamodb_calls": counter.of("dynamodb"),
        "ops": counter.ops("dynamodb"),
        "sqs_calls": counter.of("sqs"),
    }


def run() -> dict:
    from chalicelib.catalog import service as line_items
    from chalicelib.technicians import service as technicians
    from tests.support.sales_helpers import technician_login

    result: dict = {}
    with emulated_api() as api:
        owner = api.register("Bench Sales HVAC")
        tid = owner.tenant_id
        technicians.create(
            tid, {"name": "Mike Johnson", "pay_type": "hourly", "base_pay_cents": 2500}
        )
        for n in range(1, 6):
            line_items.create(
                tid, {"name": f"Item {n}", "category": "Maintenance", "price_cents": 150000}
            )
        api.put(
            "/admin/commission-config/tech/1/item/5",
            {"commission_rate_bps": 750, "ov_rate_bps": 0, "discount_scale_enabled": False},
            as_=owner,
        )
        api.post("/sales", SALE, as_=owner)  # warm caches (queue URL, clients)

        headers = {"Idempotency-Key": "bench-key-1"}
        with count_calls() as c:
            first = api.post("/sales", SALE, as_=owner, headers=headers)
        assert first.status == 201, first.raw
        result["post_sale_with_idempotency_key_new_customer"] = _figures(c)
        with count_calls() as c:
            replay = api.post("/sales", SALE, as_=owner, headers=headers)
        assert replay.raw == first.raw
        result["post_sale_idempotent_replay"] = _figures(c)
        with count_calls() as c:
            api.post(
                "/sales",
                {k: v for k, v in SALE.items() if k != "customer_name"},
                as_=owner,
                headers={"Idempotency-Key": "bench-key-2"},
            )
        result["post_sale_with_key_no_customer"] = _figures(c)
        with count_calls() as c:
            api.post("/sales", SALE, as_=owner)
        result["post_sale_without_key"] = _figures(c)

        tech, tech_login = technician_login(api, owner, name="Tina Tech")
        with count_calls() as c:
            api.post(
                "/sales",
                {**SALE, "technician_id": tech["id"]},
                as_=tech_login,
                headers={"Idempotency-Key": "bench-key-3"},
            )
        result["post_sale_by_technician_user_with_key"] = _figures(c)

        done = api.get("/sales", as_=owner).data["total"]
        for _ in range(TOTAL_SALES - done):
            api.post("/sales", SALE, as_=owner)
        with count_calls() as c:
            page = api.get("/sales?limit=50", as_=owner)
        data = page.data
        assert data["total"] == TOTAL_SALES and len(data["items"]) == 50
        result["list_sales_limit_50_of_60"] = _figures(c)
        with count_calls() as c:
            api.get(
                "/sales?limit=50&page=2&date_from=2020-01-01&approval_status=pending", as_=owner
            )
        result["list_sales_page_2_filtered"] = _figures(c)
        with count_calls() as c:
            api.get(f"/sales?technician_id={tech['id']}", as_=owner)
        result["list_one_technicians_sales"] = _figures(c)
        with count_calls() as c:
            api.get("/sales", as_=tech_login)
        result["list_sales_as_technician_user"] = _figures(c)
        with count_calls() as c:
            api.get("/sales/2", as_=owner)
        result["get_sale"] = _figures(c)
        with count_calls() as c:
            api.patch("/sales/2/approve", {}, as_=owner)
        result["approve_sale"] = _figures(c)
        with count_calls() as c:
            api.patch(
                "/sales/2/payment-status",
                {"status": "paid", "payment_date": "2026-03-15"},
                as_=owner,
            )
        result["update_payment_status"] = _figures(c)
        with count_calls() as c:
            api.patch("/sales/2/void", {"voided": True}, as_=owner)
        result["void_sale_open_period"] = _figures(c)
    return result
