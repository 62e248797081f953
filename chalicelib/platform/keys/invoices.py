"""Key formats of invoices (table keys and the exports bucket's invoice PDFs)."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk
from chalicelib.platform.keys.exports import export_prefix


# --- invoices -------------------------------------------------------------------------
# Main item by id (the id is the tenant's invoice number: sequential, from the counter
# ``invoice``). gsi1 ``INVDUE`` lists the tenant's invoices by due date, gsi2
# ``CUSTINV#<customer>`` one customer's (sort key ``invoice_sort`` for both), each counted
# by its rollup scope (``invoices_rollup_scope``; facet: the stored status).
def invoice_key(tenant_id: str, invoice_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "INV"), id_sk(invoice_id)


def invoice_sort(due_date: str, invoice_id: int) -> str:
    """``<YYYY-MM-DD due date>#<id>``: sort keys of both invoice indexes."""
    return f"{due_date}#{id_sk(invoice_id)}"


def invoices_by_due_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "INVDUE")


def invoices_by_customer_pk(tenant_id: str, customer_id: int) -> str:
    return tenant_pk(tenant_id, "CUSTINV", id_sk(customer_id))


def invoices_rollup_scope(customer_id: int | None = None) -> tuple[str, ...]:
    if customer_id is not None:
        return ("INVOICES", "CUST", id_sk(customer_id))
    return ("INVOICES",)


def invoice_pdf_key(tenant_id: str, invoice_id: int, revision: int, status: str) -> str:
    """S3 key of an invoice's PDF as of one revision and shown status (a change, or the
    invoice becoming overdue, makes a new one)."""
    return f"{export_prefix(tenant_id)}invoices/{invoice_id}/r{revision}-{status}.pdf"
