"""Dispatch jobs (SPEC.md "Dispatch"): create, read, change, assign and move them through
the workflow (``rules.workflow``), the technician's own calls, the board and the event log
the board's stream reads.

Who: dispatchers, managers and admins (``dispatch:read``/``dispatch:write``) work with
every job; a technician (``self``) only with the jobs assigned to the technician record
linked to their login: another's job is 404.

DynamoDB calls besides the route decorator's read of the caller's account:

- create: one consistent ``BatchGetItem`` (the job id counter, the customer or the
  customer id counter and the ``customer_email``'s pointer), one ``TransactWriteItems``
  (the job, its entry in the customer's jobs, the id counter's compare-and-set, a new
  customer with its count and search entries, the history entry,
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

The work is split by job: ``jobs`` (the view, the transaction parts, job lookups),
``moves`` (workflow moves and the technician's side) and ``board`` (the board and the
stream's events); this module creates and reads jobs and is the one other code calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.accounts import service as accounts
from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, invalid
from chalicelib.core.pagination import PageRequest
from chalicelib.customers import service as customers
from chalicelib.dispatch import listing, store
from chalicelib.dispatch.board import (  # noqa: F401  (the service's API)
    ACTIVE_ORDER,
    board,
    events_after,
    technician_status,
)
from chalicelib.dispatch.jobs import (  # noqa: F401  (the service's API)
    EVENT_TTL,
    INT_FIELDS,
    JOB_COUNTER,
    NOT_LINKED,
    VIEW_FIELDS,
    _history,
    _iso,
    _job,
    _outbox,
    _own_job,
    position_view,
    sees_all,
    stream_event,
    view,
)
from chalicelib.dispatch.moves import (  # noqa: F401  (the service's API)
    acknowledge,
    assign,
    cancel,
    check_sla,
    report_location,
    set_status,
    unassign,
    update,
)
from chalicelib.dispatch.rules import geo, workflow
from chalicelib.dispatch.store import Part
from chalicelib.platform import counters, outbox
from chalicelib.platform.batch import get_many
from chalicelib.platform.tx import ConditionFailed, Contention, retries
from chalicelib.sla import service as sla
from chalicelib.zones import service as zones


# --- creating ----------------------------------------------------------------------------
def _day_of(start: str | None, now: datetime) -> str:
    return start[:10] if start else now.date().isoformat()


def create(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """A new pending job (``dispatch.created``)."""
    tid = principal.tenant_id
    workflow.check_window(data.get("scheduled_start"), data.get("scheduled_end"))
    geo.check_place(data.get("service_zip"), data.get("latitude"), data.get("longitude"))
    customer_id = data.get("customer_id")
    email = customers.normalize_email(data.get("customer_email"))
    creates_customer = customer_id is None and bool(data.get("customer_name") or email)
    reserved: int | None = None  # the job id taken with ADD after losing its race once
    reserved_customer: int | None = None  # likewise the new customer's id
    zone = zones.locate(tid, data.get("service_zip"), data.get("latitude"), data.get("longitude"))
    for _ in retries():
        wanted = [counters.ref(tid, JOB_COUNTER)]
        if customer_id is not None:
            wanted.append(customers.ref(tid, customer_id))
        elif creates_customer:
            wanted.append(customers.counter_ref(tid))
            if email:  # the customer with this e-mail, linked rather than duplicated
                wanted.append(customers.email_ref(tid, email))
        sla_at = len(wanted)
        wanted.append(sla.policy_ref(tid))  # the SLA policies, for the job's deadlines
        zone_at = len(wanted)
        wanted += zone.refs  # the ZIP's zone, and whether polygon zones exist
        got = get_many(wanted, consistent=True)
        job_counter = counters.current_value(got[0])  # type: ignore[arg-type]
        job_id = reserved if reserved is not None else job_counter + 1
        now = clock.now()
        at = _iso(now)
        parts: list[Part] = []
        fields = {k: v for k, v in data.items() if k not in ("customer_id", "customer_email")}
        fields["zone_id"] = zone.zone_id(got[zone_at : zone_at + len(zone.refs)])
        if customer_id is not None:
            customer = got[1]
            if customer is None or customer.tenant_id != tid:
                raise invalid("customer_id", f"customer {customer_id} does not exist")
            fields["customer_name"] = customer.name
            fields["customer_id"] = customer_id
        elif creates_customer and email and got[2] is not None:
            fields["customer_id"] = int(got[2].customer_id)  # type: ignore[attr-defined]
            fields["customer_name"] = data.get("customer_name") or email
        elif creates_customer:
            current = counters.current_value(got[1])  # type: ignore[arg-type]
            new_id = reserved_customer if reserved_customer is not None else current + 1
            fields["customer_id"] = new_id
            fields["customer_name"] = data.get("customer_name") or email
            customer, pointer = customers.new_from_sale(
                tid, new_id, data.get("customer_name") or email, email, now, source="dispatch"
            )
            parts.append(lambda tx, c=customer, p=pointer: customers.add(tx, c, p))
            if reserved_customer is None:
                parts.append(
                    lambda tx, c=current: customers.claim_id(tx, "customer_counter", tid, c)
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
            **sla.deadline_fields(got[sla_at], fields.get("priority", "normal"), at),
        )
        shown = view(job)
        pending = outbox.prepare(tid, "dispatch.created", shown, now)
        parts += [
            _history(tid, job_id, at, principal.user_id, "created", None, workflow.PENDING),
            listing.counted(tid, job, new=True),
            _outbox(pending),
            stream_event(tid, "job.created", {"job": shown}, now),
            *sla.on_create(tid, job, now),
        ]
        if reserved is None:
            parts.append(
                lambda tx, c=job_counter: counters.claim(tx, "job_counter", tid, JOB_COUNTER, c)
            )
        try:
            store.create(job, parts)
        except ConditionFailed as exc:  # lost an id race: reserve the id outright (O(N) burst)
            if "job_counter" in exc.failed and reserved is None:
                reserved = counters.next_id(tid, JOB_COUNTER)
            if "customer_counter" in exc.failed and reserved_customer is None:
                reserved_customer = customers.reserve_id(tid)
            continue
        except Contention:
            continue
        outbox.enqueue(pending)
        return shown
    raise Conflict("too many concurrent changes of the dispatch jobs; retry the request")


# --- reading -----------------------------------------------------------------------------
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
        zone_id=flt.zone_id,
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


def job_for(principal: Principal, job_id: int, *, own: bool = False) -> dict[str, Any]:
    """A job as the API shows it, for another feature (forms): any of the tenant's, or
    with ``own`` only the caller's own (another technician's is 404). One GetItem."""
    if own:
        return view(_own_job(principal, job_id))
    return view(_job(principal.tenant_id, job_id))


def of_customer(
    tenant_id: str, customer_id: int, limit: int = 50, before: tuple[str, int] | None = None
) -> list[dict[str, Any]]:
    """At most ``limit`` of one customer's jobs (their views), newest created first, those
    strictly before ``before`` = (created_at, job id) when given: one Query of the
    customer's job entries and one BatchGetItem (for the customer's history)."""
    return [view(job) for job in store.of_customer(tenant_id, customer_id, max(1, limit), before)]


def job_in(tenant_id: str, job_id: int) -> dict[str, Any]:
    """A job of ``tenant_id`` as the API shows it, for a caller that is no staff user (the
    customer portal's reviews): 404 when the tenant has no such job. One GetItem."""
    return view(_job(tenant_id, job_id))
