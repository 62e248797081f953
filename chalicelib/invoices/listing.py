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

from chalicelib.core.pagination import PageRequest
from chalicelib.invoices import rules
from chalicelib.invoices.store import DOCS

# the invoice's entry in both scopes (``entries(item, **changes)``: status, date applied),
# and the transaction part that counts a new invoice (``new=True``) or the changes of one
entries, counted = DOCS.entries, DOCS.counted


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
    """One page, latest due_date first, of the invoices matching every filter."""
    return DOCS.page(
        tenant_id,
        request,
        rules.stored_filter(status, today),
        status=status,
        customer_id=customer_id,
        date_from=due_from,
        date_to=due_to,
    )
