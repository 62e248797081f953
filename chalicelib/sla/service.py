"""SLA management (issue 12, SPEC.md "Dispatch"): the policies per priority, each job's
deadlines and the violations (``rules`` decides; this module reads and writes).

Dispatch calls the hooks, so every SLA write happens in the job's own transaction:

- ``deadline_fields`` / ``deadlines_for``: the job's ``sla_response_due`` and
  ``sla_resolution_due`` from the tenant's policy of its priority (the creation reads the
  policies item in its own ``BatchGetItem``: ``policy_ref``; a change of priority costs
  one ``GetItem``);
- ``on_create`` and ``on_change``: the job attributes and transaction parts of a write
  (a violation put once, conditionally, with its list counts; a late ``met_at``; the due
  index entries added and removed), decided by ``rules.assess``.

The sweep (``sla.sweep``) finds the deadlines that passed in the due index and has
dispatch run ``on_change`` on those jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from chalicelib.core import clock
from chalicelib.core.pagination import PageRequest
from chalicelib.platform.tx import Labelled
from chalicelib.sla import listing, rules, store

Part = Callable[[Labelled], None]
JOB_FIELDS = (
    "job_id",
    "title",
    "priority",
    "status",
    "technician_id",
    "technician_name",
    "completed_at",
    "cancelled_at",
    "sla_response_due",
    "sla_resolution_due",
    "sla_responded_at",
    "sla_response_missed",
    "sla_resolution_missed",
)
MISSED = {kind: f"sla_{kind}_missed" for kind in rules.KINDS}


# --- policies ------------------------------------------------------------------------------
def _policy(item: Any, priority: str) -> rules.Policy | None:
    raw = getattr(item, priority, None) if item is not None else None
    if not raw:
        return None
    return rules.Policy(int(raw["response_minutes"]), int(raw["resolution_minutes"]))


def _policies_view(item: Any) -> dict[str, Any]:
    items = []
    for priority in rules.PRIORITIES:
        raw = getattr(item, priority, None) if item is not None else None
        items.append(
            {
                "priority": priority,
                "configured": bool(raw),
                "response_minutes": int(raw["response_minutes"]) if raw else None,
                "resolution_minutes": int(raw["resolution_minutes"]) if raw else None,
                "updated_at": raw.get("updated_at") if raw else None,
            }
        )
    return {"items": items, "updated_at": item.updated_at if item is not None else None}


def policies(tenant_id: str) -> dict[str, Any]:
    """The four priorities' policies (one GetItem)."""
    return _policies_view(store.get_policies(tenant_id))


