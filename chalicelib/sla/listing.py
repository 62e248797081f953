"""``GET /admin/sla/violations`` on ``platform.listing``: newest deadline first, counted by
rollups kept in the job transaction that records each violation.

Scopes (``keys.SlaRollupScopes``), sort key ``<due>#<job id>#<kind>``, buckets day and
month: the tenant's violations (gsi1 ``SLAVIOLDUE``) and one technician's (gsi2
``SLAVIOLTECH#<tech>``). The facet is ``<kind>|<priority>``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Rollup
from chalicelib.platform.tx import Labelled
from chalicelib.sla.store import ViolationItem

DAY, MONTH = 10, 7


def _rollup(technician_id: int | None = None) -> Rollup:
    if technician_id is None:
        return Rollup(keys.SlaRollupScopes.VIOLATIONS, DAY, MONTH)
    return Rollup(keys.SlaRollupScopes.technician(technician_id), DAY, MONTH)


def facet(kind: str, priority: str) -> str:
    return f"{kind}|{priority}"


def facet_filter(kind: str | None, priority: str | None) -> Any:
    if kind is None and priority is None:
        return None

    def matches(value: str) -> bool:
        k, _, p = value.partition("|")
        return (kind is None or k == kind) and (priority is None or p == priority)

    return matches


def counted(tx: Labelled, tenant_id: str, items: list[ViolationItem]) -> None:
    """Count new violations (of one job) in the tenant's scope and their technicians'
    (in ``tx``, one update per rollup item)."""
    by_scope: dict[int | None, list[Any]] = {}
    for item in items:
        entry = (str(item.gsi1sk), facet(item.kind, item.priority))
        by_scope.setdefault(None, []).append((None, entry))
        if item.technician_id is not None:
            by_scope.setdefault(int(item.technician_id), []).append((None, entry))
    for technician_id, moves in by_scope.items():
        rollups.move_all(tx, tenant_id, _rollup(technician_id), moves)


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    kind: str | None,
    priority: str | None,
    technician_id: int | None,
    date_from: str | None,
    date_to: str | None,
) -> dict[str, Any]:
    """One page, latest deadline first, of the violations matching every filter
    (``date_from``..``date_to``: the deadline's UTC day, inclusive)."""
    if technician_id is not None:
        hash_value = keys.sla_violations_by_technician_pk(tenant_id, technician_id)
        source = listing.Source.on_index(ViolationItem, "gsi2", hash_value)
    else:
        hash_value = keys.sla_violations_by_due_pk(tenant_id)
        source = listing.Source.on_index(ViolationItem, "gsi1", hash_value)
    condition = listing.equal_to(((ViolationItem.kind, kind), (ViolationItem.priority, priority)))
    return listing.page(
        source,
        _rollup(technician_id),
        tenant_id,
        request,
        name=f"sla-violations|k={kind}|p={priority}|t={technician_id}",
        low=date_from,
        high=f"{date_to}{rollups.TOP}" if date_to else None,
        matches=facet_filter(kind, priority),
        condition=condition,
    )
