"""What every dispatch job change shares: the job as the API shows it, the parts of a job
transaction (history entry, stream event, outbox event, technician position) and the
lookups of a job (any of the tenant's, or the caller's own)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock, roles
from chalicelib.core.auth import Principal
from chalicelib.core.errors import NotFound
from chalicelib.dispatch import store
from chalicelib.dispatch.store import JobItem, Part
from chalicelib.platform import outbox
from chalicelib.platform.tx import Labelled

JOB_COUNTER = "job"
EVENT_TTL = timedelta(days=1)
NOT_LINKED = "; only dispatchers, managers and admins work with other technicians' jobs"
VIEW_FIELDS = (
    "title",
    "description",
    "priority",
    "status",
    "job_type",
    "required_skills",
    "estimated_minutes",
    "customer_id",
    "customer_name",
    "service_address",
    "service_city",
    "service_state",
    "service_zip",
    "latitude",
    "longitude",
    "zone_id",
    "scheduled_start",
    "scheduled_end",
    "scheduled_date",
    "technician_id",
    "technician_name",
    "route_position",
    "cancel_reason",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "completed_at",
    "cancelled_at",
    "sla_response_due",
    "sla_resolution_due",
)
INT_FIELDS = ("estimated_minutes", "customer_id", "technician_id", "route_position", "zone_id")


def _number(value: Any) -> Any:
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() and not isinstance(value, float) else as_float


def view(job: JobItem) -> dict[str, Any]:
    """The job as the API shows it (also the data of its events)."""
    out: dict[str, Any] = {"id": int(job.job_id)}
    for name in VIEW_FIELDS:
        value = getattr(job, name)
        if name in INT_FIELDS and value is not None:
            value = int(value)
        elif name in ("latitude", "longitude") and value is not None:
            value = float(value)
        out[name] = value
    return out


def _iso(now: datetime) -> str:
    return clock.iso_utc(now)


def _nonce() -> str:
    return secrets.token_hex(4)


# --- parts of every job transaction ---------------------------------------------------------
def _history(
    tid: str,
    job_id: int,
    at: str,
    actor: int,
    action: str,
    from_status: str | None,
    to_status: str,
    **fields: Any,
) -> Part:
    move = store.new_move(
        tid,
        job_id,
        at,
        _nonce(),
        action=action,
        actor_id=actor,
        from_status=from_status,
        to_status=to_status,
        **{k: v for k, v in fields.items() if v is not None},
    )
    return lambda tx: tx.create("history", move)


def stream_event(tid: str, event_type: str, data: dict[str, Any], now: datetime) -> Part:
    """The board stream's copy of a change (kept a day)."""
    at = _iso(now)
    item = store.new_event(
        tid, f"{at}#{_nonce()}", event_type, data, at, int((now + EVENT_TTL).timestamp())
    )
    return lambda tx: tx.create("stream_event", item)


def _outbox(pending: outbox.PendingEvent) -> Part:
    def part(tx: Labelled) -> None:
        outbox.add(tx, pending)

    return part


def _position_part(tid: str, technician_id: int, **fields: Any) -> tuple[Part, dict[str, Any]]:
    item = store.new_position(tid, technician_id, **fields)
    return (lambda tx: tx.save("position", item)), position_view(item)


def position_view(item: Any) -> dict[str, Any]:
    return {
        "technician_id": int(item.technician_id),
        "latitude": float(item.latitude),
        "longitude": float(item.longitude),
        "speed": None if item.speed is None else float(item.speed),
        "heading": None if item.heading is None else float(item.heading),
        "at": item.at,
    }


# --- reading a job ------------------------------------------------------------------------
def sees_all(principal: Principal) -> bool:
    return principal.can(roles.DISPATCH_READ)


def _job(tid: str, job_id: int, consistent: bool = False) -> JobItem:
    job = store.get(tid, job_id, consistent=consistent)
    if job is None:
        raise NotFound(f"dispatch job {job_id} not found")
    return job


def _own_job(principal: Principal, job_id: int, consistent: bool = False) -> JobItem:
    """The caller's own job: another technician's is 404."""
    own = accounts.own_technician(principal, NOT_LINKED)
    job = store.get(principal.tenant_id, job_id, consistent=consistent)
    if job is None or job.technician_id is None or int(job.technician_id) != own:
        raise NotFound(f"dispatch job {job_id} not found")
    return job
