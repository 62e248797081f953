"""Changing a recorded sale: approve or reject it (``sales:approve``), record its payment
status and void it (``sales:all``).

Approving, rejecting and voiding count in the sale's pay period in the same transaction,
so none of them can slip into a period that is closing or closed (409). Payment status
may change in any period: customer payment does not change commission.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.payperiods import service as periods
from chalicelib.platform import outbox
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, Labelled, retries
from chalicelib.sales import listing, rules, store
from chalicelib.sales.models import view
from chalicelib.sales.store import SaleItem
from chalicelib.settings import service as settings


def _sale_and_settings(
    tenant_id: str, sale_id: int, consistent: bool = False
) -> tuple[SaleItem, dict[str, Any]]:
    """The sale and its tenant's settings: one BatchGetItem; 404 for an unknown sale."""
    sale, tenant = get_many(
        [store.ref(tenant_id, sale_id), accounts.tenant_ref(tenant_id)], consistent=consistent
    )
    if sale is None or sale.tenant_id != tenant_id:
        raise NotFound(f"sale {sale_id} not found")
    return sale, settings.effective(tenant)  # type: ignore[arg-type]


def decide(principal: Principal, sale_id: int, target: str, reason: str | None) -> SaleItem:
    """Approve or reject a pending sale (emits ``sale.approved`` / ``sale.rejected``)."""
    tid = principal.tenant_id
    for _ in retries():  # the sale or its period item changed concurrently: look again
        sale, tenant_settings = _sale_and_settings(tid, sale_id, consistent=True)
        rules.check_approval(sale.approval_status, target, bool(sale.voided))
        now = clock.now()
        data = {
            **view(sale),
            "approval_status": target,
            "approval_reason": reason,
            "approved_by": principal.user_id,
            "approved_at": now.isoformat(),
        }
        pending = outbox.prepare(tid, f"sale.{target}", data, now)
        window = periods.schedule(tenant_settings).window_for(date.fromisoformat(sale.sale_date))

        def parts(tx: Labelled, window: Any = window, pending: Any = pending) -> None:
            periods.touch(tx, "period", tid, window, revision=1)
            outbox.add(tx, pending)

        counts = listing.counted(tid, sale, approval_status=target)
        try:
            store.set_approval(sale, target, reason, principal.user_id, now, [parts, counts])
        except ConditionFailed as exc:
            if "period" in exc.failed:
                raise Conflict(
                    f"sale {sale_id} is dated in a closed pay period (or one being "
                    "closed) and cannot be changed"
                ) from exc
            continue  # approved, rejected, voided or paid meanwhile: check it again
        except Contention:
            continue
        outbox.enqueue(pending)
        return sale
    raise Conflict(f"sale {sale_id} is being changed by other requests; retry")


def set_payment_status(
    principal: Principal,
    sale_id: int,
    status: str,
    payment_date: date | None,
    *,
    parts: tuple[store.Part, ...] = (),
    check: Any = None,
) -> SaleItem:
    """``parts``: another feature's writes in the same transaction (reconciliation's row
    and its event; a failed condition of the part labelled ``"linked"`` is 409);
    ``check(sale)``: raises when the sale as read cannot take the change
    (reconciliation: a voided or paid sale)."""
    tid = principal.tenant_id
    for _ in retries():
        sale, tenant_settings = _sale_and_settings(tid, sale_id, consistent=True)
        if check is not None:
            check(sale)
        today = clock.today_in(tenant_settings.get("timezone"))
        stored_date = rules.payment_update(status, payment_date, sale.payment_date, today)
        counts = listing.counted(tid, sale, payment_status=status)
        try:
            store.set_payment(sale, status, stored_date, clock.now(), [counts, *parts])
        except ConditionFailed as exc:
            if "linked" in exc.failed:  # another feature's part (a reconciliation row)
                raise Conflict("the record this payment is linked to changed meanwhile") from exc
            continue  # changed meanwhile: apply it to what it is now
        except Contention:
            continue
        return sale
    raise Conflict(f"sale {sale_id} is being changed by other requests; retry")


def void(principal: Principal, sale_id: int, reason: str | None) -> SaleItem:
    """Void a sale. In an open period it simply stops counting; in a closed one its
    commission is clawed back by negative adjustments dated in the open period. Voiding
    an already voided sale changes nothing. While the sale's period is being closed the
    void is refused (409): the close is freezing that sale's commission."""
    tid = principal.tenant_id
    for _ in retries():
        sale, tenant_settings = _sale_and_settings(tid, sale_id, consistent=True)
        if sale.voided:
            return sale
        schedule = periods.schedule(tenant_settings)
        window = schedule.window_for(date.fromisoformat(sale.sale_date))
        status = periods.status_of(tid, window)
        if status == periods.CLOSING:
            raise Conflict(
                f"sale {sale_id} is dated in the pay period {window.start}.."
                f"{window.end}, which is being closed; void it once the close "
                "has finished (its commission is then clawed back)"
            )
        closed = status == periods.CLOSED
        claws = rules.clawbacks(
            approval_status=sale.approval_status,
            voided=False,
            period_closed=closed,
            technician_id=int(sale.technician_id),
            snapshot=sale.commission_snapshot,
            installer_id=int(sale.installer_id) if sale.installer_id is not None else None,
            installer_snapshot=sale.installer_commission_snapshot,
        )
        now = clock.now()
        adjustments, adjustment_window, adjustment_read = [], None, None
        if claws:
            effective, adjustment_window, adjustment_read = periods.open_period_day(
                tid, schedule, clock.today_in(tenant_settings.get("timezone"), now)
            )
            adjustments = [
                periods.new_adjustment(
                    tid,
                    effective_date=effective.isoformat(),
                    period_start=adjustment_window.key,
                    sale_id=sale_id,
                    role=c.role,
                    technician_id=c.technician_id,
                    amount_cents=c.amount_cents,
                    reason=f"clawback: sale {sale_id} voided after its pay period closed",
                    actor=principal.user_id,
                    now=now,
                )
                for c in claws
            ]

        def parts(
            tx: Labelled,
            window: Any = window,
            closed: bool = closed,
            adjustments: list[Any] = adjustments,
            adjustment_window: Any = adjustment_window,
            adjustment_read: Any = adjustment_read,
        ) -> None:
            if closed:
                periods.check_closed(tx, "period", tid, window)
            else:
                periods.touch(tx, "period", tid, window, revision=1)
            if adjustment_window is not None:
                periods.touch(
                    tx,
                    "adjustment_period",
                    tid,
                    adjustment_window,
                    adjustments=len(adjustments),
                    read=adjustment_read,
                )
            for adjustment in adjustments:
                periods.add_adjustment(tx, adjustment)

        clawed = sum(int(a.amount_cents) for a in adjustments) if adjustments else None
        try:
            store.void(
                sale,
                actor=principal.user_id,
                reason=reason,
                now=now,
                clawed_cents=clawed,
                counts_in_period=not closed,
                parts=[parts, listing.counted(tid, sale, voided=True)],
            )
        except (ConditionFailed, Contention):
            continue  # voided or a period closed meanwhile: look again
        return sale
    raise Conflict(f"sale {sale_id} is being changed by other requests; retry")
