"""The communications list (``GET /admin/customer-communications``) on
``platform.listing``: newest first, counted by rollups by day and month of
``occurred_at``.

Scopes (``keys.communications_rollup_scope``), each a Query on a sort key
``<occurred_at>#<id>``: the tenant's entries on gsi1, one customer's on gsi2. The facet is
``<channel>|<kind>``, so the ``channel`` and ``kind`` filters are facets: page 1 is one
Query of ``limit`` (plus the filter's gaps), ``total`` exact from the counts.
"""

from __future__ import annotations

from typing import Any

from chalicelib.communications import rules
from chalicelib.communications.store import CommunicationItem, Part
from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup

DAY, MONTH = 10, 7  # bucket prefixes of "2026-04-15T10:11:12.000Z#0000000042"


def _rollup(customer_id: int | None = None) -> Rollup:
    return Rollup(keys.communications_rollup_scope(customer_id), DAY, MONTH)


def counted(entry: CommunicationItem) -> Part:
    """The part that counts a new entry in the tenant's scope and its customer's."""
    one: Entry = (
        keys.communication_sort(entry.occurred_at, int(entry.communication_id)),
        rules.facet(entry.channel, entry.kind),
    )
    after = {_rollup(): one}
    if entry.customer_id is not None:
        after[_rollup(int(entry.customer_id))] = one
    return rollups.moved(entry.tenant_id, {}, after)


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    customer_id: int | None,
    channel: str | None,
    kind: str | None,
) -> dict[str, Any]:
    if customer_id is not None:
        hash_value = keys.communications_by_customer_pk(tenant_id, customer_id)
        source = listing.Source.on_index(CommunicationItem, "gsi2", hash_value)
    else:
        hash_value = keys.communications_by_time_pk(tenant_id)
        source = listing.Source.on_index(CommunicationItem, "gsi1", hash_value)
    return listing.page(
        source,
        _rollup(customer_id),
        tenant_id,
        request,
        name=f"communications|c={customer_id}|ch={channel}|k={kind}",
        matches=rules.matches(channel, kind),
        condition=listing.equal_to(
            ((CommunicationItem.channel, channel), (CommunicationItem.kind, kind))
        ),
    )
