"""SLA items: the tenant's policies, the violations and the sweep's due index.

Keys (``platform.keys``, "sla"): policies ``T#<tid>#SLA`` / ``POLICY`` (one attribute per
priority); violation ``T#<tid>#SLAVIOL`` / ``<job id>#<kind>`` (so a job's deadline is
recorded once: a conditional put), listed on gsi1 ``T#<tid>#SLAVIOLDUE`` and gsi2
``T#<tid>#SLAVIOLTECH#<tech>`` by ``<due>#<job id>#<kind>``; due entries
``SLADUE#<shard>`` / ``<due>#<tid>#<job id>#<kind>``.

Violations and due entries are written inside a dispatch job's transaction (the parts
``service`` hands to dispatch), never alone, so they always agree with the job.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.platform import keys
from chalicelib.platform.table import BaseItem, Gsi2, register, take
from chalicelib.platform.tx import Labelled, applied

PRIORITY_FIELDS = ("low", "normal", "high", "urgent")


@register
class PolicyItem(BaseItem):
    """The tenant's SLA policies: per priority ``{"response_minutes",
    "resolution_minutes", "updated_at"}`` or absent."""

    tenant_id = UnicodeAttribute()
    low = JSONAttribute(null=True)
    normal = JSONAttribute(null=True)
    high = JSONAttribute(null=True)
    urgent = JSONAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


@register
class ViolationItem(BaseItem):
    """A missed deadline of one job. gsi1: the tenant's by deadline; gsi2: the technician's
    who held the job then (sparse)."""

    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    tenant_id = UnicodeAttribute()
    job_id = NumberAttribute()
    kind = UnicodeAttribute()
    due = UnicodeAttribute()
    met_at = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    priority = UnicodeAttribute()
    technician_id = NumberAttribute(null=True)
    technician_name = UnicodeAttribute(null=True)
    recorded_at = UnicodeAttribute()


@register
class DueItem(BaseItem):
    """A running deadline in the sweep's index."""

    tenant_id = UnicodeAttribute()
    job_id = NumberAttribute()
    kind = UnicodeAttribute()
    due = UnicodeAttribute()


# --- policies ------------------------------------------------------------------------------
def policy_ref(tenant_id: str) -> tuple[type[PolicyItem], tuple[str, str]]:
    return PolicyItem, keys.sla_policy_key(tenant_id)


def get_policies(tenant_id: str, consistent: bool = False) -> PolicyItem | None:
    return PolicyItem.find(
        keys.sla_policy_key(tenant_id), tenant_id=tenant_id, consistent=consistent
    )


def set_policies(tenant_id: str, changes: dict[str, Any], at: str) -> PolicyItem:
    """SET (a dict) or REMOVE (None) each priority's policy; one UpdateItem that creates
    the item when it is missing. Returns the item as written."""
    item = PolicyItem(*keys.sla_policy_key(tenant_id))
    actions = [PolicyItem.tenant_id.set(tenant_id), PolicyItem.updated_at.set(at)]
    for name, value in changes.items():
        attr = getattr(PolicyItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    item.update(actions=actions)
    return item


# --- violations ----------------------------------------------------------------------------
def new_violation(
    tenant_id: str,
    job_id: int,
    kind: str,
    due: str,
    *,
    technician_id: int | None,
    **fields: Any,
) -> ViolationItem:
    gsi1pk, gsi1sk = keys.sla_violation_due_key(tenant_id, due, job_id, kind)
    gsi2: dict[str, Any] = {}
    if technician_id is not None:
        gsi2pk, gsi2sk = keys.sla_violation_technician_key(
            tenant_id, technician_id, due, job_id, kind
        )
        gsi2 = {"gsi2pk": gsi2pk, "gsi2sk": gsi2sk}
    return ViolationItem(
        *keys.sla_violation_key(tenant_id, job_id, kind),
        tenant_id=tenant_id,
        job_id=job_id,
        kind=kind,
        due=due,
        technician_id=technician_id,
        gsi1pk=gsi1pk,
        gsi1sk=gsi1sk,
        **gsi2,
        **fields,
    )


def add_violation(tx: Labelled, item: ViolationItem) -> None:
    """Record it only if the job's deadline has no violation yet."""
    tx.create("sla_violation", item)


def meet_violation(tx: Labelled, tenant_id: str, job_id: int, kind: str, met_at: str) -> None:
    """The job met a deadline it had missed: when."""
    item = ViolationItem(*keys.sla_violation_key(tenant_id, job_id, kind))
    tx.update(
        "sla_violation_met",
        item,
        [ViolationItem.met_at.set(met_at)],
        condition=ViolationItem.pk.exists(),
    )


def get_violation(tenant_id: str, job_id: int, kind: str) -> ViolationItem | None:
    return ViolationItem.find(keys.sla_violation_key(tenant_id, job_id, kind), tenant_id=tenant_id)


# --- the due index -------------------------------------------------------------------------
def due_entry(tenant_id: str, job_id: int, kind: str, due: str) -> DueItem:
    return DueItem(
        *keys.sla_due_key(tenant_id, job_id, kind, due),
        tenant_id=tenant_id,
        job_id=job_id,
        kind=kind,
        due=due,
    )


def watch(tx: Labelled, tenant_id: str, job_id: int, kind: str, due: str) -> None:
    tx.save("sla_due", due_entry(tenant_id, job_id, kind, due))


def unwatch(tx: Labelled, tenant_id: str, job_id: int, kind: str, due: str) -> None:
    tx.delete("sla_due", DueItem(*keys.sla_due_key(tenant_id, job_id, kind, due)))


def due_before(partition: str, before: str, limit: int) -> list[DueItem]:
    """Entries of one shard whose deadline is before ``before`` (ISO), earliest first
    (one Query, continued only past 1 MB, at most ``limit``)."""
    return take(DueItem.query(partition, DueItem.sk < before, limit=limit), limit)


def forget(entry: DueItem) -> bool:
    """Drop an entry whose job no longer runs that deadline (False: already gone)."""
    return applied(lambda: entry.delete(condition=DueItem.pk.exists()))
