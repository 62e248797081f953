"""Moving dispatch jobs through the workflow (``rules.workflow``): the shared read, decide
and write loop, assigning, unassigning, cancelling and changing a job's details, and the
technician's own moves (acknowledge, status, location)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, NotFound, invalid
from chalicelib.dispatch import listing, store
from chalicelib.dispatch.jobs import (
    NOT_LINKED,
    _history,
    _iso,
    _job,
    _outbox,
    _own_job,
    _position_part,
    stream_event,
    view,
)
from chalicelib.dispatch.rules import geo, workflow
from chalicelib.dispatch.store import JobItem, Part
from chalicelib.platform import outbox
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.sla import service as sla
from chalicelib.technicians import service as technicians
from chalicelib.zones import service as zones


def _apply(
    principal: Principal,
    job_id: int,
    decide: Any,
    *,
    own: bool = False,
) -> dict[str, Any]:
    """Read the job (consistently), let ``decide(job, now)`` check the move and return
    ``(changes, parts, events)`` (or None: nothing to do), and write it all in one
    transaction conditioned on the job as read; retried when the job or a shared count
    changed meanwhile."""
    tid = principal.tenant_id
    for _ in retries():
        job = _own_job(principal, job_id, True) if own else _job(tid, job_id, True)
        now = clock.now()
        decided = decide(job, now)
        if decided is None:
            return view(job)
        done = _commit(job, *decided)
        if done is not None:
            return done
    raise _busy(job_id)


def _commit(
    job: JobItem, changes: dict[str, Any], parts: list[Part], events: list[Any]
) -> dict[str, Any] | None:
    """Write one move conditioned on the job as read, then send its events: the job's view,
    or None when the job or a shared count changed since it was read (read again)."""
    try:
        store.change(job, changes, parts)
    except (ConditionFailed, Contention):
        return None
    for pending in events:
        outbox.enqueue(pending)
    return view(job)


def _busy(job_id: int) -> Conflict:
    return Conflict(f"dispatch job {job_id} is being changed by other requests; retry")


def _check_forms(tid: str, job: JobItem) -> None:
    """A job whose type requires forms is completed only once they are submitted (409
    naming the missing ones; one or two Queries, none without a job type)."""
    from chalicelib.forms import service as forms  # lazily: forms reads jobs via our service

    missing = forms.missing_for(tid, job.job_type, int(job.job_id))
    if missing:
        raise Conflict(
            f"dispatch job {int(job.job_id)} cannot be completed before its required forms "
            f"are submitted: {', '.join(missing)}"
        )


def _move(
    principal: Principal,
    job: JobItem,
    now: datetime,
    target: str,
    action: str,
    changes: dict[str, Any] | None = None,
    *,
    gps: tuple[float, float] | None = None,
    reason: str | None = None,
    technician: Any = None,
    webhook: str | None = None,
) -> tuple[dict[str, Any], list[Part], list[outbox.PendingEvent]]:
    """Everything a move writes: the job's changes, the history entry, the counts, the
    stream's event and (``webhook``) the outbox event."""
    tid, job_id, at = principal.tenant_id, int(job.job_id), _iso(now)
    if target == workflow.COMPLETED:
        _check_forms(tid, job)
    changes = {"status": target, "updated_at": at, **(changes or {})}
    old_tech = None if job.technician_id is None else int(job.technician_id)
    new_tech = changes.get("technician_id", old_tech) if "technician_id" in changes else old_tech
    if new_tech != old_tech:
        changes.update(
            {
                k: v
                for k, v in store.index_keys(tid, job_id, job.scheduled_date, new_tech).items()
                if k.startswith("gsi2")
            }
        )
        # its place was in the old technician's route (removed even when none was read:
        # optimize-routes may save one meanwhile, and this write's condition ignores it)
        changes["route_position"] = None
    after = {**view(job), **{k: v for k, v in changes.items() if not k.startswith("gsi")}}
    sla_changes, sla_parts = sla.on_change(tid, job, changes, now)  # deadlines met or missed
    changes.update(sla_changes)
    parts: list[Part] = [
        *sla_parts,
        _history(
            tid,
            job_id,
            at,
            principal.user_id,
            action,
            job.status,
            target,
            technician_id=new_tech,
            previous_technician_id=old_tech if new_tech != old_tech else None,
            latitude=gps[0] if gps else None,
            longitude=gps[1] if gps else None,
            reason=reason,
        ),
        listing.counted(tid, job, status=target, technician_id=new_tech),
    ]
    data: dict[str, Any] = {"job": after, "from_status": job.status, "to_status": target}
    if gps:
        data["latitude"], data["longitude"] = gps
    parts.append(stream_event(tid, f"job.{action}", data, now))
    events = []
    if webhook:
        payload = dict(after)
        if webhook == "dispatch.assigned":
            payload["previous_technician_id"] = old_tech
        pending = outbox.prepare(tid, webhook, payload, now)
        parts.append(_outbox(pending))
        events.append(pending)
    if gps and new_tech is not None:
        position, _ = _position_part(tid, new_tech, latitude=gps[0], longitude=gps[1], at=at)
        parts.append(position)
    return changes, parts, events


