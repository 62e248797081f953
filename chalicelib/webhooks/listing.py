"""The webhook lists on ``platform.listing``: ``GET /admin/webhooks`` and
``GET /admin/webhooks/{id}/deliveries``. Their counts are kept by ``webhooks.store``.

- Endpoints: the partition ``T#<tid>#WEBHOOK`` by id (oldest first), rollup
  ``store.ENDPOINTS``.
- One endpoint's deliveries: its partition ``T#<tid>#WHDELIVERY#<endpoint>`` newest first
  by delivery id (event time, then event id), rollup ``store.deliveries_rollup``. Delivery
  records expire by TTL, which moves no count, so the log is the window of event days
  from ``rules.listed_since(now)`` on (the last ``rules.RETENTION_DAYS`` days and today,
  UTC): no record in it has expired (``rules.expires_at``), so its total is exact. The
  window moves at midnight (UTC), which changes what a cursor is bound to: a cursor issued
  the day before is read against the previous window, so it stays valid for a day at
  least.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing
from chalicelib.webhooks import rules, store
from chalicelib.webhooks.store import Delivery, Endpoint


def endpoints(tenant_id: str, request: PageRequest) -> dict[str, Any]:
    """One page of the tenant's endpoints, by id."""
    source = listing.Source.partition(Endpoint, keys.webhooks_pk(tenant_id), descending=False)
    return listing.page(source, store.ENDPOINTS, tenant_id, request, name="webhooks")


def deliveries(
    tenant_id: str, endpoint_id: int, request: PageRequest, now: datetime
) -> dict[str, Any]:
    """One page of an endpoint's deliveries in the log's window, newest first."""
    source = listing.Source.partition(Delivery, keys.webhook_deliveries_pk(tenant_id, endpoint_id))

    def page(days_back: int) -> dict[str, Any]:
        return listing.page(
            source,
            store.deliveries_rollup(endpoint_id),
            tenant_id,
            request,
            name="webhook-deliveries",
            low=rules.listed_since(now, days_back),
        )

    try:
        return page(rules.RETENTION_DAYS)
    except BadRequest:
        if request.cursor is None:
            raise
        return page(rules.RETENTION_DAYS + 1)  # a cursor of yesterday's window, or a bad one
