"""Recording a matched row's payment on its invoice or sale, the row's move in the same
transaction, and ``payment.reconciled`` once."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import InvalidInput, RuleViolation
from chalicelib.invoices import moves as invoice_moves
from chalicelib.platform import outbox
from chalicelib.platform.tx import Labelled
from chalicelib.reconciliation import store
from chalicelib.reconciliation.rules import candidates
from chalicelib.reconciliation.store import RowItem
from chalicelib.sales import changes as sale_changes
from chalicelib.sales import service as sales
from chalicelib.sales.models import view as sale_view

SOURCE = "reconciliation"


def record(
    principal: Principal, row: RowItem, target: tuple[str, int], method: str, via: str
) -> None:
    """Record the row's payment on its invoice or sale; the row becomes matched in the
    same transaction, and ``payment.reconciled`` is emitted once."""
    kind, number = target
    at = clock.iso_utc(clock.now())
    moved = store.moved(
        row,
        candidates.MATCHED,
        {
            "match_kind": kind,
            "match_id": number,
            "match_method": method,
            "matched_at": at,
            "matched_by": principal.user_id,
            "reason": None,
            "updated_at": at,
        },
    )
    details = {
        "reconciliation": {
            "row_id": int(row.row_id),
            "import_id": int(row.import_id),
            "external_id": row.external_id,
            "method": method,
            "date": row.date,
        }
    }
    amount = int(row.amount_cents)
    if kind == candidates.INVOICE:
        reference = (row.external_id or row.reference or "")[:200] or None
        invoice_moves.pay(
            principal,
            number,
            amount,
            f"{via} import" if method != candidates.BY_HAND else "reconciliation",
            reference,
            source=SOURCE,
            parts=(moved,),
            details=details,
        )
        return
    _pay_sale(principal, row, number, amount, moved, details)


def _pay_sale(
    principal: Principal,
    row: RowItem,
    sale_id: int,
    amount: int,
    moved: store.Part,
    details: dict[str, Any],
) -> None:
    before = sale_view(sales.get(principal, sale_id))
    refusal = candidates.sale_refusal(before, amount)
    if refusal:
        if amount > int(before["sale_price_cents"]):
            raise InvalidInput(refusal, field="amount_cents")
        raise RuleViolation(refusal)
    status = candidates.sale_status_after(before, amount)
    day = date.fromisoformat(str(row.date))
    paid_on = day if day < clock.now().date() else None

    def check(sale: Any) -> None:
        now = sale_view(sale)
        if (
            candidates.sale_refusal(now, amount)
            or now["payment_status"] != before["payment_status"]
        ):
            raise RuleViolation(f"sale {sale_id} changed meanwhile; match it again")

    event = outbox.prepare(
        principal.tenant_id,
        "payment.reconciled",
        {
            "sale_id": sale_id,
            "customer_id": before.get("customer_id"),
            "amount_cents": amount,
            "payment_status": status,
            "source": SOURCE,
            **details,
        },
    )

    def add_event(tx: Labelled) -> None:
        outbox.add(tx, event)

    sale_changes.set_payment_status(
        principal, sale_id, status, paid_on, parts=(moved, add_event), check=check
    )
    outbox.enqueue(event)
