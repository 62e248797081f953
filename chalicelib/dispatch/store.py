"""Dispatch: the job by id with two day-sorted indexes, each job's history, the
technicians' last positions and the board's short-lived event log.

Keys (``platform.keys``, "dispatch"): job ``T#<tid>#JOB`` / ``<id>``; gsi1
``T#<tid>#JOBDATE`` / ``<day>#<id>`` (every job, by scheduled day: a day's board is one
Query); gsi2 ``T#<tid>#TECHJOB#<tech>`` / ``<day>#<id>`` (the assigned technician's, sparse);
gsi3 ``T#<tid>#ZONEJOB#<zone>`` / ``<day>#<id>`` (the service zone's, sparse);
history ``T#<tid>#JOBHIST#<id>`` / ``<time>#<random>``; a customer's jobs
``T#<tid>#CUSTJOB#<customer>`` / ``<created_at>#<id>`` (written with the job); positions
``T#<tid>#TECHPOS`` / ``<tech>``; events ``T#<tid>#DISPATCHEVT`` / ``<time>#<random>`` (TTL one day).

Every change of a job is one transaction: the job's update conditioned on the values the
list counts (status, priority, day, technician) as read, plus the ``parts`` the service
brings (the history entry, the counts, the events, a new customer, the id counter).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.expressions.condition import Condition

from chalicelib.platform import keys
from chalicelib.platform.batch import get_many
from chalicelib.platform.table import BaseItem, Gsi2, Gsi3, register, take
from chalicelib.platform.tx import Labelled, labelled_transaction

Part = Callable[[Labelled], None]
QUERY_LIMIT = 2000  # items of one day (board) or one job's history read at most


@register
class JobItem(BaseItem):
    """A dispatch job. gsi1: the tenant's jobs by day; gsi2: its technician's by day."""

    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi3 = Gsi3()
    tenant_id = UnicodeAttribute()
    job_id = NumberAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(default="normal")
    status = UnicodeAttribute(default="pending")
    job_type = UnicodeAttribute(null=True)
    required_skills = JSONAttribute(null=True)
    estimated_minutes = NumberAttribute(null=True)
    customer_id = NumberAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)
    service_address = UnicodeAttribute(null=True)
    service_city = UnicodeAttribute(null=True)
    service_state = UnicodeAttribute(null=True)
    service_zip = UnicodeAttribute(null=True)
    latitude = NumberAttribute(null=True)
    longitude = NumberAttribute(null=True)
    zone_id = NumberAttribute(null=True)  # its service zone (zones.service.locate)
    scheduled_start = UnicodeAttribute(null=True)
    scheduled_end = UnicodeAttribute(null=True)
    scheduled_date = UnicodeAttribute()
    technician_id = NumberAttribute(null=True)
    technician_name = UnicodeAttribute(null=True)
    route_position = NumberAttribute(null=True)  # 1.. in its technician's day (optimize-routes)
    cancel_reason = UnicodeAttribute(null=True)
    created_by = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    acknowledged_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)
    # SLA (``chalicelib.sla``): the deadlines, when it first responded, what it missed
    sla_response_due = UnicodeAttribute(null=True)
    sla_resolution_due = UnicodeAttribute(null=True)
    sla_responded_at = UnicodeAttribute(null=True)
    sla_response_missed = BooleanAttribute(null=True)
    sla_resolution_missed = BooleanAttribute(null=True)


@register
class JobMoveItem(BaseItem):
    """One entry of a job's history: who moved it, when, from which status to which, and
    the GPS fix when one was given."""

    tenant_id = UnicodeAttribute()
    job_id = NumberAttribute()
    action = UnicodeAttribute()
    actor_id = NumberAttribute()
    at = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    technician_id = NumberAttribute(null=True)
    previous_technician_id = NumberAttribute(null=True)
    latitude = NumberAttribute(null=True)
    longitude = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)


@register
class CustomerJobItem(BaseItem):
    """One entry of a customer's jobs (``T#<tid>#CUSTJOB#<customer>`` /
    ``<created_at>#<id>``), written with the job (a job's customer never changes)."""

    tenant_id = UnicodeAttribute()
    job_id = NumberAttribute()


@register
class PositionItem(BaseItem):
    """A technician's last reported position."""

    tenant_id = UnicodeAttribute()
    technician_id = NumberAttribute()
    latitude = NumberAttribute()
    longitude = NumberAttribute()
    speed = NumberAttribute(null=True)
    heading = NumberAttribute(null=True)
    at = UnicodeAttribute()


