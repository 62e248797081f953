"""``GET /admin/customers/{id}/history``: a customer's jobs, sales, invoices and estimates,
newest first, in one list (``customers.rules``: the order and the merge).

The customer's ids are its own and those of every customer merged into it
(``absorbed``, at most ``rules.MAX_ABSORBED``). Each id has four sources, each read
newest first through its owner's service, at most ``limit + 1`` entries per page:

- jobs (``dispatch.service.of_customer``): by ``created_at`` (``date`` is that instant),
  from the last position (O(limit): a Query of the customer's job entries and one
  BatchGetItem);
- sales (``sales.service.of_customer``): by sale date, from the last position (one Query);
- invoices (``invoices.service.of_customer``): by due date (``date`` is the due date),
  from the last position (one Query);
- estimates (``estimates.service.of_customer``): by ``created_at``.

The estimates' service reads from the newest (it takes only a limit), so the cursor also
counts how many of each customer id's estimates were returned: a deeper page reads those
again (O(returned + limit) for estimates; their service gives at most 200).
Agreements do not exist yet: they are not in the history (a documented gap).

Entries: ``{type, id, date, status, amount_cents, summary, customer_id}``; ``customer_id``
is the id the record names (a merged customer's). Order: ``date`` descending, then type
(sale, job, invoice, estimate), then id descending. The cursor holds the last entry's
``(date, type, id)`` and the counts, signed for the tenant and the customer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.customers import rules
from chalicelib.customers.rules import Entry, Order
from chalicelib.dispatch import service as dispatch
from chalicelib.estimates import service as estimates
from chalicelib.invoices import service as invoices
from chalicelib.platform import cursors
from chalicelib.sales import service as sales

ESTIMATES_MAX = 200  # the estimates' service gives at most this many


def _estimates_of(tenant_id: str, customer_id: int, limit: int) -> list[dict[str, Any]]:
    return estimates.of_customer(tenant_id, customer_id, min(limit, ESTIMATES_MAX))


def _money(value: Any) -> int | None:
    return None if value is None else int(value)


def _job(job: dict[str, Any]) -> Entry:
    summary = job["title"]
    if job.get("scheduled_date"):
        summary += f" (scheduled {job['scheduled_date']})"
    body = {
        "type": "job",
        "id": job["id"],
        "date": job["created_at"],
        "status": job["status"],
        "amount_cents": None,
        "summary": summary,
        "customer_id": job.get("customer_id"),
    }
    return Entry((job["created_at"], "job", job["id"]), body)


def _sale(sale: Any) -> Entry:
    sale_id = int(sale.sale_id)
    status = "voided" if sale.voided else str(sale.approval_status)
    summary = f"{sale.item_name or 'Sale'} by {sale.technician_name or 'technician'}"
    if not sale.voided:
        summary += f", {sale.payment_status}"
    body = {
        "type": "sale",
        "id": sale_id,
        "date": str(sale.sale_date),
        "status": status,
        "amount_cents": _money(sale.sale_price_cents),
        "summary": summary,
        "customer_id": _money(sale.customer_id),
    }
    return Entry((str(sale.sale_date), "sale", sale_id), body)


def _invoice(invoice: dict[str, Any]) -> Entry:
    body = {
        "type": "invoice",
        "id": invoice["id"],
        "date": invoice["due_date"],
        "status": invoice["status"],
        "amount_cents": invoice.get("total_cents"),
        "summary": f"Invoice {invoice['id']}, due {invoice['due_date']}, balance "
        f"{invoice.get('balance_cents', 0)} cents",
        "customer_id": invoice.get("customer_id"),
    }
    return Entry((invoice["due_date"], "invoice", invoice["id"]), body)


def _estimate(estimate: dict[str, Any]) -> Entry:
    number = estimate.get("estimate_number") or f"Estimate {estimate['id']}"
    body = {
        "type": "estimate",
        "id": estimate["id"],
        "date": estimate["created_at"],
        "status": estimate["status"],
        "amount_cents": estimate.get("total_cents"),
        "summary": f"{number}"
        + (f", valid until {estimate['valid_until']}" if estimate.get("valid_until") else ""),
        "customer_id": estimate.get("customer_id"),
    }
    return Entry((str(estimate["created_at"]), "estimate", int(estimate["id"])), body)


def _counted(
    read: Callable[[str, int, int], list[Any]],
    shape: Callable[[Any], Entry],
    tenant_id: str,
    customer_id: int,
    returned: int,
    want: int,
    last: Order | None,
) -> list[Entry]:
    """A source read from its newest: skip the ``returned`` ones, keep those after
    ``last``."""
    got = [shape(x) for x in read(tenant_id, customer_id, returned + want)]
    return rules.after(got[returned:], last)


def page(tenant_id: str, customer_id: int, ids: list[int], request: PageRequest) -> dict[str, Any]:
    """One page of the history of ``customer_id`` (whose records also name ``ids``)."""
    binding = "|".join((tenant_id, "customer-history", str(customer_id)))
    position = cursors.read(request.cursor, binding) if request.cursor else None
    last: Order | None = None
    counts: dict[str, int] = {}
    if position is not None:
        kind, _, raw_id = position.key.get("l", "").partition("|")
        last = (position.sort, kind, int(raw_id or 0))
        counts = {k: int(v) for k, v in position.key.items() if k != "l"}
    want = request.limit + 1
    sources: list[tuple[str, list[Entry]]] = []
    for cid in ids:
        sources.append(
            (
                "",
                [
                    _job(j)
                    for j in dispatch.of_customer(
                        tenant_id, cid, want, rules.before_key(last, "job")
                    )
                ],
            )
        )
        sources.append(
            (
                "",
                [
                    _sale(s)
                    for s in sales.of_customer(tenant_id, cid, want, rules.before_key(last, "sale"))
                ],
            )
        )
        bound = rules.before_key(last, "invoice")
        sources.append(
            ("", [_invoice(i) for i in invoices.of_customer(tenant_id, cid, want, bound)])
        )
        key = f"e{cid}"
        got = _counted(_estimates_of, _estimate, tenant_id, cid, counts.get(key, 0), want, last)
        sources.append((key, got))
    taken, more = rules.merge_newest([entries for _, entries in sources], request.limit)
    chosen = {id(e) for e in taken}
    for key, entries in sources:
        if key:
            counts[key] = counts.get(key, 0) + sum(1 for e in entries if id(e) in chosen)
    next_cursor = None
    if more and taken:
        date, kind, entry_id = taken[-1].order
        state = {k: str(v) for k, v in counts.items() if v}
        state["l"] = f"{kind}|{entry_id}"
        next_cursor = cursors.issue(binding, cursors.Position(0, date, state))
    return {
        "customer_id": customer_id,
        "items": [e.body for e in taken],
        "limit": request.limit,
        "next_cursor": next_cursor,
    }
