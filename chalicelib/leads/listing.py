"""The lead list (``GET /admin/leads``) on ``platform.listing``: newest (highest id)
first from the ``LEAD`` partition, counted by blocks of ids with the facet
``<status>|<source>``, so both filters are facets: page 1 is one Query of ``limit`` (plus
the filter's gaps) and ``total`` is exact."""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.leads import rules
from chalicelib.leads.store import LeadItem, Part
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Rollup

ROLLUP = Rollup(keys.LEADS_ROLLUP_SCOPE, fine=8, coarse=6)  # blocks of 100 / 10,000 ids


def _entry(lead_id: int, status: str, source: str) -> rollups.Entry:
    return keys.id_sk(lead_id), rules.facet(status, source)


def counted(lead: LeadItem, *, new: bool = False, **changes: Any) -> Part:
    """The part that counts a new lead (``new``) or the ``changes`` (status, source) of
    one."""
    lead_id = int(lead.lead_id)
    after = _entry(lead_id, changes.get("status", lead.status), changes.get("source", lead.source))
    before = None if new else _entry(lead_id, lead.status, lead.source)

    def part(tx: Any) -> None:
        rollups.move(tx, lead.tenant_id, ROLLUP, before, after)

    return part


def page(
    tenant_id: str, request: PageRequest, *, status: str | None, source: str | None
) -> dict[str, Any]:
    source_list = listing.Source.partition(LeadItem, keys.leads_pk(tenant_id), descending=True)
    return listing.page(
        source_list,
        ROLLUP,
        tenant_id,
        request,
        name=f"leads|s={status}|src={source}",
        matches=rules.matches(status, source),
        condition=listing.equal_to(((LeadItem.status, status), (LeadItem.source, source))),
    )
