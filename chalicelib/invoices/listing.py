"""The invoice list (``GET /admin/invoices``) on ``platform.listing``: newest due date
first, counted by rollups by day and month of the due date.

Scopes (``keys.invoices_rollup_scope``), each a Query on a sort key ``<due_date>#<id>``:
the tenant's invoices on gsi1 ``T#<tid>#INVDUE``, one customer's on gsi2
``T#<tid>#CUSTINV#<customer>``. The facet is the stored status; ``overdue`` (never
stored) is the facets sent and partial with due dates before today, so every status
filter is a facet plus a due-date range (``rules.stored_filter``) and page 1 stays one
Query of ``limit`` (plus the filter's gaps).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core.pagination import PageRequest, page_body
from chalicelib.invoices import rules
from chalicelib.invoices.store import InvoiceItem, Part
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup

DAY, MONTH = 10, 7  # bucket prefixes of "2026-04-15#0000000042"


def _rollup(customer_id: int | None = None) -> Rollup:
    return Rollup(keys.invoices_rollup_scope(customer_id), DAY, MONTH)


def entries(invoice: InvoiceItem, **changes: Any) -> dict[Rollup, Entry]:
    """The invoice's entry in both scopes, with ``changes`` (status, due_date) applied."""
    state = {"status": invoice.status, "due_date": invoice.due_date, **changes}
    entry = (keys.invoice_sort(state["due_date"], int(invoice.invoice_id)), state["status"])
    return {_rollup(): entry, _rollup(int(invoice.customer_id)): entry}


def counted(invoice: InvoiceItem, *, new: bool = False, **changes: Any) -> Part:
    """The part that counts a new invoice (``new``) or the ``changes`` of one."""
    old = {} if new else entries(invoice)
    return rollups.moved(invoice.tenant_id, old, entries(invoice, **changes))


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    today: date,
    status: str | None,
    customer_id: int | None,
    due_from: str | None,
    due_to: str | None,
) -> dict[str, Any]:
    """One page, latest due date first, of the invoices matching every filter."""
    if customer_id is not None:
        hash_value = keys.invoices_by_customer_pk(tenant_id, customer_id)
        source = listing.Source.on_index(InvoiceItem, "gsi2", hash_value)
    else:
        source = listing.Source.on_index(InvoiceItem, "gsi1", keys.invoices_by_due_pk(tenant_id))
    kept, low, high = rules.stored_filter(status, today)
    low = max(filter(None, (low, due_from)), default=None)
    high = min(filter(None, (high, due_to)), default=None)
    if low and high and low > high:  # e.g. overdue with a range that starts today
        return page_body([], 0, request)
    condition = None
    if kept is not None:
        condition = InvoiceItem.status.is_in(*kept)
    return listing.page(
        source,
        _rollup(customer_id),
        tenant_id,
        request,
        name=f"invoices|s={status}|c={customer_id}|{low}|{high}",
        low=low,
        high=f"{high}#{rollups.TOP}" if high else None,
        matches=None if kept is None else (lambda facet: facet in kept),
        condition=condition,
    )