@register
class DispatchEventItem(BaseItem):
    """One change for the board's stream (sort key = event id, time-ordered)."""

    tenant_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    data = JSONAttribute()
    created_at = UnicodeAttribute()


# --- reads -------------------------------------------------------------------------------
def ref(tenant_id: str, job_id: int) -> tuple[type[JobItem], tuple[str, str]]:
    return JobItem, keys.job_key(tenant_id, job_id)


def get(tenant_id: str, job_id: int, consistent: bool = False) -> JobItem | None:
    return JobItem.find(keys.job_key(tenant_id, job_id), tenant_id=tenant_id, consistent=consistent)


def _day_range(attr: Any, day: str) -> Condition:
    return attr.between(f"{day}#", f"{day}#~")


def on_day(tenant_id: str, day: str) -> list[JobItem]:
    """Every job scheduled on ``day`` (one Query on gsi1, another per MB)."""
    query = JobItem.gsi1.query(
        keys.jobs_by_date_pk(tenant_id), _day_range(JobItem.gsi1sk, day), limit=QUERY_LIMIT
    )
    return take(query, QUERY_LIMIT)


def moves(tenant_id: str, job_id: int) -> list[JobMoveItem]:
    """A job's history, oldest first (one Query)."""
    return take(
        JobMoveItem.query(keys.job_history_pk(tenant_id, job_id), limit=QUERY_LIMIT), QUERY_LIMIT
    )


def of_customer(
    tenant_id: str, customer_id: int, limit: int, before: tuple[str, int] | None = None
) -> list[JobItem]:
    """At most ``limit`` of one customer's jobs, newest created first, those strictly
    before ``before`` = (created_at, job id) when given: one Query of the customer's job
    entries and one ``BatchGetItem`` of the jobs."""
    condition = None
    if before is not None:
        _, last = keys.customer_job_key(tenant_id, customer_id, before[0], before[1])
        condition = CustomerJobItem.sk < last
    entries = take(
        CustomerJobItem.query(
            keys.jobs_by_customer_pk(tenant_id, customer_id),
            condition,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        ),
        limit,
    )
    jobs = get_many([ref(tenant_id, int(e.job_id)) for e in entries]) if entries else []
    return [j for j in jobs if isinstance(j, JobItem) and j.tenant_id == tenant_id]


def customer_entry(job: JobItem) -> CustomerJobItem | None:
    """The customer's entry of a new job (None without a customer)."""
    if job.customer_id is None:
        return None
    tenant_id, job_id = str(job.tenant_id), int(job.job_id)
    return CustomerJobItem(
        *keys.customer_job_key(tenant_id, int(job.customer_id), str(job.created_at), job_id),
        tenant_id=tenant_id,
        job_id=job_id,
    )


def positions(tenant_id: str) -> list[PositionItem]:
    """Every technician's last position (one Query)."""
    found = PositionItem.query(keys.technician_positions_pk(tenant_id), limit=QUERY_LIMIT)
    return take(found, QUERY_LIMIT)


def events_between(tenant_id: str, after: str, until: str, limit: int) -> list[DispatchEventItem]:
    """The stream's events with ids after ``after`` and before ``until``, oldest first."""
    found = DispatchEventItem.query(
        keys.dispatch_events_pk(tenant_id),
        DispatchEventItem.sk.between(after, until),  # one key condition: drop the bounds
        limit=limit + 1,
    )
    return [e for e in found if after < e.sk < until][:limit]


# --- new items -----------------------------------------------------------------------------
def index_keys(tenant_id: str, job_id: int, day: str, technician_id: int | None) -> dict[str, Any]:
    sort = keys.job_sort(day, job_id)
    found: dict[str, Any] = {"gsi1pk": keys.jobs_by_date_pk(tenant_id), "gsi1sk": sort}
    if technician_id is not None:
        found["gsi2pk"] = keys.jobs_by_technician_pk(tenant_id, technician_id)
        found["gsi2sk"] = sort
    else:
        found["gsi2pk"] = found["gsi2sk"] = None
    return found


def zone_index_keys(tenant_id: str, job_id: int, day: str, zone_id: int | None) -> dict[str, Any]:
    """gsi3: the zone's jobs by day (None values remove the entry)."""
    if zone_id is None:
        return {"gsi3pk": None, "gsi3sk": None}
    return {
        "gsi3pk": keys.jobs_by_zone_pk(tenant_id, zone_id),
        "gsi3sk": keys.job_sort(day, job_id),
    }


