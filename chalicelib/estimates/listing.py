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

from chalicelib.core.pagination import PageRequest, page_body
from chalicelib.estimates import rules
from chalicelib.estimates.store import EstimateItem, Part
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup

DAY, MONTH = 10, 7  # bucket prefixes of "2026-04-30#0000000042"


def _rollup(customer_id: int | None = None) -> Rollup:
    return Rollup(keys.estimates_rollup_scope(customer_id), DAY, MONTH)


def entries(estimate: EstimateItem, **changes: Any) -> dict[Rollup, Entry]:
    """The estimate's entry in both scopes, with ``changes`` (status, valid_until)."""
    state = {"status": estimate.status, "valid_until": estimate.valid_until, **changes}
    entry = (keys.estimate_sort(state["valid_until"], int(estimate.estimate_id)), state["status"])
    return {_rollup(): entry, _rollup(int(estimate.customer_id)): entry}


def counted(estimate: EstimateItem, *, new: bool = False, **changes: Any) -> Part:
    """The part that counts a new estimate (``new``) or the ``changes`` of one."""
    old = {} if new else entries(estimate)
    return rollups.moved(estimate.tenant_id, old, entries(estimate, **changes))


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
    """One page, latest ``valid_until`` first, of the estimates matching every filter."""
    if customer_id is not None:
        hash_value = keys.estimates_by_customer_pk(tenant_id, customer_id)
        source = listing.Source.on_index(EstimateItem, "gsi2", hash_value)
    else:
        hash_value = keys.estimates_by_valid_pk(tenant_id)
        source = listing.Source.on_index(EstimateItem, "gsi1", hash_value)
    kept, low, high = rules.stored_filter(status, today)
    low = max(filter(None, (low, valid_from)), default=None)
    high = min(filter(None, (high, valid_to)), default=None)
    if low and high and low > high:  # e.g. expired with a range that starts today
        return page_body([], 0, request)
    condition = None
    if kept is not None:
        condition = EstimateItem.status.is_in(*kept)
    return listing.page(
        source,
        _rollup(customer_id),
        tenant_id,
        request,
        name=f"estimates|s={status}|c={customer_id}|{low}|{high}",
        low=low,
        high=f"{high}#{rollups.TOP}" if high else None,
        matches=None if kept is None else (lambda facet: facet in kept),
        condition=condition,
    )
