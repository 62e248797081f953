"""The job lists (``GET /admin/dispatch``, ``GET /tech/dispatch/my-jobs``) on
``platform.listing``: newest day first, counted by rollups kept in every job's own
transaction.

Scopes (``keys.jobs_rollup_scope``), sort key ``<day>#<id>``, buckets day and month:
the tenant's jobs (gsi1 ``JOBDATE``), one technician's (gsi2 ``TECHJOB#<tech>``) and one
service zone's (gsi3 ``ZONEJOB#<zone>``). The facet is ``<status>|<priority>``
(``rules.workflow.facet``). A job moves between technicians' or zones' scopes in the
transaction that changes its technician or zone.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.pagination import PageRequest
from chalicelib.dispatch.rules import workflow
from chalicelib.dispatch.store import JobItem, Part
from chalicelib.platform import keys, listing, rollups
from chalicelib.platform.rollups import Entry, Rollup

DAY, MONTH = 10, 7


def _rollup(technician_id: int | None = None, zone_id: int | None = None) -> Rollup:
    return Rollup(keys.jobs_rollup_scope(technician_id, zone_id), DAY, MONTH)


def entries(job: JobItem, **changes: Any) -> dict[Rollup, Entry]:
    """The job's entry in every scope it is listed in, with ``changes`` (status, priority,
    scheduled_date, technician_id, zone_id) applied."""
    state = {
        "status": job.status,
        "priority": job.priority,
        "scheduled_date": job.scheduled_date,
        "technician_id": None if job.technician_id is None else int(job.technician_id),
        "zone_id": None if job.zone_id is None else int(job.zone_id),
        **changes,
    }
    entry = (
        keys.job_sort(state["scheduled_date"], int(job.job_id)),
        workflow.facet(state["status"], state["priority"]),
    )
    found = {_rollup(): entry}
    if state["technician_id"] is not None:
        found[_rollup(state["technician_id"])] = entry
    if state["zone_id"] is not None:
        found[_rollup(zone_id=state["zone_id"])] = entry
    return found


def counted(tenant_id: str, job: JobItem, *, new: bool = False, **changes: Any) -> Part:
    """The part that counts a new job (``new``) or the ``changes`` of one."""
    return rollups.moved(tenant_id, {} if new else entries(job), entries(job, **changes))


def page(
    tenant_id: str,
    request: PageRequest,
    *,
    day: str | None,
    status: str | None,
    priority: str | None,
    technician_id: int | None,
    zone_id: int | None = None,
) -> dict[str, Any]:
    """One page, newest day first (then id), of the jobs matching every filter (a
    technician's or a zone's, not both)."""
    if zone_id is not None:
        source = listing.Source.on_index(JobItem, "gsi3", keys.jobs_by_zone_pk(tenant_id, zone_id))
    elif technician_id is not None:
        hash_value = keys.jobs_by_technician_pk(tenant_id, technician_id)
        source = listing.Source.on_index(JobItem, "gsi2", hash_value)
    else:
        source = listing.Source.on_index(JobItem, "gsi1", keys.jobs_by_date_pk(tenant_id))
    condition = listing.equal_to(((JobItem.status, status), (JobItem.priority, priority)))
    return listing.page(
        source,
        _rollup(zone_id=zone_id) if zone_id is not None else _rollup(technician_id),
        tenant_id,
        request,
        name=f"jobs|s={status}|p={priority}|t={technician_id}|z={zone_id}",
        low=day,
        high=f"{day}#{rollups.TOP}" if day else None,
        matches=workflow.facet_filter(status, priority),
        condition=condition,
    )
