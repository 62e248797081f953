"""Pay periods: closing a period of 10,000 sales (20 technicians, technician 1 with 1,000
of them, plus clawback adjustments), counted by AWS operation with rate limiting off
(``bench.common``), and the size of the 1,000-line commission statement PDF.

The sales are seeded straight into the table with ``BatchWriteItem`` (not through the
API: 10,000 ``POST /sales`` would only time moto), shaped exactly as ``POST /sales``
writes them (commission snapshot, revision 1) and with the period item's counters as the
sales' transactions keep them. Times are in-process moto times, not AWS latencies.
Asserts nothing but that the figures are the frozen ones."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bench.common import count_calls, emulated_api

N_SALES = 10_000
N_TECHS = 20
TECH1_LINES = 1_000
N_ADJUSTMENTS = 25


@contextlib.contextmanager
def _aws_time() -> Iterator[list[float]]:
    """Seconds spent inside AWS calls (here: in moto) while active."""
    from tests.support.aws_calls import wrapped

    spent = [0.0]

    def timed(call, client, operation, params):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return call(client, operation, params)
        finally:
            spent[0] += time.perf_counter() - started

    with wrapped(timed):
        yield spent


def _figures(counter) -> dict:  # noqa: ANN001
    return {
        "dynamodb_calls": counter.of("dynamodb"),
        "dynamodb_ops": counter.ops("dynamodb"),
        "s3_calls": counter.of("s3"),
        "s3_ops": counter.ops("s3"),
    }


def _seed(tid: str, window) -> None:  # noqa: ANN001
    from chalicelib.commission import rules
    from chalicelib.commission.rules import SaleLine
    from chalicelib.payperiods import store as period_store
    from chalicelib.payperiods.store import PayPeriodItem
    from chalicelib.platform import keys
    from chalicelib.platform.counters import CounterItem
    from chalicelib.sales import store as sales_store
    from chalicelib.sales.store import SaleItem

    seller = rules.seller_config(
        rules.TenantCommission(),
        override={
            "commission_rate_bps": 750,
            "flat_cents": None,
            "ov_rate_bps": 0,
            "discount_scale_enabled": False,
        },
        category_rate_bps=None,
        plan=None,
        item_default_bps=None,
    )
    now = datetime.now(UTC)
    with SaleItem.batch_write() as batch:
        for n in range(N_SALES):
            sale_id = n + 1
            tech = 1 if n < TECH1_LINES else 2 + n % (N_TECHS - 1)
            price = 50_000 + (n * 37) % 150_000
            snapshot, _ = rules.commissions(
                SaleLine(sale_price_cents=price, list_price_cents=150_000, quantity=1), seller, None
            )
            snap = snapshot.to_dict()
            day = window.start + timedelta(days=n % window.days)
            batch.save(
                sales_store.new_sale(
                    tid,
                    sale_id,
                    **{
                        "technician_id": tech,
                        "technician_name": f"Tech {tech}",
                        "item_id": 1,
                        "item_name": "Annual maintenance package",
                        "item_category": "Maintenance",
                        "installer_id": None,
                        "quantity": 1,
                        "sale_price_cents": price,
                        "list_price_cents": 150_000,
                        "commission_cents": snap["commission_cents"],
                        "installer_commission_cents": 0,
                        "commission_snapshot": snap,
                        "installer_commission_snapshot": None,
                        "customer_id": None,
                        "customer_name": f"Customer {n % 700}",
                        "customer_email": None,
                        "notes": "bench",
                        "payment_type": "credit_card",
                        "sale_date": day.isoformat(),
                        "approval_status": "approved",
                        "approved_by": 1,
                        "approved_at": now,
                        "payment_status": "paid",
                        "payment_date": day.isoformat(),
                        "voided": False,
                        "created_by": 1,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
            )
    CounterItem(*keys.counter_key(tid, "sale"), value=N_SALES).save()
    # the period item as N sale transactions would have left it
    PayPeriodItem(
        *keys.pay_period_key(tid, window.key),
        tenant_id=tid,
        status="open",
        frequency=window.frequency,
        start_date=window.key,
        end_date=window.end.isoformat(),
        sales_count=N_SALES,
        revision=N_SALES,
    ).save()
    for n in range(N_ADJUSTMENTS):
        period_store.new_adjustment(
            tid,
            effective_date=(window.start + timedelta(days=n % window.days)).isoformat(),
            period_start=window.key,
            sale_id=900_000 + n,
            role="technician",
            technician_id=1 + n % N_TECHS,
            amount_cents=-(1_000 + n),
            reason="clawback",
            actor=1,
            now=now,
        ).save()


def run() -> dict:
    from chalicelib.catalog import service as line_items
    from chalicelib.core.clock import today_in as tenant_today
    from chalicelib.payperiods.rules import period_for
    from chalicelib.technicians import service as technicians

    result: dict = {"sales": N_SALES, "technicians": N_TECHS, "adjustments": N_ADJUSTMENTS}
    with emulated_api() as api:
        owner = api.register("Bench Payroll HVAC")
        tid = owner.tenant_id
        for n in range(1, N_TECHS + 1):
            technicians.create(
                tid,
                {
                    "name": f"Tech {n}",
                    "pay_type": ("hourly", "salary", "commission")[n % 3],
                    "base_pay_cents": 2_500 if n % 3 == 0 else 180_000,
                },
            )
        line_items.create(
            tid,
            {
                "name": "Annual maintenance package",
                "category": "Maintenance",
                "price_cents": 150_000,
            },
        )
        current = period_for(tenant_today("America/New_York"), "biweekly")
        window = period_for(current.start - timedelta(days=1), "biweekly")
        started = time.perf_counter()
        _seed(tid, window)
        from chalicelib.payperiods import service as periods

        periods.backfill(tid)  # the bulk-written period gets its id and count, as on deploy
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
        items = api.get("/admin/pay-periods", as_=owner).data["items"]
        period_id = next(p["id"] for p in items if p["start_date"] == window.key)

        from chalicelib.payroll import close as payroll_close

        payroll_close.CLOSE_BUDGET_S = 600.0  # moto's GSI Query is far slower than AWS's
        with count_calls() as c, _aws_time() as in_aws:
            started = time.perf_counter()
            reply = api.patch(f"/admin/pay-periods/{period_id}/close", as_=owner)
            took = time.perf_counter() - started
        assert reply.status == 200, reply.raw
        closed = reply.data
        assert closed["totals"]["sales_count"] == N_SALES
        result["close_10000_sales"] = {
            "seconds": round(took, 2),
            "seconds_inside_moto": round(in_aws[0], 2),
            "seconds_in_our_code": round(took - in_aws[0], 2),
            **_figures(c),
            "totals": closed["totals"],
        }
        with count_calls() as c:
            again = api.patch(f"/admin/pay-periods/{period_id}/close", as_=owner)
        assert again.raw == reply.raw
        result["close_again_idempotent"] = _figures(c)
        with count_calls() as c:
            api.get(f"/admin/pay-periods/{period_id}", as_=owner)
        result["get_closed_period"] = _figures(c)
        with count_calls() as c:
            api.get("/admin/pay-periods", as_=owner)
        result["list_periods"] = _figures(c)

        pdf_headers = {"Accept": "*/*"}
        with count_calls() as c:
            statement = api.get(
                f"/export/commission-statement/1/{period_id}/pdf", as_=owner, headers=pdf_headers
            )
        assert statement.status == 200
        from io import BytesIO

        from pypdf import PdfReader

        result["statement_pdf_1000_lines"] = {
            "bytes": len(statement.raw),
            "pages": len(PdfReader(BytesIO(statement.raw)).pages),
            "served_from_s3": _figures(c),
        }
        summary = api.get(f"/export/pay-period/{period_id}/pdf", as_=owner, headers=pdf_headers)
        csv_body = api.get(f"/admin/csv-export/pay-period/{period_id}", as_=owner)
        result["pay_period_pdf_bytes"] = len(summary.raw)
        result["pay_period_csv_bytes"] = len(csv_body.raw)
        files = closed["exports"]
        result["frozen_files"] = 2 + len(files["statements"]) * 2
        started = time.perf_counter()
        from chalicelib.payroll import render_pdf

        render_pdf.commission_statement_pdf(
            {"display_name": "Bench"},
            {"id": period_id, "start": window.key, "end": window.end.isoformat()},
            {"name": "Tech 1", "pay_type": "hourly"},
            [
                {
                    "sale_id": n,
                    "sale_date": window.key,
                    "customer": f"Customer {n}",
                    "item": "Annual maintenance package",
                    "sale_price_cents": 150_000,
                    "rule": "tech_item",
                    "rate_bps": 750,
                    "commission_cents": 11_250,
                }
                for n in range(TECH1_LINES)
            ],
            [],
            {
                "technician_id": 1,
                "technician_name": "Tech 1",
                "pay_type": "commission",
                "sales_count": TECH1_LINES,
                "commission_cents": 11_250 * TECH1_LINES,
            },
        )
        result["render_1000_line_statement_seconds"] = round(time.perf_counter() - started, 2)
    return result
