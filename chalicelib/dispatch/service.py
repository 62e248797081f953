"""Dispatch jobs (SPEC.md "Dispatch"): create, read, change, assign and move them through
the workflow (``rules.workflow``), the technician's own calls, the board and the event log
the board's stream reads.

Who: dispatchers, managers and admins (``dispatch:read``/``dispatch:write``) work with
every job; a technician (``self``) only with the jobs assigned to the technician record
linked to their login: another's job is 404.

DynamoDB calls besides the route decorator's read of the caller's account:

- create: one consistent ``BatchGetItem`` (the job id counter, the customer or the
  customer id counter), one ``TransactWriteItems`` (the job, the id counter's
  compare-and-set, a new customer with its count and search entries, the history entry,
  the list counts, the ``dispatch.created`` event and the stream's event), then the SQS
  send of the event;
- assign / reassign: one consistent ``BatchGetItem`` (job and technician), one
  ``TransactWriteItems`` (job conditioned on what was read, history, counts moved from the
  old technician's scope to the new one, ``dispatch.assigned``, the stream's event), SQS;
- every other move (unassign, cancel, acknowledge, status): one consistent ``GetItem``,
  one ``TransactWriteItems`` (plus the technician's position when the move carries GPS;
  ``dispatch.completed`` and its SQS send on completion);
- the board: three Queries whatever the tenant's number of jobs (the day's jobs on gsi1,
  the roster, the positions), each continued only past 1 MB.

A transaction that lost a race (the job moved meanwhile, another write held a rollup item)
is re-read and retried (``tx.retries``), so the answer reflects the job as it is.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock, roles
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, NotFound, invalid
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import service as customers
from chalicelib.dispatch import listing, store
from chalicelib.dispatch.rules import workflow
from chalicelib.dispatch.store import JobItem, Part
from chalicelib.platform import counters, outbox
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, Labelled, retries
from chalicelib.technicians import service as technicians

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
    "scheduled_start",
    "scheduled_end",
    "scheduled_date",
    "technician_id",
    "technician_name",
    "cancel_reason",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "completed_at",
    "cancelled_at",
)
INT_FIELDS = ("estimated_minutes", "customer_id", "technician_id")


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


# --- creating ----------------------------------------------------------------------------
def _day_of(start: str | None, now: datetime) -> str:
    return start[:10] if start else now.date().isoformat()


def create(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """A new pending job (``dispatch.created``)."""
    tid = principal.tenant_id
    workflow.check_window(data.get("scheduled_start"), data.get("scheduled_end"))
    customer_id = data.get("customer_id")
    creates_customer = customer_id is None and bool(data.get("customer_name"))
    reserved: int | None = None
    for _ in retries():
        wanted = [counters.ref(tid, JOB_COUNTER)]
        if customer_id is not None:
            wanted.append(customers.ref(tid, customer_id))
        elif creates_customer:
            wanted.append(customers.counter_ref(tid))
        got = get_many(wanted, consistent=True)
        job_counter = counters.current_value(got[0])  # type: ignore[arg-type]
        job_id = reserved if reserved is not None else job_counter + 1
        now = clock.now()
        at = _iso(now)
        parts: list[Part] = []
        fields = {k: v for k, v in data.items() if k != "customer_id"}
        if customer_id is not None:
            customer = got[1]
            if customer is None or customer.tenant_id != tid:
                raise invalid("customer_id", f"customer {customer_id} does not exist")
            fields["customer_name"] = customer.name
            fields["customer_id"] = customer_id
        elif creates_customer:
            current = counters.current_value(got[1])  # type: ignore[arg-type]
            fields["customer_id"] = current + 1
            customer, pointer = customers.new_from_sale(
                tid, current + 1, data["customer_name"], None, now, source="dispatch"
            )
            parts.append(
                lambda tx, customer=customer, pointer=pointer, current=current: (
                    customers.add(tx, customer, pointer),
                    customers.claim_id(tx, "customer_counter", tid, current),
                )
            )
        job = store.new_job(
            tid,
            job_id,
            **fields,
            status=workflow.PENDING,
            scheduled_date=_day_of(data.get("scheduled_start"), now),
            created_by=principal.user_id,
            created_at=at,
            updated_at=at,
        )
        shown = view(job)
        pending = outbox.prepare(tid, "dispatch.created", shown, now)
        parts += [
            _history(tid, job_id, at, principal.user_id, "created", None, workflow.PENDING),
            listing.counted(tid, job, new=True),
            _outbox(pending),
            stream_event(tid, "job.created", {"job": shown}, now),
        ]
        if reserved is None:
            parts.append(
                lambda tx, c=job_counter: counters.claim(tx, "job_counter", tid, JOB_COUNTER, c)
            )
        try:
            store.create(job, parts)
        except ConditionFailed as exc:
            if "job_counter" in exc.failed and reserved is None:
                reserved = counters.next_id(tid, JOB_COUNTER)
            continue
        except Contention:
            continue
        outbox.enqueue(pending)
        return shown
    raise Conflict("too many concurrent changes of the dispatch jobs; retry the request")


# --- reading -----------------------------------------------------------------------------
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


def get(principal: Principal, job_id: int) -> dict[str, Any]:
    return view(_job(principal.tenant_id, job_id))


def history(principal: Principal, job_id: int) -> dict[str, Any]:
    _job(principal.tenant_id, job_id)
    items = [
        {
            "action": m.action,
            "actor_id": int(m.actor_id),
            "at": m.at,
            "from_status": m.from_status,
            "to_status": m.to_status,
            "technician_id": None if m.technician_id is None else int(m.technician_id),
            "previous_technician_id": (
                None if m.previous_technician_id is None else int(m.previous_technician_id)
            ),
            "latitude": None if m.latitude is None else float(m.latitude),
            "longitude": None if m.longitude is None else float(m.longitude),
            "reason": m.reason,
        }
        for m in store.moves(principal.tenant_id, job_id)
    ]
    return {"job_id": job_id, "items": items}


def list_jobs(principal: Principal, flt: Any, page: PageRequest) -> dict[str, Any]:
    body = listing.page(
        principal.tenant_id,
        page,
        day=flt.date.isoformat() if flt.date else None,
        status=flt.status,
        priority=flt.priority,
        technician_id=flt.technician_id,
    )
    body["items"] = [view(j) for j in body["items"]]
    return body


def my_jobs(principal: Principal, day: Any, page: PageRequest) -> dict[str, Any]:
    own = accounts.own_technician(principal, NOT_LINKED)
    body = listing.page(
        principal.tenant_id,
        page,
        day=day.isoformat() if day else None,
        status=None,
        priority=None,
        technician_id=own,
    )
    body["items"] = [view(j) for j in body["items"]]
    return body


# --- changing ----------------------------------------------------------------------------
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
        changes, parts, events = decided
        try:
            store.change(job, changes, parts)
        except (ConditionFailed, Contention):
            continue
        for pending in events:
            outbox.enqueue(pending)
        return view(job)
    raise Conflict(f"dispatch job {job_id} is being changed by other requests; retry")


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
    after = {**view(job), **{k: v for k, v in changes.items() if not k.startswith("gsi")}}
    parts: list[Part] = [
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
        try:
            store.change(job, changes, parts)
        except (ConditionFailed, Contention):
            continue
        for pending in events:
            outbox.enqueue(pending)
        return view(job)
    raise Conflict(f"dispatch job {job_id} is being changed by other requests; retry")


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


UPDATABLE = (
    "title",
    "description",
    "priority",
    "job_type",
    "required_skills",
    "estimated_minutes",
    "service_address",
    "service_city",
    "service_state",
    "service_zip",
    "latitude",
    "longitude",
    "scheduled_start",
    "scheduled_end",
)


def update(principal: Principal, job_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a job's details (not its status or technician); a job that is completed or
    cancelled is 409. A new ``scheduled_start`` moves it to that day's board."""

    def decide(job: JobItem, now: datetime) -> Any:
        if job.status in workflow.FINAL:
            raise Conflict(f"dispatch job {job_id} is {job.status} and cannot be changed")
        start = changes.get("scheduled_start", job.scheduled_start)
        end = changes.get("scheduled_end", job.scheduled_end)
        workflow.check_window(start, end)
        if not changes:
            return None
        tid, at = principal.tenant_id, _iso(now)
        written: dict[str, Any] = {**changes, "updated_at": at}
        day = job.scheduled_date
        if changes.get("scheduled_start"):
            day = changes["scheduled_start"][:10]
            written["scheduled_date"] = day
        if day != job.scheduled_date:
            tech = None if job.technician_id is None else int(job.technician_id)
            written.update(store.index_keys(tid, int(job.job_id), day, tech))
            if tech is None:
                written.pop("gsi2pk"), written.pop("gsi2sk")
        priority = changes.get("priority") or job.priority
        after = {**view(job), **{k: v for k, v in written.items() if not k.startswith("gsi")}}
        parts = [
            listing.counted(tid, job, priority=priority, scheduled_date=day),
            stream_event(tid, "job.updated", {"job": after}, now),
        ]
        return written, parts, []

    return _apply(principal, job_id, decide)


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


def _sort_key(job: dict[str, Any]) -> tuple[str, int]:
    return (job["scheduled_start"] or "~", job["id"])


def board(principal: Principal, day: str) -> dict[str, Any]:
    """The day's jobs by technician (every active technician, and any other with a job
    that day) plus the unassigned ones, with each technician's last position."""
    tid = principal.tenant_id
    jobs = sorted((view(j) for j in store.on_day(tid, day)), key=_sort_key)
    roster = technicians.list_all(tid)
    positions = {int(p.technician_id): position_view(p) for p in store.positions(tid)}
    by_tech: dict[int, list[dict[str, Any]]] = {}
    unassigned = []
    for job in jobs:
        if job["technician_id"] is None:
            unassigned.append(job)
        else:
            by_tech.setdefault(job["technician_id"], []).append(job)
    columns = []
    for tech in roster:
        tech_id = int(tech.technician_id)
        own = by_tech.get(tech_id, [])
        if not tech.active and not own:
            continue
        pos = positions.get(tech_id)
        columns.append(
            {
                "technician_id": tech_id,
                "name": tech.name,
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