def assign(principal: Principal, job_id: int, technician_id: int) -> dict[str, Any]:
    """(Re)assign while the job is pending, dispatched or acknowledged: it becomes
    ``dispatched`` to that technician (``dispatch.assigned``). Assigning the technician
    it already has changes nothing."""
    tid = principal.tenant_id
    for _ in retries():
        job, tech = get_many(
            [store.ref(tid, job_id), technicians.ref(tid, technician_id)], consistent=True
        )
        if job is None or job.tenant_id != tid:
            raise NotFound(f"dispatch job {job_id} not found")
        if tech is None or tech.tenant_id != tid:
            raise invalid("technician_id", f"technician {technician_id} does not exist")
        if not tech.active:
            raise invalid("technician_id", f"technician {technician_id} is inactive")
        target = workflow.check_assign(job.status)
        if job.technician_id is not None and int(job.technician_id) == technician_id:
            return view(job)
        now = clock.now()
        action = "assigned" if job.technician_id is None else "reassigned"
        changes, parts, events = _move(
            principal,
            job,
            now,
            target,
            action,
            {"technician_id": technician_id, "technician_name": tech.name, "acknowledged_at": None},
            webhook="dispatch.assigned",
        )
        done = _commit(job, changes, parts, events)
        if done is not None:
            return done
    raise _busy(job_id)


def unassign(principal: Principal, job_id: int) -> dict[str, Any]:
    def decide(job: JobItem, now: datetime) -> Any:
        target = workflow.check_unassign(job.status)
        return _move(
            principal,
            job,
            now,
            target,
            "unassigned",
            {"technician_id": None, "technician_name": None, "acknowledged_at": None},
        )

    return _apply(principal, job_id, decide)


def cancel(principal: Principal, job_id: int, reason: str) -> dict[str, Any]:
    def decide(job: JobItem, now: datetime) -> Any:
        target = workflow.check_move(job.status, workflow.CANCELLED)
        return _move(
            principal,
            job,
            now,
            target,
            "cancelled",
            {"cancel_reason": reason, "cancelled_at": _iso(now)},
            reason=reason,
        )

    return _apply(principal, job_id, decide)


PLACE = ("service_zip", "latitude", "longitude")  # what a job's zone is found from
# changes of a job that void its saved place in its technician's route (optimize-routes)
REROUTES = frozenset(("scheduled_start", "scheduled_end", "latitude", "longitude", "service_zip"))


