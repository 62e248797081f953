"""Key formats of estimates."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- estimates ------------------------------------------------------------------------
# Main item by id (the id is the tenant's estimate number: sequential, from the counter
# ``estimate``). gsi1 ``ESTVALID`` lists the tenant's estimates by ``valid_until``, gsi2
# ``CUSTEST#<customer>`` one customer's (sort key ``estimate_sort`` for both), each counted
# by its rollup scope (``estimates_rollup_scope``; facet: the stored status). gsi3
# ``CUSTESTNEW#<customer>`` / ``<id>``: one customer's estimates newest first (ids are in
# creation order), for the customer's history and the portal.
def estimate_key(tenant_id: str, estimate_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "EST"), id_sk(estimate_id)


def estimate_sort(valid_until: str, estimate_id: int) -> str:
    """``<YYYY-MM-DD valid_until>#<id>``: sort keys of both estimate list indexes."""
    return f"{valid_until}#{id_sk(estimate_id)}"


def estimates_by_valid_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "ESTVALID")


def estimates_by_customer_pk(tenant_id: str, customer_id: int) -> str:
    return tenant_pk(tenant_id, "CUSTEST", id_sk(customer_id))


def estimates_newest_pk(tenant_id: str, customer_id: int) -> str:
    return tenant_pk(tenant_id, "CUSTESTNEW", id_sk(customer_id))


def estimates_rollup_scope(customer_id: int | None = None) -> tuple[str, ...]:
    if customer_id is not None:
        return ("ESTIMATES", "CUST", id_sk(customer_id))
    return ("ESTIMATES",)
