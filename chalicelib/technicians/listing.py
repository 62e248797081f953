"""The roster list (``GET /admin/technicians``) on ``platform.listing``: where its entries
are, how they are counted, and the transaction part that keeps the counts.

One scope (``keys.TECHNICIANS_ROLLUP_SCOPE``): the tenant's technicians, a Query on their
own partition ``T#<tid>#TECH`` in id order (sort key ``keys.id_sk``), counted in blocks
of 100 ids (fine) and 10,000 ids (coarse). The facet is ``active`` ("1" or "0"), the one
filter. Every write that creates a technician or changes ``active`` adds ``counted(...)``
to its transaction (``technicians.store``), conditioned on ``active`` as read.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing
from chalicelib.platform.rollups import Rollup
from chalicelib.technicians.store import Part, TechnicianItem

ROLLUP = Rollup(keys.TECHNICIANS_ROLLUP_SCOPE, fine=8, coarse=6)  # blocks of 100 / 10,000 ids
ROSTER = listing.ActiveList("technicians", TechnicianItem, keys.technicians_pk, ROLLUP)


def counted(tenant_id: str, technician_id: int, old: bool | None, new: bool) -> Part:
    """The part that counts a new technician (``old`` None) or a change of ``active``."""
    return ROSTER.counted(tenant_id, technician_id, old, new)


def page(tenant_id: str, request: PageRequest, *, active: bool | None) -> dict[str, Any]:
    """One page of the technicians, by id, active or inactive only if ``active`` says."""
    return ROSTER.page(tenant_id, request, active=active)
