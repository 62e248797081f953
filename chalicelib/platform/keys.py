"""Every key format of the single table (and of the exports bucket), and nothing else,
sectioned by the feature that owns the items.

Tenant data keys start with ``T#<tenant_uuid>#`` and are split into one partition per
entity type (``T#<tid>#USER``), so a busy tenant does not make one hot partition. Global
lookup items (business codes, e-mail ownership, rate-limit windows, the outbox index)
have their own prefixes and hold no tenant data beyond the id they point to.

Every entity name and global prefix is registered below with the feature that owns it;
``tenant_pk`` refuses an unregistered entity, and tests/platform/test_keys.py checks that
no two key families can ever produce the same partition key.
"""

from __future__ import annotations

import secrets
from datetime import datetime

ID_WIDTH = 10
OUTBOX_SHARDS = 4
TENANT_PREFIX = "T"

# Partition names under ``T#<tenant>#``, each owned by one feature. A name has no "#": the
# qualifiers of a per-technician or per-endpoint partition follow it after a "#".
ENTITIES: dict[str, str] = {
    "TENANT": "accounts",
    "USER": "accounts",
    "USERNAME": "accounts",
    "SESSION": "accounts",
    "COUNTER": "platform",
    "EVENT": "platform",
    "IDEMPOTENCY": "platform",
    "ROLLUP": "platform",
    "TECH": "technicians",
    "ITEM": "catalog",
    "ITEMCAT": "catalog",
    "CUST": "customers",
    "CUSTEMAIL": "customers",
    "CUSTSEARCH": "customers",
    "COMMCFG": "commission",
    "SALE": "sales",
    "SALEDATE": "sales",
    "TECHSALE": "sales",
    "CUSTSALE": "sales",
    "PAYPERIOD": "payperiods",
    "PAYPERIODID": "payperiods",
    "ADJUSTMENT": "payperiods",
    "PAYTOTAL": "payroll",
    "WEBHOOK": "webhooks",
    "WHDELIVERY": "webhooks",
    "JOB": "dispatch",
    "JOBDATE": "dispatch",
    "TECHJOB": "dispatch",
    "JOBHIST": "dispatch",
    "DISPATCHEVT": "dispatch",
    "TECHPOS": "dispatch",
}
# First segment of the partition key of items that belong to no tenant.
GLOBAL_PREFIXES: dict[str, str] = {
    "BCODE": "accounts",
    "EMAIL": "accounts",
    "OWNERNAME": "accounts",
    "RL": "platform",
    "OUTBOX": "platform",
}


def tenant_pk(tenant_id: str, entity: str, *qualifiers: str) -> str:
    """Partition key of one entity type of one tenant (``qualifiers`` narrow it, e.g. one
    technician's sales)."""
    if entity not in ENTITIES:
        raise ValueError(f"unregistered entity {entity!r}: add it to keys.ENTITIES")
    return "#".join((TENANT_PREFIX, tenant_id, entity, *qualifiers))


def id_sk(numeric_id: int) -> str:
    """Zero-padded so that sort order equals numeric order."""
    return f"{numeric_id:0{ID_WIDTH}d}"


# --- accounts: tenants, users, sessions -----------------------------------------------
def tenant_key(tenant_id: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "TENANT"), "META"


def business_code_key(code: str) -> tuple[str, str]:
    return f"BCODE#{code}", "BCODE"


def user_key(tenant_id: str, user_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "USER"), id_sk(user_id)


def users_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "USER")


def username_key(tenant_id: str, username: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "USERNAME"), username


def email_key(email: str) -> tuple[str, str]:
    """Global: one staff account per e-mail address."""
    return f"EMAIL#{email}", "EMAIL"


def owner_username_key(username: str) -> tuple[str, str]:
    """Global: usernames chosen at self-service registration are unique across tenants."""
    return f"OWNERNAME#{username}", "OWNERNAME"


