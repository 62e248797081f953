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
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup
from chalicelib.platform.tx import Labelled
from chalicelib.technicians.store import Part, TechnicianItem

ROLLUP = Rollup(keys.TECHNICIANS_ROLLUP_SCOPE, fine=8, coarse=6)  # blocks of 100 / 10,000 ids


def facet(active: bool) -> str:
    return "1" if active else "0"


def entry(technician_id: int, active: bool) -> Entry:
    return keys.id_sk(technician_id), facet(active)


def counted(tenant_id: str, technician_id: int, old: bool | None, new: bool) -> Part:
    """The part that counts a new technician (``old`` None) or a change of ``active``."""
    before = None if old is None else entry(technician_id, old)
    after = entry(technician_id, new)

    def part(tx: Labelled) -> None:
        rollups.move(tx, tenant_id, ROLLUP, before, after)

    return part


def page(tenant_id: str, request: PageRequest, *, active: bool | None) -> dict[str, Any]:
    """One page of the technicians, by id, active or inactive only if ``active`` says."""
    source = listing.Source.partition(
        TechnicianItem, keys.technicians_pk(tenant_id), descending=False
    )
    wanted = None if active is None else facet(active)
    return listing.page(
        source,
        ROLLUP,
        tenant_id,
        request,
        name=f"technicians|active={wanted}",
        matches=None if wanted is None else (lambda f: f == wanted),
        condition=None if active is None else TechnicianItem.active == active,
    )
