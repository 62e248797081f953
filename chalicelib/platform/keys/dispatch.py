"""Key formats of dispatch: jobs, their history, positions, the board's event log."""

from __future__ import annotations

from chalicelib.platform.keys.base import id_sk, tenant_pk


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


def jobs_by_zone_pk(tenant_id: str, zone_id: int) -> str:
    """gsi3: the jobs of one service zone by day (sparse: jobs with a zone)."""
    return tenant_pk(tenant_id, "ZONEJOB", id_sk(zone_id))


def jobs_rollup_scope(
    technician_id: int | None = None, zone_id: int | None = None
) -> tuple[str, ...]:
    """The rollup scope of the tenant's jobs, or of one technician's, or of one zone's."""
    if technician_id is not None:
        return ("JOB", "TECH", id_sk(technician_id))
    if zone_id is not None:
        return ("JOB", "ZONE", id_sk(zone_id))
    return ("JOB",)


def job_history_pk(tenant_id: str, job_id: int) -> str:
    """One job's moves, oldest first (sort key ``<ISO time>#<random>``)."""
    return tenant_pk(tenant_id, "JOBHIST", id_sk(job_id))


def job_history_key(tenant_id: str, job_id: int, at: str, nonce: str) -> tuple[str, str]:
    return job_history_pk(tenant_id, job_id), f"{at}#{nonce}"


def jobs_by_customer_pk(tenant_id: str, customer_id: int) -> str:
    """One customer's jobs, newest first by creation (the customer's history): one small
    entry per job (sort key ``<ISO created_at>#<id>``), written in the job's creating
    transaction (a job's customer never changes)."""
    return tenant_pk(tenant_id, "CUSTJOB", id_sk(customer_id))


def customer_job_key(
    tenant_id: str, customer_id: int, created_at: str, job_id: int
) -> tuple[str, str]:
    return jobs_by_customer_pk(tenant_id, customer_id), f"{created_at}#{id_sk(job_id)}"


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
