"""The sales list (``GET /sales``) on ``platform.listing``: where its entries are, how
each scope counts them, and the transaction part that keeps the counts.

Scopes (``keys.sales_rollup_scope``), each a Query newest first on a sort key
``<sale_date>#<id>`` and a rollup by day and month:

- the tenant's sales: gsi1 ``T#<tid>#SALEDATE``;
- one technician's (as seller): gsi2 ``T#<tid>#TECHSALE#<tech>``;
- one customer's: gsi3 ``T#<tid>#CUSTSALE#<cust>``, whose facet also carries the
  technician, so a technician filter inside a customer's sales is counted too.

Facets are ``sales.rules.facet``: approval, payment and voided, the filters that are not
key conditions. Every write that records a sale or changes one of those adds
``counted(...)`` to its transaction.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.sales import rules
from chalicelib.sales.store import Part, SaleItem

DAY, MONTH = 10, 7  # bucket prefixes of "2026-01-15#0000000042"


def _rollup(technician_id: int | None = None, customer_id: int | None = None) -> Rollup:
    return Rollup(keys.sales_rollup_scope(technician_id, customer_id), DAY, MONTH)


def entries(sale: SaleItem, **changes: Any) -> dict[Rollup, Entry]:
    """The sale's entry in every scope it is listed in, with ``changes`` (approval_status,
    payment_status, voided) applied."""
    state = {
        "approval_status": sale.approval_status,
        "payment_status": sale.payment_status,
        "voided": bool(sale.voided),
        **changes,
    }
    sort = keys.sale_sort(sale.sale_date, int(sale.sale_id))
    technician_id = int(sale.technician_id)
    facet = rules.facet(state["approval_status"], state["payment_status"], state["voided"])
    found = {_rollup(): (sort, facet), _rollup(technician_id): (sort, facet)}
    if sale.customer_id is not None:
        with_tech = rules.facet(
            state["approval_status"], state["payment_status"], state["voided"], technician_id
        )
        found[_rollup(customer_id=int(sale.customer_id))] = (sort, with_tech)
    return found


def counted(tenant_id: str, sale: SaleItem, *, new: bool = False, **changes: Any) -> Part:
    """The part that counts a new sale (``new``) or the ``changes`` of one."""
    return rollups.moved(tenant_id, {} if new else entries(sale), entries(sale, **changes))


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    technician_id: int | None,
    customer_id: int | None,
    date_from: str | None,
    date_to: str | None,
    approval_status: str | None,
    payment_status: str | None,
    voided: bool | None,
) -> dict[str, Any]:
    """One page, newest first (by date, then id), of the sales matching every filter."""
    if customer_id is not None:
        hash_value = keys.sales_by_customer_pk(tenant_id, customer_id)
        source = listing.Source.on_index(SaleItem, "gsi3", hash_value)
        rollup = _rollup(customer_id=customer_id)
        tech_filter = technician_id
    elif technician_id is not None:
        hash_value = keys.sales_by_technician_pk(tenant_id, technician_id)
        source = listing.Source.on_index(SaleItem, "gsi2", hash_value)
        rollup, tech_filter = _rollup(technician_id), None
    else:
        hash_value = keys.sales_by_date_pk(tenant_id)
        source = listing.Source.on_index(SaleItem, "gsi1", hash_value)
        rollup, tech_filter = _rollup(), None
    condition = listing.equal_to(
        (
            (SaleItem.approval_status, approval_status),
            (SaleItem.payment_status, payment_status),
            (SaleItem.voided, voided),
            (SaleItem.technician_id, tech_filter),
        )
    )
    return listing.page(
        source,
        rollup,
        tenant_id,
        request,
        name=f"sales|a={approval_status}|p={payment_status}|v={voided}|t={tech_filter}",
        low=date_from,
        high=f"{date_to}#{rollups.TOP}" if date_to else None,
        matches=rules.facet_filter(approval_status, payment_status, voided, tech_filter),
        condition=condition,
    )