def session_key(tenant_id: str, session_id: str) -> tuple[str, str]:
    """A refresh-token family (one login session)."""
    return tenant_pk(tenant_id, "SESSION"), session_id


# --- platform: counters, rate limits, events, idempotency -----------------------------
def counter_key(tenant_id: str, entity: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "COUNTER"), entity


def rate_window_key(scope: str, subject: str, window_start: int) -> tuple[str, str]:
    return f"RL#{scope}#{subject}", str(window_start)


def event_key(tenant_id: str, created_at: str, event_id: str) -> tuple[str, str]:
    return tenant_pk(tenant_id, "EVENT"), f"{created_at}#{event_id}"


def events_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "EVENT")


def outbox_index_key(tenant_id: str, created_at: str, event_id: str) -> tuple[str, str]:
    """Sparse GSI1 entry kept until the event has been handed to delivery."""
    shard = sum(event_id.encode()) % OUTBOX_SHARDS
    return f"OUTBOX#{shard}", f"{created_at}#{tenant_id}#{event_id}"


def outbox_shards() -> list[str]:
    return [f"OUTBOX#{n}" for n in range(OUTBOX_SHARDS)]


def rollup_pk(tenant_id: str, scope: tuple[str, ...]) -> str:
    """Partition of one list scope's counts (``("SALES",)``, ``("SALES", "TECH", <id>)``):
    item ``ROLLUP_ALL`` counts per coarse bucket, ``rollup_coarse_sk(c)`` per fine bucket
    of coarse bucket ``c`` (``platform.rollups``)."""
    return tenant_pk(tenant_id, "ROLLUP", *scope)


ROLLUP_ALL = "ALL"


def rollup_coarse_sk(coarse: str) -> str:
    return f"C#{coarse}"


def idempotency_pk(tenant_id: str) -> str:
    """Static partition of a tenant's Powertools idempotency records (sort key: the
    Powertools ``<prefix>#<hash of the Idempotency-Key header>``)."""
    return tenant_pk(tenant_id, "IDEMPOTENCY")


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


def customers_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "CUST")


def customer_email_key(tenant_id: str, email: str) -> tuple[str, str]:
    """Per-tenant uniqueness/lookup pointer: normalised e-mail -> customer id."""
    return tenant_pk(tenant_id, "CUSTEMAIL"), email


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


# --- webhooks -------------------------------------------------------------------------
def webhooks_pk(tenant_id: str) -> str:
    """A tenant's webhook endpoints (one Query lists them all for fan-out)."""
    return tenant_pk(tenant_id, "WEBHOOK")


def webhook_key(tenant_id: str, endpoint_id: int) -> tuple[str, str]:
    return webhooks_pk(tenant_id), id_sk(endpoint_id)


def webhook_deliveries_pk(tenant_id: str, endpoint_id: int) -> str:
    """One partition per endpoint: its deliveries, newest last by sort key."""
    return tenant_pk(tenant_id, "WHDELIVERY", id_sk(endpoint_id))


def webhook_delivery_key(tenant_id: str, endpoint_id: int, delivery_id: str) -> tuple[str, str]:
    """``delivery_id`` is ``webhooks.rules.delivery_id(event time, event id)``:
    deterministic per (event, endpoint), which is what deduplicates deliveries."""
    return webhook_deliveries_pk(tenant_id, endpoint_id), delivery_id


class WebhookRollupScopes:
    """Rollup scopes (``platform.rollups``) of the webhook lists: ``GET /admin/webhooks``
    (``webhooks_pk`` by id) and one endpoint's delivery log (``webhook_deliveries_pk``
    newest first by delivery id). Named after the partitions they count, so they cannot
    meet another feature's scope. A namespace, not module functions: they are not table
    keys (``rollup_pk`` makes the partition)."""

    ENDPOINTS: tuple[str, ...] = ("WEBHOOK",)

    @staticmethod
    def deliveries(endpoint_id: int) -> tuple[str, ...]:
        return ("WHDELIVERY", id_sk(endpoint_id))


