"""The estimate list (``GET /admin/estimates``) on ``platform.listing``: latest
``valid_until`` first, counted by rollups by day and month of ``valid_until``.

Scopes (``keys.estimates_rollup_scope``), each a Query on a sort key
``<valid_until>#<id>``: the tenant's estimates on gsi1 ``T#<tid>#ESTVALID``, one
customer's on gsi2 ``T#<tid>#CUSTEST#<customer>``. The facet is the stored status;
``expired`` (never stored) is the facet sent with ``valid_until`` before today, so every
status filter is a facet plus a ``valid_until`` range (``rules.stored_filter``) and page
1 stays one Query of ``limit`` (plus the filter's gaps).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.estimates import rules
from chalicelib.estimates.store import DOCS

# the estimate's entry in both scopes (``entries(item, **changes)``: status, date applied),
# and the transaction part that counts a new estimate (``new=True``) or the changes of one
entries, counted = DOCS.entries, DOCS.counted


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    today: date,
    status: str | None,
    customer_id: int | None,
    valid_from: str | None,
    valid_to: str | None,
) -> dict[str, Any]:
    """One page, latest valid_until first, of the estimates matching every filter."""
    return DOCS.page(
        tenant_id,
        request,
        rules.stored_filter(status, today),
        status=status,
        customer_id=customer_id,
        date_from=valid_from,
        date_to=valid_to,
    )
