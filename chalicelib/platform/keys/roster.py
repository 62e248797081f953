"""Key formats of technicians, the catalog, customers and commission overrides."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk

# --- technicians ----------------------------------------------------------------------
# The roster list (``GET /admin/technicians``) queries ``technicians_pk`` by id and is
# counted by the rollup scope ``TECHNICIANS_ROLLUP_SCOPE`` (facet: active "1"/"0").
TECHNICIANS_ROLLUP_SCOPE = ("TECH",)


def technician_key(tenant_id: str, technician_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "TECH"), id_sk(technician_id)


def technicians_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "TECH")


# --- catalog --------------------------------------------------------------------------
# The price book list (``GET /admin/line-items``) queries ``line_items_pk`` by id and is
# counted by the rollup scope ``LINE_ITEMS_ROLLUP_SCOPE`` (facet: ``<active>|<category
# key>``); the categories' display spellings are one item of their own.
LINE_ITEMS_ROLLUP_SCOPE = ("ITEM",)


def line_item_key(tenant_id: str, item_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "ITEM"), id_sk(item_id)


def line_items_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "ITEM")


def line_item_categories_key(tenant_id: str) -> tuple[str, str]:
    """The spelling each category key was first given (``catalog.store``)."""
    return tenant_pk(tenant_id, "ITEMCAT"), "SPELLINGS"


# --- customers ------------------------------------------------------------------------
def customer_key(tenant_id: str, customer_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "CUST"), id_sk(customer_id)


def customer_merged_key(tenant_id: str, customer_id: int) -> tuple[str, str]:
    """A merged-away customer (moved out of ``customers_pk`` by the merge, so no list
    reads it): its record with ``merged_into``."""
    return tenant_pk(tenant_id, "CUSTMERGED"), id_sk(customer_id)


def customers_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "CUST")


def customer_email_key(tenant_id: str, email: str) -> tuple[str, str]:
    """Per-tenant uniqueness/lookup pointer: normalised e-mail -> customer id."""
    return tenant_pk(tenant_id, "CUSTEMAIL"), email


def customer_email_index_pk(email: str) -> str:
    """gsi1 partition of every tenant's e-mail pointer of one normalised e-mail (the
    pointers set ``gsi1pk``/``gsi1sk``): which tenants have a customer with it
    (``customers.service.tenants_with_email``). Holds the tenant and customer ids only."""
    return f"CUSTEMAILIDX#{email}"


def customer_email_index_key(tenant_id: str, email: str, customer_id: int) -> tuple[str, str]:
    """(gsi1pk, gsi1sk) of a tenant's e-mail pointer: ``<tenant>#<customer id>``."""
    return customer_email_index_pk(email), f"{tenant_id}#{id_sk(customer_id)}"


# The customers list (newest first: the base partition ``customers_pk`` by ``id_sk``) is
# counted by this rollup scope (``platform.rollups``).
CUSTOMERS_ROLLUP_SCOPE = ("CUST",)


def customer_search_pk(tenant_id: str) -> str:
    """Partition of the customers' search-key entries (``customers.search``): one per
    customer and searchable term, sort key ``<term>#<field>#<id>``, read with
    ``begins_with(<normalised prefix>)``."""
    return tenant_pk(tenant_id, "CUSTSEARCH")


def customer_search_key(tenant_id: str, term: str, field: str, customer_id: int) -> tuple[str, str]:
    """One search-key entry: ``term`` (normalised) of ``field`` of customer ``customer_id``."""
    return customer_search_pk(tenant_id), f"{term}#{field}#{id_sk(customer_id)}"


# --- commission: technician x item overrides ------------------------------------------
# Per-category rates and default plans live on the technician item itself (one read per
# sale); only the technician x item overrides are items of their own.
def commission_override_key(tenant_id: str, technician_id: int, item_id: int) -> tuple[str, str]:
    return (tenant_pk(tenant_id, "COMMCFG"), f"TECH#{id_sk(technician_id)}#ITEM#{id_sk(item_id)}")


def commission_overrides_prefix(tenant_id: str, technician_id: int) -> tuple[str, str]:
    """Partition and sort-key prefix of one technician's overrides (Query begins_with)."""
    return tenant_pk(tenant_id, "COMMCFG"), f"TECH#{id_sk(technician_id)}#ITEM#"