# --- dispatch: jobs, their history, technicians' positions, the board's event log -------
# Main item by id (``GET /admin/dispatch/{id}`` is one GetItem). gsi1 ``JOBDATE`` holds
# every job of the tenant by scheduled day (``<YYYY-MM-DD>#<id>``), so a day's board is one
# Query; gsi2 ``TECHJOB#<tech>`` the assigned technician's jobs by day (sparse: assigned
# jobs only). Both are counted by their rollup scope (day / month, facet
# ``<status>|<priority>``).
def job_key(tenant_id: str, job_id: int) -> tuple[str, str]:
    return tenant_pk(tenant_id, "JOB"), id_sk(job_id)


def job_sort(day: str, job_id: int) -> str:
    """``<YYYY-MM-DD>#<id>``: sort key of both job indexes."""
    return f"{day}#{id_sk(job_id)}"


def jobs_by_date_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "JOBDATE")


def jobs_by_technician_pk(tenant_id: str, technician_id: int) -> str:
    return tenant_pk(tenant_id, "TECHJOB", id_sk(technician_id))


def jobs_rollup_scope(technician_id: int | None = None) -> tuple[str, ...]:
    """The rollup scope of the tenant's jobs, or of one technician's."""
    if technician_id is not None:
        return ("JOB", "TECH", id_sk(technician_id))
    return ("JOB",)


def job_history_pk(tenant_id: str, job_id: int) -> str:
    """One job's moves, oldest first (sort key ``<ISO time>#<random>``)."""
    return tenant_pk(tenant_id, "JOBHIST", id_sk(job_id))


def job_history_key(tenant_id: str, job_id: int, at: str, nonce: str) -> tuple[str, str]:
    return job_history_pk(tenant_id, job_id), f"{at}#{nonce}"


def technician_positions_pk(tenant_id: str) -> str:
    """Every technician's last reported position (one Query for the board)."""
    return tenant_pk(tenant_id, "TECHPOS")


def technician_position_key(tenant_id: str, technician_id: int) -> tuple[str, str]:
    return technician_positions_pk(tenant_id), id_sk(technician_id)


def dispatch_events_pk(tenant_id: str) -> str:
    """The board's short-lived event log (the SSE stream reads "after id X")."""
    return tenant_pk(tenant_id, "DISPATCHEVT")


def dispatch_event_key(tenant_id: str, event_id: str) -> tuple[str, str]:
    """``event_id`` is ``<ISO time>#<random>``: time-ordered."""
    return dispatch_events_pk(tenant_id), event_id


# --- exports: S3 object keys in the exports bucket -----------------------------------------
# A closed pay period's frozen files (written once by the close, served byte for byte
# afterwards): ``tenants/<tid>/pay-periods/<id>/pay-period.csv``, ``pay-period.pdf``,
# ``statements/<technician id>.pdf`` and ``statements/<technician id>.json`` (the frozen
# statement lines). A copy of every other export served (open periods rendered live,
# commission reports, sales exports):
# ``tenants/<tid>/exports/<UTC yyyy/mm/dd>/<HHMMSS>-<random>/<filename>``.
def export_prefix(tenant_id: str) -> str:
    return f"tenants/{tenant_id}/"


def period_file_key(tenant_id: str, period_id: int, name: str) -> str:
    """Key of a closed period's frozen file, e.g. ``pay-period.pdf``."""
    return f"{export_prefix(tenant_id)}pay-periods/{period_id}/{name}"


def statement_file_key(tenant_id: str, period_id: int, technician_id: int, ext: str) -> str:
    return period_file_key(tenant_id, period_id, f"statements/{technician_id}.{ext}")


def export_copy_key(tenant_id: str, filename: str, now: datetime) -> str:
    """Key of the copy of a live export (unique per request)."""
    return (
        f"{export_prefix(tenant_id)}exports/{now:%Y/%m/%d}/"
        f"{now:%H%M%S}-{secrets.token_hex(4)}/{filename}"
    )