def update(principal: Principal, job_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a job's details (not its status or technician); a job that is completed or
    cancelled is 409. A new ``scheduled_start`` moves it to that day's board."""

    def decide(job: JobItem, now: datetime) -> Any:
        if job.status in workflow.FINAL:
            raise Conflict(f"dispatch job {job_id} is {job.status} and cannot be changed")
        start = changes.get("scheduled_start", job.scheduled_start)
        end = changes.get("scheduled_end", job.scheduled_end)
        workflow.check_window(start, end)
        geo.check_place(*(changes.get(k, getattr(job, k)) for k in PLACE))
        if not changes:
            return None
        tid, at = principal.tenant_id, _iso(now)
        written: dict[str, Any] = {**changes, "updated_at": at}
        if REROUTES.intersection(changes):
            written["route_position"] = None  # the saved route no longer fits the job
        day = job.scheduled_date
        if changes.get("scheduled_start"):
            day = changes["scheduled_start"][:10]
            written["scheduled_date"] = day
        if day != job.scheduled_date:
            tech = None if job.technician_id is None else int(job.technician_id)
            written.update(store.index_keys(tid, int(job.job_id), day, tech))
            if tech is None:
                written.pop("gsi2pk"), written.pop("gsi2sk")
        old_zone = zone = None if job.zone_id is None else int(job.zone_id)
        if set(PLACE).intersection(changes):  # its zone follows its ZIP and point
            zone = zones.zone_id_of(tid, *(changes.get(k, getattr(job, k)) for k in PLACE))
            written["zone_id"] = zone
        if zone != old_zone or day != job.scheduled_date:
            written.update(store.zone_index_keys(tid, int(job.job_id), day, zone))
        priority = changes.get("priority") or job.priority
        if priority != job.priority:  # deadlines from the new priority's SLA policy
            written.update(sla.deadlines_for(tid, priority, job.created_at))
        after = {**view(job), **{k: v for k, v in written.items() if not k.startswith("gsi")}}
        sla_changes, sla_parts = sla.on_change(tid, job, written, now)
        written.update(sla_changes)
        parts = [
            *sla_parts,
            listing.counted(tid, job, priority=priority, scheduled_date=day, zone_id=zone),
            stream_event(tid, "job.updated", {"job": after}, now),
        ]
        return written, parts, []

    return _apply(principal, job_id, decide)


def check_sla(tenant_id: str, job_id: int, now: datetime | None = None) -> bool:
    """The SLA sweep's write: record the deadlines the job has missed by ``now``
    (``sla.service.on_change`` with no other change; one consistent GetItem, one
    TransactWriteItems). False when there was nothing to record (or no such job)."""
    for _ in retries():
        job = store.get(tenant_id, job_id, consistent=True)
        if job is None:
            return False
        changes, parts = sla.on_change(tenant_id, job, {}, now or clock.now())
        if not changes:
            return False
        try:
            store.change(job, changes, parts)
        except (ConditionFailed, Contention):
            continue
        return True
    raise Conflict(f"dispatch job {job_id} is being changed by other requests; retry")


# --- the technician's side -----------------------------------------------------------------
def acknowledge(principal: Principal, job_id: int) -> dict[str, Any]:
    def decide(job: JobItem, now: datetime) -> Any:
        target = workflow.check_move(job.status, workflow.ACKNOWLEDGED)
        return _move(principal, job, now, target, "acknowledged", {"acknowledged_at": _iso(now)})

    return _apply(principal, job_id, decide, own=True)


def set_status(
    principal: Principal,
    job_id: int,
    status: str,
    latitude: float | None,
    longitude: float | None,
) -> dict[str, Any]:
    """The technician moves their job on (``dispatch.completed`` on completion); a GPS fix
    is kept in the history and as the technician's last position."""
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise invalid(field, "latitude and longitude go together")
    gps = (latitude, longitude) if latitude is not None and longitude is not None else None

    def decide(job: JobItem, now: datetime) -> Any:
        target = workflow.check_technician_move(job.status, status)
        extra: dict[str, Any] = {}
        if target == workflow.ACKNOWLEDGED:
            extra["acknowledged_at"] = _iso(now)
        if target == workflow.COMPLETED:
            extra["completed_at"] = _iso(now)
        return _move(
            principal,
            job,
            now,
            target,
            target,
            extra,
            gps=gps,
            webhook="dispatch.completed" if target == workflow.COMPLETED else None,
        )

    return _apply(principal, job_id, decide, own=True)


def report_location(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """Keep the technician's last position and put it on the board's stream (one
    ``TransactWriteItems``)."""
    own = accounts.own_technician(principal, NOT_LINKED)
    tid, now = principal.tenant_id, clock.now()
    position, shown = _position_part(tid, own, at=_iso(now), **data)
    store.write([position, stream_event(tid, "technician.location", shown, now)])
    return shown
