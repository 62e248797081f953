"""Key formats of sales, pay periods (and their adjustments) and payroll totals."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


# --- sales ----------------------------------------------------------------------------
# Main item by id (GET /sales/{id} is one GetItem). Listing uses three GSIs whose sort key
# starts with the ISO sale date: gsi1 for the whole tenant, gsi2 per technician, gsi3 per
# customer (sparse: sales with a customer). Each is counted by its rollup scope.
def sale_key(tenant_id: str, sale_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "SALE"), id_sk(sale_id)


def sale_sort(sale_date: str, sale_id: int) -> str:
    """``<YYYY-MM-DD>#<id>``: sort keys of both sale indexes."""
    return f"{sale_date}#{id_sk(sale_id)}"


def sales_by_date_pk(tenant_id: str) -> str:
    """GSI1 partition of every sale of a tenant (sort key ``sale_sort``)."""
    return tenant_pk(tenant_id, "SALEDATE")


def sales_by_technician_pk(tenant_id: str, technician_id: int) -> str:
    """GSI2 partition of one technician's sales (sort key ``sale_sort``)."""
    return tenant_pk(tenant_id, "TECHSALE", id_sk(technician_id))


def sales_by_customer_pk(tenant_id: str, customer_id: int) -> str:
    """GSI3 partition of one customer's sales (sort key ``sale_sort``)."""
    return tenant_pk(tenant_id, "CUSTSALE", id_sk(customer_id))


def sales_rollup_scope(
    technician_id: int | None = None, customer_id: int | None = None
) -> tuple[str, ...]:
    """The rollup scope of the tenant's sales, of one technician's or of one customer's."""
    if customer_id is not None:
        return ("SALES", "CUST", id_sk(customer_id))
    if technician_id is not None:
        return ("SALES", "TECH", id_sk(technician_id))
    return ("SALES",)


def sale_date_range(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """Inclusive sort-key bounds covering every sale dated ``date_from``..``date_to``."""
    return (date_from or "0000-00-00"), f"{date_to or '9999-99-99'}#~"


def sale_idempotency_guard_key(tenant_id: str, idempotency_key: str) -> tuple[str, str]:
    """Written in the sale's own transaction: a sale exists for this Idempotency-Key."""
    return tenant_pk(tenant_id, "IDEMPOTENCY"), f"SALEGUARD#{idempotency_key}"


# --- payperiods: periods, their ids, adjustments --------------------------------------
def pay_period_key(tenant_id: str, start_date: str) -> tuple[str, str]:
    """A pay period item, keyed by its first day (``YYYY-MM-DD``, the window ``key`` of
    ``payperiods.rules.Schedule.window_for``). Attributes: ``status`` ("open" |
    "closing" | "closed"), ``frequency``, ``start_date``, ``end_date``, counters and the
    close's summary (``payperiods.store.PayPeriodItem``). A sale's transaction creates or checks it
    (``payperiods.store.touch``), a new one with its id; a missing item means open."""
    return tenant_pk(tenant_id, "PAYPERIOD"), start_date


def pay_periods_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "PAYPERIOD")


# The pay-period lists (``GET /admin/pay-periods``, ``GET /tech/pay-periods``) query
# ``pay_periods_pk`` newest first by start date and are counted by this rollup scope
# (``payperiods.listing``: buckets day and year, facet the status).
PAY_PERIODS_ROLLUP_SCOPE = ("PAYPERIOD",)


def pay_period_id_key(tenant_id: str, period_id: int) -> tuple[str, str]:
    """Pointer from a pay period's integer id to its item (attribute ``start_date``), so
    that ``/admin/pay-periods/{id}`` costs two GetItems."""
    return tenant_pk(tenant_id, "PAYPERIODID"), id_sk(period_id)


def adjustment_key(tenant_id: str, effective_date: str, sale_id: int, role: str) -> tuple[str, str]:
    """A signed commission adjustment (clawback of a voided sale), sorted by the date it
    takes effect so a pay period totals its adjustments with one Query on the range."""
    return (tenant_pk(tenant_id, "ADJUSTMENT"), f"{effective_date}#SALE#{id_sk(sale_id)}#{role}")


def adjustments_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "ADJUSTMENT")


# --- payroll: frozen totals -----------------------------------------------------------
def pay_totals_pk(tenant_id: str, period_start: str) -> str:
    """Partition of one closed period's frozen per-technician totals (one Query)."""
    return tenant_pk(tenant_id, "PAYTOTAL", period_start)


def pay_total_key(tenant_id: str, period_start: str, technician_id: int) -> tuple[str, str]:
    return pay_totals_pk(tenant_id, period_start), id_sk(technician_id)