def set_policies(tenant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Set (``{"response_minutes", "resolution_minutes"}``) or remove (None) the policy of
    each priority named; the others stay. Jobs keep the deadlines they were given; a new
    policy applies to jobs created, or given that priority, from now on."""
    at = clock.iso_utc(clock.now())
    written: dict[str, Any] = {}
    for priority, value in changes.items():
        rules.check_priority(priority)
        if value is None:
            written[priority] = None
            continue
        policy = rules.check_policy(
            value.get("response_minutes"), value.get("resolution_minutes"), where=priority
        )
        written[priority] = {
            "response_minutes": policy.response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "updated_at": at,
        }
    store.set_policies(tenant_id, written, at)
    return policies(tenant_id)


# --- the hooks dispatch calls ----------------------------------------------------------------
def policy_ref(tenant_id: str) -> Any:
    """The policies item, for the job creation's batch read."""
    return store.policy_ref(tenant_id)


def deadline_fields(policies_item: Any, priority: str, created_at: str) -> dict[str, Any]:
    """The deadline attributes of a job of ``priority`` created at ``created_at``."""
    response, resolution = rules.deadlines(created_at, _policy(policies_item, priority))
    return {"sla_response_due": response, "sla_resolution_due": resolution}


def deadlines_for(tenant_id: str, priority: str, created_at: str) -> dict[str, Any]:
    """``deadline_fields`` after reading the tenant's policies (one consistent GetItem)."""
    return deadline_fields(store.get_policies(tenant_id, consistent=True), priority, created_at)


def _values(job: Any, changes: Mapping[str, Any] | None = None) -> dict[str, Any]:
    changes = changes or {}
    return {name: changes[name] if name in changes else getattr(job, name) for name in JOB_FIELDS}


def _clock(values: Mapping[str, Any]) -> rules.Clock:
    return rules.Clock(
        status=values["status"],
        response_due=values["sla_response_due"],
        resolution_due=values["sla_resolution_due"],
        responded_at=values["sla_responded_at"],
        completed_at=values["completed_at"],
        cancelled_at=values["cancelled_at"],
        missed=frozenset(kind for kind, name in MISSED.items() if values[name]),
    )


def _number(value: Any) -> int | None:
    return None if value is None else int(value)


def _parts(
    tenant_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    assessment: rules.Assessment,
    at: str,
) -> list[Part]:
    if not assessment:
        return []
    job_id = int(after["job_id"])
    violations = [
        store.new_violation(
            tenant_id,
            job_id,
            missed.kind,
            missed.due,
            technician_id=_number(before["technician_id"]),
            technician_name=before["technician_name"],
            met_at=missed.met_at,
            title=after["title"],
            priority=after["priority"],
            recorded_at=at,
        )
        for missed in assessment.record
    ]

    def part(tx: Labelled) -> None:
        for item in violations:
            store.add_violation(tx, item)
        if violations:
            listing.counted(tx, tenant_id, violations)
        for kind, met_at in assessment.met:
            store.meet_violation(tx, tenant_id, job_id, kind, met_at)
        for kind, due in assessment.unwatch.items():
            store.unwatch(tx, tenant_id, job_id, kind, due)
        for kind, due in assessment.watch.items():
            store.watch(tx, tenant_id, job_id, kind, due)

    return [part]


def on_create(tenant_id: str, job: Any, now: datetime) -> list[Part]:
    """The parts of a new job's transaction: its deadlines in the due index."""
    after = _values(job)
    at = rules.iso(now)
    return _parts(tenant_id, after, after, rules.assess(None, _clock(after), at), at)


def on_change(
    tenant_id: str, job: Any, changes: Mapping[str, Any], now: datetime
) -> tuple[dict[str, Any], list[Part]]:
    """For a write of ``changes`` to ``job`` (as read) at ``now``: the SLA attributes to
    write with them (when it first responded, which deadlines it missed) and the parts of
    the transaction (violations, their counts, ``met_at``, the due index)."""
    before = _values(job)
    after = _values(job, changes)
    at = rules.iso(now)
    extra: dict[str, Any] = {}
    responded = rules.responded_at(_clock(before), after["status"], at)
    if responded != before["sla_responded_at"]:
        extra["sla_responded_at"] = after["sla_responded_at"] = responded
    assessment = rules.assess(_clock(before), _clock(after), at)
    for missed in assessment.record:
        extra[MISSED[missed.kind]] = True
    return extra, _parts(tenant_id, before, after, assessment, at)


# --- violations ------------------------------------------------------------------------------
def violation_view(item: Any) -> dict[str, Any]:
    return {
        "job_id": int(item.job_id),
        "title": item.title,
        "priority": item.priority,
        "kind": item.kind,
        "due": item.due,
        "met_at": item.met_at,
        "technician_id": _number(item.technician_id),
        "technician_name": item.technician_name,
        "recorded_at": item.recorded_at,
    }


def violations(tenant_id: str, flt: Any, page: PageRequest) -> dict[str, Any]:
    body = listing.page(
        tenant_id,
        page,
        kind=flt.kind,
        priority=flt.priority,
        technician_id=flt.technician_id,
        date_from=flt.date_from.isoformat() if flt.date_from else None,
        date_to=flt.date_to.isoformat() if flt.date_to else None,
    )
    body["items"] = [violation_view(v) for v in body["items"]]
    return body
