"""Key formats of customer communications and leads."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- customer communications ----------------------------------------------------------
# Main item by id (counter ``communication``). gsi1 ``COMMLOGAT`` lists the tenant's
# entries by time, gsi2 ``CUSTCOMMLOG#<customer>`` one customer's (sort key
# ``communication_sort`` for both: ``<occurred_at>#<id>``), each counted by its rollup
# scope (``communications_rollup_scope``; facet ``<channel>|<kind>``).
def communication_key(tenant_id: str, communication_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "COMMLOG"), id_sk(communication_id)


def communication_sort(occurred_at: str, communication_id: int) -> str:
    """``<YYYY-MM-DDTHH:MM:SSZ>#<id>``: sort keys of both communication indexes."""
    return f"{occurred_at}#{id_sk(communication_id)}"


def communications_by_time_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "COMMLOGAT")


def communications_by_customer_pk(tenant_id: str, customer_id: int) -> str:
    return tenant_pk(tenant_id, "CUSTCOMMLOG", id_sk(customer_id))


def communications_rollup_scope(customer_id: int | None = None) -> tuple[str, ...]:
    if customer_id is not None:
        return ("COMMLOG", "CUST", id_sk(customer_id))
    return ("COMMLOG",)


# --- leads ------------------------------------------------------------------------------
# Main item by id (counter ``lead``), listed newest first from the partition itself and
# counted by ``LEADS_ROLLUP_SCOPE`` (blocks of ids; facet ``<status>|<source>``). The
# status history is kept on the item (a lead moves at most four times).
LEADS_ROLLUP_SCOPE = ("LEAD",)


def lead_key(tenant_id: str, lead_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "LEAD"), id_sk(lead_id)


def leads_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "LEAD")
