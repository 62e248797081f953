"""The dispatch board of a day and the event log its stream reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.dispatch import store
from chalicelib.dispatch.jobs import _iso, position_view, view
from chalicelib.dispatch.rules import workflow
from chalicelib.technicians import service as technicians

# --- the board -----------------------------------------------------------------------------
ACTIVE_ORDER = (
    workflow.IN_PROGRESS,
    workflow.ON_SITE,
    workflow.EN_ROUTE,
    workflow.ACKNOWLEDGED,
    workflow.DISPATCHED,
)


def technician_status(jobs: list[dict[str, Any]]) -> str:
    """A technician's current status on the board: their most advanced open job's, else
    ``available``."""
    statuses = {j["status"] for j in jobs}
    for status in ACTIVE_ORDER:
        if status in statuses:
            return status
    return "available"


def _sort_key(job: dict[str, Any]) -> tuple[int, str, int]:
    """A column's order: the saved route (``route_position``, set by optimize-routes with
    ``apply``), then the jobs without one by scheduled start, then id."""
    position = job.get("route_position")
    return (position if position is not None else 1 << 30, job["scheduled_start"] or "~", job["id"])


def board(principal: Principal, day: str) -> dict[str, Any]:
    """The day's jobs by technician (every active technician, and any other with a job
    that day) plus the unassigned ones, with each technician's last position."""
    tid = principal.tenant_id
    jobs = sorted((view(j) for j in store.on_day(tid, day)), key=_sort_key)
    # every active technician (the first ``MAX_ACTIVE`` by id) and any other with a job
    # that day, named as the job names them
    roster = {int(t.technician_id): t.name for t in technicians.active(tid)}
    positions = {int(p.technician_id): position_view(p) for p in store.positions(tid)}
    by_tech: dict[int, list[dict[str, Any]]] = {}
    unassigned = []
    for job in jobs:
        if job["technician_id"] is None:
            unassigned.append(job)
        else:
            by_tech.setdefault(job["technician_id"], []).append(job)
    for tech_id, own in by_tech.items():
        roster.setdefault(tech_id, own[0].get("technician_name"))
    columns = []
    for tech_id, name in sorted(roster.items()):
        own = by_tech.get(tech_id, [])
        pos = positions.get(tech_id)
        columns.append(
            {
                "technician_id": tech_id,
                "name": name,
                "status": technician_status(own),
                "position": (
                    None
                    if pos is None
                    else {"lat": pos["latitude"], "lng": pos["longitude"], "at": pos["at"]}
                ),
                "jobs": own,
            }
        )
    return {"date": day, "technicians": columns, "unassigned": unassigned, "total": len(jobs)}


# --- the stream's events ---------------------------------------------------------------------
def events_after(
    tenant_id: str,
    after: str | None,
    now: datetime,
    window: timedelta,
    settle: timedelta,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """The board's events after the event id ``after`` (else those of the last
    ``window``), up to ``settle`` before ``now`` (a transaction whose event id was taken a
    moment earlier may still be committing), oldest first."""
    floor = _iso(now - window)
    start = after if after and after > floor else floor
    until = _iso(now - settle)
    return [
        {"id": e.event_id, "type": e.event_type, "data": e.data, "created_at": e.created_at}
        for e in store.events_between(tenant_id, start, until, limit)
    ]