def new_job(tenant_id: str, job_id: int, **fields: Any) -> JobItem:
    return JobItem(
        *keys.job_key(tenant_id, job_id),
        tenant_id=tenant_id,
        job_id=job_id,
        **index_keys(tenant_id, job_id, fields["scheduled_date"], fields.get("technician_id")),
        **zone_index_keys(tenant_id, job_id, fields["scheduled_date"], fields.get("zone_id")),
        **fields,
    )


def new_move(tenant_id: str, job_id: int, at: str, nonce: str, **fields: Any) -> JobMoveItem:
    return JobMoveItem(
        *keys.job_history_key(tenant_id, job_id, at, nonce),
        tenant_id=tenant_id,
        job_id=job_id,
        at=at,
        **fields,
    )


def new_position(tenant_id: str, technician_id: int, **fields: Any) -> PositionItem:
    return PositionItem(
        *keys.technician_position_key(tenant_id, technician_id),
        tenant_id=tenant_id,
        technician_id=technician_id,
        **fields,
    )


def new_event(
    tenant_id: str, event_id: str, event_type: str, data: dict[str, Any], at: str, expires: int
) -> DispatchEventItem:
    return DispatchEventItem(
        *keys.dispatch_event_key(tenant_id, event_id),
        tenant_id=tenant_id,
        event_id=event_id,
        event_type=event_type,
        data=data,
        created_at=at,
        expires_at=expires,
    )


# --- writes ------------------------------------------------------------------------------
def as_read(job: JobItem) -> Condition:
    """The job still has the status, priority, day, technician and zone it was read with."""
    condition = (
        JobItem.pk.exists()
        & (JobItem.status == job.status)
        & (JobItem.priority == job.priority)
        & (JobItem.scheduled_date == job.scheduled_date)
    )
    if job.technician_id is None:
        condition &= JobItem.technician_id.does_not_exist()
    else:
        condition &= JobItem.technician_id == int(job.technician_id)
    if job.zone_id is None:
        condition &= JobItem.zone_id.does_not_exist()
    else:
        condition &= JobItem.zone_id == int(job.zone_id)
    return condition


def create(job: JobItem, parts: list[Part]) -> JobItem:
    """Write the job, its customer's entry and the parts atomically (``ConditionFailed``
    names the labels)."""
    entry = customer_entry(job)
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)
        tx.create("job", job)
        if entry is not None:
            tx.save("customer_job", entry)
    return job


def change(job: JobItem, changes: dict[str, Any], parts: list[Part]) -> JobItem:
    """Apply ``changes`` (attribute -> value, None removes) to the job as read, with the
    parts; ``ConditionFailed`` labelled ``job`` when it changed meanwhile. Returns the job
    as written."""
    actions = []
    for name, value in changes.items():
        attr = getattr(JobItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)
        tx.update("job", job, actions, condition=as_read(job))
    for name, value in changes.items():
        setattr(job, name, value)
    return job


def unchanged(job: JobItem) -> Condition:
    """The job is exactly as read (every change of a job sets ``updated_at``)."""
    return as_read(job) & (JobItem.updated_at == job.updated_at)


def change_many(
    changed: list[tuple[JobItem, dict[str, Any]]],
    parts: list[Part],
    checked: Sequence[JobItem] = (),
) -> None:
    """Apply each job's ``changes`` (as :func:`change`) in one transaction, each job
    conditioned on being :func:`unchanged`, as is every job of ``checked`` (written or
    not, the set agrees); ``ConditionFailed`` labelled ``job:<id>``."""
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)
        for job in checked:
            key = keys.job_key(job.tenant_id, int(job.job_id))
            tx.check(f"job:{int(job.job_id)}", JobItem, key, unchanged(job))
        for job, changes in changed:
            actions = [
                getattr(JobItem, k).remove() if v is None else getattr(JobItem, k).set(v)
                for k, v in changes.items()
            ]
            tx.update(f"job:{int(job.job_id)}", job, actions, condition=unchanged(job))
    for job, changes in changed:
        for name, value in changes.items():
            setattr(job, name, value)


def write(parts: list[Part]) -> None:
    """One transaction of parts only (a position report and its event)."""
    with labelled_transaction() as tx:
        for part in parts:
            part(tx)
